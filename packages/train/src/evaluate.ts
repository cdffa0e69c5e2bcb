import type { Image } from "@od/augment";
import type { ImageRecord } from "@od/data";
import {
  type CocoResult,
  type ConfusionMatrix,
  type ConfusionOptions,
  DetectionEvaluator,
  type VocResult,
} from "@od/metrics";
import type { Detections, ImageInput, PostprocessOptions } from "@od/ssd";

/**
 * What {@link evaluateDetector} needs of a model: an `SsdDetector`, a `StagedDetector`, or anything that
 * predicts the same way.
 */
export interface Predictor {
  /** Classes including background: class id k ≥ 1 is dataset class k − 1; 2 means class-agnostic. */
  readonly numClasses: number;
  /** Per image `[K]` xyxy px boxes of the image, scores, labels ≥ 1. */
  predict(images: readonly ImageInput[], options?: PostprocessOptions): Promise<Detections[]>;
}

/** Options of {@link evaluateDetector}. */
export interface EvaluateOptions {
  /** Class scores kept before NMS (default 0.01). */
  readonly scoreThreshold?: number;
  /** NMS IoU threshold (default 0.45). */
  readonly iouThreshold?: number;
  /** Images per forward pass (default 8). */
  readonly batchSize?: number;
  /** Called after each batch with the number of images done. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Thresholds of the confusion matrix (default Ultralytics': IoU > 0.45, score > 0.25), applied to
   * the detections kept by `scoreThreshold`.
   */
  readonly confusion?: ConfusionOptions;
}

/** Result of {@link evaluateDetector}. */
export interface Evaluation {
  /** PASCAL VOC (all-point, IoU > 0.5, difficult ignored). */
  readonly voc: VocResult;
  /** VOC2007 11-point AP. */
  readonly voc07: VocResult;
  /** COCO mAP@[.5:.95] and the 12 summary numbers. */
  readonly coco: CocoResult;
  /**
   * `(K + 1) × (K + 1)` detection confusion matrix (`confusionMatrix` of @od/metrics: rows predicted,
   * columns true, index K background), over the same classes as `voc` and `coco`.
   */
  readonly confusion: ConfusionMatrix;
  /** Detections per image, in `records` order (labels 0-based class indices, as the dataset's). */
  readonly detections: readonly Detections[];
  /** Seconds spent predicting. */
  readonly seconds: number;
}

/**
 * Runs the detector on dataset images (original sizes; predict letterboxes and maps back) and scores
 * the detections against the ground truth with VOC and COCO protocols. A class-agnostic detector
 * (`numClasses` 2 on a dataset of several classes) is scored as one class `object`: every ground-truth
 * box counts, whatever its class.
 * @param detector an `SsdDetector`, a `StagedDetector`, or another {@link Predictor}.
 * @param records images with their ground truth; `load` decodes one.
 * @param classNames the dataset's class names (detector class k ≥ 1 is dataset class k − 1).
 */
export async function evaluateDetector(
  detector: Predictor,
  records: readonly ImageRecord[],
  load: (r: ImageRecord) => Promise<Image>,
  classNames: readonly string[],
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const bs = options.batchSize ?? 8;
  const agnostic = detector.numClasses === 2 && classNames.length !== 1;
  const ev = new DetectionEvaluator({ classNames: agnostic ? ["object"] : classNames });
  const all: Detections[] = [];
  const t0 = performance.now();
  for (let s = 0; s < records.length; s += bs) {
    const part = records.slice(s, s + bs);
    const images = await Promise.all(part.map((r) => load(r)));
    const dets = await detector.predict(images, {
      scoreThreshold: options.scoreThreshold ?? 0.01,
      iouThreshold: options.iouThreshold ?? 0.45,
    });
    dets.forEach((d, i) => {
      const rec = part[i]!;
      const det: Detections = { boxes: d.boxes, scores: d.scores, labels: d.labels.map((l) => l - 1) };
      all.push(det);
      const gtLabels = agnostic ? new Int32Array(rec.labels.length) : rec.labels;
      ev.add({ boxes: rec.boxes, labels: gtLabels, difficult: rec.difficult, crowd: rec.crowd }, det);
    });
    options.onProgress?.(Math.min(s + bs, records.length), records.length);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    voc: ev.computeVoc({ interpolation: "allpoint" }),
    voc07: ev.computeVoc({ interpolation: "11point" }),
    coco: ev.computeCoco(),
    confusion: ev.computeConfusion(options.confusion),
    detections: all,
    seconds,
  };
}
