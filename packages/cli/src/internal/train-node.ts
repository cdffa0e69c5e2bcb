/**
 * The part of `@od/train/node` the CLI uses, typed locally and imported at run time, so the CLI
 * builds before (and independently of) that subpath and tests can substitute it.
 */
import type { Detections, ImageInput, PostprocessOptions, SsdDetector } from "@od/ssd";
import type { TrainConfig } from "@od/train";

/**
 * A progress event of `train()`. The CLI reads the fields it knows and ignores the rest; `type` is one
 * of `start`, `step`, `nonfinite`, `epoch`, `eval`, `checkpoint`, `stopped` (epochs count from 0).
 */
export interface TrainEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Options of `train()`. */
export interface TrainRunOptions {
  /** Run folder (created). */
  readonly out: string;
  /** Continue from the run folder's last checkpoint. */
  readonly resume?: boolean;
  /** Called for every progress event. */
  readonly onEvent?: (event: TrainEvent) => void;
}

/**
 * A model the CLI predicts and evaluates with: a detector, or the detector + crop classifier of a
 * staged run (what `loadRunPredictor` of `@od/train/node` returns).
 */
export interface RunModel {
  /** Class names of the predictions (label k ≥ 1 is `classNames[k − 1]`). */
  readonly classNames: readonly string[];
  /** `classNames.length + 1`. */
  readonly numClasses: number;
  /** Per image: xyxy px boxes of that image, decreasing scores, labels ≥ 1. */
  predict(images: readonly ImageInput[], options?: PostprocessOptions): Promise<Detections[]>;
  /** Releases the model. */
  dispose(): void;
}

/** The `@od/train/node` functions the CLI calls. */
export interface TrainNode {
  /** Runs (or resumes) a training run into `options.out`. */
  train(config: TrainConfig, options: TrainRunOptions): Promise<unknown>;
  /** Loads the detector of a run folder (best or last checkpoint, as the run records). */
  loadRunDetector?(dir: string): Promise<SsdDetector>;
  /** Loads the model of a run folder, with its crop classifier when the run was staged. */
  loadRunPredictor?(dir: string): Promise<RunModel>;
}

/** A specifier bundlers and TypeScript leave alone (the subpath may not exist at build time). */
const TRAIN_NODE = ["@od", "train", "node"].join("/");

/**
 * Imports `@od/train/node`.
 * @throws Error with a one-line message when it is not available.
 */
export async function importTrainNode(): Promise<TrainNode> {
  let mod: unknown;
  try {
    mod = await import(/* @vite-ignore */ TRAIN_NODE);
  } catch (e) {
    throw new Error(
      `${TRAIN_NODE} is not available in this installation (${(e as Error).message.split("\n")[0]})`,
    );
  }
  const m = mod as Partial<TrainNode>;
  if (typeof m.train !== "function") throw new Error(`${TRAIN_NODE} does not export train()`);
  return m as TrainNode;
}
