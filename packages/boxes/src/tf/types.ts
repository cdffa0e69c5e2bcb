import type * as tf from "@tensorflow/tfjs-core";
import type { BoxFormat, BoxUnits } from "../types.js";

/** The runtime tag every {@link BoxTensor} carries in its `kind` field. */
export const BOX_TENSOR_KIND = "od.boxtensor" as const;

/**
 * Boxes held in a tfjs tensor: a small wrapper object `{ tensor, format, units }` around a float32
 * `tf.Tensor` of shape `[..., N, 4]` (rank ≥ 2, so `[N, 4]` or a batch `[B, N, 4]`).
 *
 * Why a wrapper rather than a branded tensor: the format and units are type parameters (a
 * `BoxTensor<'cxcywh','rel'>` cannot be passed where `BoxTensor<'xyxy','rel'>` is expected) AND runtime
 * tags that every `*T` op re-checks in O(1), for plain-JS callers; tfjs ops never see the wrapper, so
 * they cannot silently drop a brand. The raw tensor for custom math is `b.tensor`; wrap a result again
 * with {@link boxTensor}.
 *
 * Ownership: the wrapper owns nothing beyond `tensor`. Dispose it with `b.tensor.dispose()` or
 * `tf.dispose(b)`; `tf.tidy` keeps a returned wrapper's tensor alive like a returned tensor. (A type
 * alias rather than an interface, so it is assignable to tfjs' `TensorContainer`.)
 */
export type BoxTensor<F extends BoxFormat = BoxFormat, U extends BoxUnits = BoxUnits> = {
  /** Runtime brand, always `"od.boxtensor"`. */
  readonly kind: typeof BOX_TENSOR_KIND;
  /** Coordinate layout of every `[4]` row. */
  readonly format: F;
  /** `px` or `rel`. */
  readonly units: U;
  /** `[..., N, 4]` float32 coordinates in `format` and `units`. */
  readonly tensor: tf.Tensor;
};

/**
 * Wraps a tensor as a BoxTensor WITHOUT checking it (cast-only constructor for hot paths, e.g. inside a
 * model's forward pass where the shape is known). Use {@link boxTensor} for anything else.
 * @param tensor `[..., N, 4]` float32 tensor; not copied, the result refers to it.
 */
export function unsafeBoxTensor<F extends BoxFormat, U extends BoxUnits>(
  tensor: tf.Tensor,
  format: F,
  units: U,
): BoxTensor<F, U> {
  return { kind: BOX_TENSOR_KIND, format, units, tensor };
}
