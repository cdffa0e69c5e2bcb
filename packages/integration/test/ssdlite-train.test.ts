import { syntheticShapes } from "@od/data";
import { ssdlite320MobilenetV3Large } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { resolveTrainConfig, trainStep } from "@od/train";
import { expect, test } from "vitest";
import { fixedBatchTraining } from "./helpers/fixed-batch.js";

// torchvision's SSDlite architecture trains with od's trainer on wasm: MultiBox loss, AdamW, batch-norm
// running averages at momentum 0.03; the loss falls on a fixed batch and no tensor leaks.
test("ssdlite320MobilenetV3Large trains on wasm with the trainer: loss falls, no leaks", async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
  expect(tf.getBackend()).toBe("wasm");
  const det = ssdlite320MobilenetV3Large({ numClasses: 4, widthMultiplier: 0.25, seed: 1 });
  const config = resolveTrainConfig({
    data: { root: "." },
    model: { inputFit: "resize" },
    augment: { preset: "none" },
    train: { backends: ["wasm"], batchSize: 2 },
  });
  const { dataset, images } = syntheticShapes({ count: 2, size: 320, objects: [1, 3], seed: 3 });
  const load = async (r: { readonly file: string }) => images.get(r.file)!;
  const before = tf.memory().numTensors;
  const { batch, optimizer: opt } = await fixedBatchTraining(
    det,
    config,
    dataset,
    load,
    { kind: "adamw" },
    2,
  );
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = trainStep(det, opt, batch, config, 1e-3);
    expect(r.applied).toBe(true);
    losses.push(r.loss);
  }
  opt.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(losses[5]!).toBeLessThan(losses[0]!);
  det.dispose();
}, 120_000);
