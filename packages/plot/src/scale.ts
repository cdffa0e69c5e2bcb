import { describe, fail } from "./internal/fail.js";

/** One axis of a chart. */
export interface AxisSpec {
  /** What the axis shows, e.g. `"recall"`, `"box width"` (drawn along the axis). */
  readonly label: string;
  /** Unit, drawn after the label in parentheses (`"px at input"` → `box width (px at input)`). */
  readonly unit?: string;
  /** `"linear"` (default) or `"log"` (base 10; values ≤ 0 are not drawn). */
  readonly scale?: "linear" | "log";
  /** Lower end of the axis (default: the smallest value drawn). */
  readonly min?: number;
  /** Upper end of the axis (default: the largest value drawn). */
  readonly max?: number;
}

/** A resolved axis: its range and ticks, and the map from values to [0, 1] along it. */
export interface Scale {
  /** Lower end of the range (> 0 on a log axis). */
  readonly lo: number;
  /** Upper end of the range (> `lo`). */
  readonly hi: number;
  /** True for a log axis. */
  readonly log: boolean;
  /** Tick values inside `[lo, hi]`, increasing. */
  readonly ticks: readonly number[];
  /** Position of `v` along the axis: 0 at `lo`, 1 at `hi`, clamped to [0, 1]. */
  readonly at: (v: number) => number;
  /** True when `v` can be drawn: finite, and > 0 on a log axis. */
  readonly drawable: (v: number) => boolean;
}

/** The text drawn along an axis: `label (unit)`, or the label alone. */
export function axisTitle(axis: AxisSpec): string {
  return axis.unit === undefined || axis.unit === "" ? axis.label : `${axis.label} (${axis.unit})`;
}

/** The step from {1, 2, 5} × 10^k closest above `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/**
 * About `target` round ticks (multiples of 1, 2 or 5 × 10^k) inside `[lo, hi]`, increasing; none
 * when the span is not a positive finite number, and never more than 3 × `target`.
 */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  const span = hi - lo;
  if (!(span > 0 && Number.isFinite(span))) return [];
  const step = niceStep(span / target);
  const first = Math.ceil(lo / step - 1e-9);
  // round away float noise (0.1 * 3) at the step's own precision
  const decimals = Math.min(100, Math.max(0, 1 - Math.floor(Math.log10(step))));
  const out: number[] = [];
  for (let i = 0; i <= 3 * target; i++) {
    const v = Number(((first + i) * step).toFixed(decimals));
    if (!Number.isFinite(v) || v > hi + step * 1e-9) break;
    if (v >= lo - step * 1e-9 && (out.length === 0 || v > out[out.length - 1]!)) out.push(v);
  }
  return out;
}

/** Ticks of a log axis over `[lo, hi]` (lo > 0): the powers of 10 inside, with 2 and 5 × 10^k added when there are fewer than 3. */
export function logTicks(lo: number, hi: number): number[] {
  const k0 = Math.ceil(Math.log10(lo) - 1e-9);
  const k1 = Math.floor(Math.log10(hi) + 1e-9);
  const decades: number[] = [];
  for (let k = k0; k <= k1; k++) decades.push(Number((10 ** k).toPrecision(12)));
  if (decades.length >= 3) return decades.length > 8 ? decades.filter((_, i) => i % 2 === 0) : decades;
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const f of [1, 2, 5]) {
      const v = Number((f * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  return out;
}

function checkLimit(fn: string, name: string, v: number | undefined, log: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || (log && v <= 0))
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${name} must be a finite number${log ? " > 0 on a log axis" : ""}; got ${describe(v)}`,
      { arg: name, value: v },
    );
}

/**
 * Resolves an axis over the values that will be drawn on it: the range is `[min, max]` when given,
 * else the values' extent; an empty or single-valued range is widened (linear: ±1 around the value,
 * or to [0, 1] when empty; log: one decade each side, or [1, 10] when empty).
 * @param name the axis in error messages, e.g. `"lineChartSvg: x"`.
 * @throws PlotError `INVALID_ARGUMENT` for a non-finite `min`/`max`, `min ≥ max`, or `min ≤ 0` on a log axis.
 */
export function resolveScale(fn: string, name: string, axis: AxisSpec, values: Iterable<number>): Scale {
  const log = axis.scale === "log";
  checkLimit(fn, `${name}.min`, axis.min, log);
  checkLimit(fn, `${name}.max`, axis.max, log);
  const drawable = (v: number) => Number.isFinite(v) && (!log || v > 0);
  let dataLo = Number.POSITIVE_INFINITY;
  let dataHi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!drawable(v)) continue;
    if (v < dataLo) dataLo = v;
    if (v > dataHi) dataHi = v;
  }
  const empty = dataLo > dataHi;
  let lo = axis.min ?? (empty ? (log ? 1 : 0) : dataLo);
  let hi = axis.max ?? (empty ? (log ? 10 : 1) : dataHi);
  if (axis.min !== undefined && axis.max !== undefined && !(lo < hi))
    fail("INVALID_ARGUMENT", fn, `${name}.min must be < ${name}.max; got ${lo} and ${hi}`, { arg: name });
  if (!(lo < hi)) {
    // a single value, or a fixed end on the wrong side of the data: widen the free end(s)
    if (axis.min === undefined && axis.max === undefined) {
      lo = log ? lo / 10 : lo - 1;
      hi = log ? hi * 10 : hi + 1;
    } else if (axis.min === undefined) lo = log ? hi / 10 : hi - 1;
    else hi = log ? lo * 10 : lo + 1;
  }
  const l0 = log ? Math.log10(lo) : lo;
  const span = (log ? Math.log10(hi) : hi) - l0;
  const at = (v: number) => Math.min(1, Math.max(0, ((log ? Math.log10(v) : v) - l0) / span));
  return { lo, hi, log, ticks: log ? logTicks(lo, hi) : niceTicks(lo, hi), at, drawable };
}
