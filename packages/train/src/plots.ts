/** One line of a {@link lineChartSvg}. */
export interface Series {
  /** Legend label. */
  readonly name: string;
  /** `[x, y]` points; non-finite values are skipped. */
  readonly points: readonly (readonly [number, number])[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/**
 * A self-contained SVG line chart (no dependencies): axes with min/max ticks, one polyline per series,
 * a legend. Used for the loss, learning-rate and mAP curves of a run.
 */
export function lineChartSvg(
  title: string,
  series: readonly Series[],
  options: {
    readonly width?: number;
    readonly height?: number;
    readonly xLabel?: string;
    readonly logY?: boolean;
  } = {},
): string {
  const W = options.width ?? 520;
  const H = options.height ?? 300;
  const m = { l: 56, r: 12, t: 28, b: 36 };
  const ty = (y: number) => (options.logY ? Math.log10(Math.max(y, 1e-12)) : y);
  const pts = series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => ty(p[1]));
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const y0 = ys.length ? Math.min(...ys) : 0;
  const y1 = ys.length ? Math.max(...ys) : 1;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((ty(y) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const lines = series.map((s, i) => {
    const d = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(" ");
    return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${d}"/>`;
  });
  const legend = series.map(
    (s, i) =>
      `<text x="${m.l + 8 + i * 120}" y="${m.t - 8}" font-size="11" fill="${COLORS[i % COLORS.length]}">${esc(s.name)}</text>`,
  );
  const yLab = (v: number) => (options.logY ? fmt(10 ** v) : fmt(v));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="14" font-size="13" text-anchor="middle">${esc(title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#444"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#444"/>`,
    `<text x="${m.l}" y="${H - m.b + 14}" font-size="10">${fmt(x0)}</text>`,
    `<text x="${W - m.r}" y="${H - m.b + 14}" font-size="10" text-anchor="end">${fmt(x1)}</text>`,
    `<text x="${(W + m.l) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(options.xLabel ?? "step")}</text>`,
    `<text x="${m.l - 4}" y="${H - m.b}" font-size="10" text-anchor="end">${yLab(y0)}</text>`,
    `<text x="${m.l - 4}" y="${m.t + 8}" font-size="10" text-anchor="end">${yLab(y1)}</text>`,
    ...lines,
    ...legend,
    "</svg>",
  ].join("\n");
}
