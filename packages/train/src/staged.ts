import { type Image, type Rng, uniform } from "@od/augment";
import { iou, boxes as makeBoxes } from "@od/boxes";
import { type ImageRecord, rngFor, shuffleInPlace } from "@od/data";
import {
  type CropClassifier,
  classifyBoxes,
  cropBoxes,
  type Detections,
  type ImageInput,
  type PostprocessOptions,
  type SsdDetector,
} from "@od/ssd";
import { tf } from "@od/tf";
import { fail } from "./errors.js";
import { clipByGlobalNorm, type Optimizer } from "./optim.js";

/** Generator streams of {@link CropBatcher} (`rngFor(seed, stream, epoch, …)` of `@od/data`). */
const CROP_ORDER_STREAM = 0xc0;
const CROP_JITTER_STREAM = 0xc1;

/**
 * A detector and a crop classifier used as one model (the recipe's staged training): the detector
 * (usually class-agnostic) finds the boxes, the classifier labels a square crop of each.
 * A detection's score is `detector score × classifier probability` of the chosen class.
 */
export class StagedDetector {
  /** Stage 1: finds boxes (its own labels are ignored). */
  readonly detector: SsdDetector;
  /** Stage 2: labels each box. */
  readonly classifier: CropClassifier;
  /** The class names of the combined model: the classifier's (class id k ≥ 1 is `classNames[k − 1]`). */
  readonly classNames: readonly string[];
  /** `classNames.length + 1` (background included, as {@link SsdDetector.numClasses}). */
  readonly numClasses: number;

  /** Takes ownership of both models ({@link StagedDetector.dispose} releases them). */
  constructor(detector: SsdDetector, classifier: CropClassifier) {
    this.detector = detector;
    this.classifier = classifier;
    this.classNames = classifier.config.classNames;
    this.numClasses = this.classNames.length + 1;
  }

  /**
   * Detects with the detector, then relabels every kept box with the classifier.
   * @param images as {@link SsdDetector.predict}.
   * @param options as {@link SsdDetector.predict}; `scoreThreshold` (default 0.01) applies to the
   *   detector score and again to the combined score.
   * @returns per image `[K]` boxes (xyxy px of the image), combined scores in decreasing order (ties:
   *   the detector's order), labels ≥ 1 in {@link StagedDetector.classNames}.
   */
  async predict(images: readonly ImageInput[], options: PostprocessOptions = {}): Promise<Detections[]> {
    const threshold = options.scoreThreshold ?? 0.01;
    const dets = await this.detector.predict(images, options);
    const out: Detections[] = [];
    for (const [i, d] of dets.entries()) {
      if (d.boxes.length === 0) {
        out.push(d);
        continue;
      }
      const c = await classifyBoxes(this.classifier, images[i]!, d.boxes);
      out.push(combineDetections(d, c, threshold));
    }
    return out;
  }

  /** Releases both models. */
  dispose(): void {
    this.detector.dispose();
    this.classifier.dispose();
  }
}

/**
 * Combines class-agnostic detections with the classifier's labels: `score = detection score ×
 * class probability`, boxes below `threshold` dropped, sorted by decreasing score (stable).
 * @param det `[K]` detections; `cls` the classifier's `[K]` 1-based labels and probabilities.
 */
export function combineDetections(
  det: Detections,
  cls: { readonly labels: Int32Array; readonly scores: Float32Array },
  threshold: number,
): Detections {
  const K = det.scores.length;
  const score = new Float32Array(K);
  const keep: number[] = [];
  for (let k = 0; k < K; k++) {
    score[k] = det.scores[k]! * cls.scores[k]!;
    if (score[k]! >= threshold) keep.push(k);
  }
  keep.sort((a, b) => score[b]! - score[a]! || a - b);
  const b = new Float32Array(keep.length * 4);
  keep.forEach((k, j) => {
    b.set(det.boxes.data.subarray(4 * k, 4 * k + 4), 4 * j);
  });
  return {
    boxes: makeBoxes(b, "xyxy", "px"),
    scores: Float32Array.from(keep, (k) => score[k]!),
    labels: Int32Array.from(keep, (k) => cls.labels[k]!),
  };
}

/** One training crop: a box of a dataset image and its 0-based class. */
export interface CropSample {
  /** The image the box is in. */
  readonly record: ImageRecord;
  /** Box index in `record` (ground truth), or −1 for a box given in `box`. */
  readonly index: number;
  /** `[x1, y1, x2, y2]` px when `index` is −1 (e.g. a detector output matched to a ground-truth box). */
  readonly box?: readonly [number, number, number, number];
  /** 0-based class (the dataset's). */
  readonly label: number;
}

