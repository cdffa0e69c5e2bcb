import { describeValue } from "@od/boxes";
import { type ChartOptions, lineChartSvg } from "@od/plot";
import { fail } from "./internal/fail.js";
import {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  type CocoAreaName,
} from "./params.js";
import type { CocoResult } from "./types.js";

/** One curve to draw: `[P]` recall and `[P]` precision, both in [0, 1]. */
export interface PrSeries {
  /** Legend text (any string: escaped, and wrapped when long, by {@link prCurveSvg}). */
  readonly label: string;
  /** `[P]` recall values (x). */
  readonly recall: ArrayLike<number>;
  /** `[P]` precision values (y). */
  readonly precision: ArrayLike<number>;
}

/** Options of {@link cocoPrCurve}. */
export interface CocoCurveOptions {
  /** Class index (label). */
  readonly classIndex: number;
  /** One of {@link COCO_IOU_THRESHOLDS} (default 0.5). */
  readonly iouThreshold?: number;
  /** Area range (default `"all"`). */
  readonly area?: CocoAreaName;
  /** Index into `result.maxDets` (default 2, the largest). */
  readonly maxDetsIndex?: 0 | 1 | 2;
}

/**
 * The interpolated precision-recall curve of one class from a COCO result: precision at the 101 recall
 * thresholds (`result.precision[t, :, k, a, m]`). Precision is -1 at every point when the class has no
 * ground truth in that area (as pycocotools).
 * @returns `recall` `[101]` = 0, 0.01, ..., 1 and `precision` `[101]`.
 * @throws MetricsError `INVALID_ARGUMENT` for a class index, threshold or area that does not exist.
 */
export function cocoPrCurve(
  result: CocoResult,
  options: CocoCurveOptions,
): { readonly recall: Float64Array; readonly precision: Float64Array } {
  const K = result.classes.length;
  const k = options.classIndex;
  if (!Number.isInteger(k) || k < 0 || k >= K) {
    fail(
      "INVALID_ARGUMENT",
      "cocoPrCurve",
      `classIndex must be an integer in [0, ${K}); got ${describeValue(k)}`,
    );
  }
  const t = COCO_IOU_THRESHOLDS.indexOf(options.iouThreshold ?? 0.5);
  if (t < 0) {
    fail(
      "INVALID_ARGUMENT",
      "cocoPrCurve",
      `iouThreshold must be one of ${Array.from(COCO_IOU_THRESHOLDS).join(", ")}; got ${describeValue(options.iouThreshold)}`,
    );
  }
  const a = COCO_AREA_RANGES.findIndex((r) => r.name === (options.area ?? "all"));
  if (a < 0) {
    fail(
      "INVALID_ARGUMENT",
      "cocoPrCurve",
      `area must be all, small, medium or large; got ${describeValue(options.area)}`,
    );
  }
  const m = options.maxDetsIndex ?? 2;
  if (m !== 0 && m !== 1 && m !== 2) {
    fail("INVALID_ARGUMENT", "cocoPrCurve", `maxDetsIndex must be 0, 1 or 2; got ${describeValue(m)}`);
  }
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  const precision = new Float64Array(R);
  for (let r = 0; r < R; r++) precision[r] = result.precision[(((t * R + r) * K + k) * A + a) * 3 + m]!;
  return { recall: Float64Array.from(COCO_RECALL_THRESHOLDS), precision };
}

/**
 * Draws precision-recall curves as a standalone SVG document (`@od/plot` `lineChartSvg`, 480 × 360 px
 * by default; no scripts, no external resources): recall on x and precision on y, both [0, 1], one
 * coloured polyline per series (palette colours) and a legend. Points with a negative or non-finite
 * coordinate (e.g. the -1 of an undefined COCO curve) are skipped; a curve of few points also gets a
 * dot per point, so a single evaluation point shows. The output is deterministic.
 * @param series curves from `VocClassResult.curve` or {@link cocoPrCurve}.
 * @returns the SVG text.
 * @throws MetricsError `SHAPE_MISMATCH` when a series' recall and precision lengths differ;
 *   PlotError `INVALID_ARGUMENT` for a bad size.
 */
export function prCurveSvg(series: readonly PrSeries[], options: ChartOptions = {}): string {
  const lines = series.map((s, i) => {
    if (s.recall.length !== s.precision.length) {
      fail(
        "SHAPE_MISMATCH",
        "prCurveSvg",
        `series ${i} (${JSON.stringify(s.label)}) has ${s.recall.length} recall but ${s.precision.length} precision values`,
      );
    }
    const x: number[] = [];
    const y: number[] = [];
    for (let j = 0; j < s.recall.length; j++) {
      const r = s.recall[j]!;
      const p = s.precision[j]!;
      if (r >= 0 && p >= 0 && Number.isFinite(r) && Number.isFinite(p)) {
        x.push(r);
        y.push(p);
      }
    }
    return { name: s.label, x, y };
  });
  return lineChartSvg({
    width: options.width ?? 480,
    height: options.height ?? 360,
    ...(options.title === undefined ? {} : { title: options.title }),
    x: { label: "recall", min: 0, max: 1 },
    y: { label: "precision", min: 0, max: 1 },
    series: lines,
  });
}
