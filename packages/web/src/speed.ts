/**
 * Training and inference speed of a detector config on a dataset, the same measurement in a page's
 * worker and in Node (`bench/run.ts`): a few training steps on two prepared batches (augmentation and
 * decoding outside the timing), then single-image predictions.
 * @module
 */
import type { DetectionDataset, ImageRecord } from "@od/data";
import type { Uint8Image } from "@od/image";
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
    return {
      trainImagesPerSecond: (options.steps * first.ids.length) / trainSeconds,
      inferImagesPerSecond: options.predictions / inferSeconds,
      backend: tf.getBackend(),
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
