import {
  colorJitter,
  compose,
  createRng,
  expand,
  horizontalFlip,
  type Image,
  letterbox,
  makeSample,
  occlusion,
  resize,
  ssdCrop,
  type Transform,
} from "@od/augment";
import type { Boxes } from "@od/boxes";
import type { ImageRecord } from "@od/data";
import { preprocessSample, type SsdConfig } from "@od/ssd";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { TrainConfig } from "./config.js";
import { fail } from "./errors.js";

/** Loads the decoded pixels of one dataset image (`[H, W, 3]` uint8 HWC). */
export type ImageLoader = (record: ImageRecord) => Promise<Image>;

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

/** Seed of one sample's generator: a hash of the run seed, the epoch and the position. */
export function sampleSeed(seed: number, epoch: number, position: number): number {
  let h = 2166136261 ^ seed;
  for (const v of [epoch, position]) {
    h = Math.imul(h ^ (v & 0xffff), 16777619);
    h = Math.imul(h ^ (v >>> 16), 16777619);
  }
  return h | 0;
}

/**
 * The order images are visited in an epoch: a seeded Fisher–Yates shuffle of the object images, with
 * background-only images mixed in so that each batch holds `round(negativeShare · B)` of them (drawn
 * with replacement from the negatives) when `negativeShare > 0`. Same seed and epoch → same order.
 * @returns indices into `images`.
 */
export function epochOrder(
  images: readonly ImageRecord[],
  batchSize: number,
  negativeShare: number,
  seed: number,
  epoch: number,
): number[] {
  const rng = xoroshiro128plus(sampleSeed(seed, epoch, -1));
  const shuffle = (a: number[]): number[] => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = uniformInt(rng, 0, i);
      [a[i], a[j]] = [a[j] as number, a[i] as number];
    }
    return a;
  };
  const all = images.map((_, i) => i);
  const negatives = all.filter((i) => (images[i] as ImageRecord).boxes.length === 0);
  const k = Math.round(negativeShare * batchSize);
  if (k === 0 || negatives.length === 0) return shuffle(all);
  const positives = shuffle(all.filter((i) => (images[i] as ImageRecord).boxes.length > 0));
  const per = batchSize - k;
  const out: number[] = [];
  for (let s = 0; s < positives.length; s += per) {
    out.push(...positives.slice(s, s + per));
    for (let q = 0; q < k; q++) out.push(negatives[uniformInt(rng, 0, negatives.length - 1)] as number);
  }
  return out;
}

/** What {@link BatchBuilder} needs of the model: an `SsdDetector` has both. */
export interface BatchModel {
  /** Its config: input size and fit, variances. */
  readonly config: SsdConfig;
  /** `[P, 4]` cxcywh rel priors. */
  readonly priors: Boxes<"cxcywh", "rel">;
}

/**
 * Turns dataset images into training batches: decode (through the caller's loader, which may cache),
 * augment with a per-sample seeded generator (ending at the network input size), then the model's own
 * preprocessing (`preprocessSample` of `@od/ssd`, the path prediction takes): normalise the input and
 * match + encode the boxes against the priors with the model's variances.
 */
export class BatchBuilder {
  readonly #config: TrainConfig;
  readonly #transform: Transform;
  readonly #model: BatchModel;
  readonly #load: ImageLoader;

  /**
   * @param model the detector being trained (its config and priors).
   * @throws TrainError `INVALID_CONFIG` when the training config and the model disagree on the input
   *   size or fit.
   */
  constructor(
    config: TrainConfig,
    model: BatchModel,
    load: ImageLoader,
    transform: Transform = buildAugmentation(config),
  ) {
    const a = config.model;
    const b = model.config;
    if (
      a.inputSize.width !== b.inputSize.width ||
      a.inputSize.height !== b.inputSize.height ||
      a.inputFit !== (b.inputFit ?? "letterbox")
    )
      fail(
        "INVALID_CONFIG",
        "BatchBuilder",
        `model.inputSize ${a.inputSize.width}x${a.inputSize.height} (${a.inputFit}) of the training config differs from the model's ${b.inputSize.width}x${b.inputSize.height} (${b.inputFit ?? "letterbox"})`,
      );
    this.#config = config;
    this.#model = model;
    this.#load = load;
    this.#transform = transform;
  }

  /**
   * The batch of `records` for `epoch`, positions `first..first+B−1` in that epoch (they seed the
   * augmentation, so a resumed run draws the same samples).
   */
  async build(records: readonly ImageRecord[], epoch: number, first: number): Promise<TrainingBatch> {
    const { width, height } = this.#config.model.inputSize;
    const B = records.length;
    const P = this.#model.priors.length;
    const n = height * width * 3;
    const images = new Float32Array(B * height * width * 3);
    const locTargets = new Float32Array(B * P * 4);
    const labels = new Int32Array(B * P);
    let numPositive = 0;
    let dropped = 0;
    const pixels = await Promise.all(records.map((r) => this.#load(r)));
    for (let b = 0; b < B; b++) {
      const rec = records[b] as ImageRecord;
      const cls = this.#config.model.classAgnostic
        ? new Int32Array(rec.labels.length).fill(1)
        : rec.labels.map((l) => l + 1);
      const sample = makeSample(pixels[b] as Image, rec.boxes, cls);
      const { sample: out, report } = this.#transform.apply(
        sample,
        createRng(sampleSeed(this.#config.train.seed, epoch, first + b)),
      );
      dropped += report.dropped.length;
      const { targets } = preprocessSample(out, this.#model, {
        matcher: { kind: "ssd", threshold: this.#config.train.matchThreshold },
        out: {
          input: images.subarray(b * n, (b + 1) * n),
          locTargets: locTargets.subarray(b * P * 4, (b + 1) * P * 4),
          labels: labels.subarray(b * P, (b + 1) * P),
        },
      });
      numPositive += targets.numPositive;
    }
    return { images, locTargets, labels, ids: records.map((r) => r.id), numPositive, dropped };
  }
}
