/**
 * How runs without a chosen folder are named (`nextRunDir` / `latestRunDir` of `@od/train/node`).
 * @module
 */

/** The folder runs go into when no run folder is given, relative to the working directory. */
export const RUNS_DIR = "runs";

/** The name of a run with no chosen folder: `train`, then `train2`, `train3`, … */
export const DEFAULT_RUN_NAME = "train";
