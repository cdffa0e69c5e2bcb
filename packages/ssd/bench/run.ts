/**
 * Benchmarks of @od/ssd's own steps on the default detector (MobileNet α 0.5, 320×320, taps 8/16/32,
 * SSDlite heads, 3 classes). Prints one JSON object per line:
 * - `forward` in inference mode (batch-norm folded) at batch 1 and 8: ms and images/s;
 * - `forward` in training mode at batch 8 (no backward: `bench/profile.ts` splits a training step by
 *   kernel);
 * - `postprocess` of one image's outputs (decode, score threshold, top-k, class-wise NMS, inverse
 *   letterbox): the network's box deltas with seeded random class probabilities, so every class has
 *   thousands of candidates above the threshold and top-k and NMS do their full work (an untrained
 *   network scores every prior as background, which would leave nothing to suppress);
 * - `predict` of one 640×480 image end to end (letterbox, forward, softmax, read back, postprocess).
 * End-to-end training and inference images/s of three model sizes next to torchvision are in
 * `packages/integration/bench/run.ts`; this file does not repeat them.
 *
 * Usage: npx tsx bench/run.ts [--backend wasm|cpu] [--threads N] [--quick]
 */
import { letterboxRecord } from "@od/boxes";
import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { defaultSsdConfig, postprocess, SsdDetector } from "../src/index.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const backend = arg("backend", "wasm") as "wasm" | "cpu";
const threads = Number(arg("threads", "1"));
const quick = process.argv.includes("--quick");

/** Median and minimum wall-clock ms of `repeats` calls after one warm-up call. */
async function time(fn: () => unknown, repeats: number): Promise<{ ms_median: number; ms_min: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const a = performance.now();
    await fn();
    t.push(performance.now() - a);
  }
  const s = [...t].sort((x, y) => x - y);
  return { ms_median: s[s.length >> 1] as number, ms_min: s[0] as number };
}

const info = await initBackend({ prefer: [backend], threads });
const det = new SsdDetector(defaultSsdConfig({ classNames: ["a", "b", "c"] }));
const { width, height } = det.config.inputSize;
const common = {
  package: "@od/ssd",
  model: `mobilenet α=0.5 taps 8/16/32 ${width}x${height}`,
  params: det.countParameters(),
  priors: det.priors.length,
  backend: info.name,
  backendInfo: info.reason,
};
const emit = (row: Record<string, unknown>): void => console.log(JSON.stringify({ ...common, ...row }));
const reps = (n: number): number => (quick ? Math.max(2, n >> 2) : n);

for (const [batch, training, n] of [
  [1, false, 20],
  [8, false, 5],
  [8, true, 5],
] as const) {
  const x = tf.randomUniform([batch, height, width, 3], -1, 1, "float32", 1) as tf.Tensor4D;
  const r = await time(() => {
    const o = det.forward(x, training);
    o.loc.dataSync();
    tf.dispose([o.loc, o.logits]);
  }, reps(n));
  x.dispose();
  emit({
    bench: `forward ${training ? "training" : "inference"} mode`,
    batch,
    ...r,
    images_per_s: (1000 * batch) / r.ms_median,
  });
}

{
  const x = tf.randomUniform([1, height, width, 3], -1, 1, "float32", 2) as tf.Tensor4D;
  const { deltas, probs } = tf.tidy(() => {
    const o = det.forward(x, false);
    return {
      deltas: o.loc.dataSync() as Float32Array,
      probs: tf.softmax(tf.randomUniform(o.logits.shape, -2, 2, "float32", 4)).dataSync() as Float32Array,
    };
  });
  x.dispose();
  const record = letterboxRecord({ width: 640, height: 480 }, det.config.inputSize);
  let kept = 0;
  const r = await time(() => {
    kept = postprocess(deltas, probs, det.priors, det.config.variances, record).scores.length;
  }, reps(50));
  emit({
    bench: "postprocess one image (decode, top-k, class-wise NMS, inverse letterbox)",
    candidates_per_class: 400,
    ...r,
    kept,
  });
}

{
  const img = tf.randomUniform([480, 640, 3], 0, 256, "int32", 3) as tf.Tensor3D;
  const r = await time(() => det.predict([img]), reps(10));
  img.dispose();
  emit({
    bench: "predict one 640x480 image",
    batch: 1,
    ...r,
    images_per_s: 1000 / r.ms_median,
  });
}
det.dispose();
