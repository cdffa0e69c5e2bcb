/**
 * Stage 2 of staged training: the crop classifier, trained on crops of the training boxes after the
 * detector's last epoch, checkpointed after every epoch like the detector (so `resume` continues it),
 * then saved to `classifier/` and evaluated together with the detector.
 * @module
 */
import path from "node:path";
import type { ImageRecord } from "@od/data";
import { CropClassifier, type SsdDetector } from "@od/ssd";
import { saveClassifier } from "@od/ssd/node";
import type { tf } from "@od/tf";
import { z } from "zod";
import type { TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import { evaluateDetector } from "../evaluate.js";
import { Optimizer } from "../optim.js";
import type { ImageLoader } from "../sampler.js";
import { type LrSchedule, learningRateAt } from "../schedule.js";
import {
  CropBatcher,
  type CropSample,
  classifierParameterNames,
  classifierStep,
  detectionCrops,
  groundTruthCrops,
  StagedDetector,
} from "../staged.js";
import {
  type CheckpointPointer,
  Checkpoints,
  checkpointInt,
  checkpointName,
  classifierCheckpoint,
  parseCheckpointJson,
} from "./checkpoint.js";
import type { TrainingData } from "./data.js";
import { loadRunDetector } from "./predictor.js";
import { metricsText, scoresOf, writeStagedEvaluation } from "./report.js";
import type { RunFolder } from "./run-folder.js";
import type { StagedScores, TrainEvent, TrainSummary } from "./types.js";

/** Stage 2's state after a completed classifier epoch (`state.json` of its checkpoints). */
export interface ClassifierState {
  /** Classifier epochs completed. */
  readonly epochsCompleted: number;
  /** Classifier optimizer steps taken (the schedule's position). */
  readonly step: number;
  /** What ended stage 1 (stage 2 starts only once it is over). */
  readonly detectorStoppedBy: TrainSummary["stoppedBy"];
}

/** Schema of a classifier checkpoint's `state.json` ({@link ClassifierState}). */
const classifierStateSchema = z.object(
  {
    epochsCompleted: checkpointInt,
    step: checkpointInt,
    detectorStoppedBy: z.enum(["epochs", "time-limit"], { error: 'must be "epochs" or "time-limit"' }),
  },
  { error: "must hold a JSON object" },
);

/**
 * Checks a parsed `state.json` of a classifier checkpoint (zod schema of {@link ClassifierState}).
 * @throws TrainError `BAD_CHECKPOINT` naming `file`, the field and its value.
 */
export function readClassifierState(json: unknown, file: string): ClassifierState {
  return parseCheckpointJson(classifierStateSchema, json, file, "readClassifierState");
}

/** Folder of the classifier checkpoint after `epoch` epochs. */
function checkpointsDir(checkpoints: Checkpoints<ClassifierState>, epoch: number): string {
  return path.join(checkpoints.root, checkpointName(epoch));
}

/**
 * Refuses staged training on a dataset the crop classifier cannot learn from.
 * @throws TrainError `BAD_DATASET` when the training set has fewer than 2 classes.
 */
export function checkClassifierData(config: TrainConfig, data: TrainingData): void {
  if (data.classNames.length < 2)
    fail(
      "BAD_DATASET",
      "train",
      `staged.enabled needs at least 2 classes for the crop classifier; ${config.data.root} has ${JSON.stringify(data.classNames)}`,
      { classNames: data.classNames },
    );
}

/** The classifier checkpoints of a run folder (`checkpoints/classifier/`). */
export function classifierCheckpoints(run: RunFolder): Checkpoints<ClassifierState> {
  return new Checkpoints(run.path("checkpoints", "classifier"), readClassifierState);
}

/**
 * Where a resumed staged run continues stage 2: its newest classifier checkpoint and what ended stage
 * 1; `undefined` when the run is not resumed, not staged, or had not reached stage 2.
 */
export async function classifierResumePoint(
  run: RunFolder,
  config: TrainConfig,
  resume: boolean,
): Promise<
  { readonly from: CheckpointPointer; readonly detectorStoppedBy: TrainSummary["stoppedBy"] } | undefined
> {
  if (!resume || !config.staged.enabled) return undefined;
  const checkpoints = classifierCheckpoints(run);
  const from = await checkpoints.latest();
  if (from === undefined) return undefined;
  return { from, detectorStoppedBy: (await checkpoints.readState(from)).detectorStoppedBy };
}

/** What stage 2 needs. */
export interface ClassifierStage {
  readonly run: RunFolder;
  readonly config: TrainConfig;
  readonly data: TrainingData;
  /** Decoder of the training images; `loadVal` of the validation images. */
  readonly load: ImageLoader;
  readonly loadVal: ImageLoader;
  readonly record: (event: TrainEvent) => void;
  /** What ended stage 1 (kept in the checkpoints for the summary of a resumed run). */
  readonly detectorStoppedBy: TrainSummary["stoppedBy"];
  /** Continue from this checkpoint (`undefined`: start at epoch 0). */
  readonly resumeFrom: CheckpointPointer | undefined;
  /** Stops training at the next epoch boundary (the last classifier checkpoint is kept). */
  readonly signal?: AbortSignal;
}

/** The result of stage 2. */
export interface ClassifierStageResult {
  /** Stage-1 detector + classifier as one model (caller disposes). */
  readonly predictor: StagedDetector;
  /** Its validation scores, `null` without validation images. */
  readonly scores: StagedScores | null;
  /** Its VOC and COCO tables, `undefined` without validation images. */
  readonly text: string | undefined;
}

/**
 * Stage 2 of staged training: trains a crop classifier on the training images' ground-truth boxes
 * (and, with `staged.detectorCrops`, on stage-1 detections matching them), checkpointing it after
 * every epoch (and once before the first), saves it to `<out>/classifier/`, and evaluates detector +
 * classifier on the validation split (`eval-staged.json`). Resumed from a checkpoint, it finishes
 * with the same classifier as an uninterrupted run: crop order and jitter come from (seed, epoch,
 * position), weights, optimizer moments and the schedule position from the checkpoint.
 * @throws TrainError `NON_FINITE_LOSS` when a classifier step is not finite; `BAD_CHECKPOINT`.
 */
export async function runClassifierStage(s: ClassifierStage): Promise<ClassifierStageResult> {
  const stage1 = await loadRunDetector(s.run.dir);
  let classifier: CropClassifier;
  try {
    classifier = await trainClassifier(s, stage1);
  } catch (e) {
    stage1.dispose();
    throw e;
  }
  const predictor = new StagedDetector(stage1, classifier);
  const { config, data } = s;
  if (data.val.images.length === 0) return { predictor, scores: null, text: undefined };
  const ev = await evaluateDetector(predictor, data.val.images, s.loadVal, data.classNames, {
    scoreThreshold: config.eval.scoreThreshold,
    iouThreshold: config.eval.iouThreshold,
  });
  const scores = scoresOf(ev);
  s.record({ type: "staged-eval", ...scores, seconds: ev.seconds });
  await writeStagedEvaluation(s.run, ev);
  return { predictor, scores, text: metricsText(ev) };
}

/** Trains (or resumes) the crop classifier and saves it to `classifier/`; returns it (caller disposes). */
async function trainClassifier(s: ClassifierStage, stage1: SsdDetector): Promise<CropClassifier> {
  const { run, config, data, record } = s;
  const st = config.staged;
  const samples = await cropSamples(config, data.train.images, stage1, s.load);
  record({ type: "stage", stage: "classifier", detail: `${samples.length} crops` });
  const classifier = new CropClassifier({
    classNames: data.classNames,
    cropSize: st.cropSize,
    seed: config.train.seed,
  });
  let optimizer: Optimizer | undefined;
  try {
    const vars = classifier.trainableVariables();
    optimizer = new Optimizer(
      { kind: "adamw", weightDecay: config.train.weightDecay },
      classifierParameterNames(classifier).map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
    );
    const model = classifierCheckpoint(classifier);
    const checkpoints = classifierCheckpoints(run);
    let state: ClassifierState;
    if (s.resumeFrom !== undefined) state = await checkpoints.restore(s.resumeFrom.dir, model, optimizer);
    else {
      state = { epochsCompleted: 0, step: 0, detectorStoppedBy: s.detectorStoppedBy };
      await checkpoints.save(0, model, optimizer, state);
    }
    const batcher = new CropBatcher(samples, s.load, {
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
    let lastDir = s.resumeFrom?.dir ?? checkpointsDir(checkpoints, 0);
    for (let epoch = state.epochsCompleted; epoch < st.epochs; epoch++) {
      if (s.signal?.aborted === true)
        fail("INTERRUPTED", "train", `interrupted: checkpoint written to ${lastDir}`, {
          checkpoint: lastDir,
        });
      const order = batcher.order(epoch);
      const e0 = performance.now();
      let step = state.step;
      let loss = 0;
      let correct = 0;
      let n = 0;
      let lr = 0;
      for (let i = 0; i < order.length; i += B) {
        const { crops, labels } = await batcher.batch(order, i, B, epoch);
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
      state = { ...state, epochsCompleted: epoch + 1, step };
      record({
        type: "classifier-epoch",
        epoch,
        loss: loss / Math.max(n, 1),
        accuracy: correct / Math.max(n, 1),
        lr,
        seconds: (performance.now() - e0) / 1000,
      });
      const dir = await checkpoints.save(epoch + 1, model, optimizer, state);
      lastDir = dir;
      record({ type: "classifier-checkpoint", epoch, dir });
    }
    await run.replaceModel("classifier", (dir) => saveClassifier(classifier, dir));
    return classifier;
  } catch (e) {
    classifier.dispose();
    throw e;
  } finally {
    optimizer?.dispose();
  }
}

/**
 * The classifier's training crops: every ground-truth box, plus with `staged.detectorCrops` the
 * stage-1 detections (score ≥ 0.3) overlapping a ground-truth box with IoU ≥ 0.5, labelled with it.
 */
async function cropSamples(
  config: TrainConfig,
  images: readonly ImageRecord[],
  stage1: SsdDetector,
  load: ImageLoader,
): Promise<CropSample[]> {
  const samples: CropSample[] = groundTruthCrops(images);
  if (!config.staged.detectorCrops) return samples;
  const recs = images.filter((r) => r.boxes.length > 0);
  for (let s = 0; s < recs.length; s += 8) {
    const part = recs.slice(s, s + 8);
    const pixels = await Promise.all(part.map((r) => load(r)));
    const dets = await stage1.predict(pixels, {
      scoreThreshold: 0.3,
      iouThreshold: config.eval.iouThreshold,
    });
    dets.forEach((d, i) => {
      samples.push(...detectionCrops(part[i] as ImageRecord, d, 0.5));
    });
  }
  return samples;
}
