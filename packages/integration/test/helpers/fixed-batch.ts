// Training on one fixed batch, as the trainer's own steps run it: the first batch of the training
// pipeline (epoch 0, augmentation as the config says), collated, and an optimizer over every trainable
// variable of the detector by name. Shared by the tests that check a model learns (overfit,
// ssdlite-train).
import type { DetectionDataset } from "@od/data";
import type { SsdDetector } from "@od/ssd";
import {
  collate,
  Optimizer,
  type OptimizerConfig,
  type RgbLoader,
  type TrainConfig,
  type TrainingBatch,
  trainableNames,
  trainingPipeline,
} from "@od/train";

/** A fixed batch and the optimizer that trains `detector` on it (dispose the optimizer when done). */
export interface FixedBatchTraining {
  readonly batch: TrainingBatch;
  readonly optimizer: Optimizer;
}

/**
 * The last batch the training pipeline makes of `dataset` in epoch 0 (the only one when
 * `config.train.batchSize` ≥ the number of images), collated, and an optimizer of `optimizer` over
 * `trainableNames(detector)` and `detector.trainableVariables()`.
 * @throws Error when the pipeline makes no batch or one of another size than `expectImages`.
 */
export async function fixedBatchTraining(
  detector: SsdDetector,
  config: TrainConfig,
  dataset: DetectionDataset,
  load: RgbLoader,
  optimizer: OptimizerConfig,
  expectImages: number,
): Promise<FixedBatchTraining> {
  let batch: TrainingBatch | undefined;
  for await (const b of trainingPipeline(config, dataset, detector, load).epoch(0)) batch = collate(b);
  if (batch === undefined || batch.ids.length !== expectImages)
    throw new Error(`expected one batch of ${expectImages} images; got ${batch?.ids.length ?? "none"}`);
  const names = trainableNames(detector);
  const vars = detector.trainableVariables();
  const opt = new Optimizer(
    optimizer,
    names.map((name, i) => ({ name, variable: vars[i]! })),
  );
  return { batch, optimizer: opt };
}
