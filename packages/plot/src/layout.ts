import { checkPositive, fail } from "./internal/fail.js";
import { FONT_SIZE, LINE_HEIGHT, textWidth, wrapText } from "./text.js";

/** An axis-aligned rectangle in px of the SVG's viewBox (`x`, `y` top-left). */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** True when `a` and `b` share an area > 0 (touching edges do not overlap). */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** True when `inner` lies inside `outer` (edges may touch). */
export function rectContains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/**
 * How a legend entry's swatch is drawn: a line (line charts), a dashed line (reference lines), a dot,
 * a hollow square, or a filled box (bars).
 */
export type LegendMarker = "line" | "dashed" | "circle" | "square" | "bar";

/** `stroke-dasharray` of reference lines. */
export const DASH = "4 3";

/** One legend entry. */
export interface LegendEntry {
  /** Text (any string; escaped when drawn, wrapped when long). */
  readonly name: string;
  /** Swatch colour. */
  readonly color: string;
  /** Swatch shape (default `"line"`). */
  readonly marker?: LegendMarker;
}

/** Where a legend entry goes. */
export interface LegendItemLayout {
  /** The entry. */
  readonly entry: LegendEntry;
  /** The whole item (swatch and text), px. */
  readonly box: Rect;
  /** The text, wrapped to fit the chart's width. */
  readonly lines: readonly string[];
}

/** Where the title goes. */
export interface TitleLayout {
  /** The title's box, px. */
  readonly box: Rect;
  /** The title, wrapped to fit the chart's width. */
  readonly lines: readonly string[];
}

/** Room a chart needs around its plot area for tick labels and axis titles, px. */
export interface Margins {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** Input of {@link layoutChart}. */
export interface ChartLayoutInput {
  /** Width in px (≥ {@link MIN_CHART_SIZE}.width). */
  readonly width: number;
  /** Minimum height in px (≥ {@link MIN_CHART_SIZE}.height); the chart grows when its parts need more. */
  readonly height: number;
  /** Title drawn at the top (none when undefined or empty). */
  readonly title?: string | undefined;
  /** Legend entries, drawn between the title and the plot. */
  readonly legend?: readonly LegendEntry[];
  /** Room around the plot area (default none). */
  readonly margins?: Margins;
  /** Smallest plot-area height in px before the chart grows (default {@link MIN_PLOT_HEIGHT}). */
  readonly minPlotHeight?: number;
}

/** The boxes of a chart: title, legend items and plot area never overlap and lie inside `[0, width] × [0, height]`. */
export interface ChartLayout {
  /** Width in px (the requested one). */
  readonly width: number;
  /** Height in px (the requested one, or more when the title, legend and plot need it). */
  readonly height: number;
  /** The title, when there is one. */
  readonly title: TitleLayout | undefined;
  /** One item per legend entry, in order, flowing left to right in rows. */
  readonly legend: readonly LegendItemLayout[];
  /** The plot area (inside the margins). */
  readonly plot: Rect;
}

/** Space between the chart's edge and its content, px. */
export const CHART_PADDING = 8;
/** Smallest accepted chart size, px. */
export const MIN_CHART_SIZE = Object.freeze({ width: 64, height: 32 });
/** Smallest plot-area height before a chart grows taller, px. */
export const MIN_PLOT_HEIGHT = 48;
/** Width of a legend swatch and the gap after it, px. */
export const LEGEND_SWATCH = 16;
const SWATCH_GAP = 4;
const ITEM_GAP = 14;
const BLOCK_GAP = 6;

function layoutLegend(
  entries: readonly LegendEntry[],
  x0: number,
  y0: number,
  maxWidth: number,
): LegendItemLayout[] {
  const size = FONT_SIZE.base;
  const lineH = size * LINE_HEIGHT;
  const textMax = Math.max(maxWidth - LEGEND_SWATCH - SWATCH_GAP, size);
  const items: LegendItemLayout[] = [];
  let x = x0;
  let y = y0;
  let rowH = 0;
  for (const entry of entries) {
    const lines = wrapText(entry.name, textMax, size);
    const w = LEGEND_SWATCH + SWATCH_GAP + Math.max(...lines.map((l) => textWidth(l, size)));
    const h = lines.length * lineH;
    if (x > x0 && x + w > x0 + maxWidth) {
      x = x0;
      y += rowH + 2;
      rowH = 0;
    }
    items.push({ entry, lines, box: { x, y, width: w, height: h } });
    x += w + ITEM_GAP;
    rowH = Math.max(rowH, h);
  }
  return items;
}

/**
 * Lays out a chart top to bottom: the title (wrapped to the width), the legend (items flowing in
 * rows, long names wrapped), then the plot area inside `margins`. When the plot area would be shorter
 * than `minPlotHeight`, the chart grows taller instead of letting parts overlap or leave the viewBox.
 * @throws PlotError `INVALID_ARGUMENT` for a size below {@link MIN_CHART_SIZE} or a non-finite one.
 */
export function layoutChart(input: ChartLayoutInput): ChartLayout {
  const fn = "layoutChart";
  checkPositive(fn, "width", input.width);
  checkPositive(fn, "height", input.height);
  if (input.width < MIN_CHART_SIZE.width || input.height < MIN_CHART_SIZE.height)
    fail(
      "INVALID_ARGUMENT",
      fn,
      `width × height must be at least ${MIN_CHART_SIZE.width} × ${MIN_CHART_SIZE.height}; got ${input.width} × ${input.height}`,
    );
  const m = input.margins ?? { top: 0, right: 0, bottom: 0, left: 0 };
  const inner = input.width - 2 * CHART_PADDING;
  let y = CHART_PADDING;
  let title: TitleLayout | undefined;
  if (input.title !== undefined && input.title !== "") {
    const size = FONT_SIZE.title;
    const lines = wrapText(input.title, inner, size);
    const width = Math.max(...lines.map((l) => textWidth(l, size)));
    const height = lines.length * size * LINE_HEIGHT;
    title = { lines, box: { x: (input.width - width) / 2, y, width, height } };
    y += height + BLOCK_GAP;
  }
  const legend = layoutLegend(input.legend ?? [], CHART_PADDING, y, inner);
  if (legend.length > 0) y = Math.max(...legend.map((l) => l.box.y + l.box.height)) + BLOCK_GAP;
  const minPlot = input.minPlotHeight ?? MIN_PLOT_HEIGHT;
  const top = y + m.top;
  const height = Math.max(input.height, top + minPlot + m.bottom + CHART_PADDING);
  const left = CHART_PADDING + m.left;
  const plot: Rect = {
    x: left,
    y: top,
    width: Math.max(input.width - CHART_PADDING - m.right - left, 1),
    height: height - CHART_PADDING - m.bottom - top,
  };
  return { width: input.width, height, title, legend, plot };
}
