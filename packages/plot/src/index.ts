/**
 * `@od/plot`: the SVG charts of od's reports in one place — XML escaping, one palette, title /
 * legend / axis layout that never overlaps or leaves the viewBox, and line, bar, horizontal-bar and
 * scatter charts. Plain TypeScript without dependencies; runs in a browser.
 * @packageDocumentation
 */
export {
  BAR_ROW_HEIGHT,
  type Bar,
  type BarChartSpec,
  type BarMarker,
  barChartSvg,
  type HorizontalBar,
  type HorizontalBarChartSpec,
  horizontalBarChartSvg,
  MAX_ROTATED_LABEL,
} from "./bar.js";
export { type ChartOptions, chartSvg } from "./chart.js";
export { PlotError, type PlotErrorCode } from "./errors.js";
export { escapeXml } from "./escape.js";
export { formatCoord, formatTick } from "./format.js";
export {
  CHART_PADDING,
  type ChartLayout,
  type ChartLayoutInput,
  type LegendEntry,
  type LegendItemLayout,
  type LegendMarker,
  layoutChart,
  type Margins,
  MIN_CHART_SIZE,
  MIN_PLOT_HEIGHT,
  type Rect,
  rectContains,
  rectsOverlap,
  type TitleLayout,
} from "./layout.js";
export { type LineChartSpec, type LineSeries, lineChartSvg, MARKER_MAX_POINTS } from "./line.js";
export { COLORS, PALETTE, seriesColor } from "./palette.js";
export { type AxisSpec, axisTitle } from "./scale.js";
export { type ScatterChartSpec, type ScatterSeries, scatterChartSvg } from "./scatter.js";
export { FONT_SIZE, LINE_HEIGHT, type TextStyle, textSvg, textWidth, wrapText } from "./text.js";
