import { PlotError, type PlotErrorCode } from "../errors.js";

/** Throws a PlotError whose message is `fn: message`. */
export function fail(
  code: PlotErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new PlotError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}

/** A value as an error message shows it: strings quoted, everything else as `String` prints it. */
export function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** Checks that `value` is a finite number > 0 (a size in px). */
export function checkPositive(fn: string, name: string, value: number): void {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0))
    fail("INVALID_ARGUMENT", fn, `${name} must be a finite number > 0; got ${describe(value)}`, {
      arg: name,
      value,
    });
}
