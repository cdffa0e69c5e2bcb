import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRng } from "@od/augment";
import { boxes, isOdError } from "@od/boxes";
import { writeSyntheticVoc } from "@od/data/node";
import { fitPriors } from "@od/priors";
import { CropClassifier, classifyBoxes, type Detections, SsdDetector } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CropBatcher,
  classifierParameterNames,
  classifierStep,
  combineDetections,
  detectionCrops,
  evaluateDetector,
  groundTruthCrops,
  jitterBox,
  Optimizer,
  resolveTrainConfig,
} from "../src/index.js";
import {
  datasetImageLoader,
  loadRunPredictor,
  loadTrainingData,
  type TrainEvent,
  type TrainSummary,
  train,
} from "../src/node.js";

let root: string;
let data: string;
beforeAll(async () => {
  await initBackend({ prefer: ["cpu"] });
  root = await mkdtemp(path.join(tmpdir(), "od-staged-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 12, size: 64, seed: 5, trainCount: 8 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (over: Record<string, unknown> = {}, staged: Record<string, unknown> = {}) => ({
  data: { root: data },
  model: {
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
  },
  augment: { preset: "light" },
  train: { epochs: 1, batchSize: 4, warmupSteps: 1, backends: ["cpu"], seed: 3, workers: 0, ...over },
  // A low threshold: after one epoch the detector's scores are low, and the staged score is a product.
  eval: { everyEpochs: 1, samples: 1, scoreThreshold: 0.001 },
  staged: { enabled: true, cropSize: 16, epochs: 2, batchSize: 8, ...staged },
});

const det = (rows: number[][], scores: number[]): Detections => ({
  boxes: boxes(rows, "xyxy", "px"),
  scores: Float32Array.from(scores),
  labels: new Int32Array(scores.length).fill(1),
});

describe("combineDetections", () => {
  test("score = detection × class probability, below threshold dropped, re-sorted (stable)", () => {
    const d = det(
      [
        [0, 0, 10, 10],
        [5, 5, 20, 20],
        [1, 1, 2, 2],
        [30, 30, 40, 40],
      ],
      [0.9, 0.8, 0.5, 0.4],
    );
    const c = { labels: Int32Array.from([2, 1, 3, 1]), scores: Float32Array.from([0.5, 1, 0.01, 1]) };
    const r = combineDetections(d, c, 0.05);
    // 0.45, 0.8, 0.005 (dropped), 0.4
    expect(Array.from(r.scores)).toEqual([0.8, 0.45, 0.4].map((v) => Math.fround(v)));
    expect(Array.from(r.labels)).toEqual([1, 2, 1]);
    expect(Array.from(r.boxes.data)).toEqual([5, 5, 20, 20, 0, 0, 10, 10, 30, 30, 40, 40]);
  });
  test("empty input gives empty output", () => {
    const r = combineDetections(det([], []), { labels: new Int32Array(0), scores: new Float32Array(0) }, 0);
    expect(r.boxes.length).toBe(0);
    expect(r.scores.length).toBe(0);
  });
  test("ties keep the detector's order", () => {
    const d = det(
      [
        [0, 0, 1, 1],
        [2, 2, 3, 3],
      ],
      [0.5, 0.5],
    );
    const r = combineDetections(d, { labels: Int32Array.from([1, 2]), scores: Float32Array.from([1, 1]) }, 0);
    expect(Array.from(r.labels)).toEqual([1, 2]);
  });
});

describe("jitterBox", () => {
  test("stays inside the image, moves each side by at most the amount, same seed same box", () => {
    const size = { width: 50, height: 40 };
    for (let seed = 0; seed < 50; seed++) {
      const b = jitterBox([0, 5, 20, 40], 0.1, size, createRng(seed));
      expect(b).toEqual(jitterBox([0, 5, 20, 40], 0.1, size, createRng(seed)));
      expect(b[0]).toBeGreaterThanOrEqual(0);
      expect(b[3]).toBeLessThanOrEqual(40);
      expect(Math.abs(b[0] - 0)).toBeLessThanOrEqual(2 + 1e-9);
      expect(Math.abs(b[1] - 5)).toBeLessThanOrEqual(3.5 + 1e-9);
      expect(b[2] - b[0]).toBeGreaterThan(0);
    }
  });
  test("amount 0 returns the box", () => {
    expect(jitterBox([1, 2, 3, 4], 0, { width: 10, height: 10 }, createRng(1))).toEqual([1, 2, 3, 4]);
  });
});

describe("detectionCrops", () => {
  test("keeps detections with IoU ≥ 0.5 to a GT box, labelled with the best-overlapping GT", async () => {
    const c = resolveTrainConfig(config());
    const { train: ds } = await loadTrainingData(c);
    const rec = ds.images.find((r) => r.boxes.length > 0)!;
    const g = Array.from(rec.boxes.data.subarray(0, 4));
    const far = [1000, 1000, 1001, 1001];
    const r = detectionCrops(rec, det([g, far], [0.9, 0.9]));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ index: -1, label: rec.labels[0] });
    expect(detectionCrops(rec, det([], []))).toEqual([]);
  });
});

