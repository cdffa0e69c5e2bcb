import { type ChartOptions, chartSize, chartSvg, noDataSvg, py, xTitleSvg, yTitleSvg } from "./chart.js";
import { escapeXml } from "./escape.js";
import { formatCoord, formatTick } from "./format.js";
import { describe, fail } from "./internal/fail.js";
import { CHART_PADDING, DASH, type LegendEntry, type Margins, MIN_CHART_SIZE } from "./layout.js";
import { COLORS } from "./palette.js";
import { type AxisSpec, axisTitle, resolveScale, type Scale } from "./scale.js";
import { FONT_SIZE, LINE_HEIGHT, textSvg, textWidth, wrapText } from "./text.js";

/** One bar. */
export interface Bar {
  /** Category label (escaped); drawn under the bar (vertical) or beside it (horizontal). */
  readonly label: string;
  /** Length of the bar: a finite number ≥ 0 in the value axis' units. */
  readonly value: number;
  /** Colour (default `COLORS.bar`). */
  readonly color?: string;
  /** Hover text (default `label: value`). */
  readonly tooltip?: string;
}

/** A vertical reference line across a {@link barChartSvg}. */
export interface BarMarker {
  /** Position in bar widths: 0 is the left edge of the first bar, `bars.length` the right edge of the last. */
  readonly at: number;
  /** Legend text of the line (a dashed legend entry), e.g. `threshold 0.5`. */
  readonly label: string;
}

/** Input of {@link barChartSvg}. */
export interface BarChartSpec extends ChartOptions {
  /** The category axis: only its `label` and `unit` are used. */
  readonly x: AxisSpec;
  /** The value axis; starts at 0, `max` defaults to the largest value. */
  readonly y: AxisSpec;
  /** The bars, left to right. */
  readonly bars: readonly Bar[];
  /** Reference lines. */
  readonly markers?: readonly BarMarker[];
  /** Print each value above its bar (default true). */
  readonly showValues?: boolean;
  /** Legend entries (e.g. what two bar colours mean); none by default. */
  readonly legend?: readonly LegendEntry[];
}

/** Rotated category labels longer than this many characters are shortened with "…" (the bar's tooltip keeps the full text). */
export const MAX_ROTATED_LABEL = 24;
const TICK_GAP = 4;
const SIN45 = Math.SQRT1_2;

function checkBars(fn: string, bars: readonly Bar[]): void {
  bars.forEach((b, i) => {
    if (!(typeof b.value === "number" && Number.isFinite(b.value) && b.value >= 0))
      fail(
        "INVALID_ARGUMENT",
        fn,
        `bars[${i}].value must be a finite number >= 0; got ${describe(b.value)}`,
        {
          index: i,
          value: b.value,
        },
      );
  });
}

function shorten(label: string): string {
  const chars = [...label];
  return chars.length > MAX_ROTATED_LABEL ? `${chars.slice(0, MAX_ROTATED_LABEL - 1).join("")}…` : label;
}

/** The value axis of a bar chart: linear from 0 to `axis.max`, else to the largest value (1 when every value is 0). */
function valueScale(fn: string, name: string, axis: AxisSpec, bars: readonly Bar[]): Scale {
  const top = bars.reduce((m, b) => Math.max(m, b.value), 0);
  return resolveScale(
    fn,
    name,
    { ...axis, scale: "linear", min: 0, max: axis.max ?? (top > 0 ? top : 1) },
    [],
  );
}

/**
 * A vertical bar chart as a standalone SVG document (default 480 × 300 px): one bar per category
 * with its value above it and its label under it (rotated 45° when the labels do not fit flat, every
 * k-th label when even that is too dense), a value axis from 0 with round ticks, both axes titled
 * with their units, optional dashed reference lines (listed in the legend) and legend entries. No
 * bars: the chart says "no data".
 * @throws PlotError `INVALID_ARGUMENT` for a value that is not a finite number ≥ 0, a marker outside
 *   `[0, bars.length]`, or a bad size or axis range.
 */
