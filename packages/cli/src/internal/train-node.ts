/**
 * The CLI's seam to `@od/train/node`: the functions it calls, typed by that module itself, loaded on
 * first use (so commands that do not train or predict start without it). Tests inject a fake through
 * `CliIo.loadTrainNode`.
 */
import type { latestRunDir, loadRunPredictor, nextRunDir, RunPredictor, train } from "@od/train/node";

/** The `@od/train/node` functions the CLI calls (a test can pass a fake with the same types). */
export interface TrainNode {
  /** Runs (or resumes) a training run (`train` of `@od/train/node`). */
  readonly train: typeof train;
  /** Loads the model of a run or model folder (`loadRunPredictor` of `@od/train/node`). */
  readonly loadRunPredictor: typeof loadRunPredictor;
  /** The folder of a new run without `--out`: `runs/train`, `runs/train2`, … (`nextRunDir`). */
  readonly nextRunDir: typeof nextRunDir;
  /** The run `--resume` without `--out` continues: the newest `runs/train*` (`latestRunDir`). */
  readonly latestRunDir: typeof latestRunDir;
}

/** What the CLI predicts and evaluates with: a run's model, as `loadRunPredictor` returns it. */
export type RunModel = Pick<RunPredictor, "classNames" | "numClasses" | "predict" | "dispose">;

/** Imports `@od/train/node`. */
export async function importTrainNode(): Promise<TrainNode> {
  return import("@od/train/node");
}
