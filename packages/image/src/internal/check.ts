import { describeValue } from "@od/boxes";
import { ImageError, type ImageErrorCode } from "../errors.js";

/** Throws an {@link ImageError} whose message starts with the function name. */
export function fail(
  code: ImageErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new ImageError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}

/** Checks a positive integer size argument. */
export function checkPositiveInt(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be a positive integer; got ${describeValue(v)}`, {
      arg,
      value: v,
    });
  }
}
