import {
  barChartSvg,
  CHART_PADDING,
  type ChartOptions,
  COLORS,
  chartSvg,
  escapeXml,
  formatCoord,
  horizontalBarChartSvg,
  MIN_CHART_SIZE,
  type ScatterSeries,
  scatterChartSvg,
  seriesColor,
} from "@od/plot";
import { type PriorConfig, type PriorLayout, priorLayout } from "./config.js";
import { type BucketStat, type CoverageReport, INPUT_PX_UNITS } from "./coverage.js";
import { checkInt, fail } from "./internal/fail.js";

/**
 * Scatter of GT widths/heights (px at the network input, log-log; covered GT grey, orphans red) over the
 * prior shapes of every level (hollow squares coloured by level): the recipe's "look at the priors against
 * the GT". Drawn with `@od/plot` `scatterChartSvg` (480 × 360 px by default).
 * @param report from {@link analyzeCoverage}.
 * @param layout the priors' {@link PriorLayout} (from {@link priorLayout}).
 * @returns a self-contained SVG document.
 */
export function sizeScatterSvg(
  report: CoverageReport,
  layout: PriorLayout,
  options: ChartOptions = {},
): string {
  const iw = report.inputSize.width;
  const ih = report.inputSize.height;
  const g = report.gtInput;
  const covered: { x: number[]; y: number[] } = { x: [], y: [] };
  const orphans: { x: number[]; y: number[] } = { x: [], y: [] };
  for (let i = 0; i < report.numGt; i++) {
    const to = report.numAbove[i]! === 0 ? orphans : covered;
    to.x.push(g[4 * i + 2]! - g[4 * i]!);
    to.y.push(g[4 * i + 3]! - g[4 * i + 1]!);
  }
  const levels: ScatterSeries[] = layout.levels.map((lv, k) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let s = 0; s < lv.boxesPerCell; s++) {
      x.push(lv.sizes[2 * s]! * iw);
      y.push(lv.sizes[2 * s + 1]! * ih);
    }
    return { name: `level ${k} (${lv.rows}×${lv.cols})`, x, y, color: seriesColor(k), marker: "square" };
  });
  const axis = { unit: INPUT_PX_UNITS, scale: "log", min: 1, max: Math.max(iw, ih) * 1.5 } as const;
  return scatterChartSvg({
    width: options.width ?? 480,
    height: options.height ?? 360,
    title: options.title ?? "GT sizes over prior shapes",
    x: { label: "width", ...axis },
    y: { label: "height", ...axis },
    series: [
      { name: "GT covered", ...covered, color: COLORS.neutral, opacity: 0.35 },
      { name: "GT orphan", ...orphans, color: COLORS.bad, opacity: 0.8 },
      ...levels,
    ],
  });
}

/** Number of bins of {@link iouHistogramSvg} over [0, 1]. */
const IOU_BINS = 20;

/**
 * Histogram of every GT's best-prior IoU in 20 bins over [0, 1] (bins entirely below the match
 * threshold red), with the threshold marked. Drawn with `@od/plot` `barChartSvg` (480 × 300 px by default).
 * @returns a self-contained SVG document.
 */
export function iouHistogramSvg(report: CoverageReport, options: ChartOptions = {}): string {
  const bins = new Array<number>(IOU_BINS).fill(0);
  for (const v of report.bestIou) {
    const i = Math.min(IOU_BINS - 1, Math.floor(v * IOU_BINS));
    bins[i]!++;
  }
  const edge = (i: number) => (i / IOU_BINS).toFixed(2);
  return barChartSvg({
    width: options.width ?? 480,
    height: options.height ?? 300,
    title: options.title ?? "Best-prior IoU per GT",
    x: { label: "best IoU with any prior" },
    y: { label: "GT boxes" },
    bars: bins.map((c, i) => ({
      label: edge(i),
      value: c,
      color: (i + 1) / IOU_BINS <= report.threshold ? COLORS.bad : COLORS.bar,
      tooltip: `${edge(i)}–${edge(i + 1)}: ${c}`,
    })),
    markers: [{ at: report.threshold * IOU_BINS, label: `threshold ${report.threshold}` }],
    legend: [
      { name: "below the match threshold", color: COLORS.bad, marker: "bar" },
      { name: "at or above it", color: COLORS.bar, marker: "bar" },
    ],
  });
}

/** Recall below this is drawn red by {@link recallBarsSvg}, green from it on. */
const RECALL_TARGET = 0.9;

/**
 * Horizontal recall bars for a list of buckets (e.g. `report.bySize`, `report.byAspect`, `report.byClass`),
 * each with its recall in percent and GT count; red below 90 % recall. Drawn with `@od/plot`
 * `horizontalBarChartSvg` (480 px wide by default, as tall as the rows need).
 * @returns a self-contained SVG document.
 */
