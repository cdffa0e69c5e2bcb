import {
  colorJitter,
  compose,
  expand,
  horizontalFlip,
  type Image,
  letterbox,
  makeSample,
  occlusion,
  resize,
  type Sample,
  ssdCrop,
  type Transform,
} from "@od/augment";
import type { Boxes } from "@od/boxes";
import {
  createPipeline,
  type DataSample,
  type DetectionDataset,
  type ImageRecord,
  type Pipeline,
} from "@od/data";
import { preprocessSample, type SsdConfig } from "@od/ssd";
import type { TrainConfig } from "./config.js";
import { fail } from "./errors.js";

/** Loads the decoded pixels of one dataset image (`[H, W, 3]` uint8 HWC). */
export type ImageLoader = (record: ImageRecord) => Promise<Image>;

/** Loads the decoded pixels of one dataset image as the data pipeline takes them (`[H, W, 3]` uint8 RGB). */
export type RgbLoader = (record: ImageRecord) => Promise<DataSample["image"]>;

/** One batch ready to become tensors. */
export interface TrainingBatch {
  /** `[B, H, W, 3]` network input (`preprocessSample` of `@od/ssd`: float32 in `NETWORK_INPUT_RANGE`). */
  readonly images: Float32Array;
  /** `[B, P, 4]` regression targets. */
  readonly locTargets: Float32Array;
  /** `[B, P]` labels: ≥ 1 class, 0 background, −1 ignore. */
  readonly labels: Int32Array;
  /** Ids of the images in the batch (for reports, e.g. a non-finite loss). */
  readonly ids: readonly string[];
  /** Positive priors in the batch. */
  readonly numPositive: number;
  /** Boxes dropped by augmentation in this batch. */
  readonly dropped: number;
}

/** The network input and training targets of one image (see {@link encodeSample}). */
export interface NetworkSample {
  /** `[H, W, 3]` network input (H × W = `model.inputSize`), float32 in `NETWORK_INPUT_RANGE` of `@od/ssd`. */
  readonly image: Float32Array;
  /** `[P, 4]` regression targets (the priors' encoding of the matched boxes). */
  readonly locTargets: Float32Array;
  /** `[P]` labels: ≥ 1 class, 0 background, −1 ignore. */
  readonly labels: Int32Array;
  /** Priors matched to an object. */
  readonly numPositive: number;
}

/** One training sample as the pipeline hands it over: {@link NetworkSample} plus the augmentation's report. */
export interface TrainingSample extends NetworkSample {
  /** Boxes the augmentation dropped (e.g. cropped away). */
  readonly dropped: number;
}

/**
 * Builds the augmentation of a config: the `ssd`, `light` or `none` preset, ending with the fit to the
 * network input (`letterbox`, or `resize` when `model.inputFit` says so), with the resampler and the
 * geometry the model's preprocessing uses at prediction.
 */
export function buildAugmentation(config: TrainConfig): Transform {
  const { width, height } = config.model.inputSize;
  const a = config.augment;
  const filter = { minWidth: 2, minHeight: 2 };
  const box =
    config.model.inputFit === "resize"
      ? resize({ width, height, filter })
      : letterbox({ width, height, filter });
  const steps: Transform[] = [];
  if (a.preset === "ssd") {
    steps.push(
      expand({ p: a.expandP, ratio: [1, a.expandMax], fill: "zero" }),
      ssdCrop(),
      horizontalFlip({ p: 0.5 }),
    );
  } else if (a.preset === "light") steps.push(horizontalFlip({ p: 0.5 }));
  if (a.occlusionP > 0) steps.push(occlusion({ p: a.occlusionP }));
  steps.push(box);
  if (a.preset === "ssd") steps.push(colorJitter());
  return compose(steps, { name: `augment-${a.preset}` });
}

/** What the training pipeline needs of the model: an `SsdDetector` has both. */
export interface BatchModel {
  /** Its config: input size and fit, variances. */
  readonly config: SsdConfig;
  /** `[P, 4]` cxcywh rel priors. */
  readonly priors: Boxes<"cxcywh", "rel">;
}

/**
 * The labels a detector trains on: dataset class k (0-based) becomes k + 1 (0 is background), or 1
 * for every box when the model is class-agnostic (one class, `object`).
 * @param labels `[N]` 0-based dataset classes.
 * @returns a new `[N]` array.
 */
export function trainingLabels(labels: Int32Array, classAgnostic: boolean): Int32Array {
  return classAgnostic ? new Int32Array(labels.length).fill(1) : labels.map((l) => l + 1);
}

/**
 * The network preprocessing of one augmented sample: the model's own (`preprocessSample` of `@od/ssd`,
 * the path prediction takes): the image fitted to the input and normalised, the boxes matched and
 * encoded against the priors with the model's variances (SSD matcher at `train.matchThreshold`).
 * @param sample `[H, W, 3]` image with `[N, 4]` xyxy px boxes and labels ≥ 1.
 */