describe("CropBatcher + classifierStep", () => {
  test("seeded batches, the loss goes down on a fixed batch, no tensor leaks", async () => {
    const c = resolveTrainConfig(config());
    const { train: ds } = await loadTrainingData(c);
    const samples = groundTruthCrops(ds.images);
    expect(samples.length).toBe(ds.images.reduce((s, r) => s + r.boxes.length, 0));
    const batcher = new CropBatcher(samples, datasetImageLoader(ds), { cropSize: 16, seed: 1 });
    expect(batcher.order(0)).toEqual(batcher.order(0));
    expect(batcher.order(0)).not.toEqual(batcher.order(1));
    const k = new CropClassifier({ classNames: ds.classNames, cropSize: 16, width: 4, seed: 1 });
    const vars = k.trainableVariables();
    const opt = new Optimizer(
      { kind: "adamw", weightDecay: 0 },
      classifierParameterNames(k).map((name, i) => ({ name, variable: vars[i]! })),
    );
    const before = tf.memory().numTensors;
    const a = await batcher.batch(batcher.order(0), 0, 8, 0);
    const b = await batcher.batch(batcher.order(0), 0, 8, 0);
    expect(a.crops.shape).toEqual([8, 16, 16, 3]);
    expect(Array.from(a.crops.dataSync())).toEqual(Array.from(b.crops.dataSync()));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    b.crops.dispose();
    const losses: number[] = [];
    for (let s = 0; s < 15; s++) losses.push(classifierStep(k, opt, a.crops, a.labels, 3e-3, 10).loss);
    a.crops.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    opt.dispose();
    k.dispose();
  });
  test("no samples is a BAD_DATASET error", () => {
    expect(() => new CropBatcher([], async () => undefined as never, { cropSize: 8, seed: 0 })).toThrow(
      expect.objectContaining({
        code: "BAD_DATASET",
        message: expect.stringMatching(/^CropBatcher: samples is empty/),
      }),
    );
  });
});

