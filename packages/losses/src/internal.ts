import { tf } from "@od/tf";
import { fail } from "./errors.js";
import type { Reduction } from "./focal.js";

/** `[a, b, c]` for error messages. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Asserts `t.shape` equals `expected` (entries `-1` match any size). */
export function checkShape(fn: string, arg: string, t: tf.Tensor, expected: readonly number[]): void {
  const s = t.shape;
  const ok = s.length === expected.length && expected.every((e, i) => e === -1 || s[i] === e);
  if (!ok) {
    const want = expected.map((e) => (e === -1 ? "*" : String(e)));
    fail("SHAPE_MISMATCH", fn, `${arg} must have shape [${want.join(", ")}]; got ${shapeStr(s)}`, {
      arg,
      expected,
      actual: s,
    });
  }
}

/** Asserts `x` is a finite number in [lo, hi]. */
export function checkNumber(
  fn: string,
  arg: string,
  x: unknown,
  lo: number,
  hi: number,
): asserts x is number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be a finite number in [${lo}, ${hi}]; got ${String(x)}`, {
      arg,
      value: x,
    });
  }
}

/** Applies a {@link Reduction} (`"mean"` of an empty tensor is 0, not NaN). */
export function reduce(fn: string, t: tf.Tensor, reduction: Reduction): tf.Tensor {
  switch (reduction) {
    case "none":
      return t;
    case "mean":
      return t.size === 0 ? tf.scalar(0) : tf.mean(t);
    case "sum":
      return tf.sum(t);
    default:
      return fail(
        "INVALID_ARGUMENT",
        fn,
        `reduction must be "none", "mean" or "sum"; got ${String(reduction)}`,
      );
  }
}
