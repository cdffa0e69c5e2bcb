/** @packageDocumentation Training loop for od detectors: config, schedules, checkpoints, evaluation */
export {};
