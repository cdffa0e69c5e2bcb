// The few tfjs-core internals that the vendored gradients (./gradients, generated) import, expressed
// through tfjs-core's public API so that only `@tensorflow/tfjs-core` itself is ever loaded.
import {
  backend_util,
  broadcast_util,
  engine,
  type NamedAttrMap,
  type NamedTensorMap,
  slice_util,
  Tensor,
  type TensorLike,
  tensor,
  util,
} from "@tensorflow/tfjs-core";

/** The engine singleton (`ENGINE` inside tfjs-core). */
export const ENGINE = engine();

/** `tfjs-core/src/ops/axis_util` (re-exported publicly through `backend_util`). */
export const axis_util = backend_util;
/** `tfjs-core/src/ops/conv_util` (re-exported publicly through `backend_util`). */
export const conv_util = backend_util;
/** Explicit padding type of `conv_util`. */
export type ExplicitPadding = backend_util.ExplicitPadding;

/** `backend_util` helpers the vendored gradients call by their tfjs-core internal module names. */
export const {
  getAxesPermutation,
  getUndoAxesPermutation,
  computeOutAndReduceShapes,
  tupleValuesAreOne,
  checkPadOnDimRoundingMode,
  SELU_SCALE,
  SELU_SCALEALPHA,
} = backend_util;
/** Broadcasting helpers (`tfjs-core/src/ops/broadcast_util`). */
export const { assertAndGetBroadcastShape, getReductionAxes } = broadcast_util;
/** Slice-parameter normalisation (`tfjs-core/src/ops/slice_util`). */
export const { parseSliceParams } = slice_util;
/** Axis normalisation (`tfjs-core/src/util`). */
export const { parseAxisParam } = util;

/**
 * `tensor_util_env.convertToTensor`, reduced to what the backprop ops need: gradients always pass
 * tensors; anything else is converted with `tf.tensor`.
 */
export function convertToTensor<T extends Tensor>(
  x: T | TensorLike,
  _argName: string,
  _functionName: string,
): T {
  if (x instanceof Tensor) return x;
  const t: Tensor = tensor(x);
  return t as T;
}

/** Typed boundary: a kernel's inputs object as the engine's `NamedTensorMap`. */
export function asNamedTensorMap(inputs: object): NamedTensorMap {
  return inputs as NamedTensorMap;
}

/** Typed boundary: a kernel's attrs object as the engine's `NamedAttrMap`. */
export function asNamedAttrMap(attrs: object): NamedAttrMap {
  return attrs as NamedAttrMap;
}

/** Typed boundary: the engine's `NamedAttrMap` as a kernel's typed attrs (e.g. `Conv2DAttrs`). */
export function attrsAs<T extends object>(attrs: NamedAttrMap | undefined): T {
  const o: object = attrs ?? {};
  return o as T;
}
