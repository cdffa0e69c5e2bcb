import * as tf from "@tensorflow/tfjs-core";
import { checkFormat, checkImageSize } from "../internal/check.js";
import type { BoxFormat, BoxUnits, ImageSize } from "../types.js";
import { checkBoxTensor, columns, fromXyxyParts, toXyxyParts } from "./internal.js";
import { type BoxTensor, unsafeBoxTensor } from "./types.js";

function convertT_<F extends BoxFormat, U extends BoxUnits, T extends BoxFormat>(
  b: BoxTensor<F, U>,
  to: T,
): BoxTensor<T, U> {
  checkBoxTensor("convertT", "b", b);
  checkFormat("convertT", "to", to);
  const from: BoxFormat = b.format;
  if (from === to) return unsafeBoxTensor(tf.clone(b.tensor), to, b.units);
  if ((from === "xyxy" && to === "yxyx") || (from === "yxyx" && to === "xyxy")) {
    // a pure permutation of the columns (unstack + stack rather than gather, whose gradient needs a
    // kernel the wasm backend lacks)
    const [p, q, r, t] = columns(b.tensor);
    return unsafeBoxTensor(tf.stack([q, p, t, r], b.tensor.rank - 1), to, b.units);
  }
  if ((from === "xywh" && to === "cxcywh") || (from === "cxcywh" && to === "xywh")) {
    // both carry the sizes: move the anchor point only, so widths and heights pass through exactly.
    const [p, q, w, h] = columns(b.tensor);
    const s = from === "xywh" ? 0.5 : -0.5;
    return unsafeBoxTensor(
      tf.stack([tf.add(p, tf.mul(w, s)), tf.add(q, tf.mul(h, s)), w, h], b.tensor.rank - 1),
      to,
      b.units,
    );
  }
  return unsafeBoxTensor(fromXyxyParts(toXyxyParts(b.tensor, from), to), to, b.units);
}

/**
 * Tensor version of `convert`: boxes to another format, same units, `xyxy` as the hub (torchvision
 * `box_convert`). Elementwise per coordinate, so a NaN or ±Inf stays in its own coordinate, and it is
 * differentiable.
 * @param b `[..., N, 4]` BoxTensor, any format.
 * @param to target format.
 * @returns a new `[..., N, 4]` BoxTensor in `to` (a clone when `to === b.format`); `b` is not disposed.
 * @throws BoxesError `NOT_BOXES` / `SHAPE_MISMATCH` for a bad `b`, `INVALID_ARGUMENT` for an unknown `to`.
 * @example const xyxy = convertT(pred, "xyxy"); // BoxTensor<"xyxy", "rel">
 */
export const convertT = tf.op({ convertT_ });

function scaleT(fn: string, b: BoxTensor, size: ImageSize, inverse: boolean): tf.Tensor {
  checkImageSize(fn, "size", size);
  const sx = inverse ? 1 / size.width : size.width;
  const sy = inverse ? 1 / size.height : size.height;
  const f = b.format === "yxyx" ? [sy, sx, sy, sx] : [sx, sy, sx, sy];
  return tf.mul(b.tensor, tf.tensor1d(f, "float32"));
}

function toRelT_<F extends BoxFormat>(b: BoxTensor<F, "px">, size: ImageSize): BoxTensor<F, "rel"> {
  checkBoxTensor("toRelT", "b", b, undefined, "px");
  return unsafeBoxTensor(scaleT("toRelT", b, size, true), b.format, "rel");
}

/**
 * Tensor version of `toRel`: px boxes to fractions of the image (x and widths times `1 / size.width`,
 * y and heights times `1 / size.height`). Any format.
 * @param b `[..., N, 4]` px BoxTensor of an image of `size`.
 * @param size image size in pixels (every batch item shares it).
 * @returns a new `[..., N, 4]` rel BoxTensor, same format.
 * @throws BoxesError `UNITS_MISMATCH` when `b` is already rel, `INVALID_ARGUMENT` for a bad size.
 */
export const toRelT = tf.op({ toRelT_ });

function toPxT_<F extends BoxFormat>(b: BoxTensor<F, "rel">, size: ImageSize): BoxTensor<F, "px"> {
  checkBoxTensor("toPxT", "b", b, undefined, "rel");
  return unsafeBoxTensor(scaleT("toPxT", b, size, false), b.format, "px");
}

/**
 * Tensor version of `toPx`: fractions of the image to pixels (x and widths times `size.width`, y and
 * heights times `size.height`). Any format.
 * @param b `[..., N, 4]` rel BoxTensor.
 * @param size image size in pixels.
 * @returns a new `[..., N, 4]` px BoxTensor, same format.
 * @throws BoxesError `UNITS_MISMATCH` when `b` is already px, `INVALID_ARGUMENT` for a bad size.
 */
export const toPxT = tf.op({ toPxT_ });

function areaT_(b: BoxTensor): tf.Tensor {
  checkBoxTensor("areaT", "b", b);
  const [p, q, r, s] = columns(b.tensor);
  if (b.format === "xyxy" || b.format === "yxyx") return tf.mul(tf.sub(r, p), tf.sub(s, q));
  return tf.mul(r, s);
}

/**
 * Tensor version of `area`: width × height of every box (px² or a fraction of the image area).
 * Inverted boxes are not checked (their "area" is the signed product).
 * @param b `[..., N, 4]` BoxTensor, any format.
 * @returns `[..., N]` float32 areas.
 */
export const areaT = tf.op({ areaT_ });
