/**
 * Benchmarks of `@od/boxes/tf` on the tfjs cpu and wasm backends, on seeded inputs:
 * - `iouT` matrix, 1,000 × 8,732 (SSD300's prior count), and `giouT` of the same size;
 * - `encodeT` + `decodeT` of 8,732 boxes against 8,732 priors;
 * - `giouPairsT` forward + backward (an IoU loss step) over 8 × 8,732 aligned pairs.
 *
 * Prints one JSON object per line, like bench/run.ts: `{ name, impl, ms_median, ms_min, runs, ...sizes }`
 * with `impl` = `tf-cpu` or `tf-wasm`, plus one `typed-array` row (`iou` of `@od/boxes`) for reference. Each timed run includes reading the result back (`dataSync`), so
 * lazy backends are timed in full. A backend that cannot start prints `{ impl, skipped: true, reason }`.
 *
 * Run: `npx tsx bench/tf.ts` in packages/boxes (options: `--runs N`, `--backend cpu|wasm`).
 */
import * as tf from "@tensorflow/tfjs-core";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { iou, unsafeBoxes } from "../src/index.js";
import { boxesToTensor, decodeT, encodeT, giouPairsT, giouT, iouT, unsafeBoxTensor } from "../src/tf.js";

const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 7;
const backendArg = args.indexOf("--backend");
const BACKENDS = backendArg >= 0 ? [String(args[backendArg + 1])] : ["cpu", "wasm"];
const WARMUP = 2;
const SEED = 20240601;
const N = 1000;
const P = 8732;
const B = 8;

const rng = xoroshiro128plus(SEED);
const unif = (lo: number, hi: number): number => lo + (hi - lo) * uniformFloat64(rng);

/** `[n, 4]` xyxy rel boxes with sizes in [0.02, 0.6]. */
function randomXyxy(n: number): Float32Array {
  const d = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const w = unif(0.02, 0.6);
    const h = unif(0.02, 0.6);
    const x = unif(0, 1 - w);
    const y = unif(0, 1 - h);
    d.set([x, y, x + w, y + h], i * 4);
  }
  return d;
}

/** `[n, 4]` cxcywh rel priors. */
function randomPriors(n: number): Float32Array {
  const d = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) d.set([unif(0, 1), unif(0, 1), unif(0.05, 0.9), unif(0.05, 0.9)], i * 4);
  return d;
}

const gtData = randomXyxy(N);
const priorXyxyData = randomXyxy(P);
const priorData = randomPriors(P);
const matchedData = randomXyxy(P);
const predData = randomXyxy(B * P);
const targetData = randomXyxy(B * P);

function time(f: () => void): { ms_median: number; ms_min: number; runs: number } {
  for (let i = 0; i < WARMUP; i++) f();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { ms_median: round(t[t.length >> 1] ?? Number.NaN), ms_min: round(t[0] ?? Number.NaN), runs: RUNS };
}

async function start(name: string): Promise<string | undefined> {
  try {
    if (name === "cpu") await import("@tensorflow/tfjs-backend-cpu");
    else if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    else return `unknown backend ${name}`;
    if (!(await tf.setBackend(name))) return `tf.setBackend("${name}") returned false`;
    await tf.ready();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

async function main(): Promise<void> {
  // gradients for the loss-step row; the ESM-only registration may not load everywhere
  let gradients = true;
  try {
    await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  } catch (e) {
    gradients = false;
    const reason = `gradients not registered: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
    console.log(JSON.stringify({ name: "giouPairsT forward+backward", skipped: true, reason }));
  }
  // reference: the typed-array path on the same inputs (no tfjs)
  const gtBoxes = unsafeBoxes(gtData, "xyxy", "rel");
  const priorBoxes = unsafeBoxes(priorXyxyData, "xyxy", "rel");
  const out = new Float32Array(N * P);
  console.log(
    JSON.stringify({
      name: "iou",
      impl: "typed-array",
      n: N,
      m: P,
      ...time(() => iou(gtBoxes, priorBoxes, out)),
    }),
  );
  for (const backend of BACKENDS) {
    const impl = `tf-${backend}`;
    const reason = await start(backend);
    if (reason !== undefined) {
      console.log(JSON.stringify({ name: "tf", impl, skipped: true, reason }));
      continue;
    }
    const gt = boxesToTensor(unsafeBoxes(gtData, "xyxy", "rel"));
    const priorsXyxy = boxesToTensor(unsafeBoxes(priorXyxyData, "xyxy", "rel"));
    const priors = boxesToTensor(unsafeBoxes(priorData, "cxcywh", "rel"));
    const matched = boxesToTensor(unsafeBoxes(matchedData, "xyxy", "rel"));
    const pred = unsafeBoxTensor(tf.tensor3d(predData, [B, P, 4]), "xyxy", "rel");
    const target = unsafeBoxTensor(tf.tensor3d(targetData, [B, P, 4]), "xyxy", "rel");
    const before = tf.memory().numTensors;

    const run = (f: () => tf.Tensor) => () => {
      const r = f();
      r.dataSync();
      r.dispose();
    };
    console.log(JSON.stringify({ name: "iouT", impl, n: N, m: P, ...time(run(() => iouT(gt, priorsXyxy))) }));
    console.log(
      JSON.stringify({ name: "giouT", impl, n: N, m: P, ...time(run(() => giouT(gt, priorsXyxy))) }),
    );
    console.log(
      JSON.stringify({
        name: "encodeT+decodeT",
        impl,
        p: P,
        ...time(run(() => tf.tidy(() => decodeT(encodeT(matched, priors), priors).tensor))),
      }),
    );
    if (gradients) {
      const loss = (x: tf.Tensor) =>
        tf.mean(tf.sub(1, giouPairsT(unsafeBoxTensor(x, "xyxy", "rel"), target)));
      console.log(
        JSON.stringify({
          name: "giouPairsT forward+backward",
          impl,
          b: B,
          p: P,
          ...time(run(() => tf.grad(loss)(pred.tensor))),
        }),
      );
    }
    tf.dispose([gt, priorsXyxy, priors, matched, pred, target]);
    if (tf.memory().numTensors !== before - 6) {
      console.log(
        JSON.stringify({ name: "tf", impl, leaked_tensors: tf.memory().numTensors - (before - 6) }),
      );
    }
  }
}

await main();
