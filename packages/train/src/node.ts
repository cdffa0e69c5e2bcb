/**
 * `@od/train/node`: a complete training run on the file system — load the dataset, train with
 * checkpoints and evaluation, write a run folder a person can read, resume exactly.
 * @packageDocumentation
 */
import { loadDetector } from "@od/ssd/node";
import type { TrainConfig } from "./config.js";
import { createRunDetector, createRunOptimizer } from "./model.js";
import { datasetImageLoader, loadTrainingData } from "./node/data.js";
import { runDetectorStage } from "./node/detector-stage.js";
import { initTrainingBackend } from "./node/epochs.js";
import { writePredictions, writeStagedReport, writeSummary } from "./node/report.js";
import { openRunConfig, withFittedPriors } from "./node/run-config.js";
import { undoNewRun } from "./node/run-dir.js";
import { exists, RunFolder } from "./node/run-folder.js";
import { checkClassifierData, classifierResumePoint, runClassifierStage } from "./node/stage2.js";
import type { TrainEvent, TrainOptions, TrainSummary } from "./node/types.js";
import { loadInitialWeights, type WeightsReport } from "./node/weights.js";

export { fitModelPriors, type PriorFitReport } from "./model.js";
export { datasetImageLoader, loadTrainingData, type TrainingData } from "./node/data.js";
export { loadRunDetector, loadRunPredictor, type RunPredictor } from "./node/predictor.js";
export { configChanges, loadPriorsFile } from "./node/run-config.js";
export {
  latestRunDir,
  nextRunDir,
  prepareRunDir,
  RUN_ENTRIES,
  type RunDirReport,
  runStartedAt,
} from "./node/run-dir.js";
export type {
  ConfigOverride,
  StagedScores,
  TrainEvent,
  TrainOptions,
  TrainSummary,
} from "./node/types.js";
export {
  type LoadInitialWeightsOptions,
  loadInitialWeights,
  type WeightsFormat,
  type WeightsKind,
  type WeightsReport,
  weightsKind,
} from "./node/weights.js";
export { DataParallel } from "./parallel.js";

/**
 * Trains an SSD detector as the config says and writes a run folder:
 * `config.json` (resolved, defaults filled), `data-report.json` (every box the loaders dropped or
 * clipped, and why), `log.jsonl` (one event per line), `loss.svg`, `lr.svg`, `map.svg`,
 * `eval.json` + `eval.txt` (per-class AP, COCO summary), `checkpoints/` (atomic; `last.json` points
 * at the newest), `best/` and `model/` (loadable with `loadRunDetector`), `predictions/*.png`,
 * `summary.json`. Staged training adds `classifier/`, `checkpoints/classifier/` and `eval-staged.json`.
 *
 * Deterministic for a seed on one backend: batch order and augmentation draw from (seed, epoch,
 * position), initial weights from the seed. `resume` continues after the last completed epoch of
 * the stage the run was in (the detector, or the crop classifier of staged training) with the same
 * weights, optimizer state, batch-norm statistics and schedule position, so its losses and final
 * models equal an uninterrupted run's.
 * A new run refuses a non-empty `out` unless `existOk` (TrainError `RUN_EXISTS`); a resumed run takes
 * its saved config with what `input` changes (see {@link TrainOptions}).
 * @throws TrainError `INVALID_CONFIG`, `RUN_EXISTS`, `BAD_DATASET`, `BAD_CHECKPOINT`, `NON_FINITE_LOSS`; loader errors.
 */
