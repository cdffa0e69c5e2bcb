import { table } from "./format.js";
import { computeConfusion, resolveConfusionOptions, toConfusionMatrix } from "./internal/confusion.js";
import { makeRecords } from "./internal/options.js";
import { resolveClasses } from "./internal/record.js";
import type { ClassSpec, ConfusionMatrix, ConfusionOptions, Detections, GroundTruth } from "./types.js";

export type { ConfusionMatrix, ConfusionOptions } from "./types.js";

/**
 * The detection confusion matrix of a dataset, following Ultralytics' `ConfusionMatrix.process_batch`
 * (ultralytics/utils/metrics.py, task "detect"), image by image:
 * 1. only detections with score > `confThreshold` (0.25) take part;
 * 2. pairs (ground truth, detection) with IoU > `iouThreshold` (0.45) are candidates, whatever their
 *    classes (class-agnostic matching, so confusions between classes show up off the diagonal);
 * 3. each detection keeps its best candidate (highest IoU), then each ground truth keeps its best
 *    detection among those that kept it: at most one detection per ground truth and vice versa;
 * 4. a matched ground truth of class t matched by a detection of class p counts at `[p][t]`; an
 *    unmatched ground truth at `[K][t]` (background row); an unmatched detection at `[p][K]`
 *    (background column).
 *
 * Where this differs from Ultralytics (on purpose):
 * | case | Ultralytics (8.1/8.2, YOLOv5) | here |
 * | --- | --- | --- |
 * | image with kept detections but no candidate pair at all | its detections are not counted (the `if n:` guard before the background-column loop) | every unmatched detection counts in the background column |
 * | equal IoUs | order left to numpy's unstable `argsort` | lower ground-truth index, then lower detection index |
 * | IoU | float32 tensors with 1e-7 added to the union | float64, no epsilon (0 when the union is 0) |
 *
 * Difficult and crowd flags are not used: every ground-truth box counts (Ultralytics has no such flags).
 * IoU is the continuous-coordinate IoU (no `+1`), as everywhere in this package.
 *
 * @param gts per image: `[N, 4]` xyxy px ground truth with labels in `[0, K)`.
 * @param dets per image (same length as `gts`): `[D, 4]` xyxy px detections, scores and labels.
 * @param options the classes (`classNames` or `numClasses`) and the thresholds.
 * @returns a `(K + 1) × (K + 1)` {@link ConfusionMatrix}, rows predicted, columns true.
 * @throws MetricsError `INVALID_ARGUMENT` (classes, thresholds outside [0, 1)), `SHAPE_MISMATCH`,
 *   `NOT_BOXES`, `INVALID_BOX`, `LABEL_OUT_OF_RANGE`, `INVALID_SCORE`, naming the image and field.
 * @example
 * const cm = confusionMatrix(gts, dets, { classNames: ["RBC", "WBC"] });
 * cm.matrix[2][0]; // RBC boxes that no detection found
 */
export function confusionMatrix(
  gts: readonly GroundTruth[],
  dets: readonly Detections[],
  options: ClassSpec & ConfusionOptions,
): ConfusionMatrix {
  const fn = "confusionMatrix";
  const names = resolveClasses(fn, options);
  const o = resolveConfusionOptions(fn, options);
  const records = makeRecords(fn, gts, dets, names.length);
  return toConfusionMatrix(computeConfusion(records, names.length, o), names, records.length, o);
}

/**
 * A plain-text confusion matrix with class names, as the CLI prints it: a title line with the
 * thresholds and the orientation, then a Markdown-compatible table with one row per predicted class
 * and one column per true class, `background` last (the always-zero background/background cell prints
 * as `-`).
 * @returns lines joined with `\n`, no trailing newline.
 */
export function formatConfusionMatrix(cm: ConfusionMatrix): string {
  const labels = [...cm.classNames, "background"];
  const K = cm.classNames.length;
  const rows = cm.matrix.map((row, p) => [
    labels[p]!,
    ...row.map((v, t) => (p === K && t === K ? "-" : String(v))),
  ]);
  return [
    `Confusion matrix, ${cm.numImages} images: IoU > ${cm.iouThreshold}, score > ${cm.confThreshold}; rows: predicted class, columns: true class`,
    table(["predicted \\ true", ...labels], rows),
  ].join("\n");
}
