/**
 * The configuration of a run folder: a new run resolves and writes `config.json`; a resumed run reads
 * it back (with the new epochs and time limit) and finds its last detector checkpoint. Fitted priors
 * replace the fit request in `config.json`, so resume and evaluation reuse them.
 * @module
 */
import path from "node:path";
import type { DetectionDataset } from "@od/data";
import { resolveTrainConfig, type TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import type { CheckpointPointer } from "./checkpoint.js";
import { detectorCheckpoints } from "./detector-stage.js";
import { fitModelPriors } from "./model.js";
import { jsonText, type RunFolder } from "./run-folder.js";

/** The configuration a run starts or resumes with. */
export interface RunConfig {
  readonly config: TrainConfig;
  /** The detector checkpoint to continue from (resume only). */
  readonly resumeFrom: CheckpointPointer | undefined;
}

/**
 * Creates the run folder and settles its configuration. New run: `input` resolved, `data.root` made
 * absolute, `model.classAgnostic` forced for staged training (stage 1 is class-agnostic), written to
 * `config.json`. Resume: the saved `config.json`, with `train.epochs` and `train.timeLimitSeconds` of
 * `input`, and the newest detector checkpoint (none when the run stopped before its first one: it
 * starts again from epoch 0 with its saved config).
 * @throws TrainError `INVALID_CONFIG`; `BAD_CHECKPOINT` when resuming a folder without a completed checkpoint.
 */
export async function openRunConfig(run: RunFolder, input: unknown, resume: boolean): Promise<RunConfig> {
  await run.create();
  if (!resume) {
    const c = resolveTrainConfig(input);
    const config: TrainConfig = {
      ...c,
      data: { ...c.data, root: path.resolve(c.data.root) },
      model: c.staged.enabled ? { ...c.model, classAgnostic: true } : c.model,
    };
    return { config: await writeConfig(run, config), resumeFrom: undefined };
  }
  const saved = await run.readJson("config.json");
  const last = await detectorCheckpoints(run).latest();
  if (saved === undefined)
    return fail(
      "BAD_CHECKPOINT",
      "train",
      `cannot resume ${run.dir}: no completed checkpoint (config.json is missing or unreadable)`,
      { out: run.dir },
    );
  const over = resolveTrainConfig(input);
  const base = resolveTrainConfig(saved);
  return {
    config: {
      ...base,
      train: { ...base.train, epochs: over.train.epochs, timeLimitSeconds: over.train.timeLimitSeconds },
    },
    resumeFrom: last,
  };
}

/**
 * Resolves `model.priors.fit` ({@link fitModelPriors}) and, when it fitted, writes the fitted config to
 * `config.json` and the coverage before/after to `priors.json`.
 */
export async function withFittedPriors(
  run: RunFolder,
  config: TrainConfig,
  train: DetectionDataset,
): Promise<TrainConfig> {
  const fitted = fitModelPriors(config, train);
  if (fitted.report === undefined) return config;
  const saved = await writeConfig(run, fitted.config);
  await run.writeJson("priors.json", fitted.report, 1, true);
  return saved;
}

/**
 * Writes `config.json` and returns the config as a resumed run reads it back (same values; the key
 * order of the schema's parse), so that a run and its resumption write byte-identical model files.
 */
async function writeConfig(run: RunFolder, config: TrainConfig): Promise<TrainConfig> {
  await run.writeJson("config.json", config, 2, true);
  return resolveTrainConfig(JSON.parse(jsonText(config)));
}