export async function train(input: unknown, options: TrainOptions): Promise<TrainSummary> {
  const run = new RunFolder(options.out);
  const resume = options.resume === true;
  const createdDir = !(await exists(run.dir));
  const opened = await openRunConfig(run, input, {
    resume,
    ...(options.existOk === undefined ? {} : { existOk: options.existOk }),
  });
  let setup: Awaited<ReturnType<typeof setUpRun>>;
  try {
    setup = await setUpRun(run, opened.config, resume);
  } catch (e) {
    // A new run that cannot start (no such backend, a bad dataset, priors or model) leaves the folder
    // as it found it, so the corrected command starts in it again.
    if (!resume) await undoNewRun(run.dir, createdDir);
    throw e;
  }
  const { backend, data, config, inStage2, detector, optimizer, weights } = setup;
  const load = datasetImageLoader(data.train);
  const loadVal = datasetImageLoader(data.val);
  // Opened only now, so that a setup error (config, dataset, checkpoint) leaves no handle open.
  const log = await run.openLog();
  const record = (e: TrainEvent) => {
    options.onEvent?.(e);
    log.append(e);
  };
  if (weights !== undefined) record({ type: "weights", report: weights });
  if (resume)
    record({ type: "resume", epochsCompleted: opened.resumeFrom?.epoch ?? 0, overrides: opened.overrides });
  const dispose = once(() => {
    optimizer.dispose();
    detector.dispose();
  });
  try {
    const stage1 = await runDetectorStage({
      ...{ run, config, data, detector, optimizer, backend, load, loadVal, record },
      resumeFrom: opened.resumeFrom,
      ...(inStage2 === undefined ? {} : { finished: inStage2.detectorStoppedBy }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const stage2 = config.staged.enabled
      ? await runClassifierStage({
          ...{ run, config, data, load, loadVal, record },
          detectorStoppedBy: stage1.stoppedBy,
          resumeFrom: inStage2?.from,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
      : undefined;
    const best =
      stage2 === undefined && stage1.state.bestEpoch > 0 ? await loadDetector(run.path("best")) : undefined;
    await writePredictions(
      run,
      stage2?.predictor ?? best ?? detector,
      data.val,
      loadVal,
      config.eval.samples,
    );
    stage2?.predictor.dispose();
    best?.dispose();
    dispose();
    const oneStage =
      config.staged.enabled && config.staged.compareOneStage
        ? await runOneStage(config, run, resume, record, options)
        : undefined;
    if (stage2?.text !== undefined) await writeStagedReport(run, stage2.text, stage2.scores, oneStage);
    return await writeSummary(run, backend.name, stage1, stage2, oneStage);
  } finally {
    dispose();
    await log.close();
  }
}

/**
 * Everything a run needs before its first step, checked before any training: leftovers of a killed
 * writer removed, the backend, the dataset, the fitted priors (`config.json`, `priors.json`), the data
 * report, the stage to resume in, the detector (with `model.weights` loaded into a new run's, reported
 * in `weights.json`; a resumed run takes its weights from the checkpoint) and its optimizer.
 */
async function setUpRun(run: RunFolder, opened: TrainConfig, resume: boolean) {
  // What a killed writer left (temporary files, folders renamed aside) is garbage once config.json is settled.
  await run.removeLeftovers();
  const backend = await initTrainingBackend(opened);
  const data = await loadTrainingData(opened);
  const config = await withFittedPriors(run, opened, data.train);
  await run.writeJson("data-report.json", { train: data.train.report, val: data.val.report }, 1);
  if (config.staged.enabled) checkClassifierData(config, data);
  // A run resumed in stage 2 has finished stage 1.
  const inStage2 = await classifierResumePoint(run, config, resume);
  const detector = createRunDetector(config, data.classNames);
  try {
    let weights: WeightsReport | undefined;
    if (config.model.weights !== undefined && !resume) {
      weights = await loadInitialWeights(detector, config.model.weights);
      await run.writeJson("weights.json", weights, 1, true);
    }
    const optimizer = createRunOptimizer(config, detector);
    return { backend, data, config, inStage2, detector, optimizer, weights };
  } catch (e) {
    detector.dispose();
    throw e;
  }
}

/** `f`, run at most once. */
function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

/**
 * The comparison run of `staged.compareOneStage`: the same config as a one-stage (class-aware)
 * detector, in `<out>/one-stage/` (resumed when the staged run is resumed and it has a checkpoint).
 */
async function runOneStage(
  config: TrainConfig,
  run: RunFolder,
  resume: boolean,
  record: (e: TrainEvent) => void,
  options: TrainOptions,
): Promise<NonNullable<TrainSummary["oneStage"]> | null> {
  const dir = run.path("one-stage");
  const one: TrainConfig = {
    ...config,
    model: { ...config.model, classAgnostic: false },
    staged: { ...config.staged, enabled: false, compareOneStage: false },
  };
  const canResume = resume && (await run.exists("one-stage/checkpoints/last.json"));
  record({ type: "stage", stage: "one-stage", detail: dir });
  // Without a checkpoint to resume, what an interrupted comparison run left is removed (existOk).
  const s = await train(one, { ...options, out: dir, resume: canResume, existOk: true });
  return s.best === null ? null : { ...s.best, out: dir };
}