export function encodeSample(sample: Sample, model: BatchModel, config: TrainConfig): NetworkSample {
  const { input, targets } = preprocessSample(sample, model, {
    matcher: { kind: "ssd", threshold: config.train.matchThreshold },
  });
  return {
    image: input.data,
    locTargets: targets.locTargets,
    labels: targets.labels,
    numPositive: targets.numPositive,
  };
}

/** Options of {@link trainingPipeline}. */
export interface TrainingPipelineOptions {
  /** Augmentation (default: {@link buildAugmentation} of the config). */
  readonly transform?: Transform;
  /** Batches prepared ahead of the training step (default `data.prefetch` of the config). */
  readonly prefetch?: number;
}

/**
 * The training input of a config: `createPipeline` of `@od/data` over `dataset` (a seeded shuffle per
 * epoch; with `data.negativeShare > 0` and background-only images in the dataset, that share of every
 * batch drawn from them), each image decoded with `load`, labelled with {@link trainingLabels}, augmented with a
 * generator seeded from (seed, epoch, position) and turned into network input and targets with
 * {@link encodeSample}; `data.prefetch` batches are prepared ahead. Batches of `train.batchSize`
 * (the last one may be smaller). The same seed and epoch give the same bytes, so a resumed run draws
 * the same samples.
 * @param model the detector being trained (its config and priors).
 * @throws TrainError `INVALID_CONFIG` when the training config and the model disagree on the input
 *   size or fit; DataError from `createPipeline` (e.g. bad batch size).
 */
export function trainingPipeline(
  config: TrainConfig,
  dataset: DetectionDataset,
  model: BatchModel,
  load: RgbLoader,
  options: TrainingPipelineOptions = {},
): Pipeline<TrainingSample> {
  const a = config.model;
  const b = model.config;
  if (
    a.inputSize.width !== b.inputSize.width ||
    a.inputSize.height !== b.inputSize.height ||
    a.inputFit !== (b.inputFit ?? "letterbox")
  )
    fail(
      "INVALID_CONFIG",
      "trainingPipeline",
      `model.inputSize ${a.inputSize.width}x${a.inputSize.height} (${a.inputFit}) of the training config differs from the model's ${b.inputSize.width}x${b.inputSize.height} (${b.inputFit ?? "letterbox"})`,
    );
  const transform = options.transform ?? buildAugmentation(config);
  const agnostic = config.model.classAgnostic;
  // `data.negativeShare` applies when the dataset has background-only images; otherwise (and at 0)
  // they are ordinary members of the epoch.
  const share = dataset.images.some((r) => r.boxes.length === 0) ? config.data.negativeShare : 0;
  return createPipeline<TrainingSample>({
    dataset,
    decode: load,
    batchSize: config.train.batchSize,
    seed: config.train.seed,
    prefetch: options.prefetch ?? config.data.prefetch,
    ...(share > 0 ? { negativeShare: share } : {}),
    transform: (s, rng) => {
      const { sample, report } = transform.apply(
        makeSample(s.image, s.boxes, trainingLabels(s.labels, agnostic)),
        rng,
      );
      return { ...encodeSample(sample, model, config), dropped: report.dropped.length };
    },
  });
}

/**
 * Stacks a pipeline batch into one training batch (in order; ids from the records).
 * @param batch ≥ 1 samples with equal image and target sizes, and their records.
 * @throws TrainError `INVALID_CONFIG` for no samples, or samples of different sizes or count than the records.
 */
export function collate(batch: {
  readonly samples: readonly TrainingSample[];
  readonly records: readonly ImageRecord[];
}): TrainingBatch {
  const { samples, records } = batch;
  const first = samples[0];
  if (first === undefined) return fail("INVALID_CONFIG", "collate", "samples is empty");
  const px = first.image.length;
  const P = first.labels.length;
  const B = samples.length;
  if (records.length !== B) fail("INVALID_CONFIG", "collate", `${B} samples but ${records.length} records`);
  const images = new Float32Array(B * px);
  const locTargets = new Float32Array(B * P * 4);
  const labels = new Int32Array(B * P);
  let numPositive = 0;
  let dropped = 0;
  samples.forEach((s, b) => {
    if (s.image.length !== px || s.labels.length !== P || s.locTargets.length !== P * 4)
      fail(
        "INVALID_CONFIG",
        "collate",
        `samples[${b}] (${records[b]?.id}) has ${s.image.length} pixel values and ${s.labels.length} priors; samples[0] has ${px} and ${P}`,
      );
    images.set(s.image, b * px);
    locTargets.set(s.locTargets, b * P * 4);
    labels.set(s.labels, b * P);
    numPositive += s.numPositive;
    dropped += s.dropped;
  });
  return { images, locTargets, labels, ids: records.map((r) => r.id), numPositive, dropped };
}
