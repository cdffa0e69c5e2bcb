import { tf } from "@od/tf";
import { fail } from "./errors.js";
import { checkNumber, checkShape } from "./internal.js";
import { type Reduction, reduce } from "./reduction.js";

/** Options of {@link sigmoidFocalLoss} and {@link softmaxFocalLoss}. */
export interface FocalOptions {
  /** Weight of the positive class in [0, 1], or −1 for none (default 0.25, as torchvision). */
  readonly alpha?: number;
  /** Focusing exponent γ ≥ 0 (default 2). γ = 0 gives (weighted) cross-entropy. */
  readonly gamma?: number;
  /** Reduction over all elements (default `"none"`, as torchvision). */
  readonly reduction?: Reduction;
}

function focalOptions(fn: string, o: FocalOptions): [number, number, Reduction] {
  const alpha = o.alpha ?? 0.25;
  const gamma = o.gamma ?? 2;
  if (alpha !== -1) checkNumber(fn, "options.alpha", alpha, 0, 1);
  checkNumber(fn, "options.gamma", gamma, 0, 100);
  return [alpha, gamma, o.reduction ?? "none"];
}

/**
 * Sigmoid focal loss (Lin et al. 2017, RetinaNet), equal to `torchvision.ops.sigmoid_focal_loss`:
 * `ce = BCEWithLogits(x, t)`, `p_t = p·t + (1 − p)(1 − t)` with `p = σ(x)`,
 * `loss = ce · (1 − p_t)^γ`, times `α·t + (1 − α)(1 − t)` when α ≥ 0.
 * The BCE is computed stably as `max(x, 0) − x·t + log(1 + exp(−|x|))`.
 * @param logits any shape, raw scores.
 * @param targets same shape, values in [0, 1] (binary labels, or soft targets).
 * @returns loss per element, or its mean/sum (caller owns the tensor).
 * @throws LossesError `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 */
export function sigmoidFocalLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options: FocalOptions = {},
): tf.Tensor {
  const fn = "sigmoidFocalLoss";
  checkShape(fn, "targets", targets, logits.shape);
  const [alpha, gamma, reduction] = focalOptions(fn, options);
  return tf.tidy(() => {
    const t = tf.cast(targets, "float32");
    const p = tf.sigmoid(logits);
    const ce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, t)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const pt = tf.add(tf.mul(p, t), tf.mul(tf.sub(1, p), tf.sub(1, t)));
    let loss = gamma === 0 ? ce : tf.mul(ce, tf.pow(tf.sub(1, pt), gamma));
    if (alpha >= 0) loss = tf.mul(loss, tf.add(tf.mul(t, alpha), tf.mul(tf.sub(1, t), 1 - alpha)));
    return reduce(fn, loss, reduction);
  });
}

/**
 * Softmax focal loss for one-of-C labels: `−α_y · (1 − p_y)^γ · log p_y` with `p = softmax(logits)`.
 * Labels −1 are ignored (loss 0, excluded from the mean).
 * @param logits `[..., C]` raw scores.
 * @param labels `[...]` int32 in [−1, C).
 * @param options `alpha` here is a per-class weight list `[C]` or a single number applied to
 *   non-background classes with `1 − alpha` for class 0 (default: no weighting).
 * @returns `[...]` loss per row, or its mean over non-ignored rows / sum.
 */
export function softmaxFocalLoss(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: {
    readonly gamma?: number;
    readonly alpha?: number | readonly number[];
    readonly reduction?: Reduction;
  } = {},
): tf.Tensor {
  const fn = "softmaxFocalLoss";
  const C = logits.shape[logits.rank - 1] ?? 0;
  checkShape(fn, "labels", labels, logits.shape.slice(0, -1));
  if (labels.dtype !== "int32") fail("SHAPE_MISMATCH", fn, `labels must be int32; got ${labels.dtype}`);
  const gamma = options.gamma ?? 2;
  checkNumber(fn, "options.gamma", gamma, 0, 100);
  const reduction = options.reduction ?? "none";
  const a = options.alpha;
  let classAlpha: number[] | undefined;
  if (typeof a === "number") {
    checkNumber(fn, "options.alpha", a, 0, 1);
    classAlpha = Array.from({ length: C }, (_, c) => (c === 0 ? 1 - a : a));
  } else if (a !== undefined) {
    if (a.length !== C || !a.every((w) => Number.isFinite(w) && w >= 0)) {
      fail("INVALID_ARGUMENT", fn, `options.alpha must be ${C} finite weights >= 0; got [${a.join(", ")}]`);
    }
    classAlpha = [...a];
  }
  return tf.tidy(() => {
    const valid = tf.cast(tf.greaterEqual(labels, tf.scalar(0, "int32")), "float32");
    const safe = tf.maximum(labels, tf.scalar(0, "int32"));
    const logp = tf.logSoftmax(logits);
    const onehot = tf.cast(tf.oneHot(safe, C), "float32");
    const logpy = tf.sum(tf.mul(onehot, logp), -1);
    const py = tf.exp(logpy);
    let loss = tf.neg(logpy);
    if (gamma > 0) loss = tf.mul(loss, tf.pow(tf.sub(1, py), gamma));
    if (classAlpha !== undefined) loss = tf.mul(loss, tf.gather(tf.tensor1d(classAlpha, "float32"), safe));
    loss = tf.mul(loss, valid);
    if (reduction === "mean") return tf.div(tf.sum(loss), tf.maximum(tf.sum(valid), 1));
    return reduce(fn, loss, reduction);
  });
}