export function recallBarsSvg(buckets: readonly BucketStat[], options: ChartOptions = {}): string {
  return horizontalBarChartSvg({
    width: options.width ?? 480,
    ...(options.height === undefined ? {} : { height: options.height }),
    title: options.title ?? "Recall at the match threshold",
    x: { label: "recall", min: 0, max: 1 },
    bars: buckets.map((b) => {
      const r = Number.isNaN(b.recall) ? 0 : b.recall;
      return {
        label: b.name,
        value: r,
        color: r < RECALL_TARGET ? COLORS.bad : COLORS.good,
        text: `${b.count === 0 ? "–" : `${(r * 100).toFixed(1)}%`} (n=${b.count})`,
      };
    }),
  });
}

/** Options of {@link levelGridSvg}. */
export interface LevelGridOptions extends ChartOptions {
  /** Cell whose priors are drawn (default the centre cell). */
  readonly cell?: { readonly row: number; readonly col: number };
  /** `[K, 4]` xyxy px boxes at the network input to draw in green (e.g. one image's `report.gtInput` rows). */
  readonly gt?: Float32Array;
}

/**
 * One level's priors over the network input: the grid of centres (dots), the cell lines, and every shape of
 * one cell drawn at full size (coloured by shape), optionally over GT boxes. The picture is 360 px wide by
 * default and as tall as it needs to hold the input, every cell centre and every shape of the cell.
 * @param layout from {@link priorLayout}.
 * @param level level index in [0, L).
 * @throws PriorsError `INVALID_ARGUMENT` for a level or cell outside the layout.
 */
