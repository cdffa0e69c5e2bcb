/**
 * Rendering time of each chart on seeded inputs. Prints one JSON object per line:
 * `{ name, points, ms_median, ms_min, runs, bytes }`.
 * Run: npx tsx bench/run.ts [runs=20]
 */
import { barChartSvg, horizontalBarChartSvg, lineChartSvg, scatterChartSvg } from "@od/plot";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

const RUNS = Number(process.argv[2] ?? 20);
const rng = xoroshiro128plus(42);
const u = () => uniformFloat64(rng);

function time(name: string, points: number, draw: () => string): void {
  const ms: number[] = [];
  let bytes = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    bytes = draw().length;
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  console.log(
    JSON.stringify({
      name,
      points,
      ms_median: round(ms[RUNS >> 1] as number),
      ms_min: round(ms[0] as number),
      runs: RUNS,
      bytes,
    }),
  );
}

const steps = Array.from({ length: 1000 }, (_, i) => i);
const loss = steps.map((i) => 4 / (1 + i / 50) + 0.1 * u());
time("lineChartSvg", 1000, () =>
  lineChartSvg({
    title: "training loss",
    x: { label: "step" },
    y: { label: "loss", scale: "log" },
    series: [{ name: "loss", x: steps, y: loss }],
  }),
);
const sx = Array.from({ length: 10_000 }, () => 1 + 300 * u());
const sy = Array.from({ length: 10_000 }, () => 1 + 300 * u());
time("scatterChartSvg", 10_000, () =>
  scatterChartSvg({
    title: "GT sizes",
    x: { label: "width", unit: "px", scale: "log", min: 1, max: 450 },
    y: { label: "height", unit: "px", scale: "log", min: 1, max: 450 },
    series: [{ name: "GT", x: sx, y: sy, opacity: 0.35 }],
  }),
);
const bars = Array.from({ length: 100 }, (_, i) => ({ label: `class ${i}`, value: Math.round(1000 * u()) }));
time("barChartSvg", 100, () =>
  barChartSvg({ title: "boxes per class", x: { label: "class" }, y: { label: "boxes" }, bars }),
);
time("horizontalBarChartSvg", 100, () =>
  horizontalBarChartSvg({
    title: "recall",
    x: { label: "recall", min: 0, max: 1 },
    bars: bars.map((b) => ({ ...b, value: b.value / 1000 })),
  }),
);
