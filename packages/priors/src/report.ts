import { type PriorConfig, type PriorLayout, priorLayout } from "./config.js";
import { type BucketStat, type CoverageReport, INPUT_PX_UNITS } from "./coverage.js";
import { checkInt, fail } from "./internal/fail.js";

/** Common options of the SVG plots. */
export interface SvgOptions {
  /** Width in px (default 480). */
  readonly width?: number;
  /** Height in px (default 360). */
  readonly height?: number;
  /** Title drawn at the top. */
  readonly title?: string;
}

const LEVEL_COLORS = [
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
function n2(x: number): string {
  return Number.isFinite(x) ? (Math.round(x * 100) / 100).toString() : "0";
}
function frame(w: number, h: number, title: string | undefined, body: string): string {
  const t =
    title === undefined
      ? ""
      : `<text x="${w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11"><rect width="${w}" height="${h}" fill="#fff"/>${t}${body}</svg>`;
}

/**
 * Scatter of GT widths/heights (px at the network input, log-log; covered GT grey, orphans red) over the
 * prior shapes of every level (squares coloured by level): the recipe's "look at the priors against the GT".
 * @param report from {@link analyzeCoverage}.
 * @param layout the priors' {@link PriorLayout} (from {@link priorLayout}).
 * @returns a self-contained SVG document.
 */
export function svgSizeScatter(
  report: CoverageReport,
  layout: PriorLayout,
  options: SvgOptions = {},
): string {
  const W = options.width ?? 480;
  const H = options.height ?? 360;
  const m = { l: 48, r: 110, t: 28, b: 40 };
  const iw = report.inputSize.width;
  const ih = report.inputSize.height;
  const hi = Math.max(iw, ih) * 1.5;
  const lo = 1;
  const sx = (v: number) =>
    m.l + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (W - m.l - m.r);
  const sy = (v: number) =>
    H - m.b - ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (H - m.t - m.b);
  const parts: string[] = [];
  for (const t of [1, 4, 16, 64, 256, 1024]) {
    if (t > hi) break;
    parts.push(
      `<line x1="${n2(sx(t))}" y1="${m.t}" x2="${n2(sx(t))}" y2="${H - m.b}" stroke="#eee"/><text x="${n2(sx(t))}" y="${H - m.b + 14}" text-anchor="middle">${t}</text>`,
    );
    parts.push(
      `<line x1="${m.l}" y1="${n2(sy(t))}" x2="${W - m.r}" y2="${n2(sy(t))}" stroke="#eee"/><text x="${m.l - 4}" y="${n2(sy(t)) + 4}" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">width (${INPUT_PX_UNITS})</text>`,
  );
  parts.push(
    `<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">height (${INPUT_PX_UNITS})</text>`,
  );
  const g = report.gtInput;
  const dots: string[] = [];
  for (let i = 0; i < report.numGt; i++) {
    const w = g[4 * i + 2]! - g[4 * i]!;
    const h = g[4 * i + 3]! - g[4 * i + 1]!;
    const orphan = report.numAbove[i] === 0;
    dots.push(
      `<circle cx="${n2(sx(w))}" cy="${n2(sy(h))}" r="2" fill="${orphan ? "#d62728" : "#888"}" fill-opacity="${orphan ? 0.8 : 0.35}"/>`,
    );
  }
  parts.push(dots.join(""));
  layout.levels.forEach((lv, k) => {
    const c = LEVEL_COLORS[k % LEVEL_COLORS.length]!;
    for (let s = 0; s < lv.boxesPerCell; s++) {
      const x = sx(lv.sizes[2 * s]! * iw);
      const y = sy(lv.sizes[2 * s + 1]! * ih);
      parts.push(
        `<rect x="${n2(x - 4)}" y="${n2(y - 4)}" width="8" height="8" fill="none" stroke="${c}" stroke-width="2"/>`,
      );
    }
    parts.push(
      `<rect x="${W - m.r + 10}" y="${m.t + 4 + k * 16}" width="8" height="8" fill="none" stroke="${c}" stroke-width="2"/><text x="${W - m.r + 24}" y="${m.t + 12 + k * 16}">level ${k} (${lv.rows}×${lv.cols})</text>`,
    );
  });
  const ly = m.t + 8 + layout.levels.length * 16;
  parts.push(
    `<circle cx="${W - m.r + 14}" cy="${ly + 4}" r="3" fill="#888"/><text x="${W - m.r + 24}" y="${ly + 8}">GT covered</text>`,
  );
  parts.push(
    `<circle cx="${W - m.r + 14}" cy="${ly + 20}" r="3" fill="#d62728"/><text x="${W - m.r + 24}" y="${ly + 24}">GT orphan</text>`,
  );
  return frame(W, H, options.title ?? "GT sizes over prior shapes", parts.join(""));
}

/**
 * Histogram of every GT's best-prior IoU in 20 bins over [0, 1], with the match threshold marked.
 * @returns a self-contained SVG document.
 */
export function svgIouHistogram(report: CoverageReport, options: SvgOptions = {}): string {
  const W = options.width ?? 480;
  const H = options.height ?? 300;
  const m = { l: 44, r: 12, t: 28, b: 40 };
  const bins = new Array<number>(20).fill(0);
  for (const v of report.bestIou) {
    const i = Math.min(19, Math.floor(v * 20));
    bins[i]!++;
  }
  const max = Math.max(1, ...bins);
  const bw = (W - m.l - m.r) / 20;
  const parts: string[] = [];
  bins.forEach((c, i) => {
    const h = (c / max) * (H - m.t - m.b);
    const below = (i + 1) / 20 <= report.threshold;
    parts.push(
      `<rect x="${n2(m.l + i * bw + 1)}" y="${n2(H - m.b - h)}" width="${n2(bw - 2)}" height="${n2(h)}" fill="${below ? "#d62728" : "#1f77b4"}"><title>${(i / 20).toFixed(2)}–${((i + 1) / 20).toFixed(2)}: ${c}</title></rect>`,
    );
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1])
    parts.push(`<text x="${n2(m.l + t * 20 * bw)}" y="${H - m.b + 14}" text-anchor="middle">${t}</text>`);
  const tx = m.l + report.threshold * 20 * bw;
  parts.push(
    `<line x1="${n2(tx)}" y1="${m.t}" x2="${n2(tx)}" y2="${H - m.b}" stroke="#000" stroke-dasharray="4 3"/><text x="${n2(tx + 4)}" y="${m.t + 10}">threshold ${report.threshold}</text>`,
  );
  parts.push(
    `<text x="${m.l - 4}" y="${m.t + 8}" text-anchor="end">${max}</text><text x="${m.l - 4}" y="${H - m.b}" text-anchor="end">0</text>`,
  );
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">best IoU with any prior (GT count per bin)</text>`,
  );
  return frame(W, H, options.title ?? "Best-prior IoU per GT", parts.join(""));
}

/**
 * Horizontal recall bars for a list of buckets (e.g. `report.bySize`, `report.byAspect`, `report.byClass`),
 * with the GT count of each bucket.
 * @returns a self-contained SVG document.
 */
export function svgRecallBars(buckets: readonly BucketStat[], options: SvgOptions = {}): string {
  const W = options.width ?? 480;
  const rowH = 22;
  const m = { l: 120, r: 90, t: 28, b: 12 };
  const H = options.height ?? m.t + m.b + rowH * buckets.length;
  const parts: string[] = [];
  buckets.forEach((b, i) => {
    const y = m.t + i * rowH;
    const r = Number.isNaN(b.recall) ? 0 : b.recall;
    const w = r * (W - m.l - m.r);
    parts.push(`<text x="${m.l - 6}" y="${y + 15}" text-anchor="end">${esc(b.name)}</text>`);
    parts.push(
      `<rect x="${m.l}" y="${y + 3}" width="${W - m.l - m.r}" height="${rowH - 6}" fill="#f2f2f2"/>`,
    );
    parts.push(
      `<rect x="${m.l}" y="${y + 3}" width="${n2(w)}" height="${rowH - 6}" fill="${r < 0.9 ? "#d62728" : "#2ca02c"}"/>`,
    );
    parts.push(
      `<text x="${W - m.r + 6}" y="${y + 15}">${b.count === 0 ? "–" : `${(r * 100).toFixed(1)}%`} (n=${b.count})</text>`,
    );
  });
  return frame(W, H, options.title ?? "Recall at the match threshold", parts.join(""));
}

/** Options of {@link svgLevelGrid}. */
export interface LevelGridOptions extends SvgOptions {
  /** Cell whose priors are drawn (default the centre cell). */
  readonly cell?: { readonly row: number; readonly col: number };
  /** `[K, 4]` xyxy px boxes at the network input to draw in green (e.g. one image's `report.gtInput` rows). */
  readonly gt?: Float32Array;
}

/**
 * One level's priors over the network input: the grid of centres (dots), the cell lines, and every shape of
 * one cell drawn at full size, optionally over GT boxes.
 * @param layout from {@link priorLayout}.
 * @param level level index in [0, L).
 * @throws PriorsError `INVALID_ARGUMENT` for a level or cell outside the layout.
 */
export function svgLevelGrid(layout: PriorLayout, level: number, options: LevelGridOptions = {}): string {
  const fn = "svgLevelGrid";
  checkInt("INVALID_ARGUMENT", fn, "level", level, 0);
  const lv = layout.levels[level];
  if (lv === undefined)
    fail("INVALID_ARGUMENT", fn, `level must be in [0, ${layout.levels.length}); got ${level}`, {
      field: "level",
      value: level,
    });
  const iw = layout.imageSize.width;
  const ih = layout.imageSize.height;
  const W = options.width ?? 360;
  const pad = 24;
  const s = (W - 2 * pad) / iw;
  const H = options.height ?? Math.round(ih * s + 2 * pad + 10);
  const oy = pad + 10;
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
  const parts: string[] = [
    `<rect x="${pad}" y="${oy}" width="${n2(iw * s)}" height="${n2(ih * s)}" fill="#fafafa" stroke="#000"/>`,
  ];
  for (let j = 1; j < lv.cols; j++) {
    const x = pad + j * lv.stepX * s;
    if (x < pad + iw * s)
      parts.push(`<line x1="${n2(x)}" y1="${oy}" x2="${n2(x)}" y2="${n2(oy + ih * s)}" stroke="#ddd"/>`);
  }
  for (let i = 1; i < lv.rows; i++) {
    const y = oy + i * lv.stepY * s;
    if (y < oy + ih * s)
      parts.push(`<line x1="${pad}" y1="${n2(y)}" x2="${n2(pad + iw * s)}" y2="${n2(y)}" stroke="#ddd"/>`);
  }
  const dots: string[] = [];
  for (let i = 0; i < lv.rows; i++)
    for (let j = 0; j < lv.cols; j++)
      dots.push(
        `<circle cx="${n2(pad + (j + 0.5) * lv.stepX * s)}" cy="${n2(oy + (i + 0.5) * lv.stepY * s)}" r="1.2" fill="#555"/>`,
      );
  parts.push(dots.join(""));
  const g = options.gt;
  if (g !== undefined) {
    for (let k = 0; k + 3 < g.length; k += 4) {
      const x1 = g[k]!;
      const y1 = g[k + 1]!;
      const x2 = g[k + 2]!;
      const y2 = g[k + 3]!;
      parts.push(
        `<rect x="${n2(pad + x1 * s)}" y="${n2(oy + y1 * s)}" width="${n2((x2 - x1) * s)}" height="${n2((y2 - y1) * s)}" fill="none" stroke="#2ca02c" stroke-width="2"/>`,
      );
    }
  }
  const cx = (col + 0.5) * lv.stepX;
  const cy = (row + 0.5) * lv.stepY;
  for (let k = 0; k < lv.boxesPerCell; k++) {
    const w = lv.sizes[2 * k]! * iw;
    const h = lv.sizes[2 * k + 1]! * ih;
    const c = LEVEL_COLORS[k % LEVEL_COLORS.length]!;
    parts.push(
      `<rect x="${n2(pad + (cx - w / 2) * s)}" y="${n2(oy + (cy - h / 2) * s)}" width="${n2(w * s)}" height="${n2(h * s)}" fill="none" stroke="${c}" stroke-width="1.5"><title>shape ${k}: ${n2(w)}×${n2(h)} px</title></rect>`,
    );
  }
  return frame(
    W,
    H,
    options.title ??
      `Level ${level}: ${lv.rows}×${lv.cols} cells, ${lv.boxesPerCell} shapes, step ${n2(lv.stepX)} px`,
    parts.join(""),
  );
}

/** Options of {@link renderCoverageReport}. */
export interface CoverageReportOptions {
  /** Page title (default "Prior coverage"). */
  readonly title?: string;
  /** Levels to draw with {@link svgLevelGrid} (default all). */
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
        `<tr><td>${esc(b.name)}</td><td>${b.count}</td><td>${b.covered}</td><td>${pct(b.recall)}</td><td>${Number.isNaN(b.meanBestIou) ? "–" : b.meanBestIou.toFixed(3)}</td></tr>`,
    )
    .join("");
  return `<table><tr><th>${esc(what)}</th><th>GT</th><th>covered</th><th>recall</th><th>mean best IoU</th></tr>${body}</table>`;
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
        `<tr><td>${o.image}${o.id === undefined ? "" : ` (${esc(o.id)})`}</td><td>${o.index}</td><td>${esc(o.className)}</td><td>${o.box.map((v) => n2(v)).join(", ")}</td><td>${o.bestIou.toFixed(3)}</td></tr>`,
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
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}</style>
</head><body>
<h1>${esc(title)}</h1>
${summary}${issues}
<div class="row">${svgSizeScatter(report, layout)}${svgIouHistogram(report)}</div>
<h2>Recall by bucket</h2>
<div class="row">${svgRecallBars(report.bySize, { title: `by size (√(w·h), ${INPUT_PX_UNITS})` })}${svgRecallBars(report.byAspect, { title: "by aspect ratio (w/h)" })}${svgRecallBars(report.byClass, { title: "by class" })}</div>
<div class="row">${table(report.bySize, `size √(w·h), ${INPUT_PX_UNITS}`)}${table(report.byAspect, "aspect ratio w/h")}${table(report.byClass, "class")}</div>
<h2>Priors per level</h2>
<div class="row">${levels.map((k) => svgLevelGrid(layout, k)).join("")}</div>
<h2>Orphan GT (${report.orphans.length}${report.orphans.length > maxOrphans ? `, first ${maxOrphans}` : ""})</h2>
<table><tr><th>image</th><th>box</th><th>class</th><th>xyxy, px of the original image</th><th>best IoU</th></tr>${orphans}</table>
</body></html>
`;
}
