/**
 * `@od/train/node`: a complete training run on the file system — load the dataset, train with
 * checkpoints and evaluation, write a run folder a person can read, resume exactly.
 * @packageDocumentation
 */
import { constants } from "node:fs";
import { access, mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { drawSample, type Image, makeSample } from "@od/augment";
import { encodePng } from "@od/augment/node";
import { isOdError } from "@od/boxes";
import { addNegatives, type DetectionDataset, type ImageRecord, splitDataset } from "@od/data";
import {
  decodeImageFile,
  dropUndecodableImages,
  loadCoco,
  loadNegatives,
  loadVoc,
  loadYolo,
} from "@od/data/node";
import { formatMetricsTable } from "@od/metrics";
import { configFromFeatureMaps, type FromFeatureMapsOptions, fitPriors, type PriorConfig } from "@od/priors";
import {
  type BackboneConfig,
  CropClassifier,
  createBackbone,
  type Detections,
  defaultSsdConfig,
  featureSize,
  type ImageInput,
  type PostprocessOptions,
  PRIOR_FIT_DEFAULTS,
  type SsdConfig,
  SsdDetector,
  unpackParams,
  type WeightSpec,
} from "@od/ssd";
import { loadClassifier, loadDetector, saveClassifier, saveDetector } from "@od/ssd/node";
import type { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { resolveTrainConfig, type TrainConfig } from "./config.js";
import { fail } from "./errors.js";
import { type Evaluation, evaluateDetector } from "./evaluate.js";
import { Optimizer } from "./optim.js";
import { DataParallel } from "./parallel.js";
import { learningRateCurveSvg, lossCurveSvg, mapCurveSvg } from "./plots.js";
import { BatchBuilder, epochOrder, type ImageLoader } from "./sampler.js";
import { type LrSchedule, learningRateAt } from "./schedule.js";
import {
  CropBatcher,
  type CropSample,
  classifierParameterNames,
  classifierStep,
  detectionCrops,
  groundTruthCrops,
  StagedDetector,
} from "./staged.js";
import { trainableNames, trainStep } from "./step.js";

/** Progress events of {@link train}, in the order they happen. */
export type TrainEvent =
  | {
      readonly type: "start";
      readonly backend: string;
      readonly reason: string;
      readonly trainImages: number;
      readonly valImages: number;
      readonly parameters: number;
      readonly priors: number;
      readonly stepsPerEpoch: number;
      readonly startEpoch: number;
      /** Worker threads computing shards of each batch (data-parallel), 0 for single-threaded. */
      readonly workers: number;
    }
  | {
      readonly type: "step";
      readonly epoch: number;
      readonly step: number;
      readonly batch: number;
      readonly loss: number;
      readonly loc: number;
      readonly cls: number;
      readonly lr: number;
      readonly gradNorm: number;
      readonly imagesPerSecond: number;
    }
  | {
      readonly type: "nonfinite";
      readonly epoch: number;
      readonly step: number;
      readonly images: readonly string[];
      readonly inARow: number;
    }
  | {
      readonly type: "epoch";
      readonly epoch: number;
      readonly loss: number;
      readonly loc: number;
      readonly cls: number;
      readonly lr: number;
      readonly seconds: number;
      readonly imagesPerSecond: number;
    }
  | {
      readonly type: "eval";
      readonly epoch: number;
      readonly vocMap: number;
      readonly voc07Map: number;
      readonly cocoMap: number;
      readonly perClass: Readonly<Record<string, number>>;
      readonly seconds: number;
    }
  | { readonly type: "checkpoint"; readonly epoch: number; readonly dir: string; readonly best: boolean }
  | { readonly type: "stopped"; readonly reason: string }
  | {
      /** Staged training: a stage begins (`classifier`: stage 2; `one-stage`: the comparison run). */
      readonly type: "stage";
      readonly stage: "classifier" | "one-stage";
      /** Crops (classifier) or run folder (one-stage). */
      readonly detail: string;
    }
  | {
      readonly type: "classifier-epoch";
      readonly epoch: number;
      /** Mean softmax cross-entropy over the epoch's crops. */
      readonly loss: number;
      /** Share of training crops classified right (before each update). */
      readonly accuracy: number;
      readonly lr: number;
      readonly seconds: number;
    }
  | {
      /** The staged model (stage-1 detector + classifier) on the validation split. */
      readonly type: "staged-eval";
      readonly vocMap: number;
      readonly voc07Map: number;
      readonly cocoMap: number;
      readonly perClass: Readonly<Record<string, number>>;
      readonly seconds: number;
    };

/** Options of {@link train}. */
export interface TrainOptions {
  /** Run folder (created). */
  readonly out: string;
  /** Continue from the last checkpoint in `out` (the saved config is used; epochs and time limit may change). */
  readonly resume?: boolean;
  /** Receives progress events. */
  readonly onEvent?: (event: TrainEvent) => void;
}

/** What a finished run reports (also written to `summary.json`). */
export interface TrainSummary {
  readonly out: string;
  readonly backend: string;
  readonly epochsCompleted: number;
  readonly steps: number;
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
  readonly bestEpoch: number;
  readonly best: {
    readonly vocMap: number;
    readonly voc07Map: number;
    readonly cocoMap: number;
    readonly perClass: Readonly<Record<string, number>>;
  } | null;
  readonly peakRssMb: number;
  readonly stoppedBy: "epochs" | "time-limit";
  /**
   * Staged training only: the combined model (class-agnostic detector, boxes relabelled by the crop
   * classifier) on the validation split; `best` above is then the class-agnostic detector alone.
   * `null` without validation images.
   */
  readonly staged?: StagedScores | null;
  /** With `staged.compareOneStage`: the one-stage detector trained with the same budget. */
  readonly oneStage?: (StagedScores & { readonly out: string }) | null;
}

/** Validation mAPs of one model in a {@link TrainSummary}. */
export interface StagedScores {
  readonly vocMap: number;
  readonly voc07Map: number;
  readonly cocoMap: number;
  readonly perClass: Readonly<Record<string, number>>;
}

interface RunState {
  readonly epochsCompleted: number;
  readonly step: number;
  readonly bestEpoch: number;
  readonly bestMap: number;
  readonly trainSeconds: number;
  readonly imagesSeen: number;
  readonly history: {
    readonly loss: [number, number][];
    readonly lr: [number, number][];
    readonly voc: [number, number][];
    readonly coco: [number, number][];
  };
}

/** Writes a file so that a crash never leaves a partial file under `file`: temp file, fsync, rename, fsync dir. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  try {
    const dh = await open(path.dirname(file), constants.O_RDONLY);
    await dh.sync();
    await dh.close();
  } catch {
    // Directory fsync is not supported everywhere (e.g. some network file systems); the rename is still atomic.
  }
}

/**
 * The training and validation datasets of a config (VOC splits, or a seeded stratified split); images
 * that do not decode are dropped under `data.policy` and reported (`policy: "error"` throws first).
 */
export async function loadTrainingData(
  config: TrainConfig,
): Promise<{ train: DetectionDataset; val: DetectionDataset; classNames: readonly string[] }> {
  const d = config.data;
  const policy = d.policy;
  let train: DetectionDataset;
  let val: DetectionDataset;
  const split = (all: DetectionDataset) => {
    const s = splitDataset(all, {
      fractions: { train: 1 - d.valFraction, val: d.valFraction },
      seed: config.train.seed,
    });
    return [s.train as DetectionDataset, s.val as DetectionDataset] as const;
  };
  if (d.format === "voc") {
    train = await loadVoc(d.root, { split: d.trainSplit, policy });
    val = await loadVoc(d.root, { split: d.valSplit, policy, classNames: train.classNames });
  } else if (d.format === "coco") {
    [train, val] = split(await loadCoco(d.root, { policy }));
  } else {
    [train, val] = split(await loadYolo(d.root, { policy }));
  }
  if (d.negativesDir !== undefined) {
    const neg = await loadNegatives(d.negativesDir, { policy });
    train = addNegatives(train, neg.records);
  }
  const cap = (ds: DetectionDataset, n: number | undefined): DetectionDataset =>
    n === undefined ? ds : { ...ds, images: ds.images.slice(0, n) };
  train = await dropUndecodableImages(cap(train, d.maxTrainImages), { policy });
  val = await dropUndecodableImages(cap(val, d.maxValImages), { policy });
  if (train.images.length === 0)
    fail("BAD_DATASET", "loadTrainingData", `no training images in ${d.root} (split ${d.trainSplit})`);
  if (train.classNames.length === 0) fail("BAD_DATASET", "loadTrainingData", `no classes found in ${d.root}`);
  return { train, val, classNames: train.classNames };
}

/** A decoder for a dataset's images that keeps decoded pixels in memory (up to `maxBytes`, default 2 GiB). */
export function datasetImageLoader(dataset: DetectionDataset, maxBytes = 2 ** 31): ImageLoader {
  const cache = new Map<string, Promise<Image>>();
  let bytes = 0;
  return (record: ImageRecord) => {
    const file = path.resolve(dataset.root ?? ".", record.file);
    const hit = cache.get(file);
    if (hit !== undefined) return hit;
    const p = decodeImageFile(file).then((img) => img as Image);
    if (bytes < maxBytes) {
      cache.set(file, p);
      bytes += record.size.width * record.size.height * 3;
    }
    return p;
  };
}

function schedule(config: TrainConfig, stepsPerEpoch: number): LrSchedule {
  const t = config.train;
  return {
    lr: t.lr,
    warmupSteps: t.warmupSteps,
    kind: t.schedule,
    totalSteps: Math.max(t.epochs * stepsPerEpoch, t.warmupSteps + 1),
    milestones: t.milestones.map((e) => e * stepsPerEpoch),
  };
}

async function saveCheckpoint(
  dir: string,
  detector: SsdDetector,
  optimizer: Optimizer,
  state: RunState,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveDetector(detector, dir);
  const st = await optimizer.getState();
  const names = Object.keys(st.slots);
  const arrays = names.flatMap((n) => st.slots[n] as Float32Array[]);
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const buf = new Float32Array(total);
  let o = 0;
  for (const a of arrays) {
    buf.set(a, o);
    o += a.length;
  }
  await writeFileAtomic(path.join(dir, "optimizer.bin"), new Uint8Array(buf.buffer));
  await writeFileAtomic(
    path.join(dir, "optimizer.json"),
    JSON.stringify({
      step: st.step,
      slots: names.map((n) => ({ name: n, sizes: (st.slots[n] as Float32Array[]).map((a) => a.length) })),
    }),
  );
  await writeFileAtomic(path.join(dir, "state.json"), JSON.stringify(state));
}

async function loadCheckpoint(dir: string, detector: SsdDetector, optimizer: Optimizer): Promise<RunState> {
  const fn = "loadCheckpoint";
  try {
    const json = JSON.parse(await readFile(path.join(dir, "model.json"), "utf8")) as {
      weightsManifest: { weights: WeightSpec[] }[];
    };
    const w = await readFile(path.join(dir, "weights.bin"));
    unpackParams(
      detector.params,
      json.weightsManifest[0]?.weights ?? [],
      w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
      path.join(dir, "model.json"),
    );
    const oj = JSON.parse(await readFile(path.join(dir, "optimizer.json"), "utf8")) as {
      step: number;
      slots: { name: string; sizes: number[] }[];
    };
    const ob = await readFile(path.join(dir, "optimizer.bin"));
    const all = new Float32Array(ob.buffer.slice(ob.byteOffset, ob.byteOffset + ob.byteLength));
    const slots: Record<string, Float32Array[]> = {};
    let o = 0;
    for (const s of oj.slots) {
      slots[s.name] = s.sizes.map((n) => {
        const a = all.slice(o, o + n);
        o += n;
        return a;
      });
    }
    if (o !== all.length)
      fail(
        "BAD_CHECKPOINT",
        fn,
        `${path.join(dir, "optimizer.bin")} holds ${all.length} values; optimizer.json lists ${o}`,
      );
    optimizer.setState({ step: oj.step, slots });
    return JSON.parse(await readFile(path.join(dir, "state.json"), "utf8")) as RunState;
  } catch (e) {
    if (isOdError(e)) throw e;
    return fail("BAD_CHECKPOINT", fn, `cannot resume from ${dir}: ${(e as Error).message}`, { dir });
  }
}

/**
 * Loads the detector of a run folder (`best/` if present, else `model/`), or of a model folder
 * (`model.json` + `weights.bin`) given directly.
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file.
 */
export async function loadRunDetector(dir: string): Promise<SsdDetector> {
  for (const sub of [".", "best", "model"]) {
    try {
      await readFile(path.join(dir, sub, "model.json"));
      return await loadDetector(path.join(dir, sub));
    } catch (e) {
      if (isOdError(e)) throw e;
    }
  }
  return loadDetector(dir);
}

/**
 * A model of a run folder ready to predict: the detector, or, when the run trained a crop classifier
 * (staged training, `classifier/`), detector + classifier as one model.
 */
export interface RunPredictor {
  /** Class names of the predictions (label k ≥ 1 is `classNames[k − 1]`). */
  readonly classNames: readonly string[];
  /** `classNames.length + 1`. */
  readonly numClasses: number;
  /** The (stage-1) detector. */
  readonly detector: SsdDetector;
  /** The crop classifier of a staged run, else `undefined`. */
  readonly classifier: CropClassifier | undefined;
  /** Per image: `[K]` xyxy px boxes of that image, scores (decreasing), labels ≥ 1 (see `SsdDetector.predict`). */
  predict(images: readonly ImageInput[], options?: PostprocessOptions): Promise<Detections[]>;
  /** Releases the models. */
  dispose(): void;
}

/**
 * Loads the model of a run folder for prediction: the detector as {@link loadRunDetector} does, plus
 * the crop classifier of a staged run (`<dir>/classifier/`, or `../classifier/` when `dir` is the
 * run's `best/` or `model/` folder). With a classifier, predictions are the detector's boxes relabelled
 * by it (score = detection score × class probability).
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file.
 */
export async function loadRunPredictor(dir: string): Promise<RunPredictor> {
  const detector = await loadRunDetector(dir);
  let classifier: CropClassifier | undefined;
  try {
    for (const c of [path.join(dir, "classifier"), path.join(dir, "..", "classifier")]) {
      if (c.endsWith(`..${path.sep}classifier`) && !(await exists(path.join(dir, "model.json")))) continue;
      if (await exists(path.join(c, "classifier.json"))) {
        classifier = await loadClassifier(c);
        break;
      }
    }
  } catch (e) {
    detector.dispose();
    throw e;
  }
  if (classifier !== undefined) {
    const staged = new StagedDetector(detector, classifier);
    return {
      classNames: staged.classNames,
      numClasses: staged.numClasses,
      detector,
      classifier,
      predict: (images, options) => staged.predict(images, options),
      dispose: () => staged.dispose(),
    };
  }
  return {
    classNames: detector.config.classNames,
    numClasses: detector.numClasses,
    detector,
    classifier: undefined,
    predict: (images, options) => detector.predict(images, options),
    dispose: () => detector.dispose(),
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function writeCurves(out: string, state: RunState): Promise<void> {
  const h = state.history;
  await writeFile(path.join(out, "loss.svg"), lossCurveSvg(h.loss));
  await writeFile(path.join(out, "lr.svg"), learningRateCurveSvg(h.lr));
  await writeFile(path.join(out, "map.svg"), mapCurveSvg(h.voc, h.coco));
}

async function writePredictions(
  out: string,
  detector: SsdDetector | StagedDetector,
  val: DetectionDataset,
  load: ImageLoader,
  n: number,
): Promise<void> {
  const classNames = detector instanceof StagedDetector ? detector.classNames : detector.config.classNames;
  if (n === 0 || val.images.length === 0) return;
  const dir = path.join(out, "predictions");
  await mkdir(dir, { recursive: true });
  for (const rec of val.images.slice(0, n)) {
    const img = await load(rec);
    const [det] = await detector.predict([img], { scoreThreshold: 0.3 });
    if (det === undefined) continue;
    const drawn = drawSample(
      makeSample(
        img,
        det.boxes,
        det.labels.map((l) => l - 1),
      ),
      { labelNames: [...classNames] },
    );
    await writeFile(path.join(dir, `${rec.id}.png`), encodePng(drawn));
  }
}

function perClass(ev: Evaluation): Record<string, number> {
  const r: Record<string, number> = {};
  ev.voc.classes.forEach((c, i) => {
    r[c.name ?? String(i)] = c.ap;
  });
  return r;
}

/**
 * Trains an SSD detector as the config says and writes a run folder:
 * `config.json` (resolved, defaults filled), `data-report.json` (every box the loaders dropped or
 * clipped, and why), `log.jsonl` (one event per line), `loss.svg`, `lr.svg`, `map.svg`,
 * `eval.json` + `eval.txt` (per-class AP, COCO summary), `checkpoints/` (atomic; `last.json` points
 * at the newest), `best/` and `model/` (loadable with `loadRunDetector`), `predictions/*.png`,
 * `summary.json`.
 *
 * Deterministic for a seed on one backend: batch order and augmentation draw from (seed, epoch,
 * position), initial weights from the seed. `resume` continues after the last completed epoch with the
 * same weights, optimizer state, batch-norm statistics and schedule position, so its losses equal an
 * uninterrupted run's.
 * @throws TrainError `INVALID_CONFIG`, `BAD_DATASET`, `BAD_CHECKPOINT`, `NON_FINITE_LOSS`; loader errors.
 */
export async function train(input: unknown, options: TrainOptions): Promise<TrainSummary> {
  const out = path.resolve(options.out);
  const emit = options.onEvent ?? (() => undefined);
  await mkdir(out, { recursive: true });
  let config: TrainConfig;
  const lastFile = path.join(out, "checkpoints", "last.json");
  let resumeDir: string | undefined;
  if (options.resume === true) {
    let saved: unknown;
    try {
      saved = JSON.parse(await readFile(path.join(out, "config.json"), "utf8"));
      resumeDir = path.join(
        out,
        "checkpoints",
        (JSON.parse(await readFile(lastFile, "utf8")) as { dir: string }).dir,
      );
    } catch (e) {
      return fail(
        "BAD_CHECKPOINT",
        "train",
        `cannot resume ${out}: no completed checkpoint (${(e as Error).message})`,
        { out },
      );
    }
    const over = resolveTrainConfig(input);
    const base = resolveTrainConfig(saved);
    config = {
      ...base,
      train: { ...base.train, epochs: over.train.epochs, timeLimitSeconds: over.train.timeLimitSeconds },
    };
  } else {
    const c = resolveTrainConfig(input);
    config = {
      ...c,
      data: { ...c.data, root: path.resolve(c.data.root) },
      // Stage 1 of staged training is a class-agnostic detector.
      model: c.staged.enabled ? { ...c.model, classAgnostic: true } : c.model,
    };
    await writeFileAtomic(path.join(out, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  }
  // Data-parallel replicas take the other cores, so this thread keeps one XNNPACK thread; without
  // replicas (workers: 0) wasm gets one thread per core.
  const backend = await initBackend({
    prefer: [...config.train.backends],
    ...(config.train.workers === 0 ? {} : { threads: 1 }),
  });
  const data = await loadTrainingData(config);
  const fitted = fitModelPriors(config, data.train);
  if (fitted.report !== undefined) {
    // The fitted priors replace the fit request in config.json, so resume and evaluation reuse them.
    config = fitted.config;
    await writeFileAtomic(path.join(out, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileAtomic(path.join(out, "priors.json"), `${JSON.stringify(fitted.report, null, 1)}\n`);
  }
  await writeFileAtomic(
    path.join(out, "data-report.json"),
    JSON.stringify({ train: data.train.report, val: data.val.report }, null, 1),
  );
  if (config.staged.enabled && data.classNames.length < 2) {
    fail(
      "BAD_DATASET",
      "train",
      `staged.enabled needs at least 2 classes for the crop classifier; ${config.data.root} has ${JSON.stringify(data.classNames)}`,
      { classNames: data.classNames },
    );
  }
  const classNames = config.model.classAgnostic ? ["object"] : data.classNames;
  const detector = new SsdDetector(
    defaultSsdConfig({
      classNames,
      inputSize: config.model.inputSize,
      inputFit: config.model.inputFit,
      backbone: withoutUndefined<BackboneConfig>(config.model.backbone),
      head: config.model.head,
      priors: priorsOf(config),
      seed: config.train.seed,
    }),
  );
  const names = trainableNames(detector);
  const vars = detector.trainableVariables();
  const t = config.train;
  const optimizer = new Optimizer(
    t.optimizer === "sgd"
      ? { kind: "sgd", momentum: t.momentum, weightDecay: t.weightDecay }
      : { kind: "adamw", weightDecay: t.weightDecay },
    names.map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
  );
  let state: RunState = {
    epochsCompleted: 0,
    step: 0,
    bestEpoch: -1,
    bestMap: -1,
    trainSeconds: 0,
    imagesSeen: 0,
    history: { loss: [], lr: [], voc: [], coco: [] },
  };
  if (resumeDir !== undefined) state = await loadCheckpoint(resumeDir, detector, optimizer);
  const nWorkers =
    t.workers === "auto"
      ? backend.name === "tensorflow"
        ? 0
        : Math.min(3, Math.max(0, availableParallelism() - 1))
      : t.workers;
  const parallel =
    nWorkers > 0 && t.batchSize > 1
      ? await DataParallel.start(detector, config, Math.min(nWorkers, t.batchSize - 1))
      : undefined;
  const B = t.batchSize;
  const trainImages = data.train.images;
  const stepsPerEpoch = Math.ceil(
    epochOrder(trainImages, B, config.data.negativeShare, t.seed, 0).length / B,
  );
  let sched = schedule(config, stepsPerEpoch);
  const load = datasetImageLoader(data.train);
  const loadVal = datasetImageLoader(data.val);
  const builder = new BatchBuilder(config, detector, load);
  // Opened only now, so that a setup error (config, dataset, checkpoint) leaves no handle open.
  const log = await open(path.join(out, "log.jsonl"), "a");
  const record = (e: TrainEvent) => {
    emit(e);
    void log.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  };
  record({
    type: "start",
    backend: backend.name,
    reason: backend.reason,
    trainImages: trainImages.length,
    valImages: data.val.images.length,
    parameters: detector.countParameters(),
    priors: detector.priors.length,
    stepsPerEpoch,
    startEpoch: state.epochsCompleted,
    workers: parallel?.workers ?? 0,
  });
  let stoppedBy: TrainSummary["stoppedBy"] = "epochs";
  let lastEval: Evaluation | undefined;
  let inARow = 0;
  const runStart = performance.now() - state.trainSeconds * 1000;
  const ckptRoot = path.join(out, "checkpoints");
  let staged: TrainSummary["staged"];
  let oneStage: TrainSummary["oneStage"];
  let stagedText: string | undefined;
  try {
    try {
      for (let epoch = state.epochsCompleted; epoch < t.epochs; epoch++) {
        const order = epochOrder(trainImages, B, config.data.negativeShare, t.seed, epoch);
        const e0 = performance.now();
        let sum = 0;
        let sumLoc = 0;
        let sumCls = 0;
        let n = 0;
        let seen = 0;
        let lr = 0;
        for (let s = 0, b = 0; s < order.length; s += B, b++) {
          const recs = order.slice(s, s + B).map((i) => trainImages[i] as ImageRecord);
          const s0 = performance.now();
          const batch = await builder.build(recs, epoch, s);
          lr = learningRateAt(sched, state.step);
          const r =
            parallel !== undefined
              ? await parallel.step(optimizer, batch, lr)
              : trainStep(detector, optimizer, batch, config, lr);
          state = { ...state, step: state.step + 1 };
          seen += recs.length;
          if (!r.applied) {
            inARow += 1;
            record({ type: "nonfinite", epoch, step: state.step, images: batch.ids, inARow });
            if (inARow >= t.maxNonFinite) {
              fail(
                "NON_FINITE_LOSS",
                "train",
                `${inARow} non-finite losses in a row (epoch ${epoch}, step ${state.step}); last batch: ${batch.ids.join(", ")}`,
                {
                  images: batch.ids,
                },
              );
            }
            continue;
          }
          inARow = 0;
          sum += r.loss;
          sumLoc += r.loc;
          sumCls += r.cls;
          n += 1;
          const ips = recs.length / ((performance.now() - s0) / 1000);
          record({
            type: "step",
            epoch,
            step: state.step,
            batch: b,
            loss: r.loss,
            loc: r.loc,
            cls: r.cls,
            lr,
            gradNorm: r.gradNorm,
            imagesPerSecond: ips,
          });
          state.history.loss.push([state.step, r.loss]);
          state.history.lr.push([state.step, lr]);
          if (t.timeLimitSeconds > 0 && (performance.now() - runStart) / 1000 > t.timeLimitSeconds) {
            stoppedBy = "time-limit";
            break;
          }
        }
        const seconds = (performance.now() - e0) / 1000;
        state = {
          ...state,
          epochsCompleted: epoch + 1,
          trainSeconds: (performance.now() - runStart) / 1000,
          imagesSeen: state.imagesSeen + seen,
        };
        record({
          type: "epoch",
          epoch,
          loss: sum / Math.max(n, 1),
          loc: sumLoc / Math.max(n, 1),
          cls: sumCls / Math.max(n, 1),
          lr,
          seconds,
          imagesPerSecond: seen / seconds,
        });
        if (t.timeLimitSeconds > 0 && sched.kind === "cosine") {
          // Fit the cosine to the time budget: as many epochs as the remaining time allows at the speed
          // seen so far (3% kept for evaluation), so the rate has decayed when the time is up.
          const perEpoch = state.trainSeconds / Math.max(state.epochsCompleted, 1);
          const remaining = t.timeLimitSeconds * 0.97 - state.trainSeconds;
          const fit = Math.min(
            t.epochs,
            state.epochsCompleted + Math.max(0, Math.floor(remaining / perEpoch)),
          );
          sched = {
            ...sched,
            totalSteps: Math.max(fit * stepsPerEpoch, state.step + 1, (sched.warmupSteps ?? 0) + 1),
          };
        }
        const last = epoch + 1 === t.epochs || stoppedBy === "time-limit";
        let isBest = false;
        if (data.val.images.length > 0 && ((epoch + 1) % config.eval.everyEpochs === 0 || last)) {
          const ev = await evaluateDetector(detector, data.val.images, loadVal, data.classNames, {
            scoreThreshold: config.eval.scoreThreshold,
            iouThreshold: config.eval.iouThreshold,
          });
          lastEval = ev;
          state.history.voc.push([epoch + 1, ev.voc.mAP]);
          state.history.coco.push([epoch + 1, ev.coco.mAP]);
          record({
            type: "eval",
            epoch,
            vocMap: ev.voc.mAP,
            voc07Map: ev.voc07.mAP,
            cocoMap: ev.coco.mAP,
            perClass: perClass(ev),
            seconds: ev.seconds,
          });
          if (ev.voc.mAP > state.bestMap) {
            isBest = true;
            state = { ...state, bestMap: ev.voc.mAP, bestEpoch: epoch + 1 };
            await writeFileAtomic(
              path.join(out, "eval.json"),
              JSON.stringify(
                {
                  epoch: epoch + 1,
                  voc: ev.voc,
                  voc07: ev.voc07,
                  coco: { ...ev.coco, precision: undefined, recall: undefined },
                },
                replacer,
                1,
              ),
            );
            await writeFileAtomic(
              path.join(out, "eval.txt"),
              `${formatMetricsTable(ev.voc)}\n\n${formatMetricsTable(ev.coco)}\n`,
            );
          }
        }
        const name = `epoch-${String(epoch + 1).padStart(4, "0")}`;
        await saveCheckpoint(path.join(ckptRoot, name), detector, optimizer, state);
        await writeFileAtomic(lastFile, JSON.stringify({ dir: name, epoch: epoch + 1 }));
        if (isBest) {
          await rm(path.join(out, "best"), { recursive: true, force: true });
          await saveDetector(detector, path.join(out, "best"));
        }
        record({ type: "checkpoint", epoch, dir: path.join(ckptRoot, name), best: isBest });
        await pruneCheckpoints(ckptRoot, name);
        await writeCurves(out, state);
        if (stoppedBy === "time-limit") {
          record({ type: "stopped", reason: `time limit of ${t.timeLimitSeconds} s reached` });
          break;
        }
      }
      await saveDetector(detector, path.join(out, "model"));
    } finally {
      await parallel?.dispose();
    }
    if (config.staged.enabled) {
      const model = await runClassifierStage(config, data, load, loadVal, out, record);
      staged = model.scores;
      stagedText = model.text;
      await writePredictions(out, model.predictor, data.val, loadVal, config.eval.samples);
      model.predictor.dispose();
    } else {
      const best = state.bestEpoch > 0 ? await loadDetector(path.join(out, "best")) : undefined;
      await writePredictions(out, best ?? detector, data.val, loadVal, config.eval.samples);
      best?.dispose();
    }
    optimizer.dispose();
    detector.dispose();
    if (config.staged.enabled && config.staged.compareOneStage)
      oneStage = await runOneStage(config, out, options.resume === true, record, emit);
    if (config.staged.enabled && stagedText !== undefined)
      await writeStagedReport(out, stagedText, staged ?? null, oneStage);
  } finally {
    await log.close();
  }
  const summary: TrainSummary = {
    out,
    backend: backend.name,
    epochsCompleted: state.epochsCompleted,
    steps: state.step,
    trainSeconds: state.trainSeconds,
    imagesPerSecond: state.imagesSeen / Math.max(state.trainSeconds, 1e-9),
    bestEpoch: state.bestEpoch,
    best: lastEval === undefined && state.bestEpoch < 0 ? null : await readBest(out),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    stoppedBy,
    ...(config.staged.enabled ? { staged: staged ?? null } : {}),
    ...(oneStage !== undefined ? { oneStage } : {}),
  };
  await writeFileAtomic(path.join(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

async function readBest(out: string): Promise<TrainSummary["best"]> {
  try {
    const e = JSON.parse(await readFile(path.join(out, "eval.json"), "utf8")) as {
      voc: { mAP: number; classes: { name?: string; ap: number }[] };
      voc07: { mAP: number };
      coco: { mAP: number };
    };
    const perClass: Record<string, number> = {};
    e.voc.classes.forEach((c, i) => {
      perClass[c.name ?? String(i)] = c.ap;
    });
    return { vocMap: e.voc.mAP, voc07Map: e.voc07.mAP, cocoMap: e.coco.mAP, perClass };
  } catch {
    return null;
  }
}

/** The detector's prior option of a config: feature-map scales, or the explicit prior config given. */
function priorsOf(config: TrainConfig): SsdConfig["priors"] {
  const p = config.model.priors;
  if ("fit" in p)
    fail("INVALID_CONFIG", "priorsOf", "model.priors.fit must be resolved by fitModelPriors() first");
  return "config" in p
    ? { config: p.config as unknown as PriorConfig }
    : withoutUndefined<FromFeatureMapsOptions>(p);
}

/**
 * Resolves `model.priors.fit`: fits prior shapes to the training boxes (`fitPriors` of @od/priors,
 * seeded, same grid as the backbone's taps) and returns the config with the explicit fitted priors,
 * plus the before/after coverage for the run folder. Other prior options pass through unchanged.
 */
export function fitModelPriors(
  config: TrainConfig,
  train: DetectionDataset,
): { config: TrainConfig; report?: { numPriors: number; before: unknown; after: unknown } } {
  const p = config.model.priors;
  if (!("fit" in p)) return { config };
  const { width, height } = config.model.inputSize;
  const taps = createBackbone(withoutUndefined<BackboneConfig>(config.model.backbone)).taps;
  const maps = taps.map((tap) => ({
    height: featureSize(height, tap.stride),
    width: featureSize(width, tap.stride),
  }));
  const base = configFromFeatureMaps(maps, config.model.inputSize, {
    minScale: p.fit.minScale,
    maxScale: p.fit.maxScale,
    aspectRatios: [...PRIOR_FIT_DEFAULTS.aspectRatios],
  });
  const gt = train.images.filter((r) => r.boxes.length > 0);
  const fit = fitPriors(gt, base, {
    budget: { shapesPerLevel: maps.map(() => p.fit.shapesPerLevel) },
    seed: config.train.seed,
    classNames: train.classNames,
  });
  const fitted: TrainConfig = {
    ...config,
    model: { ...config.model, priors: { config: fit.config } as TrainConfig["model"]["priors"] },
  };
  return {
    config: fitted,
    report: { numPriors: fit.numPriors, before: summary(fit.before), after: summary(fit.after) },
  };
}

function summary(r: {
  recall: number;
  meanBestIou: number;
  byClass?: readonly { name?: string; recall: number | null; meanBestIou: number | null }[];
}): unknown {
  return {
    recall: r.recall,
    meanBestIou: r.meanBestIou,
    byClass: r.byClass?.map((c) => ({ name: c.name, recall: c.recall, meanBestIou: c.meanBestIou })),
  };
}

/**
 * Stage 2 of staged training: trains a crop classifier on the training images' ground-truth boxes
 * (and, with `staged.detectorCrops`, on stage-1 detections matching them), saves it to
 * `<out>/classifier/`, and evaluates detector + classifier on the validation split
 * (`eval-staged.json`). Returns the combined model (caller disposes) and its scores.
 */
async function runClassifierStage(
  config: TrainConfig,
  data: { train: DetectionDataset; val: DetectionDataset; classNames: readonly string[] },
  load: ImageLoader,
  loadVal: ImageLoader,
  out: string,
  record: (e: TrainEvent) => void,
): Promise<{ predictor: StagedDetector; scores: StagedScores | null; text: string | undefined }> {
  const st = config.staged;
  const stage1 = await loadRunDetector(out);
  const samples: CropSample[] = groundTruthCrops(data.train.images);
  if (st.detectorCrops) {
    const recs = data.train.images.filter((r) => r.boxes.length > 0);
    for (let s = 0; s < recs.length; s += 8) {
      const part = recs.slice(s, s + 8);
      const images = await Promise.all(part.map((r) => load(r)));
      const dets = await stage1.predict(images, {
        scoreThreshold: 0.3,
        iouThreshold: config.eval.iouThreshold,
      });
      dets.forEach((d, i) => {
        samples.push(...detectionCrops(part[i] as ImageRecord, d, 0.5));
      });
    }
  }
  record({ type: "stage", stage: "classifier", detail: `${samples.length} crops` });
  const classifier = new CropClassifier({
    classNames: data.classNames,
    cropSize: st.cropSize,
    seed: config.train.seed,
  });
  const vars = classifier.trainableVariables();
  const optimizer = new Optimizer(
    { kind: "adamw", weightDecay: config.train.weightDecay },
    classifierParameterNames(classifier).map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
  );
  try {
    const batcher = new CropBatcher(samples, load, {
      cropSize: st.cropSize,
      jitter: st.jitter,
      seed: config.train.seed,
    });
    const B = st.batchSize;
    const total = st.epochs * Math.ceil(batcher.length / B);
    const sched: LrSchedule = {
      lr: st.lr,
      kind: "cosine",
      warmupSteps: Math.min(config.train.warmupSteps, Math.floor(total / 10)),
      totalSteps: Math.max(total, 1),
    };
    let step = 0;
    for (let epoch = 0; epoch < st.epochs; epoch++) {
      const order = batcher.order(epoch);
      const e0 = performance.now();
      let loss = 0;
      let correct = 0;
      let n = 0;
      let lr = 0;
      for (let s = 0; s < order.length; s += B) {
        const { crops, labels } = await batcher.batch(order, s, B, epoch);
        lr = learningRateAt(sched, step);
        const r = classifierStep(classifier, optimizer, crops, labels, lr, config.train.gradClip);
        crops.dispose();
        step += 1;
        if (!r.applied)
          fail(
            "NON_FINITE_LOSS",
            "train",
            `stage 2 (crop classifier): non-finite loss at epoch ${epoch}, step ${step}; lower staged.lr`,
            { epoch, step },
          );
        loss += r.loss * labels.length;
        correct += r.accuracy * labels.length;
        n += labels.length;
      }
      record({
        type: "classifier-epoch",
        epoch,
        loss: loss / Math.max(n, 1),
        accuracy: correct / Math.max(n, 1),
        lr,
        seconds: (performance.now() - e0) / 1000,
      });
    }
  } catch (e) {
    classifier.dispose();
    stage1.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
  const dir = path.join(out, "classifier");
  await rm(dir, { recursive: true, force: true });
  await saveClassifier(classifier, dir);
  const predictor = new StagedDetector(stage1, classifier);
  if (data.val.images.length === 0) return { predictor, scores: null, text: undefined };
  const ev = await evaluateDetector(predictor, data.val.images, loadVal, data.classNames, {
    scoreThreshold: config.eval.scoreThreshold,
    iouThreshold: config.eval.iouThreshold,
  });
  const scores: StagedScores = {
    vocMap: ev.voc.mAP,
    voc07Map: ev.voc07.mAP,
    cocoMap: ev.coco.mAP,
    perClass: perClass(ev),
  };
  record({ type: "staged-eval", ...scores, seconds: ev.seconds });
  await writeFileAtomic(
    path.join(out, "eval-staged.json"),
    JSON.stringify(
      { voc: ev.voc, voc07: ev.voc07, coco: { ...ev.coco, precision: undefined, recall: undefined } },
      replacer,
      1,
    ),
  );
  return { predictor, scores, text: `${formatMetricsTable(ev.voc)}\n\n${formatMetricsTable(ev.coco)}\n` };
}

/**
 * The comparison run of `staged.compareOneStage`: the same config as a one-stage (class-aware)
 * detector, in `<out>/one-stage/` (resumed when the staged run is resumed and it has a checkpoint).
 */
async function runOneStage(
  config: TrainConfig,
  out: string,
  resume: boolean,
  record: (e: TrainEvent) => void,
  emit: (e: TrainEvent) => void,
): Promise<NonNullable<TrainSummary["oneStage"]> | null> {
  const dir = path.join(out, "one-stage");
  const one: TrainConfig = {
    ...config,
    model: { ...config.model, classAgnostic: false },
    staged: { ...config.staged, enabled: false, compareOneStage: false },
  };
  let canResume = false;
  if (resume) {
    try {
      await readFile(path.join(dir, "checkpoints", "last.json"));
      canResume = true;
    } catch {
      canResume = false;
    }
  }
  record({ type: "stage", stage: "one-stage", detail: dir });
  const s = await train(one, { out: dir, resume: canResume, onEvent: emit });
  return s.best === null ? null : { ...s.best, out: dir };
}

const STAGE1_HEADER = "## Stage 1: class-agnostic detector (one class, object)";

/**
 * Rewrites `eval.txt` of a staged run: the stage-1 tables (as written at its best epoch), the staged
 * model's tables, and a comparison table (with the one-stage detector when it was trained).
 */
async function writeStagedReport(
  out: string,
  stagedText: string,
  staged: StagedScores | null,
  oneStage: TrainSummary["oneStage"],
): Promise<void> {
  const file = path.join(out, "eval.txt");
  let stage1 = "";
  try {
    stage1 = await readFile(file, "utf8");
  } catch {
    stage1 = "";
  }
  stage1 = stage1.split("\n## Staged")[0] ?? "";
  if (stage1.startsWith(STAGE1_HEADER)) stage1 = stage1.slice(STAGE1_HEADER.length).replace(/^\n+/, "");
  const best = await readBest(out);
  const f = (v: number | undefined) => (v === undefined || v < 0 ? "–" : v.toFixed(3));
  const rows: [string, StagedScores | null | undefined][] = [
    ["stage 1 detector (class-agnostic)", best],
    ["staged (detector + classifier)", staged],
  ];
  if (oneStage !== undefined)
    rows.push([`one-stage detector (${path.basename(oneStage?.out ?? "one-stage")}/)`, oneStage]);
  const w = Math.max(...rows.map(([n]) => n.length));
  const table = [
    `${"model".padEnd(w)}  VOC mAP@0.5  COCO mAP`,
    ...rows.map(([n, sc]) => `${n.padEnd(w)}  ${f(sc?.vocMap).padStart(11)}  ${f(sc?.cocoMap).padStart(8)}`),
  ].join("\n");
  await writeFileAtomic(
    file,
    `${STAGE1_HEADER}\n\n${stage1.trimEnd()}\n\n## Staged: detector boxes relabelled by the crop classifier\n\n${stagedText.trimEnd()}\n\n## Comparison (validation split; stage 1 is scored as one class)\n\n${table}\n`,
  );
}

/** The schema's optional fields arrive as `undefined`; the model config wants them absent. */
function withoutUndefined<T>(o: object): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && "length" in value)
    return Array.from(value as ArrayBufferView & ArrayLike<number>);
  return value;
}

async function pruneCheckpoints(root: string, keep: string): Promise<void> {
  const dirs = (await readdir(root))
    .filter((d) => d.startsWith("epoch-") && d !== keep && !d.includes(".tmp"))
    .sort();
  for (const d of dirs.slice(0, -1)) await rm(path.join(root, d), { recursive: true, force: true });
}

export { DataParallel } from "./parallel.js";