describe("train with staged.enabled", () => {
  test("stage 1 class-agnostic, stage 2 classifier, staged evaluation; the predictor reproduces it", async () => {
    const out = path.join(root, "staged");
    const events: TrainEvent[] = [];
    const before = tf.memory().numTensors;
    const s = await train(config({}, { detectorCrops: true }), { out, onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    const files = await readdir(out);
    for (const f of ["classifier", "eval-staged.json", "eval.txt", "summary.json", "model", "predictions"])
      expect(files).toContain(f);
    expect(await readdir(path.join(out, "classifier"))).toEqual(["classifier.bin", "classifier.json"]);
    const saved = JSON.parse(await readFile(path.join(out, "config.json"), "utf8"));
    expect(saved.model.classAgnostic).toBe(true);
    expect(events.filter((e) => e.type === "classifier-epoch")).toHaveLength(2);
    expect(events.map((e) => e.type)).toContain("staged-eval");
    const summary = JSON.parse(await readFile(path.join(out, "summary.json"), "utf8")) as TrainSummary;
    expect(summary.staged).toEqual(s.staged);
    expect(summary.staged?.vocMap).toBeGreaterThan(0);
    expect(Object.keys(summary.staged?.perClass ?? {}).sort()).toEqual(
      [...(await loadTrainingData(resolveTrainConfig(config()))).classNames].sort(),
    );
    expect(Object.keys(summary.best?.perClass ?? {})).toEqual(["object"]);
    const txt = await readFile(path.join(out, "eval.txt"), "utf8");
    expect(txt).toMatch(/## Stage 1: class-agnostic detector/);
    expect(txt).toMatch(/## Staged: detector boxes relabelled by the crop classifier/);
    expect(txt).toMatch(/staged \(detector \+ classifier\)/);

    // Round trip: the saved detector + classifier, loaded as one predictor, give the run's numbers.
    const p = await loadRunPredictor(out);
    expect(p.classifier).toBeDefined();
    expect(p.numClasses).toBe(p.classNames.length + 1);
    const c = resolveTrainConfig(JSON.parse(await readFile(path.join(out, "config.json"), "utf8")));
    const { val, classNames } = await loadTrainingData(c);
    expect(p.classNames).toEqual(classNames);
    const load = datasetImageLoader(val);
    const ev = await evaluateDetector(p, val.images, load, classNames, {
      scoreThreshold: c.eval.scoreThreshold,
      iouThreshold: c.eval.iouThreshold,
    });
    // After the first inference the models hold their batch-norm-folded filters; nothing else stays.
    const mid = tf.memory().numTensors;
    expect(ev.voc.mAP).toBeCloseTo(summary.staged!.vocMap, 6);
    expect(ev.coco.mAP).toBeCloseTo(summary.staged!.cocoMap, 6);
    // The predictor is the detector's boxes relabelled by the classifier.
    const img = await load(val.images[0]!);
    const [a] = await p.predict([img], { scoreThreshold: 0 });
    const [d] = await p.detector.predict([img], { scoreThreshold: 0 });
    const k = await classifyBoxes(p.classifier!, img, d!.boxes);
    const expected = combineDetections(d!, k, 0);
    expect(Array.from(a!.scores)).toEqual(Array.from(expected.scores));
    expect(Array.from(a!.labels)).toEqual(Array.from(expected.labels));
    expect(tf.memory().numTensors).toBe(mid);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Given the run's model/ folder, the predictor finds ../classifier too.
    const fromModel = await loadRunPredictor(path.join(out, "model"));
    expect(fromModel.classifier).toBeDefined();
    fromModel.dispose();
  });

  test("a run stopped during stage 2 resumes stage 2 from its last classifier checkpoint and ends as an uninterrupted run", async () => {
    const cfg = config({}, { epochs: 3 });
    const full = path.join(root, "stage2-full");
    const fullSummary = await train(cfg, { out: full });
    const part = path.join(root, "stage2-part");
    const before = tf.memory().numTensors;
    // Stopped right after the classifier checkpoint of its first epoch is on disk.
    const stopped = await train(cfg, {
      out: part,
      onEvent: (e) => {
        if (e.type === "classifier-checkpoint" && e.epoch === 0) throw new Error("stopped");
      },
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toBe("stopped");
    expect(tf.memory().numTensors).toBe(before);
    const last = JSON.parse(
      await readFile(path.join(part, "checkpoints", "classifier", "last.json"), "utf8"),
    );
    expect(last).toEqual({ dir: "epoch-0001", epoch: 1 });
    expect(await readdir(path.join(part, "checkpoints", "classifier", "epoch-0001"))).toEqual(
      ["classifier.bin", "classifier.json", "optimizer.bin", "optimizer.json", "state.json"].sort(),
    );
    expect(await readdir(part)).not.toContain("classifier");

    const events: TrainEvent[] = [];
    const resumed = await train(cfg, { out: part, resume: true, onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    // Stage 1 is over: no detector step; stage 2 continues with its second epoch.
    expect(events.filter((e) => e.type === "step")).toHaveLength(0);
    expect(events.find((e) => e.type === "start")).toMatchObject({ startEpoch: 1, workers: 0 });
    expect(events.flatMap((e) => (e.type === "classifier-epoch" ? [e.epoch] : []))).toEqual([1, 2]);
    const bytes = (dir: string, f: string) => readFile(path.join(dir, "classifier", f));
    expect((await bytes(part, "classifier.bin")).equals(await bytes(full, "classifier.bin"))).toBe(true);
    expect((await bytes(part, "classifier.json")).equals(await bytes(full, "classifier.json"))).toBe(true);
    const evalStaged = (dir: string) => readFile(path.join(dir, "eval-staged.json"), "utf8");
    expect(await evalStaged(part)).toBe(await evalStaged(full));
    expect(resumed.staged).toEqual(fullSummary.staged);
    expect(resumed.best).toEqual(fullSummary.best);
    expect(resumed.stoppedBy).toBe(fullSummary.stoppedBy);
    expect(resumed.steps).toBe(fullSummary.steps);
    // The log of the interrupted + resumed run holds the same classifier epochs as the uninterrupted one.
    const classifierEpochs = async (dir: string) =>
      (await readFile(path.join(dir, "log.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as TrainEvent)
        .flatMap((e) => (e.type === "classifier-epoch" ? [[e.epoch, e.loss, e.accuracy, e.lr]] : []));
    expect(await classifierEpochs(part)).toEqual(await classifierEpochs(full));
  }, 240_000);

  test("compareOneStage trains a one-stage detector with the same budget and reports both", async () => {
    const out = path.join(root, "compare");
    const s = await train(config({}, { compareOneStage: true, epochs: 1 }), { out });
    expect(s.oneStage?.out).toBe(path.join(out, "one-stage"));
    expect(s.oneStage?.vocMap).toBeGreaterThanOrEqual(0);
    const one = JSON.parse(await readFile(path.join(out, "one-stage", "config.json"), "utf8"));
    expect(one.model.classAgnostic).toBe(false);
    expect(one.staged.enabled).toBe(false);
    expect(one.train.epochs).toBe(1);
    const txt = await readFile(path.join(out, "eval.txt"), "utf8");
    expect(txt).toMatch(/one-stage detector \(one-stage\/\)\s+\d\.\d{3}\s+\d\.\d{3}/);
    expect(txt.match(/## Stage 1/g)).toHaveLength(1);
  });

  test("a one-class dataset is refused (the classifier needs two classes)", async () => {
    const one = await writeSyntheticVoc(path.join(root, "one"), {
      count: 4,
      size: 64,
      seed: 1,
      trainCount: 2,
    });
    const ann = path.join(one, "Annotations");
    for (const f of await readdir(ann)) {
      const x = await readFile(path.join(ann, f), "utf8");
      await writeFile(path.join(ann, f), x.replace(/<name>[^<]*<\/name>/g, "<name>shape</name>"));
    }
    const e = await train({ ...config(), data: { root: one } }, { out: path.join(root, "one-run") }).catch(
      (x: unknown) => x,
    );
    expect(isOdError(e, "BAD_DATASET")).toBe(true);
    expect((e as Error).message).toMatch(/^train: staged\.enabled needs at least 2 classes/);
  });
});

describe("model.priors: an explicit (fitted) prior config", () => {
  test("a fitPriors result trains; the bare config is accepted; a size mismatch is refused", async () => {
    const c = resolveTrainConfig(config());
    const { train: ds } = await loadTrainingData(c);
    const base = new SsdDetector({
      formatVersion: 1,
      inputSize: c.model.inputSize,
      classNames: ds.classNames,
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      head: "separable",
      priors: { minScale: 0.08, maxScale: 0.6, aspectRatios: [2] },
      variances: [0.1, 0.1, 0.2, 0.2],
      seed: 0,
    });
    const fit = fitPriors(ds.images, base.priorConfig, { budget: { priors: 200 }, seed: 1, iterations: 20 });
    base.dispose();
    const json = JSON.parse(JSON.stringify(fit)) as unknown;
    const bare = JSON.parse(JSON.stringify(fit.config)) as unknown;
    expect(
      resolveTrainConfig({ ...config(), model: { ...config().model, priors: bare } }).model.priors,
    ).toEqual({
      config: bare,
    });
    const r = resolveTrainConfig({ ...config(), model: { ...config().model, priors: json } });
    expect(Object.keys(r.model.priors)).toEqual(["config"]);
    let err: unknown;
    try {
      resolveTrainConfig({
        ...config(),
        model: { ...config().model, inputSize: { width: 96, height: 96 }, priors: json },
      });
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "INVALID_CONFIG")).toBe(true);
    expect((err as Error).message).toMatch(
      /model\.priors\.config\.imageSize: is 64x64 but model\.inputSize is 96x96/,
    );

    const out = path.join(root, "fitted");
    const s = await train(
      { ...config(), model: { ...config().model, priors: json }, staged: { enabled: false } },
      { out },
    );
    expect(s.epochsCompleted).toBe(1);
    const p = await loadRunPredictor(out);
    expect(p.classifier).toBeUndefined();
    expect(p.detector.priors.length).toBe(fit.numPriors);
    p.dispose();
  });
});
