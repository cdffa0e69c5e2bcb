/**
 * `@od/train`: the pieces of an od training run — configuration schema, optimizers and schedules,
 * batch building (augmentation + target encoding), the training step and evaluation. The run itself
 * (files, checkpoints, run folder) is `train()` in `@od/train/node`.
 * @packageDocumentation
 */
export * from "./config.js";
export * from "./errors.js";
export * from "./evaluate.js";
export * from "./optim.js";
export * from "./plots.js";
export * from "./sampler.js";
export * from "./schedule.js";
export * from "./split.js";
export * from "./staged.js";
export * from "./step.js";
