/**
 * The configuration of a run folder: a new run resolves and writes `config.json` (with a prior file's
 * contents read in); a resumed run reads it back, applies what the caller overrides, and finds its last
 * detector checkpoint. Fitted priors replace the fit request in `config.json`, so resume and evaluation
 * reuse them.
 * @module
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isOdError } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import { type PriorConfig, priorLayout } from "@od/priors";
import { mergeConfig, resolveTrainConfig, type TrainConfig } from "../config.js";
import { fail } from "../errors.js";
import { fitModelPriors } from "../model.js";
import type { CheckpointPointer } from "./checkpoint.js";
import { detectorCheckpoints } from "./detector-stage.js";
import { prepareRunDir } from "./run-dir.js";
import { jsonText, type RunFolder } from "./run-folder.js";
import type { ConfigOverride } from "./types.js";

/** The configuration a run starts or resumes with. */
export interface RunConfig {
  readonly config: TrainConfig;
  /** The detector checkpoint to continue from (resume only; none when the run stopped before its first). */
  readonly resumeFrom: CheckpointPointer | undefined;
  /** Resume only: the saved settings `input` changed (empty when it changed none). */
  readonly overrides: readonly ConfigOverride[];
}

/**
 * Settles the run folder and its configuration, then creates the folder.
 *
 * New run: the folder must be missing or empty unless `existOk` (then the earlier run's files are
 * removed; {@link prepareRunDir}); `input` is resolved, `data.root` made absolute, a prior file
 * (`model.priors.file`) read in ({@link loadPriorsFile}), `model.weights` made absolute,
 * `model.classAgnostic` forced for staged training (stage 1 is class-agnostic), and the result written
 * to `config.json`.
 *
 * Resume: the saved `config.json` with `input` merged over it (`input` holds only what changes, e.g.
 * `{ train: { epochs: 50 } }`; `undefined` or `{}` resumes as saved, epochs and time limit included).
 * The changed settings are returned and written back to `config.json`; the model's settings cannot
 * change (the checkpoint holds that model's weights). A run that stopped before its first checkpoint
 * starts again from epoch 0 with its saved config.
 * @throws TrainError `RUN_EXISTS`; `INVALID_CONFIG` (also for a change of `model.*` on resume, naming
 *   the key, and for an unreadable or invalid prior file, naming the file); `BAD_CHECKPOINT` when
 *   resuming a folder without `config.json`.
 */
export async function openRunConfig(
  run: RunFolder,
  input: unknown,
  options: { readonly resume: boolean; readonly existOk?: boolean },
): Promise<RunConfig> {
  if (!options.resume) {
    const c = await loadPriorsFile(resolveTrainConfig(input));
    const config: TrainConfig = {
      ...c,
      data: { ...c.data, root: path.resolve(c.data.root) },
      model: {
        ...c.model,
        ...(c.staged.enabled ? { classAgnostic: true } : {}),
        ...(c.model.weights === undefined ? {} : { weights: path.resolve(c.model.weights) }),
      },
    };
    await prepareRunDir(run.dir, { existOk: options.existOk === true });
    await run.create();
    return { config: await writeConfig(run, config), resumeFrom: undefined, overrides: [] };
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
  const base = resolveTrainConfig(saved);
  const merged = resolveTrainConfig(mergeConfig(saved, input ?? {}));
  const changed: TrainConfig = { ...merged, data: { ...merged.data, root: path.resolve(merged.data.root) } };
  const overrides = configChanges(base, changed);
  const model = overrides.find((o) => o.key === "model" || o.key.startsWith("model."));
  if (model !== undefined)
    return fail(
      "INVALID_CONFIG",
      "train",
      `${model.key} cannot change when resuming ${run.dir} (its checkpoint holds the saved model's weights): saved ${JSON.stringify(model.from)}, given ${JSON.stringify(model.to)}; start a new run for another model`,
      { key: model.key },
    );
  const config = overrides.length > 0 ? await writeConfig(run, changed) : changed;
  return { config, resumeFrom: last, overrides };
}

/** Plain objects (not arrays) are compared key by key; anything else is one value. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The settings that differ between two configurations, as dotted keys in the order of the keys of `a`
 * then `b` (`train.epochs: 2 → 5`); arrays and other non-objects compare as whole values (JSON).
 */
export function configChanges(a: unknown, b: unknown, prefix = ""): ConfigOverride[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => configChanges(a[k], b[k], prefix === "" ? k : `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ key: prefix, from: a, to: b }];
}

/**
 * Reads the prior file of `model.priors.file` (relative to the working directory): JSON of a prior
 * config as `odet priors fit --out` writes it (`PriorConfig` of `@od/priors`), or an object holding it
 * under `config` (what `fitPriors` returns). The config comes back with `model.priors` = `{ file
 * (absolute), config }`, so `config.json` records both where the priors came from and what they were.
 * Any other `model.priors` (and one already read) is returned unchanged.
 * @throws TrainError `INVALID_CONFIG` naming the file: unreadable, not JSON, not a valid prior config
 *   (the reason from `priorLayout`), or laid out for another input size than `model.inputSize`.
 */
export async function loadPriorsFile(config: TrainConfig): Promise<TrainConfig> {
  const p = config.model.priors;
  if (!("file" in p) || p.config !== undefined) return config;
  const file = path.resolve(p.file);
  const bad = (why: string): never =>
    fail("INVALID_CONFIG", "train", `model.priors.file ${file}: ${why}`, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return bad(
      code === "ENOENT"
        ? "does not exist"
        : e instanceof SyntaxError
          ? `is not valid JSON (${e.message})`
          : `cannot be read (${(e as Error).message})`,
    );
  }
  const prior = (isPlainObject(raw) && isPlainObject(raw.config) ? raw.config : raw) as PriorConfig;
  try {
    priorLayout(prior);
  } catch (e) {
    if (isOdError(e)) return bad(`not a prior config: ${e.message}`);
    throw e;
  }
  const { width, height } = config.model.inputSize;
  if (prior.imageSize.width !== width || prior.imageSize.height !== height)
    return bad(
      `its priors are laid out for a ${prior.imageSize.width}x${prior.imageSize.height} input but model.inputSize is ${width}x${height}; fit them at that size`,
    );
  return resolveTrainConfig({ ...config, model: { ...config.model, priors: { file, config: prior } } });
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
