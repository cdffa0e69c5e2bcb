/**
 * The trainer's own work per step besides forward and backward, on the default detector's trainable
 * variables (MobileNet α 0.5, 320×320, 3 classes): preparing a batch of 8 images (the input pipeline:
 * SSD augmentation, network preprocessing, collation), an optimizer update (SGD with momentum, AdamW),
 * gradient clipping by global norm, and copying the optimizer state out for a checkpoint. Gradients
 * are seeded random tensors of the variables' shapes. Prints one JSON object per line with the median
 * and minimum ms. A whole training step (and images/s next to torchvision) is measured by
 * `packages/integration/bench/run.ts`.
 *
 * Usage: npx tsx bench/run.ts [--backend wasm|cpu] [--quick]
 */

import { syntheticShapes } from "@od/data";
import { defaultSsdConfig, SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import {
  clipByGlobalNorm,
  collate,
  Optimizer,
  type OptimizerConfig,
  resolveTrainConfig,
  trainableNames,
  trainingPipeline,
} from "../src/index.js";

const b = process.argv.indexOf("--backend");
const backend = (b > 0 ? process.argv[b + 1] : "wasm") as "wasm" | "cpu";
const repeats = process.argv.includes("--quick") ? 3 : 10;

/** Median and minimum wall-clock ms of `repeats` calls after one warm-up call. */
async function time(fn: () => unknown): Promise<{ ms_median: number; ms_min: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const a = performance.now();
    await fn();
    t.push(performance.now() - a);
  }
  t.sort((x, y) => x - y);
  return { ms_median: t[t.length >> 1] as number, ms_min: t[0] as number };
}

const info = await initBackend({ prefer: [backend], threads: 1 });
const det = new SsdDetector(defaultSsdConfig({ classNames: ["a", "b", "c"] }));
const names = trainableNames(det);
const vars = det.trainableVariables();
const named = names.map((name, i) => ({ name, variable: vars[i] as tf.Variable }));
const grads: Record<string, tf.Tensor> = {};
named.forEach(({ name, variable }, i) => {
  grads[name] = tf.randomNormal(variable.shape, 0, 0.01, "float32", i + 1);
});
const common = {
  package: "@od/train",
  model: "mobilenet α=0.5 taps 8/16/32 320x320",
  params: det.countParameters(),
  variables: named.length,
  backend: info.name,
  backendInfo: info.reason,
};
const emit = (row: Record<string, unknown>): void => console.log(JSON.stringify({ ...common, ...row }));
/** Waits for the backend to finish pending writes to the variables. */
const settle = (): void => {
  (vars[0] as tf.Variable).dataSync();
};

{
  // Decoded images are in memory, as in training after the first epoch; each call is a new epoch.
  const { dataset, images } = syntheticShapes({ count: 8, size: 480, seed: 1 });
  const config = resolveTrainConfig({ data: { root: "." } });
  const load = async (r: { readonly file: string }) =>
    images.get(r.file) as NonNullable<ReturnType<typeof images.get>>;
  const pipeline = trainingPipeline(config, dataset, det, load, { prefetch: 0 });
  let epoch = 0;
  emit({
    bench: "trainingPipeline: a batch of 8 (480² images, ssd augmentation, encodeSample, collate)",
    ...(await time(async () => {
      for await (const batch of pipeline.epoch(epoch++)) collate(batch);
    })),
  });
}

for (const config of [
  { kind: "sgd", momentum: 0.9, weightDecay: 5e-4 },
  { kind: "adamw", weightDecay: 5e-4 },
] as const satisfies readonly OptimizerConfig[]) {
  const opt = new Optimizer(config, named);
  emit({
    bench: `Optimizer.apply (${config.kind})`,
    ...(await time(() => {
      opt.apply(grads, 1e-3);
      settle();
    })),
  });
  if (config.kind === "adamw")
    emit({ bench: "Optimizer.getState (adamw)", ...(await time(() => opt.getState())) });
  opt.dispose();
}
emit({
  bench: "clipByGlobalNorm (max norm 1: every gradient scaled)",
  ...(await time(() => tf.dispose(Object.values(clipByGlobalNorm(grads, 1).grads)))),
});
tf.dispose(Object.values(grads));
det.dispose();
