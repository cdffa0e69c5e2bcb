import * as tf from "@tensorflow/tfjs-core";
import { BBOX_XFORM_CLIP, type CoderOptions, ENCODE_MIN_SIZE, SSD_VARIANCES } from "../encode.js";
import { describeValue } from "../errors.js";
import { fail } from "../internal/check.js";
import type { BoxFormat, BoxUnits } from "../types.js";
import { checkBoxesTensor, checkBoxTensor, checkVariancesT, columns, shapeOf } from "./internal.js";
import { type BoxTensor, unsafeBoxTensor } from "./types.js";

/** Asserts `priors` is a `[P, 4]` cxcywh BoxTensor in `units`. */
function checkPriorsT(fn: string, priors: unknown, units: BoxUnits): asserts priors is BoxTensor<"cxcywh"> {
  checkBoxTensor(fn, "priors", priors, "cxcywh", units);
  if (priors.tensor.rank !== 2) {
    fail("SHAPE_MISMATCH", fn, `priors.tensor must have shape [P, 4]; got ${shapeOf(priors.tensor)}`, {
      arg: "priors",
    });
  }
}

/**
 * Centre offsets from the priors (`gcx − pcx`, `gcy − pcy`) and sizes of boxes of format `f`, computed
 * from differences of nearby values first, so float32 keeps the precision the float64 typed-array path
 * has (a matched box is near its prior).
 */
function offsetsAndSizes(
  t: tf.Tensor,
  f: BoxFormat,
  pcx: tf.Tensor,
  pcy: tf.Tensor,
): { dx: tf.Tensor; dy: tf.Tensor; w: tf.Tensor; h: tf.Tensor } {
  const [a, b, c, d] = columns(t);
  switch (f) {
    case "cxcywh":
      return { dx: tf.sub(a, pcx), dy: tf.sub(b, pcy), w: c, h: d };
    case "xywh":
      return {
        dx: tf.add(tf.sub(a, pcx), tf.mul(c, 0.5)),
        dy: tf.add(tf.sub(b, pcy), tf.mul(d, 0.5)),
        w: c,
        h: d,
      };
    case "xyxy":
    case "yxyx": {
      const [x1, y1, x2, y2] = f === "xyxy" ? [a, b, c, d] : [b, a, d, c];
      return {
        dx: tf.mul(tf.add(tf.sub(x1, pcx), tf.sub(x2, pcx)), 0.5),
        dy: tf.mul(tf.add(tf.sub(y1, pcy), tf.sub(y2, pcy)), 0.5),
        w: tf.sub(x2, x1),
        h: tf.sub(y2, y1),
      };
    }
  }
}

/** Asserts the `P` of `arg` ([..., P, 4]) equals the priors' P. */
function checkP(fn: string, arg: string, t: tf.Tensor, priors: tf.Tensor): void {
  const p = t.shape[t.rank - 2];
  if (p !== priors.shape[0]) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `${arg} ${shapeOf(t)} must have P = ${priors.shape[0]} boxes to pair with priors ${shapeOf(priors)}; got P = ${p}`,
      {
        arg,
        expected: priors.shape[0],
        actual: p,
      },
    );
  }
}

function encodeT_<F extends BoxFormat, U extends BoxUnits>(
  matched: BoxTensor<F, U>,
  priors: BoxTensor<"cxcywh", NoInfer<U>>,
  options: CoderOptions = {},
): tf.Tensor {
  const fn = "encodeT";
  checkBoxTensor(fn, "matched", matched);
  checkPriorsT(fn, priors, matched.units);
  checkP(fn, "matched", matched.tensor, priors.tensor);
  const v = options.variances ?? SSD_VARIANCES;
  checkVariancesT(fn, v);
  const [vx, vy, vw, vh] = v;
  const [pcx, pcy, pw, ph] = columns(priors.tensor); // each [P]
  const g = offsetsAndSizes(matched.tensor, matched.format, pcx, pcy); // each [..., P]
  const tx = tf.div(g.dx, tf.mul(pw, vx));
  const ty = tf.div(g.dy, tf.mul(ph, vy));
  const tw = tf.div(tf.log(tf.div(tf.maximum(g.w, ENCODE_MIN_SIZE), pw)), vw);
  const th = tf.div(tf.log(tf.div(tf.maximum(g.h, ENCODE_MIN_SIZE), ph)), vh);
  return tf.stack([tx, ty, tw, th], -1); // [..., P, 4]
}

