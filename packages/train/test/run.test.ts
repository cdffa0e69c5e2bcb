import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeImage, makeSample } from "@od/augment";
import { boxes, isOdError } from "@od/boxes";
import { addNegatives, type ImageRecord, negativeRecord, syntheticShapes } from "@od/data";
import { writeSyntheticVoc } from "@od/data/node";
import { defaultSsdConfig, preprocessSample, SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  collate,
  encodeSample,
  resolveTrainConfig,
  type TrainingSample,
  trainingLabels,
  trainingPipeline,
} from "../src/index.js";
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

const collectEpoch = async (p: ReturnType<typeof trainingPipeline>, epoch: number) => {
  const out: ReturnType<typeof collate>[] = [];
  for await (const b of p.epoch(epoch)) out.push(collate(b));
  return out;
};

describe("trainingPipeline", () => {
  test("same seed and epoch give the same bytes at any prefetch depth; epochs differ; targets have positives", async () => {
    const c = resolveTrainConfig({ ...config(), augment: { preset: "ssd" } });
    const { train: ds } = await loadTrainingData(c);
    const det = new SsdDetector(
      defaultSsdConfig({
        classNames: ds.classNames,
        inputSize: c.model.inputSize,
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      }),
    );
    const load = datasetImageLoader(ds);
    const p = trainingPipeline(c, ds, det, load);
    expect(p.batchesPerEpoch).toBe(2);
    const a = await collectEpoch(p, 0);
    const b = await collectEpoch(trainingPipeline(c, ds, det, load, { prefetch: 0 }), 0);
    const e1 = await collectEpoch(p, 1);
    expect(a.map((x) => x.ids.length)).toEqual([4, 4]);
    expect(a.flatMap((x) => x.ids).sort()).toEqual(ds.images.map((r) => r.id).sort());
    for (const [i, x] of a.entries()) {
      const y = b[i]!;
      expect(x.ids).toEqual(y.ids);
      expect(Buffer.from(x.images.buffer).equals(Buffer.from(y.images.buffer))).toBe(true);
      expect(Array.from(x.labels)).toEqual(Array.from(y.labels));
      expect(Array.from(x.locTargets)).toEqual(Array.from(y.locTargets));
      expect(x.numPositive).toBeGreaterThan(0);
      for (const v of x.images) expect(v >= -1 && v <= 1).toBe(true);
    }
    expect(e1.map((x) => x.ids)).not.toEqual(a.map((x) => x.ids));
    det.dispose();
  });

  test("targets are encoded with the model's own variances; a model of another input size is refused", async () => {
    const c = resolveTrainConfig({ ...config(), augment: { preset: "none" } });
    const { train: ds } = await loadTrainingData(c);
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
    const load = datasetImageLoader(ds);
    const [a] = await collectEpoch(trainingPipeline(c, ds, ssd, load), 0);
    const [b] = await collectEpoch(trainingPipeline(c, ds, wide, load), 0);
    expect(Array.from(b!.images)).toEqual(Array.from(a!.images));
    expect(Array.from(b!.labels)).toEqual(Array.from(a!.labels));
    expect(a!.numPositive).toBeGreaterThan(0);
    // doubling every variance halves every regression target
    const worst = a!.locTargets.reduce(
      (m, v, i) => Math.max(m, Math.abs(v - 2 * (b!.locTargets[i] as number))),
      0,
    );
    expect(worst).toBeLessThan(1e-5);
    const other = make({
      inputSize: { width: c.model.inputSize.width + 32, height: c.model.inputSize.height },
    });
    expect(() => trainingPipeline(c, ds, other, load)).toThrow(
      /^trainingPipeline: model.inputSize .* of the training config differs from the model's/,
    );
    for (const d of [ssd, wide, other]) d.dispose();
  });

  test("negativeShare puts that share of background-only images in every batch; 0 makes them ordinary members", async () => {
    const { dataset } = syntheticShapes({ count: 8, size: 64, seed: 1 });
    const ds = addNegatives(
      dataset,
      [0, 1, 2].map((i) => negativeRecord(`neg${i}.png`, { width: 64, height: 64 })),
    );
    const model = new SsdDetector(
      defaultSsdConfig({
        classNames: ["a"],
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      }),
    );
    const never = async (): Promise<never> => {
      throw new Error("not decoded");
    };
    const isNeg = (i: number) => ds.images[i]!.boxes.length === 0;
    const c = resolveTrainConfig({ ...config(), data: { root: ".", negativeShare: 0.25 } });
    const plan = trainingPipeline(c, ds, model, never).plan(0);
    expect(plan).toHaveLength(3); // 8 object images, 3 per batch
    for (const batch of plan) expect(batch.filter(isNeg)).toHaveLength(1);
    expect(
      plan
        .flat()
        .filter((i) => !isNeg(i))
        .sort((x, y) => x - y),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const zero = resolveTrainConfig({ ...config(), data: { root: "." } });
    const all = trainingPipeline(zero, ds, model, never).plan(0).flat();
    expect(all.sort((x, y) => x - y)).toEqual(ds.images.map((_, i) => i));
    // Without background-only images the share does not apply (every image once per epoch).
    const plain = trainingPipeline(c, dataset, model, never).plan(0);
    expect(plain.map((b) => b.length)).toEqual([4, 4]);
    model.dispose();
  });
});

describe("trainingLabels", () => {
  test.each([
    [[0, 2, 1], false, [1, 3, 2]],
    [[0, 2, 1], true, [1, 1, 1]],
    [[], false, []],
    [[], true, []],
  ])("%j (class-agnostic %s) → %j", (labels, agnostic, want) => {
    expect(Array.from(trainingLabels(Int32Array.from(labels), agnostic))).toEqual(want);
  });
});

describe("encodeSample", () => {
  test("is the model's preprocessing (preprocessSample of @od/ssd) with the SSD matcher at train.matchThreshold", () => {
    const c = resolveTrainConfig({
      ...config(),
      data: { root: "." },
      model: { ...config().model, inputSize: { width: 64, height: 64 } },
      train: { matchThreshold: 0.4 },
    });
    const det = new SsdDetector(
      defaultSsdConfig({
        classNames: ["a", "b"],
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      }),
    );
    const px = Uint8Array.from({ length: 48 * 80 * 3 }, (_, i) => (i * 37) % 256);
    const s = makeSample(makeImage(px, 80, 48, 3), boxes([[8, 4, 40, 30]], "xyxy", "px"), [2]);
    const e = encodeSample(s, det, c);
    const want = preprocessSample(s, det, { matcher: { kind: "ssd", threshold: 0.4 } });
    expect(Buffer.from(e.image.buffer).equals(Buffer.from(want.input.data.buffer))).toBe(true);
    expect(Array.from(e.locTargets)).toEqual(Array.from(want.targets.locTargets));
    expect(Array.from(e.labels)).toEqual(Array.from(want.targets.labels));
    expect(e.numPositive).toBe(want.targets.numPositive);
    expect(e.numPositive).toBeGreaterThan(0);
    expect(Array.from(e.labels).filter((l) => l > 0)).toEqual(Array(e.numPositive).fill(2));
    det.dispose();
  });
});

describe("collate", () => {
  const rec = (id: string) => ({ id }) as ImageRecord;
  const sample = (v: number, P = 2): TrainingSample => ({
    image: new Float32Array(3).fill(v),
    locTargets: new Float32Array(P * 4).fill(v),
    labels: new Int32Array(P).fill(v),
    numPositive: v,
    dropped: 1,
  });
  test("stacks samples in order, ids from the records, sums positives and drops", () => {
    const b = collate({ samples: [sample(1), sample(2)], records: [rec("a"), rec("b")] });
    expect(Array.from(b.images)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(b.labels)).toEqual([1, 1, 2, 2]);
    expect(b.locTargets.length).toBe(16);
    expect(b.locTargets[8]).toBe(2);
    expect(b.ids).toEqual(["a", "b"]);
    expect(b.numPositive).toBe(3);
    expect(b.dropped).toBe(2);
  });
  test("empty, mismatched records, or samples of different sizes are typed errors", () => {
    const err = (re: RegExp) =>
      expect.objectContaining({ code: "INVALID_CONFIG", message: expect.stringMatching(re) });
    expect(() => collate({ samples: [], records: [] })).toThrow(err(/^collate: samples is empty/));
    expect(() => collate({ samples: [sample(1)], records: [] })).toThrow(
      err(/^collate: 1 samples but 0 records/),
    );
    expect(() => collate({ samples: [sample(1), sample(1, 3)], records: [rec("a"), rec("b")] })).toThrow(
      err(/^collate: samples\[1\] \(b\) has 3 pixel values and 3 priors; samples\[0\] has 3 and 2/),
    );
  });
});
