import { fc } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { expect } from "vitest";
import { type Uint8Image, uint8Image } from "../src/index.js";

/** A `"0-255"` image of the given size filled by a cheap hash, so every pixel differs. */
export function patternImage(width: number, height: number, channels = 3, seed = 1): Uint8Image {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i + seed * 7919, 2654435761) >>> 24) & 255;
  return uint8Image(data, width, height, channels);
}

/** Asserts `f` throws an od error with `code` whose message matches `message`. */
export function expectError(f: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isOdError(err, code), String(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

/** fast-check: a small `"0-255"` image (1, 3 or 4 channels). */
export const arbUint8Image = fc
  .record({
    w: fc.integer({ min: 1, max: 24 }),
    h: fc.integer({ min: 1, max: 24 }),
    c: fc.constantFrom(1, 3, 4),
    seed: fc.nat(1000),
  })
  .map(({ w, h, c, seed }) => patternImage(w, h, c, seed));
