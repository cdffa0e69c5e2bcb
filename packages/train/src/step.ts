import { multiboxLoss } from "@od/losses";
import { isBackboneParam, type SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import type { TrainConfig } from "./config.js";
import { clipByGlobalNorm, type Optimizer } from "./optim.js";
import type { TrainingBatch } from "./sampler.js";

/** What one optimizer step measured. */
export interface StepResult {
  /** Total loss (NaN/Infinity when the step was skipped). */
  readonly loss: number;
  /** Localisation part. */
  readonly loc: number;
  /** Classification part. */
  readonly cls: number;
  /** Gradient norm before clipping. */
  readonly gradNorm: number;
  /** False when the loss or the gradients were not finite: no update was applied. */
  readonly applied: boolean;
}

/** Names of the detector's trainable variables, aligned with `trainableVariables()`. */
export function trainableNames(detector: SsdDetector): string[] {
  return detector.params.names().filter((n) => detector.params.isTrainable(n));
}

/** How one step trains the detector. */
export interface StepOptions {
  /**
   * The backbone is frozen for this step: its parameters get no gradient (so no update) and its batch
   * norm runs in inference mode (running statistics used, not updated), as torchvision's frozen
   * layers. Default false.
   */
  readonly frozenBackbone?: boolean;
}

/**
 * Whether the backbone is frozen in `epoch` (0-based): the first `train.freezeBackboneEpochs` epochs.
 * A pure function of the epoch, so a resumed run freezes exactly where an uninterrupted one does.
 */
export function backboneFrozenAt(config: TrainConfig, epoch: number): boolean {
  return epoch < config.train.freezeBackboneEpochs;
}

/** Loss parts and gradients of one shard of a batch (the forward and backward pass of {@link trainStep} on one shard). */
export interface ShardGradients {
  /** Total loss of the shard, normalised by max(1, its positives). */
  readonly loss: number;
  readonly loc: number;
  readonly cls: number;
  /** Positive priors in the shard. */
  readonly numPositive: number;
  /** Gradients by parameter name (caller disposes). */
  readonly grads: Record<string, tf.Tensor>;
}

/**
 * Forward in training mode, MultiBox loss with hard negative mining, and the gradients of every
 * trainable parameter (but the backbone's when `options.frozenBackbone`), for one batch (or one shard of
 * it, in data-parallel training).
 */
export function shardGradients(
  detector: SsdDetector,
  batch: TrainingBatch,
  config: TrainConfig,
  options: StepOptions = {},
): ShardGradients {
  const { width, height } = config.model.inputSize;
  const B = batch.ids.length;
  const P = detector.priors.length;
  const frozen = options.frozenBackbone === true;
  const allNames = trainableNames(detector);
  const allVars = detector.trainableVariables();
  const keep = allNames.map((n) => !(frozen && isBackboneParam(n)));
  const names = allNames.filter((_, i) => keep[i]);
  const vars = allVars.filter((_, i) => keep[i]);
  const x = tf.tensor4d(batch.images, [B, height, width, 3]);
  const locTargets = tf.tensor3d(batch.locTargets, [B, P, 4]);
  const labels = tf.tensor2d(batch.labels, [B, P], "int32");
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = detector.forward(x, true, { frozenBackbone: frozen });
    const l = multiboxLoss(
      { locPred: out.loc, clsLogits: out.logits, locTargets, labels },
      {
        negPosRatio: config.train.negPosRatio,
        minNegativesPerImage: config.train.minNegativesPerImage,
        validate: false,
      },
    );
    parts = [tf.keep(l.loc), tf.keep(l.cls)];
    return l.total;
  }, vars);
  tf.dispose([x, locTargets, labels]);
  const loss = value.dataSync()[0]!;
  const [loc, cls] = parts.map((p) => p.dataSync()[0]!) as [number, number];
  tf.dispose([value, ...parts]);
  const named: Record<string, tf.Tensor> = {};
  vars.forEach((v, i) => {
    const g = grads[v.name];
    if (g !== undefined) named[names[i]!] = g;
  });
  return { loss, loc, cls, numPositive: batch.numPositive, grads: named };
}

/**
 * Applies gradients: global-norm clipping, then the optimizer update at `lr`, unless the loss or the
 * gradient norm is not finite (then nothing changes). Disposes `grads`.
 */
export function applyGradients(
  optimizer: Optimizer,
  g: {
    readonly loss: number;
    readonly loc: number;
    readonly cls: number;
    readonly grads: Record<string, tf.Tensor>;
  },
  config: TrainConfig,
  lr: number,
): StepResult {
  const clipped = clipByGlobalNorm(g.grads, config.train.gradClip);
  tf.dispose(Object.values(g.grads));
  const applied = Number.isFinite(g.loss) && Number.isFinite(clipped.norm);
  if (applied) optimizer.apply(clipped.grads, lr);
  tf.dispose(Object.values(clipped.grads));
  return { loss: g.loss, loc: g.loc, cls: g.cls, gradNorm: clipped.norm, applied };
}

/**
 * One training step: the forward and backward pass on the whole batch, then the optimizer update. A
 * non-finite loss or gradient norm skips the update (batch-norm running statistics of that forward are
 * still updated; they are averages and recover). With `options.frozenBackbone` the backbone is left
 * exactly as it was (see {@link StepOptions}). Leaves no tensors behind.
 */
export function trainStep(
  detector: SsdDetector,
  optimizer: Optimizer,
  batch: TrainingBatch,
  config: TrainConfig,
  lr: number,
  options: StepOptions = {},
): StepResult {
  return applyGradients(optimizer, shardGradients(detector, batch, config, options), config, lr);
}
