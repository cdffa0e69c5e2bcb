import type { WeightsReport } from "./weights.js";
/**
 * The public shapes of a training run: its progress events, options and summary.
 * @module
 */

/**
 * Progress events of `train()`, in the order they happen (epochs and steps of `epoch` fields count
 * from 0). `log.jsonl` of the run folder holds them, one per line with its time.
 */
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
      /** Epochs already completed (a resumed run continues after them; 0 for a new run). */
      readonly startEpoch: number;
      /** Worker threads computing shards of each batch (data-parallel), 0 for single-threaded. */
      readonly workers: number;
      /** Epochs the run trains at most (`train.epochs`). */
      readonly epochs: number;
      /** Seconds of training the run may take (`train.timeLimitSeconds`; 0: no limit). */
      readonly timeLimitSeconds: number;
      /** Seconds of training already done (before a resume; 0 for a new run), counted against the limit. */
      readonly elapsedSeconds: number;
    }
  | {
      /** A new run loaded `model.weights` (also saved as `weights.json` of the run folder). */
      readonly type: "weights";
      readonly report: WeightsReport;
    }
  | {
      /** A resumed run: the saved settings it changes (empty when it resumes as saved). */
      readonly type: "resume";
      /** Epochs completed in the checkpoint it continues from. */
      readonly epochsCompleted: number;
      readonly overrides: readonly ConfigOverride[];
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
      /** Seconds of training in the run after this step (time before a resume included). */
      readonly elapsedSeconds: number;
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
      /** Seconds of training in the run at the end of this epoch (time before a resume included). */
      readonly elapsedSeconds: number;
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
      /** Stage 2: the crop classifier's checkpoint after `epoch` (0-based) is on disk. */
      readonly type: "classifier-checkpoint";
      readonly epoch: number;
      readonly dir: string;
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

/** A setting of a resumed run that differs from the saved one (`train.epochs`: 2 → 5). */
export interface ConfigOverride {
  /** Dotted path in the config (`train.epochs`). */
  readonly key: string;
  /** The saved value (`undefined` when the saved config has none). */
  readonly from: unknown;
  /** The value the resumed run uses. */
  readonly to: unknown;
}

/** Options of `train()`. */
export interface TrainOptions {
  /**
   * Run folder (created). A new run needs it missing or empty (see `existOk`); `nextRunDir()` gives
   * the first free `runs/train`, `runs/train2`, …
   */
  readonly out: string;
  /**
   * Continue from the last checkpoint in `out` with the run's saved config (`config.json`: epochs,
   * time limit and every other setting). The config passed to `train()` then holds only what changes
   * (`{ train: { epochs: 50 } }`; `{}` to resume as saved); changes are reported in a `resume` event
   * and written to `config.json`. Time already trained counts against the time limit.
   */
  readonly resume?: boolean;
  /**
   * Start a new run in a folder that already holds files: the earlier run's files (`RUN_ENTRIES`:
   * checkpoints, `best/`, `model/`, predictions, log, reports) are deleted first. Without it such a
   * folder is refused (TrainError `RUN_EXISTS`). Ignored with `resume`.
   */
  readonly existOk?: boolean;
  /** Receives progress events. */
  readonly onEvent?: (event: TrainEvent) => void;
  /**
   * Stops training when aborted (e.g. on SIGINT): the current step finishes, a checkpoint is written
   * (mid-epoch: the next resume continues at the next batch), and `train()` rejects with TrainError
   * `INTERRUPTED` whose `details.checkpoint` is that checkpoint's folder. Stage 2 and the comparison
   * run stop at their last checkpoint.
   */
  readonly signal?: AbortSignal;
}

/** What a finished run reports (also written to `summary.json`). */
export interface TrainSummary {
  /** Absolute run folder. */
  readonly out: string;
  /** tfjs backend the detector trained on (`wasm`, `cpu`, `tensorflow`). */
  readonly backend: string;
  /** Detector epochs completed (stage 1 of a staged run). */
  readonly epochsCompleted: number;
  /** Detector optimizer steps. */
  readonly steps: number;
  /** Seconds of detector training (evaluation between epochs included). */
  readonly trainSeconds: number;
  /** Training images per second over the detector's epochs. */
  readonly imagesPerSecond: number;
  /** 1-based epoch of the best validation VOC mAP@0.5 (`best/`), −1 when never evaluated. */
  readonly bestEpoch: number;
  /** Validation scores of the best epoch (`eval.json`), `null` when never evaluated. */
  readonly best: {
    readonly vocMap: number;
    readonly voc07Map: number;
    readonly cocoMap: number;
    readonly perClass: Readonly<Record<string, number>>;
  } | null;
  /** Peak resident memory of the process, MiB. */
  readonly peakRssMb: number;
  /** What ended the detector's training: all epochs done, or `train.timeLimitSeconds`. */
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
  /** VOC mAP@0.5 (all-point). */
  readonly vocMap: number;
  /** VOC2007 11-point mAP@0.5. */
  readonly voc07Map: number;
  /** COCO mAP@[.5:.95]. */
  readonly cocoMap: number;
  /** VOC AP@0.5 by class name. */
  readonly perClass: Readonly<Record<string, number>>;
}

/** Loss, learning rate and validation mAP over a run, as `[x, y]` points (x: step, or 1-based epoch for mAP). */
export interface History {
  readonly loss: [number, number][];
  readonly lr: [number, number][];
  readonly voc: [number, number][];
  readonly coco: [number, number][];
}

/** The detector stage's state after a completed epoch (`state.json` of its checkpoints). */
export interface RunState {
  /** Epochs completed. */
  readonly epochsCompleted: number;
  /** Optimizer steps taken (the schedule's position). */
  readonly step: number;
  /** 1-based epoch of the best validation VOC mAP@0.5 so far, −1 before any evaluation. */
  readonly bestEpoch: number;
  /** That mAP, −1 before any evaluation. */
  readonly bestMap: number;
  /** Seconds since the run started (evaluations between epochs included). */
  readonly trainSeconds: number;
  /** Training images seen. */
  readonly imagesSeen: number;
  /** Steps of the learning-rate schedule as last fitted (e.g. to the time limit); unset: the config's. */
  readonly scheduleSteps?: number;
  /** Curves of the run so far. */
  readonly history: History;
  /**
   * Set in a checkpoint written within an epoch (training was interrupted after a step): the batches
   * of epoch `epochsCompleted` already trained and their running sums, so a resume continues at the
   * next batch and reports the same epoch means.
   */
  readonly inEpoch?: EpochProgress;
}

/** The part of an epoch already trained (see {@link RunState.inEpoch}). */
export interface EpochProgress {
  /** Batches of the epoch done (the next one to train is this index). */
  readonly batches: number;
  /** Sums of the applied steps' losses, their count, and the images seen in the epoch. */
  readonly loss: number;
  readonly loc: number;
  readonly cls: number;
  readonly applied: number;
  readonly images: number;
  /** Seconds the epoch has taken so far. */
  readonly seconds: number;
}