/**
 * Every ground-truth box of the images with a positive area, as crop samples (difficult and crowd
 * boxes included: they are still objects of their class).
 */
export function groundTruthCrops(records: readonly ImageRecord[]): CropSample[] {
  const out: CropSample[] = [];
  for (const record of records) {
    const d = record.boxes.data;
    for (let i = 0; i < record.boxes.length; i++) {
      if (d[4 * i + 2]! > d[4 * i]! && d[4 * i + 3]! > d[4 * i + 1]!)
        out.push({ record, index: i, label: record.labels[i]! });
    }
  }
  return out;
}

/**
 * Detector outputs that overlap a ground-truth box with IoU ≥ `minIou`, labelled with that box's class
 * (the best-overlapping one; ties: the lower index) — stage 2 then also sees the detector's own box
 * errors. Detections overlapping no ground truth are not used.
 * @param det detections on `record`'s image (xyxy px of that image).
 */
export function detectionCrops(record: ImageRecord, det: Detections, minIou = 0.5): CropSample[] {
  const K = det.boxes.length;
  const G = record.boxes.length;
  if (K === 0 || G === 0) return [];
  const m = iou(det.boxes, record.boxes);
  const out: CropSample[] = [];
  for (let k = 0; k < K; k++) {
    let best = -1;
    let bestIou = minIou;
    for (let g = 0; g < G; g++) {
      const v = m[k * G + g]!;
      if (v >= bestIou && (best < 0 || v > bestIou)) {
        best = g;
        bestIou = v;
      }
    }
    if (best < 0) continue;
    const b = det.boxes.data;
    out.push({
      record,
      index: -1,
      box: [b[4 * k]!, b[4 * k + 1]!, b[4 * k + 2]!, b[4 * k + 3]!],
      label: record.labels[best]!,
    });
  }
  return out;
}

/**
 * Moves each side of an xyxy px box by up to `amount` of its width (x) or height (y), uniformly, then
 * clips to the image; a box that would lose all area is returned unchanged.
 */
export function jitterBox(
  box: readonly [number, number, number, number],
  amount: number,
  size: { readonly width: number; readonly height: number },
  rng: Rng,
): [number, number, number, number] {
  const [x1, y1, x2, y2] = box;
  const w = x2 - x1;
  const h = y2 - y1;
  const nx1 = Math.max(0, x1 + uniform(rng, -amount, amount) * w);
  const ny1 = Math.max(0, y1 + uniform(rng, -amount, amount) * h);
  const nx2 = Math.min(size.width, x2 + uniform(rng, -amount, amount) * w);
  const ny2 = Math.min(size.height, y2 + uniform(rng, -amount, amount) * h);
  return nx2 - nx1 >= 1 && ny2 - ny1 >= 1 ? [nx1, ny1, nx2, ny2] : [x1, y1, x2, y2];
}

/** Options of {@link CropBatcher}. */
export interface CropBatchOptions {
  /** Side of the square crops in px. */
  readonly cropSize: number;
  /** Box jitter (fraction of the box side, default 0.1; 0 = exact boxes). */
  readonly jitter?: number;
  /** Run seed: crop order and jitter come from (seed, epoch, position). */
  readonly seed: number;
}

/**
 * Batches of classifier training crops: a seeded shuffle of the samples per epoch, each box jittered
 * with a generator seeded by (seed, epoch, position), cropped and resized with `cropBoxes`.
 */
export class CropBatcher {
  readonly #samples: readonly CropSample[];
  readonly #load: (r: ImageRecord) => Promise<Image>;
  readonly #options: CropBatchOptions;

  /** @throws TrainError `BAD_DATASET` when there are no samples. */
  constructor(
    samples: readonly CropSample[],
    load: (r: ImageRecord) => Promise<Image>,
    options: CropBatchOptions,
  ) {
    if (samples.length === 0)
      fail("BAD_DATASET", "CropBatcher", "samples is empty: the training images have no boxes to crop");
    this.#samples = samples;
    this.#load = load;
    this.#options = options;
  }

  /** Number of samples. */
  get length(): number {
    return this.#samples.length;
  }

