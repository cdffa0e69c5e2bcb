import { describeValue } from "@od/boxes";
import { PriorsError, type PriorsErrorCode } from "../errors.js";

/** Throws a PriorsError whose message starts with the function name. */
export function fail(
  code: PriorsErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new PriorsError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}

/** Checks `v` is a finite number > 0 (or ≥ 0 when `allowZero`). */
export function checkPositive(
  code: PriorsErrorCode,
  fn: string,
  field: string,
  v: unknown,
  allowZero = false,
): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    fail(
      code,
      fn,
      `${field} must be a finite number ${allowZero ? ">= 0" : "> 0"}; got ${describeValue(v)}`,
      { field, value: v },
    );
  }
  return v;
}

/** Checks `v` is an integer ≥ `min`. */
export function checkInt(code: PriorsErrorCode, fn: string, field: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    fail(code, fn, `${field} must be an integer >= ${min}; got ${describeValue(v)}`, { field, value: v });
  }
  return v;
}

/** Checks a threshold in [0, 1]. */
export function checkUnit(fn: string, field: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    fail("INVALID_ARGUMENT", fn, `${field} must be a number in [0, 1]; got ${describeValue(v)}`, {
      field,
      value: v,
    });
  }
  return v;
}
