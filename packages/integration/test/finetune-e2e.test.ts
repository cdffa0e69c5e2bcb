import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@od/cli";
import { SSDLITE_POSTPROCESS } from "@od/ssd";
import { loadDetector } from "@od/ssd/node";
import { initBackend, tf } from "@od/tf";
import { afterAll, beforeAll, expect, test } from "vitest";

// Fine-tuning through the CLI: torchvision's SSDlite (the reduced-width fixture of
// packages/ssd/scripts/ssdlite_fixtures.py, 4 classes = BCCD's 3 + background) trained from its .pth for
// two epochs of two steps on the shipped BCCD slice, the first with a frozen backbone; the saved model
// loads with loadDetector, predicts with `odet predict` and exports with `odet export`.
const BCCD = fileURLToPath(new URL("../../cli/demo-data/bccd", import.meta.url));
const WEIGHTS = fileURLToPath(new URL("../../ssd/test/fixtures/ssdlite320/model.pth", import.meta.url));
let root: string;

function capture() {
  let out = "";
  let err = "";
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-finetune-e2e-"));
  await writeFile(
    path.join(root, "ssdlite.json"),
    JSON.stringify({
      model: { backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.5, reducedTail: true } },
      data: { maxTrainImages: 4, maxValImages: 2 },
      augment: { preset: "none" },
      train: { batchSize: 2, warmupSteps: 0, workers: 0 },
      eval: { everyEpochs: 1, samples: 0 },
    }),
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test("odet train --model ssdlite320_mobilenet_v3_large --weights <.pth> → predict → export", async () => {
  const run = path.join(root, "run");
  const t0 = performance.now();
  let c = capture();
  const args = ["train", "--data", BCCD, "--out", run, "--config", path.join(root, "ssdlite.json")];
  const flags = [
    "--model",
    "ssdlite320_mobilenet_v3_large",
    "--weights",
    WEIGHTS,
    "--freeze-backbone-epochs",
    "1",
  ];
  const code = await runCli([...args, ...flags, "--epochs", "2", "--backend", "wasm"], c.io);
  expect(code, c.err()).toBe(0);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`odet train (ssdlite, 2 epochs of 2 steps of 2 images, eval on 2): ${seconds.toFixed(1)} s`);
  expect(c.out()).toMatch(/epoch 2\/2/);
  expect(c.err()).toContain(`weights: ${WEIGHTS} (pth, a detector): `);
  expect(c.err()).toContain("every parameter (strict)");
  const report = JSON.parse(await readFile(path.join(run, "weights.json"), "utf8"));
  expect(report).toMatchObject({ kind: "detector", strict: true, reinitialised: [], missing: [] });
  const config = JSON.parse(await readFile(path.join(run, "config.json"), "utf8"));
  expect(config.model).toMatchObject({ architecture: "ssdlite320_mobilenet_v3_large", weights: WEIGHTS });

  await initBackend({ prefer: ["wasm", "cpu"] });
  const det = await loadDetector(path.join(run, "model"));
  expect(det.config).toMatchObject({ head: "ssdlite", inputFit: "resize", postprocess: SSDLITE_POSTPROCESS });
  expect(det.priors.length).toBe(3234);
  const img = { data: new Uint8Array(200 * 150 * 3).fill(128), shape: [150, 200, 3] };
  await det.predict([img]); // caches the batch-norm-folded filters (owned by the model)
  const before = tf.memory().numTensors;
  const [d] = await det.predict([img]);
  expect(tf.memory().numTensors).toBe(before);
  for (let i = 0; i < d!.boxes.length; i++) {
    const [x1, y1, x2, y2] = Array.from(d!.boxes.data.subarray(i * 4, i * 4 + 4));
    expect(x1! >= 0 && y1! >= 0 && x2! <= 200 && y2! <= 150).toBe(true);
  }
  det.dispose();

  c = capture();
  const pred = path.join(root, "pred");
  const image = path.join(BCCD, "JPEGImages", (await readdir(path.join(BCCD, "JPEGImages")))[0]!);
  expect(
    await runCli(["predict", "--model", run, image, "--out", pred, "--backend", "wasm"], c.io),
    c.err(),
  ).toBe(0);
  expect(await readdir(pred)).toContain("detections.json");

  c = capture();
  const onnx = path.join(root, "model.onnx");
  expect(await runCli(["export", "--model", run, "--format", "onnx", "--out", onnx], c.io), c.err()).toBe(0);
  expect((await readFile(onnx)).length).toBeGreaterThan(1_000_000);
}, 120_000);
