/**
 * Closed output pipes: `odet help train | head -5` closes stdout after five lines, and the next write
 * fails with `EPIPE`. Node ignores SIGPIPE and reports that as an unhandled `'error'` event with a stack
 * trace; {@link exitOnClosedPipe} turns it into a quiet exit, once, for the whole process.
 * @module
 */
import { EXIT } from "../io.js";

/** An output stream that reports write failures as `'error'` events (`process.stdout`, a socket). */
export interface ErrorEmitter {
  on(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * Ends the program quietly when the reader of one of `streams` goes away: an `EPIPE` error calls
 * `exit(EXIT.closedPipe)` (141 = 128 + SIGPIPE) and prints nothing. Other stream errors are rethrown
 * (an uncaught exception, as without a listener).
 * @param streams e.g. `[process.stdout, process.stderr]`.
 * @param exit e.g. `process.exit` (called at most once).
 * @example exitOnClosedPipe([process.stdout, process.stderr], (code) => process.exit(code));
 */
export function exitOnClosedPipe(streams: readonly ErrorEmitter[], exit: (code: number) => void): void {
  let exited = false;
  const onError = (error: Error): void => {
    if ((error as { code?: unknown }).code !== "EPIPE") throw error;
    if (exited) return;
    exited = true;
    exit(EXIT.closedPipe);
  };
  for (const s of streams) s.on("error", onError);
}
