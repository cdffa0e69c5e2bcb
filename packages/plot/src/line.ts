import {
  type ChartOptions,
  cartesianAxesSvg,
  cartesianMargins,
  chartSize,
  chartSvg,
  noDataSvg,
  px,
  py,
} from "./chart.js";
import { formatCoord } from "./format.js";
import { allValues, checkSeries } from "./internal/series.js";
import type { LegendEntry } from "./layout.js";
import { seriesColor } from "./palette.js";
import { type AxisSpec, resolveScale } from "./scale.js";

/** One line of a {@link lineChartSvg}: `[P]` x and `[P]` y values. */
export interface LineSeries {
  /** Legend text (escaped; wrapped when long); an empty name leaves the series out of the legend. */
  readonly name: string;
  /** `[P]` x values. */
  readonly x: ArrayLike<number>;
  /** `[P]` y values. */
  readonly y: ArrayLike<number>;
  /** Colour (default the palette's colour of the series index). */
  readonly color?: string;
}

/** Input of {@link lineChartSvg}. */
export interface LineChartSpec extends ChartOptions {
  /** The x axis: its title (with unit), scale and range. */
  readonly x: AxisSpec;
  /** The y axis. */
  readonly y: AxisSpec;
  /** The lines, drawn in order. */
  readonly series: readonly LineSeries[];
}

/** A series with at most this many drawn points also gets a dot at each point. */
export const MARKER_MAX_POINTS = 24;

/**
 * A line chart as a standalone SVG document (default 480 × 300 px): gridlines at round ticks, both
 * axes titled with their units, one polyline per series (palette colours) and a legend between the
 * title and the plot. Points with a non-finite coordinate (or ≤ 0 on a log axis) are not drawn;
 * points outside a fixed `min`/`max` are drawn on the border. A series with few points
 * (≤ {@link MARKER_MAX_POINTS}) gets a dot per point, so a single point is visible; a chart with no
 * drawable point says "no data". The output is deterministic.
 * @throws PlotError `SHAPE_MISMATCH` when a series' `x` and `y` differ in length, `INVALID_ARGUMENT`
 *   for a bad size or axis range.
 */
export function lineChartSvg(spec: LineChartSpec): string {
  const fn = "lineChartSvg";
  checkSeries(fn, spec.series);
  const x = resolveScale(fn, "x", spec.x, allValues(spec.series, "x"));
  const y = resolveScale(fn, "y", spec.y, allValues(spec.series, "y"));
  const legend: LegendEntry[] = [];
  spec.series.forEach((s, i) => {
    if (s.name !== "") legend.push({ name: s.name, color: s.color ?? seriesColor(i), marker: "line" });
  });
  return chartSvg(
    { ...chartSize(spec, 480, 300), title: spec.title, legend, margins: cartesianMargins(x, y) },
    ({ plot }) => {
      const out = [cartesianAxesSvg(plot, x, y, spec.x, spec.y)];
      let drawn = 0;
      spec.series.forEach((s, i) => {
        const color = s.color ?? seriesColor(i);
        const pts: string[] = [];
        for (let j = 0; j < s.x.length; j++) {
          const xv = s.x[j] as number;
          const yv = s.y[j] as number;
          if (x.drawable(xv) && y.drawable(yv))
            pts.push(`${formatCoord(px(plot, x, xv))},${formatCoord(py(plot, y, yv))}`);
        }
        drawn += pts.length;
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(" ")}"/>`);
        if (pts.length <= MARKER_MAX_POINTS)
          for (const p of pts) {
            const [cx, cy] = p.split(",");
            out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
          }
      });
      if (drawn === 0) out.push(noDataSvg(plot));
      return out.join("\n");
    },
  );
}