  /**
   * The visiting order of `epoch`: a seeded shuffle of the sample indices (`shuffleInPlace` of
   * `@od/data`); same seed and epoch → same order.
   */
  order(epoch: number): number[] {
    return shuffleInPlace(
      this.#samples.map((_, i) => i),
      rngFor(this.#options.seed, CROP_ORDER_STREAM, epoch),
    );
  }

  /**
   * The crops of `order[first .. first + n − 1]`.
   * @returns `crops` `[n, s, s, 3]` float32 in [−1, 1] (caller disposes) and `labels` `[n]` 0-based.
   */
  async batch(
    order: readonly number[],
    first: number,
    n: number,
    epoch: number,
  ): Promise<{ crops: tf.Tensor4D; labels: Int32Array }> {
    const idx = order.slice(first, first + n);
    const byImage = new Map<ImageRecord, { pos: number; box: [number, number, number, number] }[]>();
    const jitter = this.#options.jitter ?? 0.1;
    idx.forEach((si, j) => {
      const s = this.#samples[si]!;
      const d = s.record.boxes.data;
      const raw: [number, number, number, number] =
        s.index >= 0
          ? [d[4 * s.index]!, d[4 * s.index + 1]!, d[4 * s.index + 2]!, d[4 * s.index + 3]!]
          : [...(s.box as [number, number, number, number])];
      const rng = rngFor(this.#options.seed, CROP_JITTER_STREAM, epoch, first + j);
      const box = jitter > 0 ? jitterBox(raw, jitter, s.record.size, rng) : raw;
      const list = byImage.get(s.record) ?? [];
      list.push({ pos: j, box });
      byImage.set(s.record, list);
    });
    const parts: tf.Tensor4D[] = [];
    const positions: number[] = [];
    try {
      for (const [record, list] of byImage) {
        const img = await this.#load(record);
        // Box coordinates are of the annotated size; scale them if the decoded image differs.
        const sx = img.shape[1]! / record.size.width;
        const sy = img.shape[0]! / record.size.height;
        const b = new Float32Array(list.length * 4);
        list.forEach((e, k) => {
          b.set([e.box[0] * sx, e.box[1] * sy, e.box[2] * sx, e.box[3] * sy], 4 * k);
        });
        // The same reading and normalisation as prediction uses (cropBoxes of @od/ssd).
        const crops = cropBoxes(img, makeBoxes(b, "xyxy", "px"), this.#options.cropSize);
        parts.push(crops);
        for (const e of list) positions.push(e.pos);
      }
      const labels = new Int32Array(idx.length);
      const inv = new Int32Array(idx.length);
      positions.forEach((p, k) => {
        inv[p] = k;
      });
      idx.forEach((si, j) => {
        labels[j] = this.#samples[si]!.label;
      });
      const crops = tf.tidy(() => tf.gather(tf.concat(parts, 0), Array.from(inv)) as tf.Tensor4D);
      return { crops, labels };
    } finally {
      tf.dispose(parts);
    }
  }
}

/** Names of a classifier's trainable variables, aligned with `trainableVariables()`. */
export function classifierParameterNames(classifier: CropClassifier): string[] {
  return classifier.params.names().filter((n) => classifier.params.isTrainable(n));
}

/** What one classifier step measured. */
export interface ClassifierStepResult {
  /** Mean softmax cross-entropy of the batch. */
  readonly loss: number;
  /** Share of crops whose arg-max class is right (before the update). */
  readonly accuracy: number;
  /** Gradient norm before clipping. */
  readonly gradNorm: number;
  /** False when the loss or gradient norm was not finite (no update applied). */
  readonly applied: boolean;
}

/**
 * One classifier training step: forward in training mode, mean softmax cross-entropy against the
 * 0-based `labels`, global-norm clipping at `gradClip`, then the optimizer update at `lr` (skipped
 * when not finite). Leaves no tensors behind; does not dispose `crops`.
 */
export function classifierStep(
  classifier: CropClassifier,
  optimizer: Optimizer,
  crops: tf.Tensor4D,
  labels: Int32Array,
  lr: number,
  gradClip: number,
): ClassifierStepResult {
  const K = classifier.config.classNames.length;
  const names = classifierParameterNames(classifier);
  const vars = classifier.trainableVariables();
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), K), "float32"));
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = classifier.forward(crops, true);
    correct = tf.keep(
      tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(oneHot, 1)), "float32")) as tf.Scalar,
    );
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  }, vars);
  oneHot.dispose();
  const loss = value.dataSync()[0]!;
  const accuracy = (correct as tf.Scalar | undefined)?.dataSync()[0] ?? 0;
  tf.dispose([value, correct as tf.Scalar]);
  const named: Record<string, tf.Tensor> = {};
  vars.forEach((v, i) => {
    const g = grads[v.name];
    if (g !== undefined) named[names[i]!] = g;
  });
  const clipped = clipByGlobalNorm(named, gradClip);
  tf.dispose(Object.values(named));
  const applied = Number.isFinite(loss) && Number.isFinite(clipped.norm);
  if (applied) optimizer.apply(clipped.grads, lr);
  tf.dispose(Object.values(clipped.grads));
  return { loss, accuracy, gradNorm: clipped.norm, applied };
}
