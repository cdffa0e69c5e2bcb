/**
 * The fixed COCO evaluation parameters, computed exactly as pycocotools `Params.setDetParams` does
 * (`np.linspace`, so the float64 values are bit-identical: e.g. the 9th IoU threshold is
 * 0.8999999999999999).
 */

function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** `[10]` IoU thresholds 0.50:0.05:0.95 (pycocotools `iouThrs`). */
export const COCO_IOU_THRESHOLDS: Readonly<Float64Array> = linspace(0.5, 0.95, 10);

/** `[101]` recall thresholds 0:0.01:1 (pycocotools `recThrs`). */
export const COCO_RECALL_THRESHOLDS: Readonly<Float64Array> = linspace(0, 1, 101);

/** Name of a COCO area range. */
export type CocoAreaName = "all" | "small" | "medium" | "large";

/**
 * `[A = 4]` COCO area ranges in px², inclusive at both ends as pycocotools compares (`area < lo or
 * area > hi` is outside): all `[0, 1e10]`, small `[0, 32²]`, medium `[32², 96²]`, large `[96², 1e10]`.
 * Area is the box area `(x2 - x1) * (y2 - y1)` (pycocotools uses the annotation's `area` field for
 * ground truth, which for box-only datasets is the box area).
 */
export const COCO_AREA_RANGES: readonly {
  readonly name: CocoAreaName;
  readonly min: number;
  readonly max: number;
}[] = [
  { name: "all", min: 0, max: 1e5 ** 2 },
  { name: "small", min: 0, max: 32 ** 2 },
  { name: "medium", min: 32 ** 2, max: 96 ** 2 },
  { name: "large", min: 96 ** 2, max: 1e5 ** 2 },
];

/** pycocotools' default maxDets. */
export const COCO_MAX_DETS: readonly [number, number, number] = [1, 10, 100];

/**
 * Default IoU threshold of {@link confusionMatrix}: a detection and a ground truth match when IoU > 0.45
 * (Ultralytics `ConfusionMatrix(iou_thres=0.45)`).
 */
export const CONFUSION_IOU_THRESHOLD = 0.45;

/**
 * Default score threshold of {@link confusionMatrix}: detections with score > 0.25 take part
 * (Ultralytics `ConfusionMatrix(conf=0.25)`).
 */
export const CONFUSION_CONF_THRESHOLD = 0.25;
