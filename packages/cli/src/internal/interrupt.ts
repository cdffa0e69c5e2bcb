/**
 * SIGINT / SIGTERM during a long command: the first signal asks the work to stop at its next safe
 * point (an `AbortSignal`), a second one ends the process at once. Exit codes follow the shell's
 * 128 + signal number: 130 for SIGINT, 143 for SIGTERM.
 * @module
 */

/** Exit code of a process ended by `signal` (128 + its number). */
export const SIGNAL_EXIT = Object.freeze({ SIGINT: 130, SIGTERM: 143 } as const);

/** The signals {@link stopOnSignals} listens to. */
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** What {@link stopOnSignals} returns. */
export interface SignalStop {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignal | undefined;
  /** Removes the listeners (call when the work is over). */
  dispose(): void;
}

/** Options of {@link stopOnSignals}. */
export interface StopOptions {
  /** Called on the first signal, after the abort (e.g. to say that the work is stopping). */
  readonly onFirst?: (signal: StopSignal) => void;
  /** Called on a second signal with the first one's exit code (default `process.exit`). */
  readonly onSecond?: (code: number) => void;
  /** Where the listeners go (default `process`; a stand-in in tests). */
  readonly proc?: Pick<NodeJS.Process, "on" | "off">;
}

/**
 * Listens to SIGINT and SIGTERM: the first aborts the returned signal and calls `onFirst`; a second
 * one calls `onSecond(code)` at once with the exit code of the first signal, so an impatient user is
 * never kept waiting.
 */
export function stopOnSignals(options: StopOptions = {}): SignalStop {
  const onSecond = options.onSecond ?? ((code: number) => process.exit(code));
  const proc = options.proc ?? process;
  const ac = new AbortController();
  let first: StopSignal | undefined;
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((name) => {
    const handler = () => {
      if (first !== undefined) {
        onSecond(SIGNAL_EXIT[first]);
        return;
      }
      first = name;
      ac.abort();
      options.onFirst?.(name);
    };
    proc.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: ac.signal,
    received: () => first,
    dispose: () => {
      for (const [name, handler] of handlers) proc.off(name, handler);
    },
  };
}
