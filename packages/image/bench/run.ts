/**
 * The shared resampler: `letterboxImage` of a 640×480 RGB image to 320×320 (the default network input)
 * with the wasm SIMD kernel and with the JS kernel alone, and `resizeImage` of [0, 1] floats. CPU time
 * per image (one thread), median of N runs after a warm-up. Prints one JSON object per line.
 *
 * Usage: npx tsx bench/run.ts [runs]   (measures the built package: `npx tsc -b packages/image` first)
 */
import { letterboxRecord } from "@od/boxes";
import { letterboxImage, resizeImage, toUnitImage, uint8Image } from "@od/image";
import { setResizeWasm } from "@od/image/kernels";

const runs = Number(process.argv[2] ?? 200);
const bytes = uint8Image(
  Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24),
  640,
  480,
);
const floats = toUnitImage(bytes);
const rec = letterboxRecord({ width: 640, height: 480 }, { width: 320, height: 320 });

function cpuMs(f: () => void): number {
  for (let i = 0; i < 30; i++) f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const u = process.cpuUsage();
    f();
    const d = process.cpuUsage(u);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(runs / 2)] as number;
}

const cases: [string, () => void][] = [
  ["letterboxImage uint8 640x480 -> 320x320 (wasm SIMD)", () => letterboxImage(bytes, rec)],
  [
    "letterboxImage uint8 640x480 -> 320x320 (JS kernel)",
    () => {
      setResizeWasm(false);
      letterboxImage(bytes, rec);
      setResizeWasm(true);
    },
  ],
  ["resizeImage float 640x480 -> 320x240", () => resizeImage(floats, 320, 240)],
];
for (const [bench, f] of cases) {
  const ms = cpuMs(f);
  console.log(
    JSON.stringify({
      bench,
      cpu_ms_median: Number(ms.toFixed(3)),
      images_per_cpu_s: Math.round(1000 / ms),
      runs,
    }),
  );
}
