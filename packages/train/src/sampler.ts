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
  ssdCrop,
  type Transform,
} from "@od/augment";
import { type Boxes, type ImageSize, toRel } from "@od/boxes";
import type { ImageRecord } from "@od/data";
import { encodeTargets } from "@od/priors";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { TrainConfig } from "./config.js";

/** Loads the decoded pixels of one dataset image (`[H, W, 3]` uint8 HWC). */
export type ImageLoader = (record: ImageRecord) => Promise<Image>;

/** One batch ready to become tensors. */
export interface TrainingBatch {
  /** `[B, H, W, 3]` network input, float32 in [−1, 1]. */
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

/** Builds the augmentation of a config: the `ssd`, `light` or `none` preset, ending with the letterbox. */
export function buildAugmentation(config: TrainConfig): Transform {
  const { width, height } = config.model.inputSize;
  const a = config.augment;
  const box = letterbox({ width, height, filter: { minWidth: 2, minHeight: 2 } });
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

/**
 * Turns dataset images into training batches: decode (through the caller's loader, which may cache),
 * augment with a per-sample seeded generator, letterbox to the network input, convert boxes to rel
 * and match + encode them against the priors.
 */
export class BatchBuilder {
  readonly #config: TrainConfig;
  readonly #transform: Transform;
  readonly #priors: Boxes<"cxcywh", "rel">;
  readonly #load: ImageLoader;

  constructor(
    config: TrainConfig,
    priors: Boxes<"cxcywh", "rel">,
    load: ImageLoader,
    transform: Transform = buildAugmentation(config),
  ) {
    this.#config = config;
    this.#priors = priors;
    this.#load = load;
    this.#transform = transform;
  }

  /**
   * The batch of `records` for `epoch`, positions `first..first+B−1` in that epoch (they seed the
   * augmentation, so a resumed run draws the same samples).
   */
  async build(records: readonly ImageRecord[], epoch: number, first: number): Promise<TrainingBatch> {
    const { width, height } = this.#config.model.inputSize;
    const size: ImageSize = { width, height };
    const B = records.length;
    const P = this.#priors.length;
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
      const src = out.image.data;
      const o = b * height * width * 3;
      const scale = src instanceof Float32Array ? 2 : 2 / 255;
      for (let i = 0; i < height * width * 3; i++) images[o + i] = (src[i] as number) * scale - 1;
      const t = encodeTargets(
        toRel(out.boxes, size),
        out.labels,
        this.#priors,
        {
          matcher: { kind: "ssd", threshold: this.#config.train.matchThreshold },
          variances: [0.1, 0.1, 0.2, 0.2],
        },
        {
          locTargets: locTargets.subarray(b * P * 4, (b + 1) * P * 4),
          labels: labels.subarray(b * P, (b + 1) * P),
          matches: new Int32Array(P),
        },
      );
      numPositive += t.numPositive;
    }
    return { images, locTargets, labels, ids: records.map((r) => r.id), numPositive, dropped };
  }
}
