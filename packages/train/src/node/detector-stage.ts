/**
 * Stage 1, the detector: restores its checkpoint, runs the epoch loop over the input pipeline, and
 * between epochs evaluates, checkpoints (`checkpoints/epoch-NNNN/`) and then derives from the
 * checkpoint what people read (`best/`, `eval.json`, `eval.txt`, the curves); copies the final
 * weights to `model/`. A resumed run first derives those files again from its checkpoint, so a kill
 * anywhere after a checkpoint's commit leaves nothing stale.
 * @module
 */
import path from "node:path";

import type { SsdDetector } from "@od/ssd";
import type { BackendInfo } from "@od/tf";
import type { TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import type { Optimizer } from "../optim.js";
import { type ImageLoader, type RgbLoader, trainingPipeline } from "../sampler.js";
import {
  type CheckpointModel,
  type CheckpointPointer,
  Checkpoints,
  checkpointName,
  detectorCheckpoint,
} from "./checkpoint.js";
import type { TrainingData } from "./data.js";
import { initialRunState, readRunState, runEpochs, startStepper } from "./epochs.js";
import { BEST_EVALUATION_FILES, evaluateEpoch, writeCurves } from "./report.js";
import type { RunFolder } from "./run-folder.js";
import type { RunState, TrainEvent, TrainSummary } from "./types.js";

/** The detector checkpoints of a run folder (`checkpoints/`). */
export function detectorCheckpoints(run: RunFolder): Checkpoints<RunState> {
  return new Checkpoints(run.path("checkpoints"), readRunState);
}

/** What stage 1 needs. */
export interface DetectorStage {
  readonly run: RunFolder;
  readonly config: TrainConfig;
  readonly data: TrainingData;
  readonly detector: SsdDetector;
  readonly optimizer: Optimizer;
  /** The backend the detector trains on (`start` event; `tensorflow` keeps to one thread). */
  readonly backend: BackendInfo;
  /** Decoders of the training and validation images. */
  readonly load: RgbLoader;
  readonly loadVal: ImageLoader;
  readonly record: (event: TrainEvent) => void;
  /** Continue from this checkpoint (`undefined`: start at epoch 0). */
  readonly resumeFrom: CheckpointPointer | undefined;
  /** Stops training after the current step (see `TrainOptions.signal`). */
  readonly signal?: AbortSignal;
  /**
   * Set when stage 1 is already over (a staged run resumed in stage 2): only its state is restored,
   * no epoch is trained; the value is what ended it.
   */
  readonly finished?: TrainSummary["stoppedBy"];
}

/** What stage 1 ends with. */
export interface DetectorStageResult {
  readonly state: RunState;
  readonly stoppedBy: TrainSummary["stoppedBy"];
  /** Data-parallel worker threads used (0: this thread alone). */
  readonly workers: number;
}

/**
 * Publishes the best epoch of a committed state: removes `eval.json` and `eval.txt`, replaces `best/`
 * by a copy of the model files of that epoch's checkpoint, then copies its `eval.txt` and `eval.json`
 * (in that order: when `eval.json` exists, `best/` and `eval.txt` are its epoch's). With no best
 * epoch, removes all three.
 */
export async function publishBest(
  run: RunFolder,
  checkpoints: Checkpoints<RunState>,
  bestEpoch: number,
  model: CheckpointModel,
): Promise<void> {
  for (const f of [...BEST_EVALUATION_FILES].reverse()) await run.remove(f);
  if (bestEpoch <= 0) {
    await run.remove("best");
    return;
  }
  const dir = path.join(checkpoints.root, checkpointName(bestEpoch));
  await run.copyModel("best", dir, [model.files.json, model.files.weights]);
  for (const f of BEST_EVALUATION_FILES) await run.copyFile(f, path.join(dir, f));
}

/**
 * Derives again what a run folder shows from its committed checkpoint, before a resumed run goes on:
 * removes what a killed writer left (`*.tmp-*`, `*.old-*`) and the stale `summary.json` (written
 * again when the run finishes), publishes the best epoch ({@link publishBest}) and redraws the curves.
 * With `final`, the checkpoint ends stage 1 and `model/` is copied from it too.
 * @throws TrainError `BAD_CHECKPOINT` when the best epoch's checkpoint is missing.
 */
export async function repairRunFolder(
  run: RunFolder,
  checkpoints: Checkpoints<RunState>,
  from: CheckpointPointer,
  state: RunState,
  model: CheckpointModel,
  final: boolean,
): Promise<void> {
  await run.removeLeftovers();
  await run.remove("summary.json");
  if (state.bestEpoch > 0 && !(await run.exists(path.join("checkpoints", checkpointName(state.bestEpoch)))))
    fail(
      "BAD_CHECKPOINT",
      "train",
      `${from.dir}/state.json names epoch ${state.bestEpoch} as the best, but its checkpoint ${checkpointName(state.bestEpoch)} is missing`,
      { dir: from.dir, bestEpoch: state.bestEpoch },
    );
  await publishBest(run, checkpoints, state.bestEpoch, model);
  if (final) await run.copyModel("model", from.dir, [model.files.json, model.files.weights]);
  await writeCurves(run, state.history);
}

/**
 * Trains the detector (or restores it, when `finished`), recording `start`, then the loop's events
 * and per epoch `eval` and `checkpoint`.
 * @throws TrainError `BAD_CHECKPOINT`, `NON_FINITE_LOSS`, `INTERRUPTED`; loader errors.
 */
export async function runDetectorStage(s: DetectorStage): Promise<DetectorStageResult> {
  const { run, config, detector, optimizer, record } = s;
  const checkpoints = detectorCheckpoints(run);
  const model = detectorCheckpoint(detector);
  const start =
    s.resumeFrom === undefined
      ? initialRunState()
      : await checkpoints.restore(s.resumeFrom.dir, model, optimizer);
  if (s.resumeFrom !== undefined)
    await repairRunFolder(run, checkpoints, s.resumeFrom, start, model, s.finished !== undefined);
  const pipeline = trainingPipeline(config, s.data.train, detector, s.load);
  const recordStart = (workers: number) =>
    record({
      type: "start",
      backend: s.backend.name,
      reason: s.backend.reason,
      trainImages: s.data.train.images.length,
      valImages: s.data.val.images.length,
      parameters: detector.countParameters(),
      priors: detector.priors.length,
      stepsPerEpoch: pipeline.batchesPerEpoch,
      startEpoch: start.epochsCompleted,
      workers,
      epochs: config.train.epochs,
      timeLimitSeconds: config.train.timeLimitSeconds,
      elapsedSeconds: start.trainSeconds,
    });
  if (s.finished !== undefined) {
    recordStart(0);
    return { state: start, stoppedBy: s.finished, workers: 0 };
  }
  let last = s.resumeFrom;
  const keep = (st: RunState) => (st.bestEpoch > 0 ? [checkpointName(st.bestEpoch)] : []);
  const stepper = await startStepper(config, detector, optimizer, s.backend.name);
  try {
    recordStart(stepper.workers);
    const r = await runEpochs(
      {
        config,
        pipeline,
        stepper,
        record,
        ...(s.signal === undefined ? {} : { signal: s.signal }),
        endOfEpoch: async (epoch, state, isLast) => {
          const ev = await evaluateEpoch(s, epoch, state, isLast);
          const dir = await checkpoints.save(epoch + 1, model, optimizer, ev.state, {
            ...(ev.best === undefined ? {} : { files: ev.best }),
            keep: keep(ev.state),
          });
          last = { dir, name: path.basename(dir), epoch: epoch + 1 };
          if (ev.best !== undefined) await publishBest(run, checkpoints, ev.state.bestEpoch, model);
          record({ type: "checkpoint", epoch, dir, best: ev.best !== undefined });
          await writeCurves(run, ev.state.history);
          return ev.state;
        },
        interrupt: async (state) => {
          let dir = last?.dir;
          if (state.inEpoch !== undefined) {
            dir = await checkpoints.save(state.epochsCompleted, model, optimizer, state, {
              batch: state.inEpoch.batches,
              keep: keep(state),
            });
          }
          return fail(
            "INTERRUPTED",
            "train",
            dir === undefined
              ? "interrupted before the first step; no checkpoint written"
              : `interrupted: checkpoint written to ${dir}`,
            { checkpoint: dir },
          );
        },
      },
      start,
    );
    if (last === undefined) await run.replaceModel("model", (d) => model.save(d));
    else await run.copyModel("model", last.dir, [model.files.json, model.files.weights]);
    return { ...r, workers: stepper.workers };
  } finally {
    await stepper.dispose();
  }
}
