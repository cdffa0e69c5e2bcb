/**
 * The series colours of every od chart (matplotlib's `tab10`), as `#rrggbb`; series `i` gets
 * `PALETTE[i % 10]` ({@link seriesColor}).
 */
export const PALETTE: readonly string[] = Object.freeze([
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
]);

/** Colours with a meaning, shared by every chart. */
export const COLORS = Object.freeze({
  /** Page background. */
  background: "#ffffff",
  /** Titles, labels, tick labels. */
  text: "#222222",
  /** Axis lines and the plot frame. */
  axis: "#444444",
  /** Gridlines. */
  grid: "#e3e3e3",
  /** The empty part of a horizontal bar (its 100 %). */
  track: "#f2f2f2",
  /** Default bar colour (`PALETTE[0]`). */
  bar: "#1f77b4",
  /** Something meeting its target (e.g. recall ≥ 0.9). */
  good: "#2ca02c",
  /** Something missing its target (an orphan, a bin below a threshold). */
  bad: "#d62728",
  /** Context that is neither (covered points). */
  neutral: "#888888",
  /** Reference lines (a threshold). */
  reference: "#000000",
});

/** The colour of series `index` (an integer ≥ 0): `PALETTE[index % PALETTE.length]`. */
export function seriesColor(index: number): string {
  const n = PALETTE.length;
  return PALETTE[((Math.trunc(index) % n) + n) % n]!;
}
