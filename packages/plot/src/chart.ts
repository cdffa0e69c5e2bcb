import { escapeXml } from "./escape.js";
import { formatCoord, formatTick } from "./format.js";
import {
  CHART_PADDING,
  type ChartLayout,
  type ChartLayoutInput,
  DASH,
  LEGEND_SWATCH,
  type LegendItemLayout,
  layoutChart,
  type Margins,
  type Rect,
} from "./layout.js";
import { COLORS } from "./palette.js";
import { type AxisSpec, axisTitle, type Scale } from "./scale.js";
import { FONT_SIZE, LINE_HEIGHT, textSvg, textWidth } from "./text.js";

/** Size and title shared by every chart. */
export interface ChartOptions {
  /** Width in px (default: the chart's own, e.g. 480). */
  readonly width?: number;
  /** Height in px; a minimum: the chart grows when its title, legend and plot need more room. */
  readonly height?: number;
  /** Title drawn at the top (wrapped when long). */
  readonly title?: string;
}

/** Resolved size of a chart from its options and defaults. */
export function chartSize(
  options: ChartOptions,
  width: number,
  height: number,
): { width: number; height: number } {
  return { width: options.width ?? width, height: options.height ?? height };
}

function legendItemSvg(item: LegendItemLayout): string {
  const { box, entry, lines } = item;
  const size = FONT_SIZE.base;
  const cy = box.y + (size * LINE_HEIGHT) / 2;
  const c = entry.color;
  const sx = box.x;
  let swatch: string;
  switch (entry.marker ?? "line") {
    case "circle":
      swatch = `<circle cx="${formatCoord(sx + 6)}" cy="${formatCoord(cy)}" r="3.5" fill="${c}"/>`;
      break;
    case "square":
      swatch = `<rect x="${formatCoord(sx + 2)}" y="${formatCoord(cy - 4)}" width="8" height="8" fill="none" stroke="${c}" stroke-width="2"/>`;
      break;
    case "dashed":
      swatch = `<line x1="${formatCoord(sx)}" y1="${formatCoord(cy)}" x2="${formatCoord(sx + 12)}" y2="${formatCoord(cy)}" stroke="${c}" stroke-width="1.5" stroke-dasharray="${DASH}"/>`;
      break;
    case "bar":
      swatch = `<rect x="${formatCoord(sx)}" y="${formatCoord(cy - 4)}" width="12" height="8" fill="${c}"/>`;
      break;
    default:
      swatch = `<line x1="${formatCoord(sx)}" y1="${formatCoord(cy)}" x2="${formatCoord(sx + 12)}" y2="${formatCoord(cy)}" stroke="${c}" stroke-width="2"/>`;
  }
  return swatch + textSvg(lines, sx + LEGEND_SWATCH + 4, box.y + size, { size });
}

/**
 * A standalone SVG document (no scripts, no external resources) laid out by {@link layoutChart}:
 * white background, `<title>`, the title text and legend, and the plot drawn by `drawPlot` in
 * `layout.plot`. The viewBox is `0 0 width height` of the layout (taller than asked when needed).
 */
export function chartSvg(input: ChartLayoutInput, drawPlot: (layout: ChartLayout) => string): string {
  const layout = layoutChart(input);
  const { width: W, height: H } = layout;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${formatCoord(W)}" height="${formatCoord(H)}" viewBox="0 0 ${formatCoord(W)} ${formatCoord(H)}" font-family="sans-serif" font-size="${FONT_SIZE.base}">`,
  ];
  if (layout.title !== undefined) out.push(`<title>${escapeXml(input.title ?? "")}</title>`);
  out.push(`<rect width="${formatCoord(W)}" height="${formatCoord(H)}" fill="${COLORS.background}"/>`);
  if (layout.title !== undefined) {
    const t = layout.title;
    out.push(
      `<g class="title">${textSvg(t.lines, W / 2, t.box.y + FONT_SIZE.title, { size: FONT_SIZE.title, anchor: "middle", bold: true })}</g>`,
    );
  }
  if (layout.legend.length > 0)
    out.push(`<g class="legend">${layout.legend.map(legendItemSvg).join("")}</g>`);
  out.push(drawPlot(layout), "</svg>");
  return out.join("\n");
}

