import * as tf from "@tensorflow/tfjs-core";
import { sameSequence } from "../sequence.js";
import type { BoxFormat, BoxUnits } from "../types.js";
import {
  checkBoxTensor,
  checkBroadcast,
  checkSameT,
  isPositive,
  notPoint,
  safeDiv,
  stopGradient,
  toXyxyParts,
  type XyxyParts,
} from "./internal.js";
import type { BoxTensor } from "./types.js";

/** 4 / π², the CIoU aspect-ratio constant. */
const FOUR_OVER_PI2 = 4 / (Math.PI * Math.PI);

type IouKind = "iou" | "giou" | "diou" | "ciou";

/** `atan2(w, h)` with finite gradients: `(w, h) = (0, 0)` is evaluated as `atan2(0, 1) = 0`. */
function aspectAngle(w: tf.Tensor, h: tf.Tensor): tf.Tensor {
  const ok = isPositive(tf.add(tf.square(w), tf.square(h)));
  return tf.atan2(tf.where(ok, w, tf.zerosLike(w)), tf.where(ok, h, tf.onesLike(h)));
}

/**
 * How a-side and b-side tensors meet. For aligned pairs both sides already have the result shape and
 * these are plain elementwise ops. For an `[N] × [M]` matrix, `liftA` / `liftB` materialise `[N, M]`
 * copies and `add` / `mul` build outer sums and products with a K = 1 or 2 `matMul` (exact: products
 * with 1 are exact, a sum is rounded once), because tfjs' cpu and wasm backends run broadcasting binary
 * ops 5 to 20 times slower than same-shape ones.
 */
interface Pairing {
  /** An a-side per-box tensor in the result shape. */
  liftA(t: tf.Tensor): tf.Tensor;
  /** A b-side per-box tensor in the result shape. */
  liftB(t: tf.Tensor): tf.Tensor;
  /** `p_a + q_b` in the result shape. */
  add(p: tf.Tensor, q: tf.Tensor): tf.Tensor;
  /** `p_a · q_b` in the result shape. */
  mul(p: tf.Tensor, q: tf.Tensor): tf.Tensor;
}

/**
 * Pairing of aligned boxes whose leading shapes broadcast to `out`. Corners are materialised with
 * `broadcastTo` (whose gradient sums over the broadcast axes; the `Minimum` / `Maximum` gradients of
 * tfjs 4.22 do not, so they must only ever see equal shapes).
 */
function elementwisePairing(out: readonly number[]): Pairing {
  const lift = (t: tf.Tensor) => (sameSequence(t.shape, out) ? t : tf.broadcastTo(t, [...out]));
  return { liftA: lift, liftB: lift, add: tf.add, mul: tf.mul };
}

/** Outer pairing of `[..., N]` with `[..., M]` (batch dimensions broadcast) into `out` = `[..., N, M]`. */
function broadcastPairing(out: readonly number[]): Pairing {
  return {
    liftA: (t) => tf.broadcastTo(tf.expandDims(t, -1), [...out]),
    liftB: (t) => tf.broadcastTo(tf.expandDims(t, -2), [...out]),
    add: (p, q) => tf.add(tf.expandDims(p, -1), tf.expandDims(q, -2)),
    mul: (p, q) => tf.mul(tf.expandDims(p, -1), tf.expandDims(q, -2)),
  };
}

/** Outer pairing of `[N]` a-side with `[M]` b-side tensors into `[N, M]`, by `matMul`. */
function outerPairing(n: number, m: number): Pairing {
  const onesN = tf.ones([n, 1]);
  const onesM = tf.ones([1, m]);
  const col = (t: tf.Tensor) => tf.reshape(t, [n, 1]);
  const row = (t: tf.Tensor) => tf.reshape(t, [1, m]);
  return {
    liftA: (t) => tf.matMul(col(t), onesM),
    liftB: (t) => tf.matMul(onesN, row(t)),
    add: (p, q) => tf.matMul(tf.concat([col(p), onesN], 1), tf.concat([onesM, row(q)], 0)),
    mul: (p, q) => tf.matMul(col(p), row(q)),
  };
}

