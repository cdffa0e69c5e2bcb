import { fail } from "./fail.js";

/** What line and scatter series share: a name and parallel x / y arrays. */
export interface XySeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

/** Checks that every series' `x` and `y` have the same length. */
export function checkSeries(fn: string, series: readonly XySeries[]): void {
  series.forEach((s, i) => {
    if (s.x.length !== s.y.length)
      fail(
        "SHAPE_MISMATCH",
        fn,
        `series ${i} (${JSON.stringify(s.name)}) has ${s.x.length} x but ${s.y.length} y values`,
        { index: i },
      );
  });
}

/** Every x (or y) value of every series, for resolving an axis. */
export function* allValues(series: readonly XySeries[], key: "x" | "y"): Generator<number> {
  for (const s of series) {
    const v = s[key];
    for (let i = 0; i < v.length; i++) yield v[i] as number;
  }
}
