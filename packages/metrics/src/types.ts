import type { Boxes } from "@od/boxes";

/**
 * Ground truth of one image.
 *
 * - `boxes`: `[N, 4]` xyxy px, continuous coordinates (width = x2 - x1, no `+1`).
 * - `labels`: `[N]` class indices in `[0, numClasses)`.
 * - `difficult`: optional `[N]` flags (non-zero = difficult). VOC ignores difficult objects as the devkit
 *   does; COCO evaluation treats them as ignored objects (see {@link CocoOptions.difficult}).
 * - `crowd`: optional `[N]` flags (non-zero = crowd, COCO `iscrowd`). In VOC a crowd object is treated
 *   as difficult.
 */
export interface GroundTruth {
  /** `[N, 4]` xyxy px. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[N]` class indices in `[0, numClasses)`. */
  readonly labels: Int32Array;
  /** `[N]` difficult flags (non-zero = difficult); absent = none difficult. */
  readonly difficult?: Uint8Array;
  /** `[N]` crowd flags (non-zero = crowd); absent = none crowd. */
  readonly crowd?: Uint8Array;
}

/** Detections of one image: `[D, 4]` xyxy px boxes, `[D]` scores (not NaN) and `[D]` class indices. */
export interface Detections {
  /** `[D, 4]` xyxy px. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[D]` confidences; higher is more confident. NaN is rejected; order among equal scores is input order. */
  readonly scores: Float32Array;
  /** `[D]` class indices in `[0, numClasses)`. */
  readonly labels: Int32Array;
}

/**
 * The classes being evaluated: either their names (`numClasses = classNames.length`) or only their
 * count (names default to `"class <k>"`). Label `k` is the class `classNames[k]`.
 */
export type ClassSpec = { readonly classNames: readonly string[] } | { readonly numClasses: number };

/** VOC AP interpolation: VOC2007 11-point (`"11point"`) or VOC2010+ area under the envelope (`"allpoint"`). */
export type VocInterpolation = "11point" | "allpoint";

/** Options of VOC evaluation. */
export interface VocOptions {
  /** `"allpoint"` (VOC2010+, default) or `"11point"` (VOC2007). */
  readonly interpolation?: VocInterpolation;
  /** A detection is a true positive when IoU is STRICTLY greater than this (default 0.5, as the devkit). */
  readonly iouThreshold?: number;
}

/**
 * A raw precision-recall curve: one point per detection of the class, in evaluation order
 * (score descending, ties by image order then input order).
 */
export interface PrCurve {
  /** `[D]` recall after each detection, in [0, 1]. */
  readonly recall: Float64Array;
  /** `[D]` precision after each detection, in [0, 1]. */
  readonly precision: Float64Array;
  /** `[D]` the detection scores, descending. */
  readonly scores: Float32Array;
}

/** Per-class VOC result. */
export interface VocClassResult {
  /** Class name. */
  readonly name: string;
  /** Average precision in [0, 1], or -1 when the class has no non-difficult ground truth. */
  readonly ap: number;
  /** Number of non-difficult, non-crowd ground-truth objects (the devkit's `npos`). */
  readonly numGt: number;
  /** Number of detections of the class. */
  readonly numDetections: number;
  /** Number of true positives at the lowest score. */
  readonly truePositives: number;
  /** Number of false positives at the lowest score. */
  readonly falsePositives: number;
  /** The raw precision-recall curve. */
  readonly curve: PrCurve;
}

/** Result of VOC evaluation. */
export interface VocResult {
  /** Discriminant. */
  readonly protocol: "voc";
  /** Interpolation used. */
  readonly interpolation: VocInterpolation;
  /** IoU threshold used (strictly greater). */
  readonly iouThreshold: number;
  /** Number of images evaluated. */
  readonly numImages: number;
  /** One entry per class, in label order. */
  readonly classes: readonly VocClassResult[];
  /** `[K]` per-class AP (-1 where undefined). */
  readonly ap: Float64Array;
  /** Mean of the defined per-class APs; -1 when no class has ground truth. */
  readonly mAP: number;
}

/** Options of COCO evaluation. */
export interface CocoOptions {
  /**
   * Maximum detections per image AND per class, ascending (default `[1, 10, 100]`, as pycocotools).
   * AP uses the last; AR is reported for each.
   */
  readonly maxDets?: readonly [number, number, number];
  /**
   * `"ignore"` (default): difficult objects are ignored like pycocotools' `_ignore` objects (a
   * detection matched to one counts neither way; each matches at most one detection). `"count"`:
   * difficult flags are disregarded.
   */
  readonly difficult?: "ignore" | "count";
}

