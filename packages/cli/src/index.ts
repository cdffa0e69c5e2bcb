/**
 * `@od/cli`: the `odet` command-line tool (`odet data check`, `odet priors analyze`, `odet train`,
 * `odet eval`, `odet predict`, `odet demo`, ...). The program is also usable in-process:
 * {@link createProgram} builds it on a {@link CliIo}, {@link runCli} runs it and returns the exit code.
 * @packageDocumentation
 */

export type { RunModel, TrainNode } from "./internal/train-node.js";
export { CLI_NAME, CliExit, type CliIo, type CliStream, EXIT } from "./io.js";
export { createProgram, runCli } from "./program.js";