/**
 * The IoU family of a-side and b-side xyxy corner tensors, paired by `P`. Every division goes through
 * {@link safeDiv}, so values AND gradients are finite for degenerate boxes, with the conventions of the
 * typed-array path (`src/internal/iou-pair.ts`): IoU 0 when the union is 0; GIoU's enclosing term 0
 * when the enclosing area is 0; DIoU's distance term 0 when the enclosing diagonal is 0; CIoU's aspect
 * term 0 when either box is a point; penalties clamped to [0, 1].
 */
function iouFamily(a: XyxyParts, b: XyxyParts, kind: IouKind, P: Pairing): tf.Tensor {
  // Stages run in their own tf.tidy so that only what later stages need stays allocated: the
  // [N, M] intermediates of a 1,000 x 8,732 matrix are 35 MB each (tapes keep what gradients need).
  const enclosing = kind !== "iou";
  const centres = kind === "diou" || kind === "ciou";
  const [iw, cw, dx] = axis(a.x1, a.x2, b.x1, b.x2, P, enclosing, centres);
  const [ih, ch, dy] = axis(a.y1, a.y2, b.y1, b.y2, P, enclosing, centres);
  // per-box sizes, on each side's own shape
  const wA = tf.sub(a.x2, a.x1);
  const hA = tf.sub(a.y2, a.y1);
  const wB = tf.sub(b.x2, b.x1);
  const hB = tf.sub(b.y2, b.y1);
  const [iou, union] = tf.tidy(() => {
    const inter = tf.mul(iw as tf.Tensor, ih as tf.Tensor);
    const u = tf.sub(P.add(tf.mul(wA, hA), tf.mul(wB, hB)), inter);
    return [safeDiv(inter, u), u];
  }) as [tf.Tensor, tf.Tensor];
  if (!enclosing) return iou;
  if (kind === "giou") {
    return tf.tidy(() => {
      const c = tf.mul(cw as tf.Tensor, ch as tf.Tensor);
      return tf.sub(iou, tf.clipByValue(safeDiv(tf.sub(c, union), c), 0, 1));
    });
  }
  const diou = tf.tidy(() => {
    const c2 = tf.add(tf.square(cw as tf.Tensor), tf.square(ch as tf.Tensor));
    const rho2 = tf.add(tf.square(dx as tf.Tensor), tf.square(dy as tf.Tensor));
    return tf.sub(iou, tf.minimum(safeDiv(rho2, c2), 1));
  });
  if (kind === "diou") return diou;
  return tf.tidy(() => {
    const d = P.add(aspectAngle(wA, hA), tf.neg(aspectAngle(wB, hB)));
    const v = tf.mul(tf.mul(tf.square(d), FOUR_OVER_PI2), P.mul(notPoint(wA, hA), notPoint(wB, hB)));
    // alpha is a constant in the backward pass, as in torchvision (`with torch.no_grad()`).
    const alpha = stopGradient(safeDiv(v, tf.add(tf.sub(1, iou), v)));
    return tf.sub(diou, tf.mul(alpha, v));
  });
}

/**
 * One axis of a pair of boxes, in the result shape: the overlap `relu(min(a2, b2) − max(a1, b1))`,
 * and when asked the enclosing extent `max(a2, b2) − min(a1, b1)` and the centre offset
 * `((a1 − b1) + (a2 − b2)) / 2` (sums of differences of nearby corners: better conditioned in float32
 * than differences of sums when the boxes are small and far from the origin).
 */