/** Per-class COCO result (area `all`, `maxDets[2]`). */
export interface CocoClassResult {
  /** Class name. */
  readonly name: string;
  /** AP@[.5:.95], -1 when the class has no ground truth that is not ignored. */
  readonly ap: number;
  /** AP at IoU 0.5, -1 when undefined. */
  readonly ap50: number;
  /** AP at IoU 0.75, -1 when undefined. */
  readonly ap75: number;
  /** AR@[.5:.95] with `maxDets[2]` detections, -1 when undefined. */
  readonly ar: number;
  /** Number of ground-truth objects that are not ignored. */
  readonly numGt: number;
  /** Number of detections (before `maxDets`). */
  readonly numDetections: number;
}

/**
 * The 12-number COCO summary, in pycocotools' `stats` order; -1 where undefined (no ground truth in
 * that area range).
 */
export interface CocoStats {
  /** AP@[.5:.95], area all, maxDets[2]. */
  readonly AP: number;
  /** AP@.5. */
  readonly AP50: number;
  /** AP@.75. */
  readonly AP75: number;
  /** AP small (area < 32²). */
  readonly APs: number;
  /** AP medium (32² ≤ area ≤ 96²). */
  readonly APm: number;
  /** AP large (area > 96²). */
  readonly APl: number;
  /** AR with maxDets[0]. */
  readonly AR1: number;
  /** AR with maxDets[1]. */
  readonly AR10: number;
  /** AR with maxDets[2]. */
  readonly AR100: number;
  /** AR small. */
  readonly ARs: number;
  /** AR medium. */
  readonly ARm: number;
  /** AR large. */
  readonly ARl: number;
}

/** Result of COCO evaluation. */
export interface CocoResult {
  /** Discriminant. */
  readonly protocol: "coco";
  /** Number of images evaluated. */
  readonly numImages: number;
  /** maxDets used. */
  readonly maxDets: readonly [number, number, number];
  /** One entry per class, in label order. */
  readonly classes: readonly CocoClassResult[];
  /** `[K]` per-class AP@[.5:.95] (-1 where undefined). */
  readonly ap: Float64Array;
  /** `stats.AP`: mean of the defined per-class APs, -1 when none is defined. */
  readonly mAP: number;
  /** The 12-number summary. */
  readonly stats: CocoStats;
  /** `stats` as an array in pycocotools order (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  readonly statsArray: Float64Array;
  /**
   * `[T, R, K, A, M]` row-major interpolated precision, as pycocotools `eval['precision']`: T = 10 IoU
   * thresholds, R = 101 recall thresholds, K classes, A = 4 areas (all, small, medium, large), M = 3
   * maxDets. -1 where the class has no ground truth in that area.
   */
  readonly precision: Float64Array;
  /** `[T, K, A, M]` row-major recall, as pycocotools `eval['recall']`; -1 where undefined. */
  readonly recall: Float64Array;
}

/** Either evaluation result. */
export type MetricsResult = VocResult | CocoResult;

/** Options of `confusionMatrix` and `DetectionEvaluator.computeConfusion`. */
export interface ConfusionOptions {
  /**
   * A detection and a ground truth match when their IoU is STRICTLY greater than this, whatever their
   * classes (default `CONFUSION_IOU_THRESHOLD` = 0.45, Ultralytics' `iou_thres`).
   */
  readonly iouThreshold?: number;
  /**
   * Only detections with a score STRICTLY greater than this take part (default
   * `CONFUSION_CONF_THRESHOLD` = 0.25, Ultralytics' `conf`).
   */
  readonly confThreshold?: number;
}

/**
 * A detection confusion matrix. With K classes it is `(K + 1) × (K + 1)`; index K is "background".
 * Orientation as Ultralytics: rows are PREDICTED classes, columns are TRUE classes.
 */
export interface ConfusionMatrix {
  /** The K class names, index = label (row / column K is background, not listed here). */
  readonly classNames: readonly string[];
  /** The IoU threshold used (match when IoU > it). */
  readonly iouThreshold: number;
  /** The score threshold used (detections with score > it take part). */
  readonly confThreshold: number;
  /** Images counted. */
  readonly numImages: number;
  /**
   * `[K + 1][K + 1]` counts, `matrix[p][t]`:
   * - `p, t < K`: ground truth of class t matched by a detection of class p (the diagonal is correct);
   * - `matrix[K][t]`: ground truth of class t that no detection matched (missed, "background FN");
   * - `matrix[p][K]`: detections of class p that matched no ground truth (false detections,
   *   "background FP");
   * - `matrix[K][K]` is always 0.
   *
   * Column t sums to the number of ground-truth objects of class t; row p (p < K) sums to the number
   * of detections of class p above the score threshold.
   */
  readonly matrix: readonly (readonly number[])[];
}
