import { tf } from "@od/tf";
import { fail } from "./errors.js";

/**
 * How a loss tensor is reduced: `"none"` keeps the elementwise shape, `"mean"` and `"sum"` give a
 * scalar.
 */
export type Reduction = "none" | "mean" | "sum";

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
