/**
 * Benchmarks of @od/priors. Prints one JSON object per line:
 * prior generation, match + encode of 8,732 priors × 50 GT (one image, and a batch of 32), coverage analysis of
 * those 32 images' GT (as 640×480 images, letterboxed to 300×300), and the match + encode work
 * in torchvision (`SSDMatcher` + `BoxCoder`, one thread) on identical seeded inputs, with the ratio.
 * The torchvision rows are skipped (with a reason) when /usr/bin/python3 or torchvision is missing.
 * Run: `npx tsx bench/run.ts` (from packages/priors).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Boxes, boxes, toPx } from "@od/boxes";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import {
  analyzeCoverage,
  type CoverageImage,
  encodeTargets,
  encodeTargetsBatch,
  generatePriors,
  SSD300_VGG16,
} from "../src/index.js";

const SEED = 20240601;
const GT_PER_IMAGE = 50;
const BATCH = 32;
const REPEATS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/**
 * Median and minimum wall-clock milliseconds per call, and the process CPU milliseconds per call (user +
 * system; unaffected by other processes competing for the cores, unlike wall-clock time).
 */
function time(fn: () => void, repeats: number): { ms: number; min_ms: number; cpu_ms: number } {
  for (let i = 0; i < Math.min(20, repeats); i++) fn();
  const t: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const a = performance.now();
    fn();
    t.push(performance.now() - a);
  }
  const c = process.cpuUsage(c0);
  return { ms: median(t), min_ms: Math.min(...t), cpu_ms: (c.user + c.system) / 1000 / repeats };
}

function emit(row: Record<string, unknown>): void {
  console.log(JSON.stringify({ package: "@od/priors", ...row }));
}

const rng = xoroshiro128plus(SEED);
const images: Boxes<"xyxy", "rel">[] = [];
const labels: Int32Array[] = [];
for (let b = 0; b < BATCH; b++) {
  const rows: number[][] = [];
  const lab = new Int32Array(GT_PER_IMAGE);
  for (let g = 0; g < GT_PER_IMAGE; g++) {
    const cx = 0.05 + 0.9 * uniformFloat64(rng);
    const cy = 0.05 + 0.9 * uniformFloat64(rng);
    const w = 0.02 + 0.5 * uniformFloat64(rng);
    const h = 0.02 + 0.5 * uniformFloat64(rng);
    rows.push([
      Math.max(0, cx - w / 2),
      Math.max(0, cy - h / 2),
      Math.min(1, cx + w / 2),
      Math.min(1, cy + h / 2),
    ]);
    lab[g] = 1 + Math.floor(20 * uniformFloat64(rng));
  }
  images.push(boxes(rows, "xyxy", "rel"));
  labels.push(lab);
}

const genMs = time(() => generatePriors(SSD300_VGG16), 200);
emit({ bench: "generatePriors", config: "SSD300_VGG16", priors: 8732, ...genMs });

const priors = generatePriors(SSD300_VGG16);
const P = priors.length;
const out = { locTargets: new Float32Array(P * 4), labels: new Int32Array(P), matches: new Int32Array(P) };
let k = 0;
const singleMs = time(() => {
  const i = k++ % BATCH;
  encodeTargets(images[i] as Boxes<"xyxy", "rel">, labels[i] as Int32Array, priors, {}, out);
}, REPEATS);
emit({ bench: "encodeTargets", priors: P, gt: GT_PER_IMAGE, ...singleMs, budget_ms: 3 });

const batch = images.map((b, i) => ({ boxes: b, labels: labels[i] as Int32Array }));
const bout = {
  locTargets: new Float32Array(BATCH * P * 4),
  labels: new Int32Array(BATCH * P),
  numPositive: new Int32Array(BATCH),
};
const batchMs = time(() => encodeTargetsBatch(batch, priors, {}, bout), 15);
emit({ bench: "encodeTargetsBatch", batch: BATCH, priors: P, gt: GT_PER_IMAGE, ...batchMs, budget_ms: 100 });

// Coverage of the same GT placed in 640×480 images, letterboxed to the 300×300 input.
const IMAGE = { width: 640, height: 480 };
const coverageSet: CoverageImage[] = images.map((b, i) => ({
  size: IMAGE,
  boxes: toPx(b, IMAGE),
  labels: labels[i]!,
}));
const coverageMs = time(() => analyzeCoverage(coverageSet, priors, { width: 300, height: 300 }), 10);
emit({ bench: "analyzeCoverage", images: BATCH, priors: P, gt: BATCH * GT_PER_IMAGE, ...coverageMs });

// torchvision on the same inputs
const script = fileURLToPath(new URL("./torchvision_match.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "od-priors-bench-"));
try {
  const spec = join(dir, "inputs.json");
  writeFileSync(
    spec,
    JSON.stringify({
      priorsCxcywh: Array.from(priors.data),
      images: images.map((b) => Array.from(b.data)),
      labels: labels.map((l) => Array.from(l)),
      repeats: REPEATS,
    }),
  );
  let res:
    | {
        single_ms: number;
        single_min_ms: number;
        single_cpu_ms: number;
        batch_ms: number;
        batch_min_ms: number;
        batch_cpu_ms: number;
        torch: string;
      }
    | undefined;
  try {
    res = JSON.parse(
      execFileSync("/usr/bin/python3", [script, spec], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }).trim(),
    );
  } catch (e) {
    emit({
      bench: "torchvision",
      skipped: `python3/torchvision unavailable: ${String((e as Error).message).split("\n")[0]}`,
    });
  }
  if (res !== undefined) {
    emit({
      bench: "torchvision SSDMatcher+BoxCoder",
      torch: res.torch,
      threads: 1,
      priors: P,
      gt: GT_PER_IMAGE,
      ms: res.single_ms,
      min_ms: res.single_min_ms,
      cpu_ms: res.single_cpu_ms,
      od_ms: singleMs.ms,
      od_cpu_ms: singleMs.cpu_ms,
      speedup: res.single_ms / singleMs.ms,
      cpu_speedup: res.single_cpu_ms / singleMs.cpu_ms,
    });
    emit({
      bench: "torchvision SSDMatcher+BoxCoder batch",
      torch: res.torch,
      threads: 1,
      batch: BATCH,
      ms: res.batch_ms,
      min_ms: res.batch_min_ms,
      cpu_ms: res.batch_cpu_ms,
      od_ms: batchMs.ms,
      od_cpu_ms: batchMs.cpu_ms,
      speedup: res.batch_ms / batchMs.ms,
      cpu_speedup: res.batch_cpu_ms / batchMs.cpu_ms,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
