import { computeCoco } from "./internal/coco.js";
import { makeRecords, resolveCocoOptions } from "./internal/options.js";
import { resolveClasses } from "./internal/record.js";
import type { ClassSpec, CocoOptions, CocoResult, Detections, GroundTruth } from "./types.js";

/**
 * COCO bbox evaluation (AP@[.5:.95], AP50, AP75, AP/AR by area, AR at 1/10/100 detections, per-class
 * AP), a transcription of pycocotools `COCOeval` (`evaluateImg`, `accumulate`, `summarize`) for
 * `iouType='bbox'`, `useCats=1`:
 *
 * - Per image and class, detections are sorted by score descending with a STABLE sort (pycocotools'
 *   mergesort: equal scores keep input order) and cut to `maxDets[2]`; the `maxDets[0..1]` variants
 *   keep the first 1 / 10 of them (per image AND per class).
 * - Ground truth is ignored when crowd, when difficult (unless `difficult: "count"`), or when its
 *   area is outside the area range; ignored ground truth is placed after the rest (stable).
 * - For each IoU threshold t in 0.50:0.05:0.95, each detection in score order takes, among ground
 *   truth not yet matched (crowd may be matched any number of times), the one with the largest IoU ≥
 *   min(t, 1 - 1e-10); on equal IoU the LATER one in that order wins (pycocotools' `<` comparison).
 *   Once a non-ignored match is found, ignored ground truth is not considered. A detection matched to
 *   ignored ground truth, and an unmatched detection whose area is outside the range, is ignored
 *   (neither TP nor FP); other unmatched detections are FPs.
 * - IoU is computed in float64 on continuous xyxy coordinates; against crowd ground truth it is
 *   intersection / detection area (maskApi `bbIou`). Area = (x2 - x1) * (y2 - y1), for ground truth too.
 * - Across images (in input order), detections are sorted by score with a stable sort (ties: earlier
 *   image, then rank within the image). precision = TP / (TP + FP + 2^-52), recall = TP / #non-ignored
 *   GT; precision is made non-increasing from the right (envelope) and read at the 101 recall
 *   thresholds 0:0.01:1 with `searchsorted(recall, thr, side='left')` (0 beyond the last recall).
 * - AP of a class = mean over the 10 × 101 entries; a class with no non-ignored ground truth in the
 *   area range is -1 and left out of every mean; a summary with no defined entry is -1.
 *
 * Note: as in pycocotools, precision at a single TP is 1 / (1 + 2^-52) = 0.9999999999999998, so
 * perfect detections give AP = 1 - 2^-52 rather than exactly 1.
 *
 * @param gts `[I]` ground truth per image.
 * @param dets `[I]` detections per image (same order).
 * @param options classes (`classNames` or `numClasses`), `maxDets` (default `[1, 10, 100]`),
 *   `difficult` (default `"ignore"`).
 * @returns per-class results, `mAP` (= `stats.AP`), the 12-number `stats`, and the raw
 *   `precision [T, R, K, A, M]` and `recall [T, K, A, M]` arrays.
 * @throws MetricsError `SHAPE_MISMATCH` when `gts` and `dets` differ in length, `INVALID_ARGUMENT` for
 *   bad options, and the validation codes of `DetectionEvaluator.add` naming the image.
 */
export function evaluateCoco(
  gts: readonly GroundTruth[],
  dets: readonly Detections[],
  options: ClassSpec & CocoOptions,
): CocoResult {
  const names = resolveClasses("evaluateCoco", options);
  const o = resolveCocoOptions("evaluateCoco", options);
  const records = makeRecords("evaluateCoco", gts, dets, names.length);
  return computeCoco(records, names, o);
}