export function levelGridSvg(layout: PriorLayout, level: number, options: LevelGridOptions = {}): string {
  const fn = "levelGridSvg";
  checkInt("INVALID_ARGUMENT", fn, "level", level, 0);
  const lv = layout.levels[level];
  if (lv === undefined)
    fail("INVALID_ARGUMENT", fn, `level must be in [0, ${layout.levels.length}); got ${level}`, {
      field: "level",
      value: level,
    });
  const row = options.cell?.row ?? Math.floor(lv.rows / 2);
  const col = options.cell?.col ?? Math.floor(lv.cols / 2);
  if (!(row >= 0 && row < lv.rows && col >= 0 && col < lv.cols)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.cell must be inside the ${lv.rows}×${lv.cols} grid; got row ${row}, col ${col}`,
      { field: "options.cell" },
    );
  }
  const iw = layout.imageSize.width;
  const ih = layout.imageSize.height;
  const cx = (col + 0.5) * lv.stepX;
  const cy = (row + 0.5) * lv.stepY;
  const shapes = Array.from({ length: lv.boxesPerCell }, (_, k) => ({
    w: lv.sizes[2 * k]! * iw,
    h: lv.sizes[2 * k + 1]! * ih,
  }));
  // everything drawn fits: the input, every cell centre, and the cell's shapes (which may exceed the input)
  const x0 = Math.min(0, ...shapes.map((b) => cx - b.w / 2));
  const y0 = Math.min(0, ...shapes.map((b) => cy - b.h / 2));
  const x1 = Math.max(iw, lv.cols * lv.stepX, ...shapes.map((b) => cx + b.w / 2));
  const y1 = Math.max(ih, lv.rows * lv.stepY, ...shapes.map((b) => cy + b.h / 2));
  const W = options.width ?? 360;
  const s = (W - 2 * CHART_PADDING) / (x1 - x0);
  const c = formatCoord;
  const title =
    options.title ??
    `Level ${level}: ${lv.rows}×${lv.cols} cells, ${lv.boxesPerCell} shapes, step ${c(lv.stepX)} px`;
  return chartSvg(
    { width: W, height: options.height ?? MIN_CHART_SIZE.height, title, minPlotHeight: (y1 - y0) * s },
    ({ plot }) => {
      const X = (v: number) => c(plot.x + (v - x0) * s);
      const Y = (v: number) => c(plot.y + (v - y0) * s);
      const parts: string[] = [
        `<rect x="${X(0)}" y="${Y(0)}" width="${c(iw * s)}" height="${c(ih * s)}" fill="#fafafa" stroke="${COLORS.axis}"/>`,
      ];
      for (let j = 1; j < lv.cols; j++) {
        const x = j * lv.stepX;
        if (x < iw)
          parts.push(`<line x1="${X(x)}" y1="${Y(0)}" x2="${X(x)}" y2="${Y(ih)}" stroke="${COLORS.grid}"/>`);
      }
      for (let i = 1; i < lv.rows; i++) {
        const y = i * lv.stepY;
        if (y < ih)
          parts.push(`<line x1="${X(0)}" y1="${Y(y)}" x2="${X(iw)}" y2="${Y(y)}" stroke="${COLORS.grid}"/>`);
      }
      const dots: string[] = [];
      for (let i = 0; i < lv.rows; i++)
        for (let j = 0; j < lv.cols; j++)
          dots.push(
            `<circle cx="${X((j + 0.5) * lv.stepX)}" cy="${Y((i + 0.5) * lv.stepY)}" r="1.2" fill="#555"/>`,
          );
      parts.push(dots.join(""));
      const g = options.gt;
      if (g !== undefined) {
        for (let k = 0; k + 3 < g.length; k += 4) {
          const gx = g[k]!;
          const gy = g[k + 1]!;
          parts.push(
            `<rect x="${X(gx)}" y="${Y(gy)}" width="${c((g[k + 2]! - gx) * s)}" height="${c((g[k + 3]! - gy) * s)}" fill="none" stroke="${COLORS.good}" stroke-width="2"/>`,
          );
        }
      }
      shapes.forEach(({ w, h }, k) => {
        parts.push(
          `<rect x="${X(cx - w / 2)}" y="${Y(cy - h / 2)}" width="${c(w * s)}" height="${c(h * s)}" fill="none" stroke="${seriesColor(k)}" stroke-width="1.5"><title>shape ${k}: ${c(w)}×${c(h)} px</title></rect>`,
        );
      });
      return parts.join("");
    },
  );
}

/** Options of {@link renderCoverageReport}. */
export interface CoverageReportOptions {
  /** Page title (default "Prior coverage"). */
  readonly title?: string;
  /** Levels to draw with {@link levelGridSvg} (default all). */
  readonly levels?: readonly number[];
  /** Orphans listed in the table (default 50). */
  readonly maxOrphans?: number;
}

function pct(x: number): string {
  return Number.isNaN(x) ? "–" : `${(x * 100).toFixed(1)}%`;
}

function table(rows: readonly BucketStat[], what: string): string {
  const body = rows
    .map(
      (b) =>
        `<tr><td>${escapeXml(b.name)}</td><td>${b.count}</td><td>${b.covered}</td><td>${pct(b.recall)}</td><td>${Number.isNaN(b.meanBestIou) ? "–" : b.meanBestIou.toFixed(3)}</td></tr>`,
    )
    .join("");
  return `<table><tr><th>${escapeXml(what)}</th><th>GT</th><th>covered</th><th>recall</th><th>mean best IoU</th></tr>${body}</table>`;
}

/**
 * One self-contained HTML page (inline SVG, no scripts, no external assets) with the coverage summary, the
 * size scatter, the IoU histogram, recall by size / aspect / class, each level's grid and the orphan list.
 * Write it to a file with any file API (`fs.writeFileSync("coverage.html", html)`).
 * @param report from {@link analyzeCoverage}.
 * @param config the configuration that generated the analysed priors.
 * @throws PriorsError `INVALID_CONFIG` for a bad config.
 */
export function renderCoverageReport(
  report: CoverageReport,
  config: PriorConfig,
  options: CoverageReportOptions = {},
): string {
  const layout = priorLayout(config);
  const title = options.title ?? "Prior coverage";
  const levels = options.levels ?? layout.levels.map((_, k) => k);
  const maxOrphans = options.maxOrphans ?? 50;
  const orphans = report.orphans
    .slice(0, maxOrphans)
    .map(
      (o) =>
        `<tr><td>${o.image}${o.id === undefined ? "" : ` (${escapeXml(o.id)})`}</td><td>${o.index}</td><td>${escapeXml(o.className)}</td><td>${o.box.map((v) => formatCoord(v)).join(", ")}</td><td>${o.bestIou.toFixed(3)}</td></tr>`,
    )
    .join("");
  const issues =
    report.issues.length === 0
      ? ""
      : `<p>${report.issues.length} GT box(es) dropped or clipped before the analysis (see <code>report.issues</code>).</p>`;
  const summary = `<table>
<tr><th>images</th><td>${report.numImages}</td><th>GT</th><td>${report.numGt}</td></tr>
<tr><th>priors</th><td>${report.numPriors}</td><th>input</th><td>${report.inputSize.width}×${report.inputSize.height}</td></tr>
<tr><th>recall @ IoU ${report.threshold}</th><td>${pct(report.recall)}</td><th>mean best IoU</th><td>${Number.isNaN(report.meanBestIou) ? "–" : report.meanBestIou.toFixed(3)}</td></tr>
<tr><th>orphan GT</th><td>${report.orphans.length}</td><th>priors covering no GT</th><td>${report.unmatchedPriors.length} (${pct(report.unmatchedPriors.length / report.numPriors)})</td></tr>
</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
${summary}${issues}
<div class="row">${sizeScatterSvg(report, layout)}${iouHistogramSvg(report)}</div>
<h2>Recall by bucket</h2>
<div class="row">${recallBarsSvg(report.bySize, { title: `by size (√(w·h), ${INPUT_PX_UNITS})` })}${recallBarsSvg(report.byAspect, { title: "by aspect ratio (w/h)" })}${recallBarsSvg(report.byClass, { title: "by class" })}</div>
<div class="row">${table(report.bySize, `size √(w·h), ${INPUT_PX_UNITS}`)}${table(report.byAspect, "aspect ratio w/h")}${table(report.byClass, "class")}</div>
<h2>Priors per level</h2>
<div class="row">${levels.map((k) => levelGridSvg(layout, k)).join("")}</div>
<h2>Orphan GT (${report.orphans.length}${report.orphans.length > maxOrphans ? `, first ${maxOrphans}` : ""})</h2>
<table><tr><th>image</th><th>box</th><th>class</th><th>xyxy, px of the original image</th><th>best IoU</th></tr>${orphans}</table>
</body></html>
`;
}
