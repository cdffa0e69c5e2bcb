/**
 * Training and inference speed of a detector config on a dataset, the same measurement in a page's
 * worker and in Node (`bench/run.ts`): a few training steps on two prepared batches (augmentation and
 * decoding outside the timing), then single-image predictions.
 * @module
 */
import type { DetectionDataset, ImageRecord } from "@od/data";
import type { Uint8Image } from "@od/image";
import { postprocess, preprocessBatch, type SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import {
  collate,
  createRunDetector,
  createRunOptimizer,
  type TrainConfig,
  type TrainingBatch,
  trainingPipeline,
  trainStep,
} from "@od/train";

/** Result of {@link measureSpeed}. */
export interface Speed {
  /** Training images per second (`steps · batch size / seconds`). */
  readonly trainImagesPerSecond: number;
  /** Predictions per second, batch 1 (preprocess, forward, decode, NMS). */
  readonly inferImagesPerSecond: number;
  /** The active tfjs backend. */
  readonly backend: string;
  /** Where a batch-1 prediction's time goes (see {@link profileInference}). */
  readonly inferStagesMs: InferenceStages;
}

/**
 * Median milliseconds of each stage of a batch-1 `SsdDetector.predict` (medians: on a shared machine
 * a descheduled thread inflates means).
 */
export interface InferenceStages {
  /** Letterbox and normalisation of the RGB bytes into the input floats (JavaScript). */
  readonly preprocess: number;
  /** Input upload (`tf.tensor4d`), the network and the softmax: the tfjs kernels, run as dispatched. */
  readonly forward: number;
  /** Reading box deltas and class probabilities back (`data()`), and disposing the tensors. */
  readonly readback: number;
  /** Box decoding, score threshold and NMS (JavaScript). */
  readonly postprocess: number;
}

/**
 * Times the stages of `model.predict([image])` separately over `n` predictions (the same calls
 * `SsdDetector.predict` makes, in the same order, with its input buffer reused as predict reuses its
 * own), after one warm-up. Leaves no tensors.
 * @returns the median milliseconds of each stage (0 when `n` is 0).
 */
export async function profileInference(
  model: SsdDetector,
  images: readonly Uint8Image[],
  n: number,
): Promise<InferenceStages> {
  const times: Record<keyof InferenceStages, number[]> = {
    preprocess: [],
    forward: [],
    readback: [],
    postprocess: [],
  };
  const { width, height } = model.config.inputSize;
  const input = new Float32Array(width * height * 3);
  for (let i = -1; i < n; i++) {
    const image = images[Math.max(0, i) % images.length]!;
    const t0 = performance.now();
    const { batch, records } = preprocessBatch([image], model.config, "profileInference", input);
    const t1 = performance.now();
    const x = tf.tensor4d(batch, [1, height, width, 3]);
    const { loc, probs } = tf.tidy(() => {
      const out = model.forward(x, false);
      return { loc: out.loc, probs: tf.softmax(out.logits) };
    });
    x.dispose();
    const t2 = performance.now();
    const [deltas, p] = await Promise.all([
      loc.data() as Promise<Float32Array>,
      probs.data() as Promise<Float32Array>,
    ]);
    tf.dispose([loc, probs]);
    const t3 = performance.now();
    postprocess(deltas, p, model.priors, model.config.variances, records[0]!, model.config.postprocess);
    const t4 = performance.now();
    if (i < 0) continue;
    times.preprocess.push(t1 - t0);
    times.forward.push(t2 - t1);
    times.readback.push(t3 - t2);
    times.postprocess.push(t4 - t3);
  }
  return {
    preprocess: median(times.preprocess),
    forward: median(times.forward),
    readback: median(times.readback),
    postprocess: median(times.postprocess),
  };
}

/** The middle value (the mean of the two middle ones for an even count); 0 for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `steps` training steps (after one warm-up step) at `config.train.batchSize` and `predictions`
 * single-image predictions (after one warm-up) of a fresh detector of `config`. Leaves no tensors.
 */
export async function measureSpeed(
  config: TrainConfig,
  data: DetectionDataset,
  load: (r: ImageRecord) => Promise<Uint8Image>,
  options: { readonly steps: number; readonly predictions: number },
): Promise<Speed> {
  const model = createRunDetector(config, data.classNames);
  const opt = createRunOptimizer(config, model);
  try {
    const pipeline = trainingPipeline(config, data, model, load, { prefetch: 0 });
    const batches: TrainingBatch[] = [];
    for await (const b of pipeline.epoch(0)) {
      batches.push(collate(b));
      if (batches.length >= 2) break;
    }
    const first = batches[0];
    if (first === undefined) throw new Error("measureSpeed: the dataset gave no batch");
    trainStep(model, opt, first, config, 1e-3);
    const t0 = performance.now();
    for (let s = 0; s < options.steps; s++) trainStep(model, opt, batches[s % batches.length]!, config, 1e-3);
    const trainSeconds = (performance.now() - t0) / 1000;
    const images = await Promise.all(data.images.slice(0, 4).map(load));
    await model.predict([images[0]!]);
    const t1 = performance.now();
    for (let i = 0; i < options.predictions; i++) await model.predict([images[i % images.length]!]);
    const inferSeconds = (performance.now() - t1) / 1000;
    const inferStagesMs = await profileInference(model, images, options.predictions);
    return {
      trainImagesPerSecond: (options.steps * first.ids.length) / trainSeconds,
      inferImagesPerSecond: options.predictions / inferSeconds,
      backend: tf.getBackend(),
      inferStagesMs,
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
