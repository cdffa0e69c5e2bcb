/**
 * The detector's epoch loop: batches from the input pipeline, one optimizer step each (on this thread
 * or data-parallel over worker threads), the learning-rate schedule, the non-finite guard, the time
 * limit, and one call per epoch for what happens between epochs (evaluation, checkpoint).
 * @module
 */
import { availableParallelism } from "node:os";
import type { Pipeline } from "@od/data";
import type { SsdDetector } from "@od/ssd";
import type { BackendInfo } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { z } from "zod";
import type { TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import type { Optimizer } from "../optim.js";
import { DataParallel } from "../parallel.js";
import { collate, type TrainingBatch, type TrainingSample } from "../sampler.js";
import { type LrSchedule, learningRateAt, lrSchedule } from "../schedule.js";
import { backboneFrozenAt, type StepOptions, type StepResult, trainStep } from "../step.js";
import { checkpointInt, parseCheckpointJson } from "./checkpoint.js";

export { lrSchedule };

import type { RunState, TrainEvent } from "./types.js";

/** The state before the first epoch. */
export function initialRunState(): RunState {
  return {
    epochsCompleted: 0,
    step: 0,
    bestEpoch: -1,
    bestMap: -1,
    trainSeconds: 0,
    imagesSeen: 0,
    history: { loss: [], lr: [], voc: [], coco: [] },
  };
}

const finite = z.number({ error: "must be a finite number" });
/** `[x, y]` points of a curve (y is `null` where JSON could not hold a non-finite value). */
const points = (what: string) =>
  z.array(z.tuple([finite, finite.nullable()]), { error: `must be an array of [x, y] points (${what})` });

/** Schema of a detector checkpoint's `state.json` ({@link RunState}). */
const runStateSchema = z.object(
  {
    epochsCompleted: checkpointInt,
    step: checkpointInt,
    bestEpoch: z.number({ error: "must be -1 or an epoch >= 1" }).int("must be -1 or an epoch >= 1").min(-1),
    bestMap: finite,
    trainSeconds: finite.min(0, "must be >= 0"),
    imagesSeen: checkpointInt,
    scheduleSteps: z.number().int().min(1).optional(),
    history: z.object(
      {
        loss: points("step, loss"),
        lr: points("step, lr"),
        voc: points("epoch, mAP"),
        coco: points("epoch, mAP"),
      },
      { error: "must be an object { loss, lr, voc, coco }" },
    ),
    inEpoch: z
      .object({
        batches: z.number().int().min(1, "must be an integer >= 1"),
        loss: finite,
        loc: finite,
        cls: finite,
        applied: checkpointInt,
        images: checkpointInt,
        seconds: finite.min(0),
      })
      .optional(),
  },
  { error: "must hold a JSON object" },
);

/**
 * Checks a parsed `state.json` of a detector checkpoint (zod schema of {@link RunState}).
 * @throws TrainError `BAD_CHECKPOINT` naming `file`, the first field that is missing or of the wrong kind, and its value.
 */
export function readRunState(json: unknown, file: string): RunState {
  return parseCheckpointJson(runStateSchema, json, file, "readRunState") as RunState;
}

/**
 * The cosine fitted to the time budget: as many epochs as the remaining time allows at the speed seen
 * so far (3% kept for evaluation), so the rate has decayed when the time is up. Other schedules, and
 * runs without a time limit, are returned unchanged.
 */
export function fitScheduleToTime(
  sched: LrSchedule,
  config: TrainConfig,
  state: RunState,
  stepsPerEpoch: number,
): LrSchedule {
  const t = config.train;
  if (!fitsToTime(sched, config)) return sched;
  const perEpoch = state.trainSeconds / Math.max(state.epochsCompleted, 1);
  const remaining = t.timeLimitSeconds * 0.97 - state.trainSeconds;
  const fit = Math.min(t.epochs, state.epochsCompleted + Math.max(0, Math.floor(remaining / perEpoch)));
  return {
    ...sched,
    totalSteps: Math.max(fit * stepsPerEpoch, state.step + 1, (sched.warmupSteps ?? 0) + 1),
  };
}

/** Whether {@link fitScheduleToTime} changes `sched`: a cosine under a time limit. */
function fitsToTime(sched: LrSchedule, config: TrainConfig): boolean {
  return config.train.timeLimitSeconds > 0 && sched.kind === "cosine";
}

/** How each optimizer step is computed: on this thread, or data-parallel with worker replicas. */
export interface Stepper {
  /** One optimizer step on `batch` at learning rate `lr` (see `trainStep` for `options`). */
  step(batch: TrainingBatch, lr: number, options?: StepOptions): Promise<StepResult>;
  /** Worker threads (0: this thread alone). */
  readonly workers: number;
  /** Stops the workers. */
  dispose(): Promise<void>;
}

/**
 * Starts the tfjs backend of a config (`train.backends`, in order). Data-parallel replicas take the
 * other cores, so this thread keeps one XNNPACK thread; without replicas (`train.workers: 0`) wasm
 * gets one thread per core.
 */
export function initTrainingBackend(config: TrainConfig): Promise<BackendInfo> {
  return initBackend({
    prefer: [...config.train.backends],
    ...(config.train.workers === 0 ? {} : { threads: 1 }),
  });
}

/**
 * The stepper of a config: `train.workers` data-parallel worker replicas (`auto`: one per extra core,
 * at most 3, none on the `tensorflow` backend, which threads by itself), never more than the batch
 * size allows; this thread alone otherwise.
 */
export async function startStepper(
  config: TrainConfig,
  detector: SsdDetector,
  optimizer: Optimizer,
  backend: string,
): Promise<Stepper> {
  const t = config.train;
  const n =
    t.workers === "auto"
      ? backend === "tensorflow"
        ? 0
        : Math.min(3, Math.max(0, availableParallelism() - 1))
      : t.workers;
  if (n > 0 && t.batchSize > 1) {
    const parallel = await DataParallel.start(detector, config, Math.min(n, t.batchSize - 1));
    return {
      step: (batch, lr, options) => parallel.step(optimizer, batch, lr, options),
      workers: parallel.workers,
      dispose: () => parallel.dispose(),
    };
  }
  return {
    step: async (batch, lr, options) => trainStep(detector, optimizer, batch, config, lr, options),
    workers: 0,
    dispose: async () => undefined,
  };
}

/** What the epoch loop works with. */
export interface EpochLoop {
  readonly config: TrainConfig;
  /** The training input (see `trainingPipeline`). */
  readonly pipeline: Pipeline<TrainingSample>;
  readonly stepper: Stepper;
  /** Receives `step`, `nonfinite`, `epoch` and `stopped` events. */
  readonly record: (event: TrainEvent) => void;
  /**
   * Runs between epochs, after the `epoch` event: evaluation, checkpoint, curves. Returns the state to
   * carry on with (e.g. with a new best epoch).
   * @param epoch the 0-based epoch just completed.
   * @param last whether it is the run's last epoch (all epochs done, or the time limit reached).
   */
  readonly endOfEpoch: (epoch: number, state: RunState, last: boolean) => Promise<RunState>;
  /** Stops the loop after the current step once aborted. */
  readonly signal?: AbortSignal;
  /**
   * Called once the loop stopped on `signal`, with the state to checkpoint (`inEpoch` set when it
   * stopped within an epoch; unset right after `endOfEpoch`, whose checkpoint already holds it).
   * Must throw (TrainError `INTERRUPTED`).
   */
  readonly interrupt: (state: RunState) => Promise<never>;
}

/**
 * Trains the detector from `state.epochsCompleted` (and `state.inEpoch.batches` batches into that
 * epoch) to `train.epochs`, or until `train.timeLimitSeconds` (measured from the run's start, time
 * before a resume included) is reached after a step, or until `loop.signal` is aborted (after the
 * current step; then `loop.interrupt` is called).
 * @throws TrainError `NON_FINITE_LOSS` after `train.maxNonFinite` skipped steps in a row, naming the last batch's images.
 */
export async function runEpochs(
  loop: EpochLoop,
  start: RunState,
): Promise<{ state: RunState; stoppedBy: "epochs" | "time-limit" }> {
  const t = loop.config.train;
  const stepsPerEpoch = loop.pipeline.batchesPerEpoch;
  const configured = lrSchedule(loop.config, stepsPerEpoch);
  // A schedule fitted to the time limit is kept in the state; the config's own is recomputed (its epochs may change).
  let sched =
    start.scheduleSteps !== undefined && fitsToTime(configured, loop.config)
      ? { ...configured, totalSteps: start.scheduleSteps }
      : configured;
  const scheduleOf = (s: LrSchedule): { scheduleSteps?: number } =>
    s.totalSteps === undefined || s === configured ? {} : { scheduleSteps: s.totalSteps };
  const runStart = performance.now() - start.trainSeconds * 1000;
  const elapsed = () => (performance.now() - runStart) / 1000;
  const overTime = () => t.timeLimitSeconds > 0 && elapsed() > t.timeLimitSeconds;
  const aborted = () => loop.signal?.aborted === true;
  const { inEpoch, ...atEpochStart } = start;
  let state: RunState = atEpochStart;
  let resumeIn = inEpoch;
  let inARow = 0;
  if (overTime() && state.epochsCompleted < t.epochs) {
    loop.record({
      type: "stopped",
      reason: `time limit of ${t.timeLimitSeconds} s already reached (${state.trainSeconds.toFixed(1)} s trained); give a longer one to continue`,
    });
    return { state, stoppedBy: "time-limit" };
  }
  for (let epoch = state.epochsCompleted; epoch < t.epochs; epoch++) {
    if (aborted()) return loop.interrupt(state);
    const done = resumeIn;
    resumeIn = undefined;
    const e0 = performance.now() - (done?.seconds ?? 0) * 1000;
    let sum = done?.loss ?? 0;
    let sumLoc = done?.loc ?? 0;
    let sumCls = done?.cls ?? 0;
    let n = done?.applied ?? 0;
    let seen = done?.images ?? 0;
    let lr = 0;
    let stopped = false;
    let s0 = performance.now();
    let next = done?.batches ?? 0;
    for await (const b of loop.pipeline.epoch(epoch, next)) {
      const batch = collate(b);
      lr = learningRateAt(sched, state.step);
      const r = await loop.stepper.step(batch, lr, { frozenBackbone: backboneFrozenAt(loop.config, epoch) });
      state = { ...state, step: state.step + 1 };
      seen += batch.ids.length;
      next = b.index + 1;
      if (!r.applied) {
        inARow += 1;
        loop.record({ type: "nonfinite", epoch, step: state.step, images: batch.ids, inARow });
        if (inARow >= t.maxNonFinite)
          fail(
            "NON_FINITE_LOSS",
            "train",
            `${inARow} non-finite losses in a row (epoch ${epoch}, step ${state.step}); last batch: ${batch.ids.join(", ")}`,
            { images: batch.ids },
          );
        s0 = performance.now();
      } else {
        inARow = 0;
        sum += r.loss;
        sumLoc += r.loc;
        sumCls += r.cls;
        n += 1;
        const now = performance.now();
        loop.record({
          type: "step",
          epoch,
          step: state.step,
          batch: b.index,
          loss: r.loss,
          loc: r.loc,
          cls: r.cls,
          lr,
          gradNorm: r.gradNorm,
          imagesPerSecond: batch.ids.length / ((now - s0) / 1000),
          elapsedSeconds: (now - runStart) / 1000,
        });
        s0 = now;
        state.history.loss.push([state.step, r.loss]);
        state.history.lr.push([state.step, lr]);
        if (overTime()) {
          stopped = true;
          break;
        }
      }
      if (aborted() && next < stepsPerEpoch)
        return loop.interrupt({
          ...state,
          trainSeconds: elapsed(),
          ...scheduleOf(sched),
          inEpoch: {
            batches: next,
            loss: sum,
            loc: sumLoc,
            cls: sumCls,
            applied: n,
            images: seen,
            seconds: (performance.now() - e0) / 1000,
          },
        });
    }
    const seconds = (performance.now() - e0) / 1000;
    state = {
      ...state,
      epochsCompleted: epoch + 1,
      trainSeconds: elapsed(),
      imagesSeen: state.imagesSeen + seen,
    };
    loop.record({
      type: "epoch",
      epoch,
      loss: sum / Math.max(n, 1),
      loc: sumLoc / Math.max(n, 1),
      cls: sumCls / Math.max(n, 1),
      lr,
      seconds,
      imagesPerSecond: seen / seconds,
      elapsedSeconds: state.trainSeconds,
    });
    sched = fitScheduleToTime(sched, loop.config, state, stepsPerEpoch);
    state = await loop.endOfEpoch(
      epoch,
      { ...state, ...scheduleOf(sched) },
      epoch + 1 === t.epochs || stopped,
    );
    if (stopped) {
      loop.record({ type: "stopped", reason: `time limit of ${t.timeLimitSeconds} s reached` });
      return { state, stoppedBy: "time-limit" };
    }
  }
  if (aborted()) return loop.interrupt(state);
  return { state, stoppedBy: "epochs" };
}
