import type { ChartOptions } from "./chart.js";
import { formatCoord } from "./format.js";
import { fail } from "./internal/fail.js";
import { xyChartSvg } from "./internal/xy.js";
import type { AxisSpec } from "./scale.js";

/** One group of points of a {@link scatterChartSvg}. */
export interface ScatterSeries {
  /** Legend text (escaped; wrapped when long); an empty name leaves the series out of the legend. */
  readonly name: string;
  /** `[P]` x values. */
  readonly x: ArrayLike<number>;
  /** `[P]` y values. */
  readonly y: ArrayLike<number>;
  /** Colour (default the palette's colour of the series index). */
  readonly color?: string;
  /** A filled dot (default) or a hollow square. */
  readonly marker?: "circle" | "square";
  /** Marker diameter / side in px (default 4 for dots, 8 for squares). */
  readonly size?: number;
  /** Fill opacity of dots in [0, 1] (default 1). */
  readonly opacity?: number;
}

/** Input of {@link scatterChartSvg}. */
export interface ScatterChartSpec extends ChartOptions {
  /** The x axis: its title (with unit), scale and range. */
  readonly x: AxisSpec;
  /** The y axis. */
  readonly y: AxisSpec;
  /** The point groups, drawn in order (later on top). */
  readonly series: readonly ScatterSeries[];
}

function marks(s: ScatterSeries, color: string, points: readonly (readonly [number, number])[]): string {
  if (points.length === 0) return "";
  const square = s.marker === "square";
  const size = s.size ?? (square ? 8 : 4);
  const c = formatCoord;
  const opacity = s.opacity === undefined || s.opacity === 1 ? "" : ` fill-opacity="${s.opacity}"`;
  const out = points.map(([X, Y]) =>
    square
      ? `<rect x="${c(X - size / 2)}" y="${c(Y - size / 2)}" width="${c(size)}" height="${c(size)}" fill="none" stroke="${color}" stroke-width="2"/>`
      : `<circle cx="${c(X)}" cy="${c(Y)}" r="${c(size / 2)}" fill="${color}"${opacity}/>`,
  );
  return `<g>${out.join("")}</g>`;
}

/**
 * A scatter plot as a standalone SVG document (default 480 × 360 px): gridlines at round ticks (log
 * axes supported), both axes titled with their units, one marker per point and a legend between the
 * title and the plot. Points with a non-finite coordinate (or ≤ 0 on a log axis) are not drawn;
 * points outside a fixed `min`/`max` are drawn on the border; a chart with no drawable point says
 * "no data".
 * @throws PlotError `SHAPE_MISMATCH` when a series' `x` and `y` differ in length, `INVALID_ARGUMENT`
 *   for a bad size, axis range, marker size or opacity.
 */
export function scatterChartSvg(spec: ScatterChartSpec): string {
  const fn = "scatterChartSvg";
  spec.series.forEach((s, i) => {
    if (s.size !== undefined && !(s.size > 0 && Number.isFinite(s.size)))
      fail("INVALID_ARGUMENT", fn, `series ${i} size must be a finite number > 0; got ${s.size}`, {
        index: i,
      });
    if (s.opacity !== undefined && !(s.opacity >= 0 && s.opacity <= 1))
      fail("INVALID_ARGUMENT", fn, `series ${i} opacity must be in [0, 1]; got ${s.opacity}`, { index: i });
  });
  return xyChartSvg(spec, { fn, width: 480, height: 360, marker: (s) => s.marker ?? "circle", draw: marks });
}
