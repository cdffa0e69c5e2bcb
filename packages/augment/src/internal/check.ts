import { describeValue } from "@od/boxes";
import { AugmentError, type AugmentErrorCode } from "../errors.js";

/** Throws an {@link AugmentError} whose message starts with the function name. */
export function fail(
  code: AugmentErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new AugmentError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}

/** Checks a positive integer size option. */
export function checkPositiveInt(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be a positive integer; got ${describeValue(v)}`, {
      arg,
      value: v,
    });
  }
}

/** Checks a finite number in [lo, hi]. */
export function checkRange(fn: string, arg: string, v: unknown, lo: number, hi: number): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be a number in [${lo}, ${hi}]; got ${describeValue(v)}`, {
      arg,
      value: v,
    });
  }
}

/** Checks an ordered `[lo, hi]` range inside `[min, max]`. */
export function checkInterval(
  fn: string,
  arg: string,
  v: unknown,
  min: number,
  max: number,
): asserts v is readonly [number, number] {
  const r = v as readonly number[] | null;
  if (
    !Array.isArray(r) ||
    r.length !== 2 ||
    typeof r[0] !== "number" ||
    typeof r[1] !== "number" ||
    !Number.isFinite(r[0]) ||
    !Number.isFinite(r[1]) ||
    r[0] > r[1] ||
    r[0] < min ||
    r[1] > max
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${arg} must be [lo, hi] with ${min} <= lo <= hi <= ${max}; got ${describeValue(v)}`,
      { arg, value: v },
    );
  }
}
