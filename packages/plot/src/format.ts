/**
 * A tick or value label: 3 significant digits with trailing zeros dropped (`0.25`, `1.5e-4`,
 * `1.2e+5`); exponent notation below 1e-3 and from 1e5 on; `-0` prints as `0`.
 */
export function formatTick(v: number): string {
  if (v === 0 || Object.is(v, -0)) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1).replace(".0e", "e");
  return String(Number(v.toPrecision(3)));
}

/** An SVG coordinate or length in px: rounded to 0.01 px (below 1e15), `-0` as `0`; non-finite values print as `0`. */
export function formatCoord(v: number): string {
  if (!Number.isFinite(v)) return "0";
  if (Math.abs(v) >= 1e15) return String(v);
  const r = Math.round(v * 100) / 100;
  return r === 0 ? "0" : String(r);
}
