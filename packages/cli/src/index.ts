/**
 * `@od/cli`: the `od` command-line tool (`od data check`, `od priors analyze`, `od train`, `od eval`,
 * `od predict`, `od demo`, ...). The program is also usable in-process: {@link createProgram} builds it
 * on a {@link CliIo}, {@link runCli} runs it and returns the exit code.
 * @packageDocumentation
 */

export type { TrainEvent, TrainNode, TrainRunOptions } from "./internal/train-node.js";
export { CliExit, type CliIo, type CliStream, EXIT } from "./io.js";
export { createProgram, runCli } from "./program.js";
