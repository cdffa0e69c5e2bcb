/**
 * `@od/train`: the pieces of an od training run — configuration schema, optimizers and schedules,
 * the input pipeline (augmentation + target encoding), the training step and evaluation. The run itself
 * (files, checkpoints, run folder) is `train()` in `@od/train/node`.
 * @packageDocumentation
 */

export {
  ARCHITECTURES,
  type Architecture,
  mergeConfig,
  resolveTrainConfig,
  type TrainConfig,
  type TrainConfigInput,
} from "./config.js";
export { DEMO_EPOCHS, DEMO_SEED, demoConfig } from "./demo.js";
export { TrainError, type TrainErrorCode } from "./errors.js";
export { type EvaluateOptions, type Evaluation, evaluateDetector, type Predictor } from "./evaluate.js";
export {
  createRunDetector,
  createRunOptimizer,
  fitModelPriors,
  type PriorFitReport,
  runDetectorConfig,
} from "./model.js";
export {
  clipByGlobalNorm,
  type NamedVariable,
  Optimizer,
  type OptimizerConfig,
  type OptimizerState,
} from "./optim.js";
export { type CurvePoint, learningRateCurveSvg, lossCurveSvg, mapCurveSvg } from "./plots.js";
export { estimateProgress, type ProgressEstimate, type ProgressPoint } from "./progress.js";
export { DEFAULT_RUN_NAME, RUNS_DIR } from "./run-names.js";
export {
  type BatchModel,
  buildAugmentation,
  collate,
  encodeSample,
  type ImageLoader,
  type NetworkSample,
  type RgbLoader,
  type TrainingBatch,
  type TrainingPipelineOptions,
  type TrainingSample,
  trainingLabels,
  trainingPipeline,
} from "./sampler.js";
export { type LrSchedule, learningRateAt, lrSchedule } from "./schedule.js";
export { type TrainValSplit, trainValSplit } from "./split.js";
export {
  type ClassifierStepResult,
  CropBatcher,
  type CropBatchOptions,
  type CropSample,
  classifierParameterNames,
  classifierStep,
  combineDetections,
  detectionCrops,
  groundTruthCrops,
  jitterBox,
  StagedDetector,
} from "./staged.js";
export {
  backboneFrozenAt,
  type StepOptions,
  type StepResult,
  trainableNames,
  trainStep,
} from "./step.js";