export function barChartSvg(spec: BarChartSpec): string {
  const fn = "barChartSvg";
  const bars = spec.bars;
  checkBars(fn, bars);
  (spec.markers ?? []).forEach((m, i) => {
    if (!(Number.isFinite(m.at) && m.at >= 0 && m.at <= bars.length))
      fail("INVALID_ARGUMENT", fn, `markers[${i}].at must be in [0, ${bars.length}]; got ${describe(m.at)}`, {
        index: i,
      });
  });
  const y = valueScale(fn, "y", spec.y, bars);
  const size = chartSize(spec, 480, 300);
  const tick = FONT_SIZE.tick;
  const tickLine = tick * LINE_HEIGHT;
  const yTickW = Math.max(0, ...y.ticks.map((t) => textWidth(formatTick(t), tick)));
  const axisLeft = FONT_SIZE.base * LINE_HEIGHT + TICK_GAP + yTickW + TICK_GAP;
  const labels = bars.map((b) => b.label);
  const flatW = Math.max(0, ...labels.map((l) => textWidth(l, tick)));
  const plotW0 = size.width - 2 * CHART_PADDING - axisLeft - 4;
  const bw0 = bars.length > 0 ? plotW0 / bars.length : plotW0;
  const rotate = flatW + 4 > bw0;
  const shown = rotate ? labels.map(shorten) : labels;
  const longest = Math.max(0, ...shown.map((l) => textWidth(l, tick)));
  const every = Math.max(1, Math.ceil((rotate ? tickLine : flatW + 4) / Math.max(bw0, 1e-9)));
  const labelBand = rotate ? longest * SIN45 + tickLine * SIN45 : tickLine;
  const firstW = shown.length > 0 ? textWidth(shown[0]!, tick) : 0;
  const margins: Margins = {
    top: spec.showValues === false ? tick * 0.6 : tickLine + 2,
    right: 4,
    bottom: TICK_GAP + labelBand + TICK_GAP + FONT_SIZE.base * LINE_HEIGHT,
    left: rotate ? Math.max(axisLeft, firstW * SIN45 + 2) : axisLeft,
  };
  return chartSvg(
    {
      ...size,
      title: spec.title,
      legend: [
        ...(spec.legend ?? []),
        ...(spec.markers ?? []).map((m) => ({
          name: m.label,
          color: COLORS.reference,
          marker: "dashed" as const,
        })),
      ],
      margins,
      minPlotHeight: 40,
    },
    ({ plot }) => {
      const out: string[] = [];
      const bottom = plot.y + plot.height;
      for (const t of y.ticks) {
        const Y = py(plot, y, t);
        out.push(
          `<line x1="${formatCoord(plot.x)}" y1="${formatCoord(Y)}" x2="${formatCoord(plot.x + plot.width)}" y2="${formatCoord(Y)}" stroke="${COLORS.grid}"/>`,
          textSvg([formatTick(t)], plot.x - TICK_GAP, Y + tick * 0.35, { size: tick, anchor: "end" }),
        );
      }
      const bw = bars.length > 0 ? plot.width / bars.length : plot.width;
      bars.forEach((b, i) => {
        const x = plot.x + i * bw;
        const top = py(plot, y, b.value);
        const cx = x + bw / 2;
        out.push(
          `<rect x="${formatCoord(x + bw * 0.1)}" y="${formatCoord(top)}" width="${formatCoord(bw * 0.8)}" height="${formatCoord(bottom - top)}" fill="${b.color ?? COLORS.bar}"><title>${escapeXml(b.tooltip ?? `${b.label}: ${formatTick(b.value)}`)}</title></rect>`,
        );
        if (spec.showValues !== false)
          out.push(textSvg([formatTick(b.value)], cx, top - 3, { size: tick, anchor: "middle" }));
        if (i % every !== 0) return;
        const ly = bottom + TICK_GAP + tick;
        out.push(
          rotate
            ? textSvg([shown[i]!], cx, ly, {
                size: tick,
                anchor: "end",
                transform: `rotate(-45 ${formatCoord(cx)} ${formatCoord(ly)})`,
              })
            : textSvg([shown[i]!], cx, ly, { size: tick, anchor: "middle" }),
        );
      });
      for (const m of spec.markers ?? []) {
        const X = formatCoord(plot.x + m.at * bw);
        out.push(
          `<line x1="${X}" y1="${formatCoord(plot.y)}" x2="${X}" y2="${formatCoord(bottom)}" stroke="${COLORS.reference}" stroke-dasharray="${DASH}"/>`,
        );
      }
      out.push(
        `<line x1="${formatCoord(plot.x)}" y1="${formatCoord(bottom)}" x2="${formatCoord(plot.x + plot.width)}" y2="${formatCoord(bottom)}" stroke="${COLORS.axis}"/>`,
        `<line x1="${formatCoord(plot.x)}" y1="${formatCoord(plot.y)}" x2="${formatCoord(plot.x)}" y2="${formatCoord(bottom)}" stroke="${COLORS.axis}"/>`,
        xTitleSvg(plot, spec.x, labelBand),
        yTitleSvg(plot, spec.y),
      );
      if (bars.length === 0) out.push(noDataSvg(plot));
      return out.join("\n");
    },
  );
}

/** One row of a {@link horizontalBarChartSvg}. */
export interface HorizontalBar extends Bar {
  /** Text after the bar (default the value), e.g. `93.1% (n=12)`. */
  readonly text?: string;
}

