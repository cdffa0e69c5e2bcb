/**
 * What the `odet` program reads and writes: two output streams, a working directory, and the loader of
 * `@od/train/node` (a fake in tests).
 * @module
 */
import type { TrainNode } from "./internal/train-node.js";

/**
 * The name of the command (the `bin` of `@od/cli`): what help, examples and every error line
 * (`odet <command>: <reason>`) call it. Not `od`, which is coreutils' octal dump.
 */
export const CLI_NAME = "odet";

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
  /** Errors (`odet <cmd>: <reason>`), notes and progress bars. */
  readonly stderr: CliStream;
  /** Directory relative paths resolve against (default `process.cwd()`). */
  readonly cwd?: string;
  /**
   * Loads the training runtime (`train` and `loadRunPredictor` of `@od/train/node`, with their own
   * types). Default: imports `@od/train/node` on first use. Tests pass a fake.
   */
  readonly loadTrainNode?: () => Promise<TrainNode>;
}

/**
 * Thrown inside commands to end the program with an exit code. A `message` (one line) is printed to
 * stderr as `odet <cmd>: <message>` by the program.
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

/** Exit codes of `odet` (see the README). */
export const EXIT = Object.freeze({
  /** Success. */
  ok: 0,
  /** `odet data check`: the dataset has issues that its policy (`error`) does not accept. */
  issues: 1,
  /**
   * Bad input or a file-system fault: usage, missing folder, unknown format, corrupt data or image,
   * invalid config; an output that cannot be written (permission, read-only file system, disk full, a
   * file where a folder is expected).
   */
  badInput: 2,
  /** An unexpected internal error (a bug: please report it with the message). */
  internal: 3,
  /**
   * The reader of stdout or stderr went away (`odet … | head`): the program stops at once and
   * silently, with 128 + SIGPIPE (13) as a Unix tool killed by SIGPIPE would. Only the `odet`
   * executable uses it; {@link runCli} never returns it.
   */
  closedPipe: 141,
});
