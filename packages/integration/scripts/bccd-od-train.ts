/**
 * od → torchvision hand-off, od's side: trains the reduced-width SSDlite of the hand-off fixtures
 * (`images.json`'s `model`: BCCD's 3 classes + background, width 0.25, reduced tail) with od's trainer
 * pieces (`trainingPipeline`, `trainStep`, AdamW) on BCCD's train split, and exports it with torchvision's
 * state_dict keys: `exportStateDict` + `writeSafetensors` → `test/fixtures/bccd-handoff/od.safetensors`,
 * every float32 tensor narrowed to float16 (half the bytes; torchvision's `load_state_dict` widens them
 * back). Then `bench/bccd_torchvision_eval.py` evaluates that file in torchvision.
 *
 * Needs the full BCCD at ../shared/datasets/bccd. Seeded (initial weights, shuffling, augmentation); the
 * committed file was trained on wasm with two XNNPACK threads.
 * Usage: npx tsx scripts/bccd-od-train.ts [epochs] [lr]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadVoc } from "@od/data/node";
import { ssdlite320MobilenetV3Large } from "@od/ssd";
import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { type AnyTorchTensor, exportStateDict, writeSafetensors } from "@od/torch";
import {
  collate,
  Optimizer,
  resolveTrainConfig,
  trainableNames,
  trainingPipeline,
  trainStep,
} from "@od/train";
import { datasetImageLoader } from "@od/train/node";

const FIXTURES = new URL("../test/fixtures/bccd-handoff/", import.meta.url);
const BCCD = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));
const epochs = Number(process.argv[2] ?? 8);
const peakLr = Number(process.argv[3] ?? 3e-3);

/** float32 → IEEE half bits, round to nearest even (subnormals kept, overflow to ±Inf). */
function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = man | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

const meta = JSON.parse(readFileSync(new URL("images.json", FIXTURES), "utf8")) as {
  classNames: string[];
  model: { widthMultiplier: number; reducedTail: boolean };
};
const info = await initBackend({ prefer: ["wasm"], threads: 2 });
const det = ssdlite320MobilenetV3Large({
  classNames: meta.classNames,
  widthMultiplier: meta.model.widthMultiplier,
  reducedTail: meta.model.reducedTail,
  seed: 0,
});
const dataset = await loadVoc(BCCD, {
  split: "train",
  policy: "clip",
  classNames: meta.classNames,
});
const config = resolveTrainConfig({
  data: { root: BCCD },
  model: { inputFit: "resize" },
  augment: { preset: "light" },
  train: { backends: ["wasm"], batchSize: 8, seed: 0 },
});
const load = datasetImageLoader(dataset);
const names = trainableNames(det);
const vars = det.trainableVariables();
const opt = new Optimizer(
  { kind: "adamw" },
  names.map((name, i) => ({ name, variable: vars[i]! })),
);
const stepsPerEpoch = Math.ceil(dataset.images.length / 8);
const total = epochs * stepsPerEpoch;
const lrAt = (s: number) =>
  s < stepsPerEpoch
    ? peakLr * (0.001 + (0.999 * s) / stepsPerEpoch)
    : peakLr * 0.5 * (1 + Math.cos((Math.PI * (s - stepsPerEpoch)) / Math.max(1, total - stepsPerEpoch)));
const pipeline = trainingPipeline(config, dataset, det, load);
const t0 = performance.now();
let step = 0;
for (let epoch = 0; epoch < epochs; epoch++) {
  let sum = 0;
  let n = 0;
  for await (const samples of pipeline.epoch(epoch)) {
    const r = trainStep(det, opt, collate(samples), config, lrAt(step++));
    sum += r.loss;
    n++;
  }
  console.error(
    JSON.stringify({
      epoch: epoch + 1,
      loss: sum / n,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    }),
  );
}
opt.dispose();
const exported = exportStateDict(await det.params.snapshot());
const half = new Map<string, AnyTorchTensor>();
for (const [key, t] of exported) {
  if (t.dtype !== "float32") half.set(key, t);
  else half.set(key, { dtype: "float16", shape: t.shape, data: Uint16Array.from(t.data, floatToHalf) });
}
writeFileSync(
  new URL("od.safetensors", FIXTURES),
  writeSafetensors(half, {
    metadata: {
      producer: "od",
      training: `BCCD train split (${dataset.images.length} images), ${epochs} epochs, batch 8, AdamW peak lr ${peakLr}, augment light, seed 0`,
    },
  }),
);
det.dispose();
console.log(
  JSON.stringify({
    backend: info.reason,
    epochs,
    images: dataset.images.length,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    tensors: tf.memory().numTensors,
  }),
);
