/**
 * Stage 1, the detector: restores its checkpoint, runs the epoch loop over the input pipeline, and
 * between epochs evaluates, checkpoints (`checkpoints/epoch-NNNN/`, `best/`) and redraws the curves;
 * saves the final weights to `model/`.
 * @module
 */

import type { SsdDetector } from "@od/ssd";
import type { BackendInfo } from "@od/tf";
import type { TrainConfig } from "../config.js";
import type { Optimizer } from "../optim.js";
import { type ImageLoader, type RgbLoader, trainingPipeline } from "../sampler.js";
import { type CheckpointPointer, Checkpoints, detectorCheckpoint } from "./checkpoint.js";
import type { TrainingData } from "./data.js";
import { initialRunState, readRunState, runEpochs, startStepper } from "./epochs.js";
import { evaluateEpoch, writeCurves } from "./report.js";
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
 * Trains the detector (or restores it, when `finished`), recording `start`, then the loop's events
 * and per epoch `eval` and `checkpoint`.
 * @throws TrainError `BAD_CHECKPOINT`, `NON_FINITE_LOSS`; loader errors.
 */
export async function runDetectorStage(s: DetectorStage): Promise<DetectorStageResult> {
  const { run, config, detector, optimizer, record } = s;
  const checkpoints = detectorCheckpoints(run);
  const model = detectorCheckpoint(detector);
  const start =
    s.resumeFrom === undefined
      ? initialRunState()
      : await checkpoints.restore(s.resumeFrom.dir, model, optimizer);
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
    });
  if (s.finished !== undefined) {
    recordStart(0);
    return { state: start, stoppedBy: s.finished, workers: 0 };
  }
  const stepper = await startStepper(config, detector, optimizer, s.backend.name);
  try {
    recordStart(stepper.workers);
    const r = await runEpochs(
      {
        config,
        pipeline,
        stepper,
        record,
        endOfEpoch: async (epoch, state, last) => {
          const ev = await evaluateEpoch(s, epoch, state, last);
          const dir = await checkpoints.save(epoch + 1, model, optimizer, ev.state);
          if (ev.best) await run.replaceModel("best", (d) => model.save(d));
          record({ type: "checkpoint", epoch, dir, best: ev.best });
          await writeCurves(run, ev.state.history);
          return ev.state;
        },
      },
      start,
    );
    await run.replaceModel("model", (d) => model.save(d));
    return { ...r, workers: stepper.workers };
  } finally {
    await stepper.dispose();
  }
}
