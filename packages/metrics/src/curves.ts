import { describeValue } from "@od/boxes";
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
  /** Legend text (escaped for XML by {@link prCurveSvg}). */
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

/** Options of {@link prCurveSvg}. */
export interface PrSvgOptions {
  /** Width in px (default 480). */
  readonly width?: number;
  /** Height in px (default 360). */
  readonly height?: number;
  /** Title drawn above the plot. */
  readonly title?: string;
}

const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Draws precision-recall curves as a standalone SVG document (no scripts, no external resources):
 * recall on x and precision on y, both [0, 1], gridlines every 0.2, one coloured polyline per series
 * (10 colours, repeating) and a legend. Points with a negative or non-finite coordinate (e.g. the -1
 * of an undefined COCO curve) are skipped. The output is deterministic.
 * @param series curves from `VocClassResult.curve` or {@link cocoPrCurve}.
 * @returns the SVG text.
 * @throws MetricsError `SHAPE_MISMATCH` when a series' recall and precision lengths differ,
 *   `INVALID_ARGUMENT` for a non-positive size.
 */
export function prCurveSvg(series: readonly PrSeries[], options: PrSvgOptions = {}): string {
  const W = options.width ?? 480;
  const H = options.height ?? 360;
  if (!(W > 0 && H > 0 && Number.isFinite(W) && Number.isFinite(H))) {
    fail("INVALID_ARGUMENT", "prCurveSvg", `width and height must be positive; got ${W} x ${H}`);
  }
  const left = 48;
  const right = 16;
  const top = options.title ? 32 : 16;
  const bottom = 40;
  const pw = Math.max(W - left - right, 1);
  const ph = Math.max(H - top - bottom, 1);
  const x = (v: number) => (left + v * pw).toFixed(1);
  const y = (v: number) => (top + (1 - v) * ph).toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (options.title)
    out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(options.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    out.push(
      `<line x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(1)}" stroke="#ddd"/>`,
      `<line x1="${x(0)}" y1="${y(v)}" x2="${x(1)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${x(v)}" y="${(top + ph + 14).toFixed(1)}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${left - 6}" y="${(top + (1 - v) * ph + 4).toFixed(1)}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${left + pw / 2}" y="${H - 8}" text-anchor="middle">recall</text>`,
    `<text transform="translate(12 ${top + ph / 2}) rotate(-90)" text-anchor="middle">precision</text>`,
  );
  series.forEach((s, i) => {
    if (s.recall.length !== s.precision.length) {
      fail(
        "SHAPE_MISMATCH",
        "prCurveSvg",
        `series ${i} (${JSON.stringify(s.label)}) has ${s.recall.length} recall but ${s.precision.length} precision values`,
      );
    }
    const color = PALETTE[i % PALETTE.length]!;
    const pts: string[] = [];
    for (let j = 0; j < s.recall.length; j++) {
      const r = s.recall[j]!;
      const p = s.precision[j]!;
      if (r >= 0 && p >= 0 && Number.isFinite(r) && Number.isFinite(p))
        pts.push(`${x(Math.min(r, 1))},${y(Math.min(p, 1))}`);
    }
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(" ")}"/>`);
    const ly = top + 8 + i * 14;
    out.push(
      `<line x1="${left + pw - 110}" y1="${ly}" x2="${left + pw - 94}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${left + pw - 90}" y="${ly + 4}">${esc(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}
