/**
 * `@od/metrics`: PASCAL VOC and COCO detection metrics (AP, mAP, AR, precision-recall curves) over
 * typed arrays, matching the VOC devkit and pycocotools conventions. Runs in a browser.
 * @packageDocumentation
 */
export { evaluateCoco } from "./coco.js";
export {
  type ConfusionMatrix,
  type ConfusionOptions,
  confusionMatrix,
  formatConfusionMatrix,
} from "./confusion.js";
export {
  type CocoCurveOptions,
  cocoPrCurve,
  type PrSeries,
  prCurveSvg,
} from "./curves.js";
export { MetricsError, type MetricsErrorCode } from "./errors.js";
export { DetectionEvaluator } from "./evaluator.js";
export { type FormatOptions, formatMetricsTable } from "./format.js";
export {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  CONFUSION_CONF_THRESHOLD,
  CONFUSION_IOU_THRESHOLD,
  type CocoAreaName,
} from "./params.js";
export type {
  ClassSpec,
  CocoClassResult,
  CocoOptions,
  CocoResult,
  CocoStats,
  Detections,
  GroundTruth,
  MetricsResult,
  PrCurve,
  VocClassResult,
  VocInterpolation,
  VocOptions,
  VocResult,
} from "./types.js";
export { evaluateVoc, vocAp } from "./voc.js";
