import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { writeSyntheticVoc } from "@od/data/node";
import { tf } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BatchBuilder, epochOrder, resolveTrainConfig } from "../src/index.js";
import {
  datasetImageLoader,
  loadRunDetector,
  loadTrainingData,
  type TrainEvent,
  train,
} from "../src/node.js";

let root: string;
let data: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-train-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 12, size: 64, seed: 5, trainCount: 8 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (over: Record<string, unknown> = {}) => ({
  data: { root: data },
  model: {
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
  },
  augment: { preset: "light" },
  train: { epochs: 2, batchSize: 4, warmupSteps: 1, backends: ["cpu"], seed: 3, ...over },
  eval: { everyEpochs: 1, samples: 1 },
});

const stepLosses = async (dir: string) =>
  (await readFile(path.join(dir, "log.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as TrainEvent)
    .filter((e): e is Extract<TrainEvent, { type: "step" }> => e.type === "step")
    .map((e) => [e.step, e.loss] as const);

describe("train (Node run folder)", () => {
  test("writes a readable run folder, checkpoints, and resumes to the same losses", async () => {
    const full = path.join(root, "full");
    const events: TrainEvent[] = [];
    const before = tf.memory().numTensors;
    const s = await train(config(), { out: full, onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.epochsCompleted).toBe(2);
    expect(s.steps).toBe(4);
    expect(events.map((e) => e.type)).toContain("eval");
    const files = await readdir(full);
    for (const f of [
      "config.json",
      "data-report.json",
      "log.jsonl",
      "loss.svg",
      "lr.svg",
      "map.svg",
      "eval.json",
      "eval.txt",
      "summary.json",
      "model",
      "best",
      "checkpoints",
      "predictions",
    ]) {
      expect(files).toContain(f);
    }
    expect(JSON.parse(await readFile(path.join(full, "checkpoints", "last.json"), "utf8"))).toMatchObject({
      epoch: 2,
    });
    // Priors were fitted to the training boxes (the default) and the fitted config replaced the request.
    const pri = JSON.parse(await readFile(path.join(full, "priors.json"), "utf8"));
    expect(pri.after.recall).toBeGreaterThanOrEqual(pri.before.recall);
    const saved = JSON.parse(await readFile(path.join(full, "config.json"), "utf8"));
    expect(saved.model.priors.config.shapes).toHaveLength(2);
    // Same seed, interrupted after epoch 1, then resumed: identical step losses.
    const part = path.join(root, "part");
    await train(config({ epochs: 1 }), { out: part });
    await train(config({ epochs: 2 }), { out: part, resume: true });
    expect(await stepLosses(part)).toEqual(await stepLosses(full));
    const det = await loadRunDetector(full);
    expect(det.numClasses).toBe(4);
    det.dispose();
  });

  test("resume without a checkpoint is a BAD_CHECKPOINT error", async () => {
    const empty = path.join(root, "empty");
    await expect(train(config(), { out: empty, resume: true })).rejects.toSatisfy(
      (e: unknown) => isOdError(e, "BAD_CHECKPOINT") && /no completed checkpoint/.test((e as Error).message),
    );
  });

  test("non-finite losses skip the step and stop the run after maxNonFinite, naming the images", async () => {
    const out = path.join(root, "nan");
    await expect(
      train(config({ lr: 1e30, warmupSteps: 0, maxNonFinite: 2, gradClip: 1e38 }), { out }),
    ).rejects.toSatisfy(
      (e: unknown) =>
        isOdError(e, "NON_FINITE_LOSS") &&
        /non-finite losses in a row .* last batch: synthetic-/.test((e as Error).message),
    );
  });
});

describe("BatchBuilder", () => {
  test("same seed, epoch and position give the same bytes; targets have positives", async () => {
    const c = resolveTrainConfig({ ...config(), augment: { preset: "ssd" } });
    const { train: ds } = await loadTrainingData(c);
    const { SsdDetector, defaultSsdConfig } = await import("@od/ssd");
    const det = new SsdDetector(
      defaultSsdConfig({
        classNames: ds.classNames,
        inputSize: c.model.inputSize,
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      }),
    );
    const b = new BatchBuilder(c, det, datasetImageLoader(ds));
    const order = epochOrder(ds.images, 4, 0, 3, 0);
    expect(order).toEqual(epochOrder(ds.images, 4, 0, 3, 0));
    expect(order).not.toEqual(epochOrder(ds.images, 4, 0, 3, 1));
    const recs = order.slice(0, 4).map((i) => ds.images[i]!);
    const x = await b.build(recs, 0, 0);
    const y = await b.build(recs, 0, 0);
    const z = await b.build(recs, 1, 0);
    expect(Array.from(x.images)).toEqual(Array.from(y.images));
    expect(Array.from(x.labels)).toEqual(Array.from(y.labels));
    expect(Array.from(x.images)).not.toEqual(Array.from(z.images));
    expect(x.numPositive).toBeGreaterThan(0);
    expect(x.images.every((v) => v >= -1 && v <= 1)).toBe(true);
    det.dispose();
  });

  test("targets are encoded with the model's own variances; a model of another input size is refused", async () => {
    const c = resolveTrainConfig({ ...config(), augment: { preset: "none" } });
    const { train: ds } = await loadTrainingData(c);
    const { SsdDetector, defaultSsdConfig } = await import("@od/ssd");
    const make = (over: Partial<Parameters<typeof defaultSsdConfig>[0]>) =>
      new SsdDetector(
        defaultSsdConfig({
          classNames: ds.classNames,
          inputSize: c.model.inputSize,
          backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
          ...over,
        }),
      );
    const ssd = make({});
    const wide = make({ variances: [0.2, 0.2, 0.4, 0.4] });
    const recs = ds.images.slice(0, 2);
    const a = await new BatchBuilder(c, ssd, datasetImageLoader(ds)).build(recs, 0, 0);
    const b = await new BatchBuilder(c, wide, datasetImageLoader(ds)).build(recs, 0, 0);
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(a.numPositive).toBeGreaterThan(0);
    // doubling every variance halves every regression target
    const worst = a.locTargets.reduce(
      (m, v, i) => Math.max(m, Math.abs(v - 2 * (b.locTargets[i] as number))),
      0,
    );
    expect(worst).toBeLessThan(1e-5);
    const other = make({
      inputSize: { width: c.model.inputSize.width + 32, height: c.model.inputSize.height },
    });
    expect(() => new BatchBuilder(c, other, datasetImageLoader(ds))).toThrow(
      /^BatchBuilder: model.inputSize .* of the training config differs from the model's/,
    );
    for (const d of [ssd, wide, other]) d.dispose();
  });

  test("negativeShare puts background-only images in every batch", () => {
    const mk = (n: number) => ({ boxes: { length: n } }) as never;
    const images = [mk(1), mk(2), mk(0), mk(1), mk(3), mk(0), mk(1), mk(1)];
    const order = epochOrder(images, 4, 0.25, 1, 0);
    for (let s = 0; s < order.length; s += 4) {
      const negs = order.slice(s, s + 4).filter((i) => [2, 5].includes(i)).length;
      expect(negs).toBe(1);
    }
  });
});
