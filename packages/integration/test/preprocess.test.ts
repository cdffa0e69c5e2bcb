// One input path: the network input a training batch holds and the one `predict` feeds the network are
// the same bytes for the same decoded image (augmentation preset `none`). Both go through the shared
// resampler of @od/image and the normalisation of @od/ssd's preprocessing.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { boxes } from "@od/boxes";
import { createDataset, type ImageRecord } from "@od/data";
import { decodeImageFile } from "@od/data/node";
import { type Uint8Image, uint8Image } from "@od/image";
import { defaultSsdConfig, type InputFit, SsdDetector } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { collate, resolveTrainConfig, type TrainingBatch, trainingPipeline } from "@od/train";
import { beforeAll, describe, expect, test } from "vitest";

beforeAll(async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
});

const bccd = fileURLToPath(
  new URL("../../../../shared/datasets/bccd/JPEGImages/BloodImage_00000.jpg", import.meta.url),
);

function recordOf(image: Uint8Image, file: string): ImageRecord {
  const [height, width] = image.shape as [number, number];
  const b = boxes([[width * 0.2, height * 0.3, width * 0.6, height * 0.7]], "xyxy", "px");
  return {
    id: file,
    file,
    size: { width, height },
    boxes: b,
    labels: Int32Array.of(0),
    difficult: new Uint8Array(1),
    crowd: new Uint8Array(1),
    truncated: new Uint8Array(1),
  };
}

/** The two paths for one image: the training batch's input tensor and the tensor `predict` runs on. */
async function bothPaths(
  image: Uint8Image,
  inputSize: { width: number; height: number },
  inputFit: InputFit,
): Promise<{ train: Float32Array; predict: Float32Array }> {
  const backbone = { kind: "mobilenet" as const, widthMultiplier: 0.25, taps: [8, 16] };
  const config = resolveTrainConfig({
    data: { root: "." },
    model: { inputSize, inputFit, backbone },
    augment: { preset: "none" },
  });
  const det = new SsdDetector(defaultSsdConfig({ classNames: ["cell"], inputSize, inputFit, backbone }));
  const rec = recordOf(image, "image-0");
  const dataset = createDataset({ classNames: ["cell"], images: [rec] });
  let batch: TrainingBatch | undefined;
  for await (const b of trainingPipeline(config, dataset, det, async () => image).epoch(0))
    batch = collate(b);
  if (batch === undefined) throw new Error("no training batch");
  // the tensor the training step makes of the batch (step.ts: tf.tensor4d(batch.images, [B, H, W, 3]))
  const x = tf.tensor4d(batch.images, [1, inputSize.height, inputSize.width, 3]);
  const train = x.dataSync().slice() as Float32Array;
  x.dispose();
  // what predict feeds the network: the argument of its forward call
  let predict: Float32Array | undefined;
  const forward = det.forward.bind(det);
  det.forward = (input, training, options) => {
    predict = input.dataSync().slice() as Float32Array;
    return forward(input, training, options);
  };
  await det.predict([image]); // the first inference caches the batch-norm-folded filters
  const first = predict;
  const before = tf.memory().numTensors;
  await det.predict([image]);
  expect(tf.memory().numTensors).toBe(before);
  expect(predict).toEqual(first);
  det.dispose();
  if (predict === undefined) throw new Error("predict did not call forward");
  return { train, predict };
}

function expectSameBytes(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (x.equals(y)) return;
  const i = a.findIndex((v, k) => !Object.is(v, b[k]));
  expect.fail(`value ${i} differs: training ${a[i]} vs predict ${b[i]}`);
}

describe("training and prediction see the same network input", () => {
  const hashed = (w: number, h: number, seed: number) =>
    uint8Image(
      Uint8Array.from({ length: w * h * 3 }, (_, i) => Math.imul(i + 1 + seed * 7919, 2654435761) >>> 24),
      w,
      h,
    );

  test.each([
    ["letterbox", 150, 100, 96, 64],
    ["letterbox", 70, 90, 64, 64],
    ["resize", 150, 100, 64, 96],
    ["letterbox", 64, 64, 64, 64],
  ] as const)("%s %i×%i → %i×%i: byte-identical tensors", async (fit, w, h, iw, ih) => {
    const { train, predict } = await bothPaths(hashed(w, h, w + h), { width: iw, height: ih }, fit);
    expect(train.every((v) => v >= -1 && v <= 1)).toBe(true);
    expectSameBytes(train, predict);
  });

  test.skipIf(!existsSync(bccd))(
    "a decoded BCCD JPEG, 640×480 → 320×320 letterbox: byte-identical",
    async () => {
      const image = await decodeImageFile(bccd);
      const { train, predict } = await bothPaths(image, { width: 320, height: 320 }, "letterbox");
      expectSameBytes(train, predict);
    },
  );
});
