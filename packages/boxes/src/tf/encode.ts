import * as tf from "@tensorflow/tfjs-core";
import { BBOX_XFORM_CLIP, type CoderOptions, ENCODE_MIN_SIZE, SSD_VARIANCES } from "../encode.js";
import { describeValue } from "../errors.js";
import { fail } from "../internal/check.js";
import type { BoxFormat, BoxUnits } from "../types.js";
import {
  checkBoxTensor,
  checkBroadcast,
  checkVariancesT,
  columns,
  shapeOf,
  toXyxyParts,
} from "./internal.js";
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

function encodeT_<F extends BoxFormat, U extends BoxUnits>(
  matched: BoxTensor<F, U>,
  priors: BoxTensor<"cxcywh", NoInfer<U>>,
  options: CoderOptions = {},
): tf.Tensor {
  const fn = "encodeT";
  checkBoxTensor(fn, "matched", matched);
  checkPriorsT(fn, priors, matched.units);
  checkBroadcast(
    fn,
    "matched",
    matched.tensor.shape.slice(-2),
    "priors",
    priors.tensor.shape,
    "the [P, 4] shapes",
  );
  const v = options.variances ?? SSD_VARIANCES;
  checkVariancesT(fn, v);
  const [vx, vy, vw, vh] = v;
  const g = toXyxyParts(matched.tensor, matched.format); // each [..., P]
  const [pcx, pcy, pw, ph] = columns(priors.tensor); // each [P]
  const gw = tf.maximum(tf.sub(g.x2, g.x1), ENCODE_MIN_SIZE);
  const gh = tf.maximum(tf.sub(g.y2, g.y1), ENCODE_MIN_SIZE);
  const gcx = tf.mul(tf.add(g.x1, g.x2), 0.5);
  const gcy = tf.mul(tf.add(g.y1, g.y2), 0.5);
  const tx = tf.div(tf.sub(gcx, pcx), tf.mul(pw, vx));
  const ty = tf.div(tf.sub(gcy, pcy), tf.mul(ph, vy));
  const tw = tf.div(tf.log(tf.div(gw, pw)), vw);
  const th = tf.div(tf.log(tf.div(gh, ph)), vh);
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
  if (!(deltas instanceof tf.Tensor) || deltas.isDisposed || deltas.rank < 2 || deltas.dtype !== "float32") {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `deltas must be a float32 tensor [..., P, 4]; got ${deltas instanceof tf.Tensor ? `${deltas.dtype} ${shapeOf(deltas)}` : describeValue(deltas)}`,
      {
        arg: "deltas",
      },
    );
  }
  checkBroadcast(fn, "deltas", deltas.shape.slice(-2), "priors", priors.tensor.shape, "the [P, 4] shapes");
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