function axis(
  a1: tf.Tensor,
  a2: tf.Tensor,
  b1: tf.Tensor,
  b2: tf.Tensor,
  P: Pairing,
  enclosing: boolean,
  centres: boolean,
): tf.Tensor[] {
  return tf.tidy(() => {
    const A1 = P.liftA(a1);
    const A2 = P.liftA(a2);
    const B1 = P.liftB(b1);
    const B2 = P.liftB(b2);
    const out = [tf.tidy(() => tf.relu(tf.sub(tf.minimum(A2, B2), tf.maximum(A1, B1))))];
    if (enclosing) out.push(tf.tidy(() => tf.sub(tf.maximum(A2, B2), tf.minimum(A1, B1))));
    if (centres) out.push(tf.tidy(() => tf.mul(tf.add(tf.sub(A1, B1), tf.sub(A2, B2)), 0.5)));
    return out;
  });
}

function matrix(fn: string, kind: IouKind, a: BoxTensor, b: BoxTensor): tf.Tensor {
  checkBoxTensor(fn, "a", a);
  checkBoxTensor(fn, "b", b);
  checkSameT(fn, a, b);
  const sa = a.tensor.shape;
  const sb = b.tensor.shape;
  const batch = checkBroadcast(fn, "a", sa.slice(0, -2), "b", sb.slice(0, -2), "the batch dimensions");
  const n = sa[sa.length - 2] ?? 0;
  const m = sb[sb.length - 2] ?? 0;
  const pa = toXyxyParts(a.tensor, a.format); // each [..., N]
  const pb = toXyxyParts(b.tensor, b.format); // each [..., M]
  const P =
    a.tensor.rank === 2 && b.tensor.rank === 2 ? outerPairing(n, m) : broadcastPairing([...batch, n, m]);
  return iouFamily(pa, pb, kind, P); // [..., N, M]
}

function pairs(fn: string, kind: IouKind, a: BoxTensor, b: BoxTensor): tf.Tensor {
  checkBoxTensor(fn, "a", a);
  checkBoxTensor(fn, "b", b);
  checkSameT(fn, a, b);
  const out = checkBroadcast(
    fn,
    "a",
    a.tensor.shape.slice(0, -1),
    "b",
    b.tensor.shape.slice(0, -1),
    "the box dimensions",
  );
  const P = elementwisePairing(out);
  return iouFamily(toXyxyParts(a.tensor, a.format), toXyxyParts(b.tensor, b.format), kind, P); // [...]
}

// ---- matrices [N, 4] x [M, 4] -> [N, M] ----

function iouT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return matrix("iouT", "iou", a, b);
}

/**
 * Tensor version of `iou`: every box of `a` against every box of `b` (torchvision `box_iou`).
 * IoU = |A ∩ B| / |A ∪ B|, and 0 when the union is 0 (torchvision gives NaN).
 * @param a `[..., N, 4]` BoxTensor, any format.
 * @param b `[..., M, 4]` BoxTensor, same format and units (a compile error otherwise); batch
 *   dimensions broadcast.
 * @returns `[..., N, M]` float32, `out[..., i, j] = IoU(a_i, b_j)` in [0, 1].
 * @throws BoxesError `FORMAT_MISMATCH` / `UNITS_MISMATCH` (plain-JS callers), `SHAPE_MISMATCH`.
 */
export const iouT = tf.op({ iouT_ });

function giouT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return matrix("giouT", "giou", a, b);
}

/**
 * Tensor version of `giou` (Rezatofighi et al. 2019; torchvision `generalized_box_iou`):
 * `IoU − (|C| − |A ∪ B|) / |C|` with C the smallest enclosing box. The enclosing term is 0 when
 * |C| = 0 and clamped to [0, 1], so the result is finite and in [−1, 1].
 * @param a `[..., N, 4]` BoxTensor. @param b `[..., M, 4]` BoxTensor, same format and units.
 * @returns `[..., N, M]` float32 in [−1, 1].
 */
export const giouT = tf.op({ giouT_ });

function diouT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return matrix("diouT", "diou", a, b);
}

