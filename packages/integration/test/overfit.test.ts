import { createDataset, syntheticShapes } from "@od/data";
import { defaultSsdConfig, SsdDetector } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { evaluateDetector, learningRateAt, resolveTrainConfig, trainStep } from "@od/train";
import { expect, test } from "vitest";
import { fixedBatchTraining } from "./helpers/fixed-batch.js";

// The detector can learn: a tiny SSD overfits a handful of synthetic images — the loss falls by 10×
// and VOC mAP@0.5 on those images reaches 0.9 — on the wasm backend (trainable through @od/tf's
// convolution backprop kernels), with no tensor leaks across training steps.
test("a tiny SSD overfits 8 synthetic images: loss ÷10, mAP ≥ 0.9", async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
  const { dataset, images } = syntheticShapes({
    count: 8,
    size: 64,
    objects: [1, 2],
    side: [14, 24],
    seed: 11,
  });
  const ds = createDataset({ classNames: dataset.classNames, images: dataset.images });
  const config = resolveTrainConfig({
    data: { root: "." },
    model: {
      inputSize: { width: 64, height: 64 },
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      priors: { minScale: 0.2, maxScale: 0.5, aspectRatios: [] },
    },
    augment: { preset: "none" },
    train: { batchSize: 8, lr: 1e-2, warmupSteps: 10, minNegativesPerImage: 8 },
  });
  const det = new SsdDetector(
    defaultSsdConfig({
      classNames: ds.classNames,
      inputSize: config.model.inputSize,
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      priors: { minScale: 0.2, maxScale: 0.5, aspectRatios: [] },
      seed: 1,
    }),
  );
  const load = async (r: { file: string }) => images.get(r.file)!;
  // One batch of all 8 images (batch size 8), as the training pipeline prepares it for epoch 0.
  const { batch, optimizer: opt } = await fixedBatchTraining(
    det,
    config,
    ds,
    load,
    { kind: "adamw", weightDecay: 0 },
    8,
  );
  const steps = 160;
  const sched = { lr: 1e-2, warmupSteps: 10, kind: "cosine" as const, totalSteps: steps };
  const losses: number[] = [];
  let tensors = -1;
  for (let s = 0; s < steps; s++) {
    losses.push(trainStep(det, opt, batch, config, learningRateAt(sched, s)).loss);
    if (s === 1) tensors = tf.memory().numTensors;
  }
  expect(tf.memory().numTensors).toBe(tensors);
  const first = (losses[0]! + losses[1]!) / 2;
  const last = (losses.at(-1)! + losses.at(-2)!) / 2;
  expect(last).toBeLessThan(first / 10);
  const ev = await evaluateDetector(det, ds.images, load, ds.classNames, { scoreThreshold: 0.05 });
  expect(ev.voc.mAP).toBeGreaterThanOrEqual(0.9);
  opt.dispose();
  det.dispose();
}, 120_000);
