/**
 * The data of a training run: the training and validation datasets of a config (format, splits,
 * extra negatives, caps) and a decoder that keeps decoded pixels in memory.
 * @module
 */
import path from "node:path";
import { sameSequence } from "@od/boxes";
import { addNegatives, type DataSample, type DetectionDataset, type ImageRecord } from "@od/data";
import {
  decodeImageFile,
  dropUndecodableImages,
  loadCoco,
  loadNegatives,
  loadVoc,
  loadYolo,
} from "@od/data/node";
import type { TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import type { RgbLoader } from "../sampler.js";
import { trainValSplit } from "../split.js";

/** The datasets of a run. */
export interface TrainingData {
  /** Training images (with the extra negatives of `data.negativesDir`). */
  readonly train: DetectionDataset;
  /** Validation images (may be empty). */
  readonly val: DetectionDataset;
  /** Class names of the training set (0-based class k is `classNames[k]`). */
  readonly classNames: readonly string[];
}

/**
 * The training and validation datasets of a config: VOC splits (`data.trainSplit`, `data.valSplit`),
 * or for COCO and YOLO the seeded stratified split of {@link trainValSplit}; the background-only
 * images of `data.negativesDir` added to the training set; `data.maxTrainImages` / `data.maxValImages`
 * applied; then images that do not decode dropped under `data.policy` and reported (`policy: "error"`
 * throws first).
 * @throws TrainError `BAD_DATASET` when there are no training images or no classes; loader errors.
 */
export async function loadTrainingData(config: TrainConfig): Promise<TrainingData> {
  const d = config.data;
  const policy = d.policy;
  let train: DetectionDataset;
  let val: DetectionDataset;
  if (d.format === "voc") {
    train = await loadVoc(d.root, {
      split: d.trainSplit,
      policy,
      ...(d.classNames ? { classNames: d.classNames } : {}),
    });
    val = await loadVoc(d.root, { split: d.valSplit, policy, classNames: train.classNames });
  } else {
    const all = d.format === "coco" ? await loadCoco(d.root, { policy }) : await loadYolo(d.root, { policy });
    if (d.classNames !== undefined && !sameSequence(d.classNames, all.classNames))
      fail(
        "INVALID_CONFIG",
        "loadTrainingData",
        `data.classNames is ${JSON.stringify(d.classNames)} but ${d.root} (${d.format}) defines ${JSON.stringify(all.classNames)}; a ${d.format} dataset keeps its own order`,
        { field: "data.classNames" },
      );
    ({ train, val } = trainValSplit(all, config));
  }
  if (d.negativesDir !== undefined) {
    const neg = await loadNegatives(d.negativesDir, { policy });
    train = addNegatives(train, neg.records);
  }
  const cap = (ds: DetectionDataset, n: number | undefined): DetectionDataset =>
    n === undefined ? ds : { ...ds, images: ds.images.slice(0, n) };
  train = await dropUndecodableImages(cap(train, d.maxTrainImages), { policy });
  val = await dropUndecodableImages(cap(val, d.maxValImages), { policy });
  if (train.images.length === 0)
    fail("BAD_DATASET", "loadTrainingData", `no training images in ${d.root} (split ${d.trainSplit})`);
  if (train.classNames.length === 0) fail("BAD_DATASET", "loadTrainingData", `no classes found in ${d.root}`);
  return { train, val, classNames: train.classNames };
}

/**
 * A decoder for a dataset's images (files resolved against `dataset.root`) that keeps decoded pixels
 * in memory, up to `maxBytes` (default 2 GiB) of `[H, W, 3]` uint8 images; later images are decoded
 * every time they are asked for.
 */
export function datasetImageLoader(dataset: DetectionDataset, maxBytes = 2 ** 31): RgbLoader {
  const cache = new Map<string, Promise<DataSample["image"]>>();
  let bytes = 0;
  return (record: ImageRecord) => {
    const file = path.resolve(dataset.root ?? ".", record.file);
    const hit = cache.get(file);
    if (hit !== undefined) return hit;
    const p = decodeImageFile(file);
    if (bytes < maxBytes) {
      cache.set(file, p);
      bytes += record.size.width * record.size.height * 3;
    }
    return p;
  };
}