/** Input of {@link horizontalBarChartSvg}. */
export interface HorizontalBarChartSpec extends ChartOptions {
  /** The value axis (along the bars); starts at 0, `max` defaults to the largest value. */
  readonly x: AxisSpec;
  /** The rows, top to bottom. */
  readonly bars: readonly HorizontalBar[];
  /** Legend entries (e.g. what two bar colours mean); none by default. */
  readonly legend?: readonly LegendEntry[];
}

/** Height of one row of a horizontal bar chart with a one-line label, px. */
export const BAR_ROW_HEIGHT = 22;

/**
 * Horizontal bars as a standalone SVG document (default width 480 px; as tall as its rows need, or
 * `height` when larger): per row the label at the left (wrapped when long), a grey track for the
 * axis' full range, the bar, and a text after it; a value axis with round ticks titled with its unit
 * under the rows. No rows: the chart says "no data".
 * @throws PlotError `INVALID_ARGUMENT` for a value that is not a finite number ≥ 0 or a bad size or axis range.
 */
export function horizontalBarChartSvg(spec: HorizontalBarChartSpec): string {
  const fn = "horizontalBarChartSvg";
  const bars = spec.bars;
  checkBars(fn, bars);
  const x = valueScale(fn, "x", spec.x, bars);
  const width = spec.width ?? 480;
  const size = FONT_SIZE.base;
  const tick = FONT_SIZE.tick;
  const lineH = size * LINE_HEIGHT;
  const inner = width - 2 * CHART_PADDING;
  const texts = bars.map((b) => b.text ?? formatTick(b.value));
  const labelW = Math.min(inner * 0.4, Math.max(size, ...bars.map((b) => textWidth(b.label, size))));
  const labelLines = bars.map((b) => wrapText(b.label, labelW, size));
  const rowH = labelLines.map((l) => Math.max(BAR_ROW_HEIGHT, l.length * lineH + 6));
  const rowsH = Math.max(
    rowH.reduce((a, b) => a + b, 0),
    BAR_ROW_HEIGHT,
  );
  const textW = Math.max(0, ...texts.map((t) => textWidth(t, size)));
  const lastTick = x.ticks.length > 0 ? textWidth(formatTick(x.ticks[x.ticks.length - 1]!), tick) : 0;
  const margins: Margins = {
    top: 0,
    right: Math.max(textW + 6, lastTick / 2),
    bottom: TICK_GAP + tick * LINE_HEIGHT + TICK_GAP + lineH,
    left: labelW + 6,
  };
  return chartSvg(
    {
      width,
      height: spec.height ?? MIN_CHART_SIZE.height,
      title: spec.title,
      legend: spec.legend ?? [],
      margins,
      minPlotHeight: rowsH,
    },
    ({ plot }) => {
      const out: string[] = [];
      const bottom = plot.y + rowsH;
      for (const t of x.ticks) {
        const X = plot.x + x.at(t) * plot.width;
        out.push(
          `<line x1="${formatCoord(X)}" y1="${formatCoord(plot.y)}" x2="${formatCoord(X)}" y2="${formatCoord(bottom)}" stroke="${COLORS.grid}"/>`,
          textSvg([formatTick(t)], X, bottom + TICK_GAP + tick, { size: tick, anchor: "middle" }),
        );
      }
      let top = plot.y;
      bars.forEach((b, i) => {
        const h = rowH[i]!;
        const lines = labelLines[i]!;
        const w = x.at(b.value) * plot.width;
        const textY = top + h / 2 - ((lines.length - 1) * lineH) / 2 + size * 0.35;
        out.push(
          textSvg(lines, plot.x - 6, textY, { anchor: "end" }),
          `<rect x="${formatCoord(plot.x)}" y="${formatCoord(top + 3)}" width="${formatCoord(plot.width)}" height="${formatCoord(h - 6)}" fill="${COLORS.track}"/>`,
          `<rect x="${formatCoord(plot.x)}" y="${formatCoord(top + 3)}" width="${formatCoord(w)}" height="${formatCoord(h - 6)}" fill="${b.color ?? COLORS.bar}"><title>${escapeXml(b.tooltip ?? `${b.label}: ${texts[i]}`)}</title></rect>`,
          textSvg([texts[i]!], plot.x + plot.width + 6, top + h / 2 + size * 0.35),
        );
        top += h;
      });
      out.push(
        `<line x1="${formatCoord(plot.x)}" y1="${formatCoord(bottom)}" x2="${formatCoord(plot.x + plot.width)}" y2="${formatCoord(bottom)}" stroke="${COLORS.axis}"/>`,
        textSvg(
          [axisTitle(spec.x)],
          plot.x + plot.width / 2,
          bottom + TICK_GAP + tick * LINE_HEIGHT + TICK_GAP + size,
          {
            anchor: "middle",
          },
        ),
      );
      if (bars.length === 0) out.push(noDataSvg({ ...plot, height: rowsH }));
      return out.join("\n");
    },
  );
}
