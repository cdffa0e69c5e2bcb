import type { ChartOptions } from "./chart.js";
import { formatCoord } from "./format.js";
import { xyChartSvg } from "./internal/xy.js";
import type { AxisSpec } from "./scale.js";

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
  return xyChartSvg(spec, {
    fn: "lineChartSvg",
    width: 480,
    height: 300,
    marker: () => "line",
    draw: (_, color, points) => {
      const xy = points.map(([X, Y]) => `${formatCoord(X)},${formatCoord(Y)}`);
      const out = [`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${xy.join(" ")}"/>`];
      if (points.length <= MARKER_MAX_POINTS)
        for (const [X, Y] of points)
          out.push(`<circle cx="${formatCoord(X)}" cy="${formatCoord(Y)}" r="2.5" fill="${color}"/>`);
      return out.join("\n");
    },
  });
}
