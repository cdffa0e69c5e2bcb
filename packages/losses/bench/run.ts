/**
 * Benchmark of `multiboxLoss` forward + backward (`tf.variableGrads` over the location and class
 * outputs) for SSD300's shapes, B = 32, P = 8,732, C = 21, on the cpu and wasm backends, and of
 * torchvision's `SSD.compute_loss` forward + backward on the same workload on this machine
 * (bench/torchvision_loss.py with /usr/bin/python3, one thread).
 *
 * Prints one JSON object per line: `{ name, impl, backend?, ms_median, ms_min, runs, B, P, C, ... }`;
 * a `mining` row per backend times the hard negative mask alone, next to the double full `topk`
 * ranking it replaced; then one `impl: "ratio"` row per backend with `torchvision_over_od`
 * (> 1: od is faster). When python3 or torchvision is missing, a `{ name: "torchvision", skipped: true,
 * reason }` row replaces the torchvision and ratio rows.
 *
 * Workload (the same in both): image b has npos(b) positives (0 for every 8th image, background only)
 * at the priors j with (j·7919 + b·104729) mod P < npos(b); the rest is background; torchvision's
 * default ratio 3 and ours with `minNegativesPerImage: 0`, so both mine the same number of negatives.
 *
 * Run: `npx tsx bench/run.ts` in packages/losses (options: `--runs N`, `--no-torchvision`,
 * `--backends cpu,wasm`).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type BackendName, tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { hardNegativeMask, multiboxLoss } from "../src/index.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(opt("--runs") ?? 5);
const WARMUP = 2;
const BACKENDS = (opt("--backends") ?? "cpu,wasm").split(",") as BackendName[];
const PYTHON = "/usr/bin/python3";
const B = 32;
const P = 8732;
const C = 21;

const npos = (b: number): number => (b % 8 === 7 ? 0 : 5 + ((b * 13) % 40));

function labelsData(): Int32Array {
  const l = new Int32Array(B * P);
  for (let b = 0; b < B; b++) {
    const n = npos(b);
    for (let j = 0; j < P; j++) if ((j * 7919 + b * 104729) % P < n) l[b * P + j] = 1 + (j % (C - 1));
  }
  return l;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => void): { ms_median: number; ms_min: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return { ms_median: Math.round(median(ts) * 100) / 100, ms_min: Math.round(Math.min(...ts) * 100) / 100 };
}

/** The ranking this package used before: a full descending `topk` and its inverse permutation by a second full `topk`. */
function doubleTopkMask(loss: tf.Tensor2D, labels: tf.Tensor2D, ratio: number): tf.Tensor {
  return tf.tidy(() => {
    const cand = tf.equal(labels, tf.scalar(0, "int32"));
    const numPos = tf.sum(tf.cast(tf.greater(labels, tf.scalar(0, "int32")), "float32"), 1);
    const numNeg = tf.minimum(tf.sum(tf.cast(cand, "float32"), 1), tf.mul(numPos, ratio));
    const score = tf.where(cand, loss, tf.fill(loss.shape, -1));
    const order = tf.topk(score, P, true).indices;
    const rank = tf.topk(tf.neg(tf.cast(order, "float32")), P, true).indices;
    return tf.cast(
      tf.logicalAnd(cand, tf.less(tf.cast(rank, "float32"), tf.expandDims(numNeg, 1))),
      "float32",
    );
  });
}

function emit(row: Record<string, unknown>): void {
  console.log(JSON.stringify(row));
}

const odRows = new Map<string, number>();
for (const backend of BACKENDS) {
  const info = await initBackend({ prefer: [backend] });
  const labels = tf.tensor2d(labelsData(), [B, P], "int32");
  const locPred = tf.variable(tf.randomNormal([B, P, 4], 0, 1, "float32", 1));
  const clsLogits = tf.variable(tf.randomNormal([B, P, C], 0, 2, "float32", 2));
  const locTargets = tf.randomNormal([B, P, 4], 0, 1, "float32", 3);
  const before = tf.memory().numTensors;
  let neg = 0;
  const t = time(() => {
    const { value, grads } = tf.variableGrads(() => {
      const l = multiboxLoss({ locPred, clsLogits, locTargets, labels }, { minNegativesPerImage: 0 });
      neg = l.numNegatives.dataSync()[0] as number;
      return l.total;
    });
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
    tf.dispose([value, grads]);
  });
  emit({
    name: "multiboxLoss forward+backward",
    impl: "od",
    backend: info.name,
    ...t,
    runs: RUNS,
    B,
    P,
    C,
    positives: Array.from({ length: B }, (_, b) => npos(b)).reduce((a, c) => a + c, 0),
    negatives: neg,
    leaked_tensors: tf.memory().numTensors - before,
  });
  odRows.set(info.name, t.ms_median);
  const ce = tf.randomUniform([B, P], 0, 5, "float32", 4) as tf.Tensor2D;
  for (const [impl, f] of [
    ["topk(k) + scatterND (hardNegativeMask)", () => hardNegativeMask(ce, labels, 3, 0)],
    ["double full topk (before)", () => doubleTopkMask(ce, labels, 3)],
  ] as const) {
    const m = time(() => {
      const r = f();
      r.dataSync();
      r.dispose();
    });
    emit({ name: "mining", impl, backend: info.name, ...m, runs: RUNS, B, P });
  }
  tf.dispose([labels, locPred, clsLogits, locTargets, ce]);
}

if (args.includes("--no-torchvision")) {
  emit({ name: "torchvision", skipped: true, reason: "--no-torchvision" });
} else {
  const script = fileURLToPath(new URL("./torchvision_loss.py", import.meta.url));
  const r = spawnSync(PYTHON, [script, String(B), String(P), String(C), String(RUNS)], { encoding: "utf8" });
  const line = r.status === 0 ? r.stdout.trim().split("\n").pop() : undefined;
  if (line === undefined || line === "") {
    const reason = r.error?.message ?? (r.stderr.trim().split("\n").pop() || `exit ${String(r.status)}`);
    emit({ name: "torchvision", skipped: true, reason });
  } else {
    const tv = JSON.parse(line) as { ms_median: number };
    emit({ name: "SSD.compute_loss forward+backward", ...tv, threads: 1 });
    for (const [backend, ms] of odRows) {
      emit({
        name: "multiboxLoss forward+backward",
        impl: "ratio",
        backend,
        torchvision_over_od: Math.round((tv.ms_median / ms) * 100) / 100,
      });
    }
  }
}
