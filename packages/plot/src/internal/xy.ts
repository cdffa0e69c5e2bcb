import {
  type ChartOptions,
  cartesianAxesSvg,
  cartesianMargins,
  chartSize,
  chartSvg,
  noDataSvg,
  px,
  py,
} from "../chart.js";
import type { LegendEntry, LegendMarker } from "../layout.js";
import { seriesColor } from "../palette.js";
import { type AxisSpec, resolveScale } from "../scale.js";
import { fail } from "./fail.js";

/** What line and scatter series share: a name, parallel x / y arrays and an optional colour. */
export interface XySeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly color?: string;
}

/** What line and scatter charts share: size, title, both axes and the series. */
export interface XyChartSpec<S extends XySeries> extends ChartOptions {
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly series: readonly S[];
}

/** How one kind of x/y chart draws. */
export interface XyStyle<S extends XySeries> {
  /** The function name in error messages. */
  readonly fn: string;
  /** Default size, px. */
  readonly width: number;
  readonly height: number;
  /** Legend swatch of a series. */
  readonly marker: (s: S) => LegendMarker;
  /** SVG of one series from its drawable points in px (empty string: nothing to draw). */
  readonly draw: (s: S, color: string, points: readonly (readonly [number, number])[]) => string;
}

/** Every x (or y) value of every series, for resolving an axis. */
function* allValues(series: readonly XySeries[], key: "x" | "y"): Generator<number> {
  for (const s of series) {
    const v = s[key];
    for (let i = 0; i < v.length; i++) yield v[i]!;
  }
}

/**
 * A chart of series over two cartesian axes: checks the series, resolves both axes over their
 * values, lays out title, legend (named series only) and axes, maps each series' drawable points to
 * px and lets `style.draw` render them; "no data" when no point is drawable.
 * @throws PlotError `SHAPE_MISMATCH` when a series' `x` and `y` differ in length.
 */
export function xyChartSvg<S extends XySeries>(spec: XyChartSpec<S>, style: XyStyle<S>): string {
  const fn = style.fn;
  spec.series.forEach((s, i) => {
    if (s.x.length !== s.y.length)
      fail(
        "SHAPE_MISMATCH",
        fn,
        `series ${i} (${JSON.stringify(s.name)}) has ${s.x.length} x but ${s.y.length} y values`,
        { index: i },
      );
  });
  const x = resolveScale(fn, "x", spec.x, allValues(spec.series, "x"));
  const y = resolveScale(fn, "y", spec.y, allValues(spec.series, "y"));
  const legend: LegendEntry[] = [];
  spec.series.forEach((s, i) => {
    if (s.name !== "")
      legend.push({ name: s.name, color: s.color ?? seriesColor(i), marker: style.marker(s) });
  });
  return chartSvg(
    {
      ...chartSize(spec, style.width, style.height),
      title: spec.title,
      legend,
      margins: cartesianMargins(x, y),
    },
    ({ plot }) => {
      const out = [cartesianAxesSvg(plot, x, y, spec.x, spec.y)];
      let drawn = 0;
      spec.series.forEach((s, i) => {
        const points: [number, number][] = [];
        for (let j = 0; j < s.x.length; j++) {
          const xv = s.x[j]!;
          const yv = s.y[j]!;
          if (x.drawable(xv) && y.drawable(yv)) points.push([px(plot, x, xv), py(plot, y, yv)]);
        }
        drawn += points.length;
        const svg = style.draw(s, s.color ?? seriesColor(i), points);
        if (svg !== "") out.push(svg);
      });
      if (drawn === 0) out.push(noDataSvg(plot));
      return out.join("\n");
    },
  );
}
