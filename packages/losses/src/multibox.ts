import * as tf from "@tensorflow/tfjs-core";
import { fail } from "./errors.js";
import { checkNumber, checkShape } from "./internal.js";
import { smoothL1 } from "./smooth-l1.js";

/** Inputs of {@link multiboxLoss}. B images, P priors, C classes (class 0 is background). */
export interface MultiboxInputs {
  /** `[B, P, 4]` predicted box deltas (tx, ty, tw, th) per prior. */
  readonly locPred: tf.Tensor;
  /** `[B, P, C]` raw class logits per prior; class 0 is background. */
  readonly clsLogits: tf.Tensor;
  /** `[B, P, 4]` encoded regression targets (only rows of positive priors are used). */
  readonly locTargets: tf.Tensor;
  /** `[B, P]` int32 labels: 0 background, 1..C−1 objects, −1 ignored (a matcher's ignore band). */
  readonly labels: tf.Tensor;
}

/** Options of {@link multiboxLoss}. */
export interface MultiboxOptions {
  /** Hard negatives kept per positive in each image (default 3, as SSD). */
  readonly negPosRatio?: number;
  /**
   * Hard negatives mined from each image at least, even when it has no positives (default 8).
   * torchvision's SSD mines `3 × positives`, i.e. none from a background-only image, so such images
   * teach nothing; with this floor they teach the model what is not an object. 0 reproduces torchvision.
   */
  readonly minNegativesPerImage?: number;
  /** Smooth-L1 transition point β (default 1, as torchvision `smooth_l1_loss`). */
  readonly smoothL1Beta?: number;
  /** Label smoothing ε in [0, 1): targets become (1 − ε)·onehot + ε / C (default 0). */
  readonly labelSmoothing?: number;
  /** `[C]` per-class weights applied to each prior's cross-entropy by its label (default all 1). */
  readonly classWeights?: readonly number[];
  /** Weight of the localisation term in `total` (default 1). */
  readonly locWeight?: number;
  /**
   * Check label range and target finiteness (one small synchronous read per call; default true).
   * Shapes are always checked.
   */
  readonly validate?: boolean;
}

/** Result of {@link multiboxLoss}: scalar tensors the caller owns (dispose them, or call inside `tf.tidy`). */
export interface MultiboxLoss {
  /** `loc · locWeight + cls`, the value to minimise. */
  readonly total: tf.Scalar;
  /** Smooth-L1 over positive priors, divided by N = max(1, positives in the batch). */
  readonly loc: tf.Scalar;
  /** Cross-entropy over positives and mined negatives, divided by N. */
  readonly cls: tf.Scalar;
  /** Number of positive priors in the batch (float32 scalar). */
  readonly numPositives: tf.Scalar;
  /** Number of mined negatives in the batch (float32 scalar). */
  readonly numNegatives: tf.Scalar;
}

/**
 * A copy of `t`'s values with no connection to the gradient tape: ranking for hard negative mining
 * is a selection, so no gradient may flow through it. One synchronous read of `t`.
 */
function detached(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync(), t.shape, t.dtype);
}

/**
 * Hard negative mining mask (Liu et al. 2016, §2.2; torchvision `SSD.compute_loss`): per image, the
 * background priors (label 0) with the largest classification loss, `min(available,
 * max(negPosRatio · positives, minNegativesPerImage))` of them. Priors labelled −1 and positives are
 * never mined. Ties in loss go to the lower prior index (tfjs `topk` is stable on cpu and wasm).
 *
 * @param lossPerPrior `[B, P]` classification loss of each prior (values only; not differentiated).
 * @param labels `[B, P]` int32 labels.
 * @returns `[B, P]` float32 mask, 1 for mined negatives.
 */
export function hardNegativeMask(
  lossPerPrior: tf.Tensor,
  labels: tf.Tensor,
  negPosRatio = 3,
  minNegativesPerImage = 0,
): tf.Tensor2D {
  const fn = "hardNegativeMask";
  checkShape(fn, "lossPerPrior", lossPerPrior, [-1, -1]);
  checkShape(fn, "labels", labels, lossPerPrior.shape);
  checkNumber(fn, "negPosRatio", negPosRatio, 0, Number.MAX_SAFE_INTEGER);
  checkNumber(fn, "minNegativesPerImage", minNegativesPerImage, 0, Number.MAX_SAFE_INTEGER);
  return tf.tidy(() => {
    const [, P] = lossPerPrior.shape as [number, number];
    const cand = tf.equal(labels, tf.scalar(0, "int32"));
    const numPos = tf.sum(tf.cast(tf.greater(labels, tf.scalar(0, "int32")), "float32"), 1);
    const numCand = tf.sum(tf.cast(cand, "float32"), 1);
    const numNeg = tf.minimum(numCand, tf.maximum(tf.mul(numPos, negPosRatio), minNegativesPerImage));
    const score = tf.where(
      cand,
      detached(lossPerPrior),
      tf.fill(lossPerPrior.shape, Number.NEGATIVE_INFINITY),
    );
    // order[b, r] = prior at rank r (descending loss); rank[b, j] = rank of prior j (inverse permutation).
    const order = tf.topk(score, P, true).indices;
    const rank = tf.topk(tf.neg(tf.cast(order, "float32")), P, true).indices;
    const mined = tf.logicalAnd(cand, tf.less(tf.cast(rank, "float32"), tf.expandDims(numNeg, 1)));
    return tf.cast(mined, "float32") as tf.Tensor2D;
  });
}

