/**
 * What the `od` program reads and writes: two output streams, a working directory, and the loader of
 * `@od/train/node` (replaceable in tests).
 * @module
 */
import type { TrainNode } from "./internal/train-node.js";

/** A text output stream: `process.stdout` / `process.stderr`, or a capture in tests. */
export interface CliStream {
  /** Writes text as is (the program adds its own newlines). */
  write(chunk: string): unknown;
  /** True for a terminal; progress bars are drawn only on a TTY stderr. */
  readonly isTTY?: boolean;
  /** Terminal width in columns, when known. */
  readonly columns?: number;
}

/** The environment a program created by `createProgram` runs in. */
export interface CliIo {
  /** Results: reports, tables, JSON (`--json`). */
  readonly stdout: CliStream;
  /** Errors (`od <cmd>: <reason>`), notes and progress bars. */
  readonly stderr: CliStream;
  /** Directory relative paths resolve against (default `process.cwd()`). */
  readonly cwd?: string;
  /**
   * Loads the training runtime (`train`, `loadRunDetector`, `decodeDatasetImage`). Default: a dynamic
   * import of `@od/train/node`. Tests pass a stand-in.
   */
  readonly loadTrainNode?: () => Promise<TrainNode>;
}

/**
 * Thrown inside commands to end the program with an exit code. A `message` (one line) is printed to
 * stderr as `od <cmd>: <message>` by the program.
 */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = "",
  ) {
    super(message);
    this.name = "CliExit";
  }
}

/** Exit codes of `od` (see the README). */
export const EXIT = Object.freeze({
  /** Success. */
  ok: 0,
  /** `od data check`: the dataset has issues that its policy (`error`) does not accept. */
  issues: 1,
  /** Bad input: usage, missing folder, unknown format, corrupt data or image, invalid config. */
  badInput: 2,
  /** An unexpected internal error (a bug: please report it with the message). */
  internal: 3,
});
