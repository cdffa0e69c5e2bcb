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
import { fail } from "./internal/fail.js";
import { allValues, checkSeries } from "./internal/series.js";
import type { LegendEntry } from "./layout.js";
import { seriesColor } from "./palette.js";
import { type AxisSpec, resolveScale } from "./scale.js";

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
  checkSeries(fn, spec.series);
  spec.series.forEach((s, i) => {
    if (s.size !== undefined && !(s.size > 0 && Number.isFinite(s.size)))
      fail("INVALID_ARGUMENT", fn, `series ${i} size must be a finite number > 0; got ${s.size}`, {
        index: i,
      });
    if (s.opacity !== undefined && !(s.opacity >= 0 && s.opacity <= 1))
      fail("INVALID_ARGUMENT", fn, `series ${i} opacity must be in [0, 1]; got ${s.opacity}`, { index: i });
  });
  const x = resolveScale(fn, "x", spec.x, allValues(spec.series, "x"));
  const y = resolveScale(fn, "y", spec.y, allValues(spec.series, "y"));
  const legend: LegendEntry[] = [];
  spec.series.forEach((s, i) => {
    if (s.name !== "")
      legend.push({ name: s.name, color: s.color ?? seriesColor(i), marker: s.marker ?? "circle" });
  });
  return chartSvg(
    { ...chartSize(spec, 480, 360), title: spec.title, legend, margins: cartesianMargins(x, y) },
    ({ plot }) => {
      const out = [cartesianAxesSvg(plot, x, y, spec.x, spec.y)];
      let drawn = 0;
      spec.series.forEach((s, i) => {
        const color = s.color ?? seriesColor(i);
        const square = s.marker === "square";
        const size = s.size ?? (square ? 8 : 4);
        const opacity = s.opacity === undefined || s.opacity === 1 ? "" : ` fill-opacity="${s.opacity}"`;
        const marks: string[] = [];
        for (let j = 0; j < s.x.length; j++) {
          const xv = s.x[j] as number;
          const yv = s.y[j] as number;
          if (!(x.drawable(xv) && y.drawable(yv))) continue;
          const cx = px(plot, x, xv);
          const cy = py(plot, y, yv);
          marks.push(
            square
              ? `<rect x="${formatCoord(cx - size / 2)}" y="${formatCoord(cy - size / 2)}" width="${formatCoord(size)}" height="${formatCoord(size)}" fill="none" stroke="${color}" stroke-width="2"/>`
              : `<circle cx="${formatCoord(cx)}" cy="${formatCoord(cy)}" r="${formatCoord(size / 2)}" fill="${color}"${opacity}/>`,
          );
        }
        drawn += marks.length;
        if (marks.length > 0) out.push(`<g>${marks.join("")}</g>`);
      });
      if (drawn === 0) out.push(noDataSvg(plot));
      return out.join("\n");
    },
  );
}