/**
 * Tensor version of `diou` (Zheng et al. 2020; torchvision `distance_box_iou`, without its `eps`):
 * `IoU − ρ²/c²`, ρ the distance between the centres, c the diagonal of the enclosing box. The
 * distance term is 0 when c = 0 and at most 1.
 * @param a `[..., N, 4]` BoxTensor. @param b `[..., M, 4]` BoxTensor, same format and units.
 * @returns `[..., N, M]` float32 in [−1, 1].
 */
export const diouT = tf.op({ diouT_ });

function ciouT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return matrix("ciouT", "ciou", a, b);
}

/**
 * Tensor version of `ciou` (Zheng et al. 2020; torchvision `complete_box_iou`, without its `eps`):
 * `DIoU − α·v`, `v = 4/π² (atan2(wA, hA) − atan2(wB, hB))²`, `α = v / (1 − IoU + v)`. The aspect
 * term is 0 when either box is a point (zero width and height); a zero-height box has angle π/2.
 * `α` is treated as a constant in the backward pass, as torchvision does.
 * @param a `[..., N, 4]` BoxTensor. @param b `[..., M, 4]` BoxTensor, same format and units.
 * @returns `[..., N, M]` float32 in [−2, 1].
 */
export const ciouT = tf.op({ ciouT_ });

// ---- aligned pairs [..., 4] x [..., 4] -> [...] ----

function iouPairsT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return pairs("iouPairsT", "iou", a, b);
}

/**
 * Tensor version of `iouPairs`: IoU of aligned pairs, `out[...] = IoU(a[...], b[...])` (what an IoU
 * loss uses: predictions against their matched targets). Differentiable with finite gradients
 * everywhere, degenerate boxes included.
 * @param a `[..., 4]` BoxTensor, e.g. `[B, P, 4]` decoded predictions.
 * @param b `[..., 4]` BoxTensor, same format and units; leading dimensions broadcast with `a`'s.
 * @returns `[...]` float32 in [0, 1] (the broadcast leading shape).
 * @throws BoxesError `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `SHAPE_MISMATCH`.
 */
export const iouPairsT = tf.op({ iouPairsT_ });

function giouPairsT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return pairs("giouPairsT", "giou", a, b);
}

/**
 * Tensor version of `giouPairs`: GIoU of aligned pairs (see {@link giouT} for the formula and
 * conventions). Differentiable with finite gradients everywhere.
 * @param a `[..., 4]` BoxTensor. @param b `[..., 4]` BoxTensor, same format and units, broadcasting.
 * @returns `[...]` float32 in [−1, 1].
 */
export const giouPairsT = tf.op({ giouPairsT_ });

function diouPairsT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return pairs("diouPairsT", "diou", a, b);
}

/**
 * Tensor version of `diouPairs`: DIoU of aligned pairs (see {@link diouT}). Differentiable with
 * finite gradients everywhere.
 * @param a `[..., 4]` BoxTensor. @param b `[..., 4]` BoxTensor, same format and units, broadcasting.
 * @returns `[...]` float32 in [−1, 1].
 */
export const diouPairsT = tf.op({ diouPairsT_ });

function ciouPairsT_<F extends BoxFormat, U extends BoxUnits>(
  a: BoxTensor<F, U>,
  b: BoxTensor<NoInfer<F>, NoInfer<U>>,
): tf.Tensor {
  return pairs("ciouPairsT", "ciou", a, b);
}

/**
 * Tensor version of `ciouPairs`: CIoU of aligned pairs (see {@link ciouT}; `α` is constant in the
 * backward pass). Differentiable with finite gradients everywhere.
 * @param a `[..., 4]` BoxTensor. @param b `[..., 4]` BoxTensor, same format and units, broadcasting.
 * @returns `[...]` float32 in [−2, 1].
 */
export const ciouPairsT = tf.op({ ciouPairsT_ });
