/**
 * The model of a run: priors fitted to the training boxes, the detector a config describes, and its
 * optimizer.
 * @module
 */
import type { DetectionDataset } from "@od/data";
import { configFromFeatureMaps, type FromFeatureMapsOptions, fitPriors, type PriorConfig } from "@od/priors";
import {
  type BackboneConfig,
  createBackbone,
  defaultSsdConfig,
  featureSize,
  isBackboneParam,
  PRIOR_FIT_DEFAULTS,
  type SsdConfig,
  SsdDetector,
  ssdlite320MobilenetV3LargeConfig,
} from "@od/ssd";
import type { tf } from "@od/tf";
import type { TrainConfig } from "./config.js";
import { fail } from "./errors.js";
import { Optimizer } from "./optim.js";
import { trainableNames } from "./step.js";

/** Coverage of the priors before and after fitting (`priors.json` of the run folder). */
export interface PriorFitReport {
  readonly numPriors: number;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * Resolves `model.priors.fit`: fits prior shapes to the training boxes (`fitPriors` of @od/priors,
 * seeded, same grid as the backbone's taps) and returns the config with the explicit fitted priors,
 * plus the before/after coverage for the run folder. Other prior options pass through unchanged.
 */
export function fitModelPriors(
  config: TrainConfig,
  train: DetectionDataset,
): { config: TrainConfig; report?: PriorFitReport } {
  const p = config.model.priors;
  if (!("fit" in p)) return { config };
  const { width, height } = config.model.inputSize;
  const taps = createBackbone(withoutUndefined<BackboneConfig>(config.model.backbone)).taps;
  const maps = taps.map((tap) => ({
    height: featureSize(height, tap.stride),
    width: featureSize(width, tap.stride),
  }));
  const base = configFromFeatureMaps(maps, config.model.inputSize, {
    minScale: p.fit.minScale,
    maxScale: p.fit.maxScale,
    aspectRatios: [...PRIOR_FIT_DEFAULTS.aspectRatios],
  });
  const gt = train.images.filter((r) => r.boxes.length > 0);
  const fit = fitPriors(gt, base, {
    budget: { shapesPerLevel: maps.map(() => p.fit.shapesPerLevel) },
    seed: config.train.seed,
    classNames: train.classNames,
  });
  const fitted: TrainConfig = {
    ...config,
    model: { ...config.model, priors: { config: fit.config } as TrainConfig["model"]["priors"] },
  };
  return {
    config: fitted,
    report: { numPriors: fit.numPriors, before: coverage(fit.before), after: coverage(fit.after) },
  };
}

function coverage(r: {
  recall: number;
  meanBestIou: number;
  byClass?: readonly { name?: string; recall: number | null; meanBestIou: number | null }[];
}): unknown {
  return {
    recall: r.recall,
    meanBestIou: r.meanBestIou,
    byClass: r.byClass?.map((c) => ({ name: c.name, recall: c.recall, meanBestIou: c.meanBestIou })),
  };
}

/** The detector's prior option of a config: feature-map scales, or the explicit prior config given. */
function priorsOf(config: TrainConfig): SsdConfig["priors"] {
  const p = config.model.priors;
  if ("fit" in p)
    fail("INVALID_CONFIG", "priorsOf", "model.priors.fit must be resolved by fitModelPriors() first");
  if ("file" in p && p.config === undefined)
    fail("INVALID_CONFIG", "priorsOf", `model.priors.file ${p.file} must be read by loadPriorsFile() first`);
  return "config" in p && p.config !== undefined
    ? { config: p.config as unknown as PriorConfig }
    : withoutUndefined<FromFeatureMapsOptions>(p);
}

/**
 * The detector config of a run: `model.architecture` `ssd` from the model settings and od's defaults
 * (`defaultSsdConfig`), `ssdlite320_mobilenet_v3_large` from `ssdlite320MobilenetV3LargeConfig` of
 * `@od/ssd` (its input, preprocessing, batch-norm momentum and post-processing) with the run's priors.
 * One class `object` when `model.classAgnostic`, else `classNames`; initial weights seeded by `train.seed`.
 * @throws TrainError `INVALID_CONFIG` when `model.priors.fit` has not been resolved by {@link fitModelPriors}
 *   or `model.priors.file` not read by `loadPriorsFile`.
 */
export function runDetectorConfig(config: TrainConfig, classNames: readonly string[]): SsdConfig {
  const m = config.model;
  const names = m.classAgnostic ? ["object"] : [...classNames];
  if (m.architecture === "ssdlite320_mobilenet_v3_large") {
    const b = m.backbone as { widthMultiplier?: number; reducedTail?: boolean };
    const base = ssdlite320MobilenetV3LargeConfig({
      classNames: names,
      ...(b.widthMultiplier === undefined ? {} : { widthMultiplier: b.widthMultiplier }),
      ...(b.reducedTail === undefined ? {} : { reducedTail: b.reducedTail }),
      seed: config.train.seed,
    });
    return { ...base, priors: priorsOf(config) };
  }
  return defaultSsdConfig({
    classNames: names,
    inputSize: m.inputSize,
    inputFit: m.inputFit,
    backbone: withoutUndefined<BackboneConfig>(m.backbone),
    head: m.head,
    priors: priorsOf(config),
    seed: config.train.seed,
  });
}

/**
 * The detector of a config ({@link runDetectorConfig}) with seeded initial weights.
 * @throws TrainError `INVALID_CONFIG` (see {@link runDetectorConfig}); SsdError `INVALID_CONFIG`.
 */
export function createRunDetector(config: TrainConfig, classNames: readonly string[]): SsdDetector {
  return new SsdDetector(runDetectorConfig(config, classNames));
}

/**
 * The optimizer of a config (`train.optimizer`, `momentum`, `weightDecay`) over the detector's trainable
 * variables; weight decay on kernels only (every `ParamKind` but `"vector"`: no biases or batch-norm
 * parameters, whatever the naming); backbone parameters (`isBackboneParam` of `@od/ssd`) at `train.backboneLrScale` times the
 * schedule's rate.
 */
export function createRunOptimizer(config: TrainConfig, detector: SsdDetector): Optimizer {
  const t = config.train;
  const vars = detector.trainableVariables();
  return new Optimizer(
    t.optimizer === "sgd"
      ? { kind: "sgd", momentum: t.momentum, weightDecay: t.weightDecay }
      : { kind: "adamw", weightDecay: t.weightDecay },
    trainableNames(detector).map((name, i) => ({
      name,
      variable: vars[i] as tf.Variable,
      decay: detector.params.kind(name) !== "vector",
      ...(isBackboneParam(name) ? { lrScale: t.backboneLrScale } : {}),
    })),
  );
}

/** The schema's optional fields arrive as `undefined`; the model config wants them absent. */
function withoutUndefined<T>(o: object): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