function checkInputs(fn: string, x: MultiboxInputs): [number, number, number] {
  checkShape(fn, "clsLogits", x.clsLogits, [-1, -1, -1]);
  const [B, P, C] = x.clsLogits.shape as [number, number, number];
  if (C < 2)
    fail(
      "SHAPE_MISMATCH",
      fn,
      `clsLogits must have C >= 2 classes (background + 1); got shape [${B}, ${P}, ${C}]`,
    );
  checkShape(fn, "locPred", x.locPred, [B, P, 4]);
  checkShape(fn, "locTargets", x.locTargets, [B, P, 4]);
  checkShape(fn, "labels", x.labels, [B, P]);
  if (x.labels.dtype !== "int32") fail("SHAPE_MISMATCH", fn, `labels must be int32; got ${x.labels.dtype}`);
  return [B, P, C];
}

function checkValues(fn: string, x: MultiboxInputs, C: number): void {
  const summary = tf.tidy(() =>
    tf.stack([
      tf.cast(tf.min(x.labels), "float32"),
      tf.cast(tf.max(x.labels), "float32"),
      tf.cast(tf.any(tf.logicalNot(tf.isFinite(x.locTargets))), "float32"),
    ]),
  );
  const v = summary.dataSync();
  summary.dispose();
  const lo = v[0] as number;
  const hi = v[1] as number;
  const bad = v[2] as number;
  if (x.labels.size > 0 && (lo < -1 || hi >= C)) {
    fail(
      "LABEL_OUT_OF_RANGE",
      fn,
      `labels must be in [-1, ${C - 1}] for ${C} classes; got values in [${lo}, ${hi}]`,
      {
        min: lo,
        max: hi,
      },
    );
  }
  if (bad > 0) fail("NON_FINITE", fn, "locTargets contains NaN or Infinity");
}

/**
 * SSD MultiBox loss (Liu et al. 2016, eq. 1) with hard negative mining, equal to torchvision's
 * `SSD.compute_loss` when `minNegativesPerImage` is 0 and every image has at most
 * `P / (1 + negPosRatio)` positives (beyond that torchvision's rank mask also re-selects positives and
 * counts their loss twice; ours never mines positives).
 *
 * - localisation: smooth-L1(β) between `locPred` and `locTargets`, summed over positive priors;
 * - classification: softmax cross-entropy (optionally label-smoothed and class-weighted) summed over
 *   positives and the mined negatives ({@link hardNegativeMask});
 * - both divided by N = max(1, positives in the batch): no NaN when a batch has no positives.
 *
 * Works under `tf.variableGrads` / optimizers; no gradient flows through the mining selection.
 * @returns scalar tensors (see {@link MultiboxLoss}).
 * @throws LossesError `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE`, `NON_FINITE`, `INVALID_ARGUMENT`.
 */
export function multiboxLoss(inputs: MultiboxInputs, options: MultiboxOptions = {}): MultiboxLoss {
  const fn = "multiboxLoss";
  const [, , C] = checkInputs(fn, inputs);
  const ratio = options.negPosRatio ?? 3;
  const minNeg = options.minNegativesPerImage ?? 8;
  const beta = options.smoothL1Beta ?? 1;
  const eps = options.labelSmoothing ?? 0;
  const locWeight = options.locWeight ?? 1;
  checkNumber(fn, "options.negPosRatio", ratio, 0, 1e6);
  checkNumber(fn, "options.minNegativesPerImage", minNeg, 0, 1e9);
  checkNumber(fn, "options.smoothL1Beta", beta, 0, 1e6);
  checkNumber(fn, "options.labelSmoothing", eps, 0, 0.999999);
  checkNumber(fn, "options.locWeight", locWeight, 0, 1e6);
  const weights = options.classWeights;
  if (
    weights !== undefined &&
    (weights.length !== C || !weights.every((w) => Number.isFinite(w) && w >= 0))
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.classWeights must be ${C} finite numbers >= 0; got [${weights.join(", ")}]`,
    );
  }
  if (options.validate ?? true) checkValues(fn, inputs, C);
  const { locPred, clsLogits, locTargets, labels } = inputs;
  return tf.tidy(() => {
    const safeLabels = tf.maximum(labels, tf.scalar(0, "int32"));
    const logp = tf.logSoftmax(clsLogits); // [B,P,C]
    const onehot = tf.oneHot(safeLabels, C); // [B,P,C] (int32)
    const target =
      eps > 0 ? tf.add(tf.mul(tf.cast(onehot, "float32"), 1 - eps), eps / C) : tf.cast(onehot, "float32");
    let ce = tf.neg(tf.sum(tf.mul(target, logp), -1)); // [B,P]
    if (weights !== undefined) ce = tf.mul(ce, tf.gather(tf.tensor1d([...weights], "float32"), safeLabels));
    const pos = tf.cast(tf.greater(labels, tf.scalar(0, "int32")), "float32"); // [B,P]
    const neg = hardNegativeMask(ce, labels, ratio, minNeg); // [B,P]
    const numPos = tf.sum(pos);
    const n = tf.maximum(numPos, 1);
    const locPer = tf.sum(smoothL1(locPred, locTargets, beta), -1); // [B,P]
    const loc = tf.div(tf.sum(tf.mul(locPer, pos)), n) as tf.Scalar;
    const cls = tf.div(tf.sum(tf.mul(ce, tf.add(pos, neg))), n) as tf.Scalar;
    const total = tf.add(tf.mul(loc, locWeight), cls) as tf.Scalar;
    return { total, loc, cls, numPositives: numPos as tf.Scalar, numNegatives: tf.sum(neg) as tf.Scalar };
  });
}