/**
 * Tensor version of `encode`: SSD box encoding (Liu et al. 2016, eq. 2; torchvision
 * `BoxCoder.encode_single` with weights `1 / variances`) of each matched box against its prior:
 * `tx = (gcx − pcx) / (σx·pw)`, `ty = (gcy − pcy) / (σy·ph)`, `tw = log(gw / pw) / σw`,
 * `th = log(gh / ph) / σh`. A width or height below `ENCODE_MIN_SIZE` (1e-8) is raised to it, so
 * degenerate boxes give finite targets.
 *
 * Preconditions (not checked, to avoid reading the tensor): priors are finite with positive sizes.
 * @param matched `[..., P, 4]` BoxTensor, any format, same units as `priors` (e.g. `[B, P, 4]`).
 * @param priors `[P, 4]` cxcywh BoxTensor, broadcast over the batch dimensions.
 * @param options `variances` (default SSD's 0.1, 0.1, 0.2, 0.2).
 * @returns `[..., P, 4]` float32 deltas (tx, ty, tw, th), unitless.
 * @throws BoxesError `SHAPE_MISMATCH` when P differs, `FORMAT_MISMATCH` (priors not cxcywh),
 *   `UNITS_MISMATCH`, `INVALID_ARGUMENT` for bad variances.
 */
export const encodeT = tf.op({ encodeT_ });

function decodeT_<U extends BoxUnits>(
  deltas: tf.Tensor,
  priors: BoxTensor<"cxcywh", U>,
  options: CoderOptions = {},
): BoxTensor<"cxcywh", U> {
  const fn = "decodeT";
  checkBoxTensor(fn, "priors", priors, "cxcywh");
  checkPriorsT(fn, priors, priors.units);
  checkBoxesTensor(fn, "deltas", deltas);
  checkP(fn, "deltas", deltas, priors.tensor);
  const v = options.variances ?? SSD_VARIANCES;
  checkVariancesT(fn, v);
  const clip = options.clip ?? BBOX_XFORM_CLIP;
  if (typeof clip !== "number" || Number.isNaN(clip)) {
    fail("INVALID_ARGUMENT", fn, `options.clip must be a number; got ${describeValue(clip)}`, {
      arg: "options.clip",
    });
  }
  const [vx, vy, vw, vh] = v;
  const [tx, ty, tw, th] = columns(deltas); // each [..., P]
  const [pcx, pcy, pw, ph] = columns(priors.tensor); // each [P]
  const cx = tf.add(tf.mul(tf.mul(tx, vx), pw), pcx);
  const cy = tf.add(tf.mul(tf.mul(ty, vy), ph), pcy);
  const w = tf.mul(tf.exp(tf.minimum(tf.mul(tw, vw), clip)), pw);
  const h = tf.mul(tf.exp(tf.minimum(tf.mul(th, vh), clip)), ph);
  return unsafeBoxTensor(tf.stack([cx, cy, w, h], -1), "cxcywh", priors.units); // [..., P, 4]
}

/**
 * Tensor version of `decode`, the inverse of {@link encodeT} (torchvision `BoxCoder.decode_single`):
 * `cx = tx·σx·pw + pcx`, `w = exp(min(tw·σw, clip))·pw`, likewise for y and h. Differentiable (use it
 * before an IoU-family loss).
 * @param deltas `[..., P, 4]` float32 (tx, ty, tw, th), e.g. the model's location output `[B, P, 4]`.
 * @param priors `[P, 4]` cxcywh BoxTensor, broadcast over the batch dimensions.
 * @param options `variances` (default SSD's), `clip` on log-size deltas (default `log(1000 / 16)`).
 * @returns `[..., P, 4]` cxcywh BoxTensor in the units of the priors.
 * @throws BoxesError `SHAPE_MISMATCH` when the shapes differ, `FORMAT_MISMATCH`, `INVALID_ARGUMENT`.
 */
export const decodeT = tf.op({ decodeT_ });
