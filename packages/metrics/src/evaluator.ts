import type { ConfusionMatrix, ConfusionOptions } from "./confusion.js";
import { computeCoco } from "./internal/coco.js";
import { computeConfusion, resolveConfusionOptions, toConfusionMatrix } from "./internal/confusion.js";
import { resolveCocoOptions, resolveVocOptions } from "./internal/options.js";
import { type ImageRecord, makeRecord, resolveClasses } from "./internal/record.js";
import { computeVoc } from "./internal/voc.js";
import type {
  ClassSpec,
  CocoOptions,
  CocoResult,
  Detections,
  GroundTruth,
  VocOptions,
  VocResult,
} from "./types.js";

/**
 * Accumulates per-image ground truth and detections (e.g. over a validation loop) and computes VOC or
 * COCO metrics over everything added so far.
 *
 * `add` validates and COPIES its inputs, so the caller may reuse or mutate its arrays afterwards.
 * Images keep the order they were added in; that order breaks ties between equal scores of different
 * images (earlier image first), as pycocotools does with its sorted image ids.
 *
 * @example
 * const ev = new DetectionEvaluator({ classNames: ["cat", "dog"] });
 * for (const { gt, det } of batches) ev.add(gt, det);
 * const { mAP, stats } = ev.computeCoco();
 */
export class DetectionEvaluator {
  /** Class names, index = label. */
  readonly classNames: readonly string[];
  readonly #records: ImageRecord[] = [];

  /**
   * @param classes `{ classNames }` or `{ numClasses }`.
   * @throws MetricsError `INVALID_ARGUMENT` when neither is valid.
   */
  constructor(classes: ClassSpec) {
    this.classNames = resolveClasses("DetectionEvaluator", classes);
  }

  /** Number of classes. */
  get numClasses(): number {
    return this.classNames.length;
  }

  /** Number of images added so far. */
  get numImages(): number {
    return this.#records.length;
  }

  /**
   * Adds one image: its ground truth and its detections (both xyxy px of the same image).
   * @returns `this`, for chaining.
   * @throws MetricsError `NOT_BOXES`, `INVALID_BOX`, `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE`,
   *   `INVALID_SCORE`; the message names the image index (the number of images added before it) and
   *   the field, e.g. `DetectionEvaluator.add: image 4: det.scores[2] is NaN; ...`. Nothing is added on error.
   */
  add(gt: GroundTruth, det: Detections): this {
    this.#records.push(makeRecord("DetectionEvaluator.add", this.#records.length, gt, det, this.numClasses));
    return this;
  }

  /** Forgets every image added so far. */
  reset(): void {
    this.#records.length = 0;
  }

  /** PASCAL VOC metrics over the images added so far; see {@link evaluateVoc} for the conventions. */
  computeVoc(options: VocOptions = {}): VocResult {
    const o = resolveVocOptions("DetectionEvaluator.computeVoc", options);
    return computeVoc(this.#records, this.classNames, o.interpolation, o.iouThreshold);
  }

  /** COCO bbox metrics over the images added so far; see {@link evaluateCoco} for the conventions. */
  computeCoco(options: CocoOptions = {}): CocoResult {
    return computeCoco(
      this.#records,
      this.classNames,
      resolveCocoOptions("DetectionEvaluator.computeCoco", options),
    );
  }

  /**
   * The detection confusion matrix over the images added so far (Ultralytics' rules: IoU > 0.45,
   * score > 0.25, a background row and column); see {@link confusionMatrix} for the conventions.
   * @throws MetricsError `INVALID_ARGUMENT` for thresholds outside [0, 1).
   */
  computeConfusion(options: ConfusionOptions = {}): ConfusionMatrix {
    const o = resolveConfusionOptions("DetectionEvaluator.computeConfusion", options);
    return toConfusionMatrix(
      computeConfusion(this.#records, this.numClasses, o),
      this.classNames,
      this.#records.length,
      o,
    );
  }
}
