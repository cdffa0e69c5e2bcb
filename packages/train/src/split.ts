import { type DetectionDataset, splitDataset } from "@od/data";
import type { TrainConfig } from "./config.js";

/** The two image sets of a training run. */
export interface TrainValSplit {
  /** Images the run trains on. */
  readonly train: DetectionDataset;
  /** Images the run validates on (mAP, best checkpoint). */
  readonly val: DetectionDataset;
}

/**
 * How a training run splits a dataset that has no split lists of its own (COCO, YOLO): a seeded,
 * class-stratified split by `splitDataset` of @od/data, `1 − data.valFraction` of the images for
 * training and `data.valFraction` (default 0.2) for validation, seeded with `train.seed` (default 0).
 * The same config gives the same images, so other tools (e.g. `priors fit` on the training images)
 * see exactly what training sees. VOC datasets use their `ImageSets/Main` lists instead
 * (`data.trainSplit`, default `trainval`; `data.valSplit`, default `test`).
 * @param all every image of the dataset, in loader order.
 * @param config a resolved training config (only `data.valFraction` and `train.seed` are read).
 * @returns the two sets (same classes, report and root as `all`).
 * @throws DataError `INVALID_ARGUMENT` (from `splitDataset`) for a fraction outside [0, 1].
 */
export function trainValSplit(
  all: DetectionDataset,
  config: {
    readonly data: Pick<TrainConfig["data"], "valFraction">;
    readonly train: Pick<TrainConfig["train"], "seed">;
  },
): TrainValSplit {
  const f = config.data.valFraction;
  const s = splitDataset(all, { fractions: { train: 1 - f, val: f }, seed: config.train.seed });
  return { train: s.train as DetectionDataset, val: s.val as DetectionDataset };
}
