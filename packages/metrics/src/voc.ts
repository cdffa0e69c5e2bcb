import { describeValue } from "@od/boxes";
import { fail } from "./internal/fail.js";
import { makeRecords, resolveVocOptions } from "./internal/options.js";
import { resolveClasses } from "./internal/record.js";
import { computeVoc, vocApCore } from "./internal/voc.js";
import type { ClassSpec, Detections, GroundTruth, VocInterpolation, VocOptions, VocResult } from "./types.js";

/**
 * Average precision of one precision-recall curve, exactly as `voc_ap` in the VOC Python evaluation
 * (`voc_eval.py` of py-faster-rcnn / Detectron, after the VOCdevkit's `VOCevaldet.m`).
 *
 * - `"11point"` (VOC2007): `(1/11) Σ_{t ∈ {0, 0.1, ..., 1}} max{ precision[i] : recall[i] ≥ t }`
 *   (0 when no point reaches t). The thresholds are `i * 0.1` in float64, as `np.arange(0, 1.1, 0.1)`,
 *   so the 4th is 0.30000000000000004: a recall of exactly 0.3 does not reach it, as in the devkit.
 * - `"allpoint"` (VOC2010+): pad recall with 0 and 1 and precision with 0 and 0, make precision
 *   monotone non-increasing from the right (the envelope), and sum `Δrecall × precision` where recall
 *   changes.
 *
 * @param recall `[D]` recall after each detection, non-decreasing, in [0, 1].
 * @param precision `[D]` precision after each detection, in [0, 1].
 * @returns AP in [0, 1]; 0 for an empty curve.
 * @throws MetricsError `SHAPE_MISMATCH` when the lengths differ, `INVALID_ARGUMENT` for an unknown interpolation.
 * @example vocAp([0.5, 1], [1, 0.5], "allpoint") // 0.5 * 1 + 0.5 * 0.5 = 0.75
 */
export function vocAp(
  recall: ArrayLike<number>,
  precision: ArrayLike<number>,
  interpolation: VocInterpolation,
): number {
  if (recall.length !== precision.length) {
    fail(
      "SHAPE_MISMATCH",
      "vocAp",
      `recall has length ${recall.length} but precision has ${precision.length}`,
    );
  }
  if (interpolation !== "allpoint" && interpolation !== "11point") {
    fail(
      "INVALID_ARGUMENT",
      "vocAp",
      `interpolation must be "allpoint" or "11point"; got ${describeValue(interpolation)}`,
    );
  }
  return vocApCore(recall, precision, interpolation);
}

/**
 * PASCAL VOC detection evaluation (per-class AP and mAP), following the devkit's matching as written
 * in `voc_eval.py`:
 *
 * 1. Per class, all detections of all images are sorted by score, descending. Ties: earlier image
 *    first, then input order (a stable sort; the devkit's quicksort leaves ties unspecified).
 * 2. Each detection takes the ground truth of its image and class with the maximal IoU (the first
 *    one in input order on equal IoU), INCLUDING ground truth already matched and difficult ones.
 * 3. If that IoU is STRICTLY greater than `iouThreshold` (0.5): a difficult (or crowd) ground truth
 *    makes the detection count neither as TP nor FP; an unmatched one makes it a TP and marks it
 *    matched; an already matched one makes it a FP (duplicate). The detection does NOT fall back to
 *    the next-best ground truth. Otherwise (IoU ≤ threshold, or no ground truth) it is a FP.
 * 4. recall = TP / npos (npos = non-difficult, non-crowd ground truth), precision =
 *    TP / max(TP + FP, eps), then {@link vocAp}.
 *
 * Boxes are continuous: IoU = intersection / union of `(x2 - x1) * (y2 - y1)` areas, computed in
 * float64, WITHOUT the devkit's `+1` on widths and heights (which assumes integer pixel indices).
 * A pair with zero union has IoU 0. A class without non-difficult ground truth has AP -1 and is left out
 * of the mean; a class with ground truth but no detections has AP 0.
 *
 * @param gts `[I]` ground truth per image.
 * @param dets `[I]` detections per image (same order as `gts`).
 * @param options classes (`classNames` or `numClasses`), `interpolation` (default `"allpoint"`),
 *   `iouThreshold` (default 0.5).
 * @throws MetricsError `SHAPE_MISMATCH` when `gts` and `dets` differ in length, and the validation
 *   codes of {@link DetectionEvaluator.add} naming the image (its index in `gts`).
 */
export function evaluateVoc(
  gts: readonly GroundTruth[],
  dets: readonly Detections[],
  options: ClassSpec & VocOptions,
): VocResult {
  const names = resolveClasses("evaluateVoc", options);
  const o = resolveVocOptions("evaluateVoc", options);
  const records = makeRecords("evaluateVoc", gts, dets, names.length);
  return computeVoc(records, names, o.interpolation, o.iouThreshold);
}
