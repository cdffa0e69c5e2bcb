import { BOXES_KIND, type Boxes, type Variances } from "@od/boxes";
import { type BoxTensor, boxesToTensor, decodeT, isBoxTensor, unsafeBoxTensor } from "@od/boxes/tf";
import { tf } from "@od/tf";
import { fail } from "./errors.js";
import { checkNumber, checkShape, expandLast, shapeStr, softmaxCrossEntropy, sumAll } from "./internal.js";
import { iouLoss } from "./iou.js";
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

/** Localisation losses {@link multiboxLoss} offers. */
export type MultiboxLocLoss = "smooth-l1" | "giou" | "diou" | "ciou";

/** Options of {@link multiboxLoss} that do not depend on the localisation loss. */
export interface MultiboxBaseOptions {
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

/** Smooth-L1 localisation on the encoded deltas (the default, as SSD and torchvision). */
export interface MultiboxSmoothL1Options extends MultiboxBaseOptions {
  /** `"smooth-l1"` (default): smooth-L1(β) of `locPred − locTargets`, summed over the 4 deltas. */
  readonly locLoss?: "smooth-l1";
}

/**
 * IoU-family localisation: `locPred` and `locTargets` are decoded against the priors
 * (`@od/boxes/tf` `decodeT`, the inverse of the SSD coder) and each positive prior contributes
 * `1 − GIoU`, `1 − DIoU` or `1 − CIoU` of its decoded pair ({@link iouLoss}).
 */
export interface MultiboxIouOptions extends MultiboxBaseOptions {
  /** `"giou"`, `"diou"` or `"ciou"`. */
  readonly locLoss: "giou" | "diou" | "ciou";
  /**
   * `[P, 4]` priors the deltas are relative to, cxcywh in units relative to the network input: typed
   * arrays (copied to a tensor on each call) or a BoxTensor (used as is; keep one for the whole run).
   */
  readonly priors: Boxes<"cxcywh", "rel"> | BoxTensor<"cxcywh", "rel">;
  /** Coder variances (σx, σy, σw, σh) the targets were encoded with (default SSD's 0.1, 0.1, 0.2, 0.2). */
  readonly variances?: Variances;
}

/**
 * Options of {@link multiboxLoss}: the {@link MultiboxBaseOptions} plus the localisation loss, smooth-L1
 * ({@link MultiboxSmoothL1Options}) or an IoU-family loss on decoded boxes, which requires `priors`
 * ({@link MultiboxIouOptions}).
 */
export type MultiboxOptions = MultiboxSmoothL1Options | MultiboxIouOptions;

/** Result of {@link multiboxLoss}: scalar tensors the caller owns (dispose them, or call inside `tf.tidy`). */
export interface MultiboxLoss {
  /** `loc · locWeight + cls`, the value to minimise. */
  readonly total: tf.Scalar;
  /** Localisation loss (smooth-L1 or 1 − IoU-family) over positive priors, divided by N = max(1, positives in the batch). */
  readonly loc: tf.Scalar;
  /** Cross-entropy over positives and mined negatives, divided by N. */
  readonly cls: tf.Scalar;
  /** Number of positive priors in the batch (float32 scalar). */
  readonly numPositives: tf.Scalar;
  /** Number of mined negatives in the batch (float32 scalar). */
  readonly numNegatives: tf.Scalar;
}

/**
 * The mining selection itself, run as the forward pass of a custom-gradient op: the ops inside are not
 * recorded on the gradient tape, and the op's gradient is zero. Per image: `k_b = min(available,
 * max(ratio · positives_b, floor))`; one `topk` with `k = max_b k_b` over the candidates' scores
 * (non-candidates get a score below every candidate), then a `scatterND` of the first `k_b` indices of
 * each row. O(P log k) per image in the backend, no O(P²) step and no per-prior JS loop; one small
 * synchronous read (`max_b k_b`).
 */
function mine(loss: tf.Tensor2D, labels: tf.Tensor2D, ratio: number, floor: number): tf.Tensor2D {
  const [B, P] = loss.shape;
  const cand = tf.equal(labels, tf.scalar(0, "int32")); // [B,P]
  const numPos = tf.sum(tf.cast(tf.greater(labels, tf.scalar(0, "int32")), "float32"), 1); // [B]
  const numCand = tf.sum(tf.cast(cand, "float32"), 1);
  // ceil(ratio · positives), as torchvision's `rank < ratio · positives` for a fractional ratio.
  const numNeg = tf.minimum(numCand, tf.maximum(tf.ceil(tf.mul(numPos, ratio)), Math.ceil(floor))); // [B]
  const lossF = tf.cast(loss, "float32");
  const read = tf.stack([tf.max(numNeg), tf.min(lossF)]).dataSync(); // the one synchronous read
  const k = Math.min(P, read[0] ?? 0);
  if (B === 0 || k === 0) return tf.zeros([B, P]);
  // Non-candidates score below every candidate (a finite sentinel: tfjs' cpu topk compares by subtraction).
  const score = tf.where(cand, lossF, tf.fill([B, P], (read[1] ?? 0) - 1 - Math.abs(read[1] ?? 0)));
  const idx = tf.topk(score, k, true).indices; // [B,k], descending score, ties to the lower index
  const keep = tf.cast(
    tf.less(tf.reshape(tf.range(0, k, 1, "float32"), [1, k]), tf.reshape(numNeg, [B, 1])),
    "float32",
  );
  const rows = tf.broadcastTo(tf.reshape(tf.range(0, B, 1, "int32"), [B, 1]), [B, k]);
  const at = tf.reshape(tf.stack([rows, idx], -1), [B * k, 2]);
  const mask = tf.scatterND(at, tf.reshape(keep, [B * k]), [B, P]) as tf.Tensor2D;
  return tf.mul(mask, tf.cast(cand, "float32"));
}

/**
 * Hard negative mining mask (Liu et al. 2016, §2.2; torchvision `SSD.compute_loss`): per image, the
 * background priors (label 0) with the largest classification loss, `min(available,
 * max(⌈negPosRatio · positives⌉, ⌈minNegativesPerImage⌉))` of them. Priors labelled −1 and positives are
 * never mined. Ties in loss go to the lower prior index on the cpu backend (its `topk` is stable);
 * other backends may break exact ties differently.
 *
 * A selection: the mask has zero gradient with respect to `lossPerPrior` (no gradient flows through
 * the ranking), so it is safe to use inside `tf.grad` / `tf.variableGrads`.
 *
 * @param lossPerPrior `[B, P]` classification loss of each prior (values only; not differentiated).
 * @param labels `[B, P]` int32 labels (−1 ignored, 0 background, > 0 object).
 * @param negPosRatio negatives per positive, ≥ 0 (default 3).
 * @param minNegativesPerImage floor on the negatives of each image, ≥ 0 (default 0 here, as torchvision).
 * @returns `[B, P]` float32 mask, 1 for mined negatives (the caller owns it).
 * @throws LossesError `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
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
  if (labels.dtype !== "int32") fail("SHAPE_MISMATCH", fn, `labels must be int32; got ${labels.dtype}`);
  checkNumber(fn, "negPosRatio", negPosRatio, 0, 1e6);
  checkNumber(fn, "minNegativesPerImage", minNegativesPerImage, 0, 1e9);
  const lab = labels as tf.Tensor2D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: mine(args[0] as tf.Tensor2D, lab, negPosRatio, minNegativesPerImage),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return op(lossPerPrior) as tf.Tensor2D;
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
  const lo = v[0]!;
  const hi = v[1]!;
  const bad = v[2]!;
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

/** The IoU options of {@link multiboxLoss}, checked (O(1): tags and shapes). */
function checkIouOptions(
  fn: string,
  o: MultiboxOptions,
  P: number,
): {
  kind: "giou" | "diou" | "ciou";
  priors: MultiboxIouOptions["priors"];
  variances: Variances | undefined;
} {
  const kind = o.locLoss;
  if (kind !== "giou" && kind !== "diou" && kind !== "ciou") {
    return fail(
      "INVALID_ARGUMENT",
      fn,
      `options.locLoss must be "smooth-l1", "giou", "diou" or "ciou"; got ${String(kind)}`,
      { arg: "options.locLoss" },
    );
  }
  const p: unknown = "priors" in o ? o.priors : undefined;
  if (!isPriors(p)) {
    return fail(
      "INVALID_ARGUMENT",
      fn,
      `options.priors must be Boxes<"cxcywh", "rel"> or a BoxTensor of them when locLoss is "${kind}"; got ${p === undefined ? "undefined" : typeof p}`,
      { arg: "options.priors" },
    );
  }
  if (p.format !== "cxcywh" || p.units !== "rel") {
    fail("INVALID_ARGUMENT", fn, `options.priors must be cxcywh rel boxes; got ${p.format} ${p.units}`, {
      arg: "options.priors",
      actual: [p.format, p.units],
    });
  }
  const shape = p.kind === BOXES_KIND ? [p.length, 4] : p.tensor.shape;
  if (shape.length !== 2 || shape[0] !== P) {
    fail("SHAPE_MISMATCH", fn, `options.priors must have shape [${P}, 4]; got ${shapeStr(shape)}`, {
      arg: "options.priors",
      expected: [P, 4],
      actual: shape,
    });
  }
  const variances = "variances" in o ? o.variances : undefined;
  return { kind, priors: p as MultiboxIouOptions["priors"], variances };
}

/** True for typed-array Boxes or a BoxTensor (any format and units; checked by the caller). */
function isPriors(p: unknown): p is Boxes | BoxTensor {
  if (isBoxTensor(p)) return true;
  return typeof p === "object" && p !== null && "kind" in p && p.kind === BOXES_KIND && "data" in p;
}

/**
 * SSD MultiBox loss (Liu et al. 2016, eq. 1) with hard negative mining, equal to torchvision's
 * `SSD.compute_loss` when `minNegativesPerImage` is 0 and every image has at most
 * `P / (1 + negPosRatio)` positives (beyond that torchvision's rank mask also re-selects positives and
 * counts their loss twice; ours never mines positives).
 *
 * - localisation: smooth-L1(β) between `locPred` and `locTargets`, summed over positive priors; or,
 *   with `locLoss: "giou" | "diou" | "ciou"`, `1 − GIoU/DIoU/CIoU` of the pairs decoded against
 *   `options.priors` (see {@link MultiboxIouOptions});
 * - classification: softmax cross-entropy (optionally label-smoothed and class-weighted) summed over
 *   positives and the mined negatives ({@link hardNegativeMask});
 * - both divided by N = max(1, positives in the batch): no NaN when a batch has no positives.
 *
 * Works under `tf.variableGrads` / optimizers; no gradient flows through the mining selection.
 * @param inputs `locPred [B, P, 4]`, `clsLogits [B, P, C]`, `locTargets [B, P, 4]` (float32),
 *   `labels [B, P]` (int32 in [−1, C)); see {@link MultiboxInputs}.
 * @param options see {@link MultiboxBaseOptions}; defaults: ratio 3, floor 8, β 1, smooth-L1.
 * @returns scalar tensors (see {@link MultiboxLoss}).
 * @throws LossesError `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE`, `NON_FINITE`, `INVALID_ARGUMENT`.
 */
export function multiboxLoss(inputs: MultiboxInputs, options: MultiboxOptions = {}): MultiboxLoss {
  const fn = "multiboxLoss";
  const [, P, C] = checkInputs(fn, inputs);
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
  const iou =
    options.locLoss === undefined || options.locLoss === "smooth-l1"
      ? undefined
      : checkIouOptions(fn, options, P);
  if (options.validate ?? true) checkValues(fn, inputs, C);
  const { locPred, clsLogits, locTargets, labels } = inputs;
  return tf.tidy(() => {
    const [B] = labels.shape as [number, number];
    const safeLabels = tf.maximum(labels, tf.scalar(0, "int32")); // [B,P]
    const flatLogits = tf.reshape(clsLogits, [B * P, C]) as tf.Tensor2D;
    const flatLabels = tf.reshape(safeLabels, [B * P]) as tf.Tensor1D;
    let ce = tf.reshape(softmaxCrossEntropy(flatLogits, flatLabels, eps), [B, P]); // [B,P]
    if (weights !== undefined) ce = tf.mul(ce, tf.gather(tf.tensor1d([...weights], "float32"), safeLabels));
    const pos = tf.cast(tf.greater(labels, tf.scalar(0, "int32")), "float32"); // [B,P]
    const neg = hardNegativeMask(ce, labels, ratio, minNeg); // [B,P], zero gradient
    const numPos = tf.sum(pos);
    const n = tf.maximum(numPos, 1);
    let locSum: tf.Tensor;
    if (iou === undefined) {
      locSum = sumAll(tf.mul(smoothL1(locPred, locTargets, beta), expandLast(pos, 4)));
    } else {
      // Priors repeated per image, so decoding is same-shape arithmetic on [B·P] columns.
      const p = iou.priors.kind === BOXES_KIND ? boxesToTensor(iou.priors).tensor : iou.priors.tensor;
      const priors = unsafeBoxTensor(tf.concat(Array.from({ length: B }, () => p)), "cxcywh", "rel");
      const coder = iou.variances === undefined ? {} : { variances: iou.variances };
      const predBoxes = decodeT(tf.reshape(locPred, [B * P, 4]), priors, coder); // [B·P, 4] cxcywh rel
      const targetBoxes = decodeT(tf.reshape(locTargets, [B * P, 4]), priors, coder);
      locSum = sumAll(tf.mul(iouLoss(predBoxes, targetBoxes, { kind: iou.kind }), tf.reshape(pos, [B * P])));
    }
    const loc = tf.div(locSum, n) as tf.Scalar;
    const cls = tf.div(sumAll(tf.mul(ce, tf.add(pos, neg))), n) as tf.Scalar;
    const total = tf.add(tf.mul(loc, locWeight), cls) as tf.Scalar;
    return { total, loc, cls, numPositives: numPos as tf.Scalar, numNegatives: tf.sum(neg) as tf.Scalar };
  });
}
