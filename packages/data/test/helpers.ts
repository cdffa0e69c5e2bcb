import { isOdError } from "@od/boxes";
import { expect } from "vitest";

/** Runs `f`, expecting an od error with `code` whose message matches `message`. */
export function expectOdError(f: () => unknown, code: string, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(isOdError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

/** Async variant of {@link expectOdError}. */
export async function expectOdErrorAsync(
  f: () => Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  let thrown: unknown;
  try {
    await f();
  } catch (e) {
    thrown = e;
  }
  expect(isOdError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

/** A VOC annotation with the given objects `[name, xmin, ymin, xmax, ymax, difficult?, truncated?]`. */
export function vocXml(
  filename: string,
  w: number,
  h: number,
  objects: readonly (readonly [string, ...(number | string)[]])[],
): string {
  const objs = objects
    .map(
      ([name, x1, y1, x2, y2, d = 0, t = 0]) =>
        `<object><name>${name}</name><truncated>${t}</truncated><difficult>${d}</difficult><bndbox><xmin>${x1}</xmin><ymin>${y1}</ymin><xmax>${x2}</xmax><ymax>${y2}</ymax></bndbox></object>`,
    )
    .join("\n");
  return `<annotation>\n<filename>${filename}</filename>\n<size><width>${w}</width><height>${h}</height><depth>3</depth></size>\n${objs}\n</annotation>\n`;
}