/** Gap between the plot frame and tick labels, px. */
const TICK_GAP = 4;

/** Room around a cartesian plot for its tick labels and axis titles. */
export function cartesianMargins(x: Scale, y: Scale): Margins {
  const tick = FONT_SIZE.tick;
  const yTickW = Math.max(0, ...y.ticks.map((t) => textWidth(formatTick(t), tick)));
  const lastX = x.ticks.length > 0 ? textWidth(formatTick(x.ticks[x.ticks.length - 1]!), tick) : 0;
  return {
    top: tick * 0.6,
    right: Math.max(lastX / 2, 4),
    bottom: TICK_GAP + tick * LINE_HEIGHT + TICK_GAP + FONT_SIZE.base * LINE_HEIGHT,
    left: FONT_SIZE.base * LINE_HEIGHT + TICK_GAP + yTickW + TICK_GAP,
  };
}

/** Pixel position of value `v` on a horizontal axis spanning `plot`. */
export function px(plot: Rect, x: Scale, v: number): number {
  return plot.x + x.at(v) * plot.width;
}

/** Pixel position of value `v` on a vertical axis spanning `plot` (up is larger). */
export function py(plot: Rect, y: Scale, v: number): number {
  return plot.y + (1 - y.at(v)) * plot.height;
}

/** The x-axis title centred under a plot whose tick labels take one line. */
export function xTitleSvg(plot: Rect, axis: AxisSpec, tickBand: number): string {
  const y = plot.y + plot.height + TICK_GAP + tickBand + TICK_GAP + FONT_SIZE.base;
  return textSvg([axisTitle(axis)], plot.x + plot.width / 2, y, { anchor: "middle" });
}

/** The y-axis title, rotated, centred beside the plot at the chart's left edge. */
export function yTitleSvg(plot: Rect, axis: AxisSpec): string {
  const x = CHART_PADDING + FONT_SIZE.base;
  const y = plot.y + plot.height / 2;
  return textSvg([axisTitle(axis)], x, y, {
    anchor: "middle",
    transform: `rotate(-90 ${formatCoord(x)} ${formatCoord(y)})`,
  });
}

/** Gridlines and tick labels of both axes, the frame, and both axis titles. */
export function cartesianAxesSvg(plot: Rect, x: Scale, y: Scale, xAxis: AxisSpec, yAxis: AxisSpec): string {
  const tick = FONT_SIZE.tick;
  const out: string[] = [];
  const bottom = plot.y + plot.height;
  for (const t of x.ticks) {
    const X = formatCoord(px(plot, x, t));
    out.push(
      `<line x1="${X}" y1="${formatCoord(plot.y)}" x2="${X}" y2="${formatCoord(bottom)}" stroke="${COLORS.grid}"/>`,
      textSvg([formatTick(t)], px(plot, x, t), bottom + TICK_GAP + tick, { size: tick, anchor: "middle" }),
    );
  }
  for (const t of y.ticks) {
    const Y = py(plot, y, t);
    out.push(
      `<line x1="${formatCoord(plot.x)}" y1="${formatCoord(Y)}" x2="${formatCoord(plot.x + plot.width)}" y2="${formatCoord(Y)}" stroke="${COLORS.grid}"/>`,
      textSvg([formatTick(t)], plot.x - TICK_GAP, Y + tick * 0.35, { size: tick, anchor: "end" }),
    );
  }
  out.push(
    `<rect x="${formatCoord(plot.x)}" y="${formatCoord(plot.y)}" width="${formatCoord(plot.width)}" height="${formatCoord(plot.height)}" fill="none" stroke="${COLORS.axis}"/>`,
    xTitleSvg(plot, xAxis, tick * LINE_HEIGHT),
    yTitleSvg(plot, yAxis),
  );
  return out.join("\n");
}

/** "no data", centred in the plot area: what an empty chart shows. */
export function noDataSvg(plot: Rect): string {
  return textSvg(["no data"], plot.x + plot.width / 2, plot.y + plot.height / 2, {
    anchor: "middle",
    fill: COLORS.neutral,
  });
}
