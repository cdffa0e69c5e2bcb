import cliProgress from "cli-progress";
import type { CliIo } from "../io.js";

/** A progress bar that does nothing unless stderr is a TTY and the output is not `--json`. */
export interface Progress {
  /** Starts (or restarts) the bar at 0 of `total`. */
  start(total: number, label?: string): void;
  /** Sets the current value and the suffix text. */
  update(value: number, info?: string): void;
  /** Stops and keeps the last state on screen. */
  stop(): void;
  /** Whether a bar is drawn at all. */
  readonly active: boolean;
}

/** Creates a {@link Progress} bar on stderr (only on a TTY, never with `--json`). */
export function progressBar(io: CliIo, json: boolean): Progress {
  const enabled = io.stderr.isTTY === true && !json;
  let bar: cliProgress.SingleBar | undefined;
  return {
    active: enabled,
    start(total, label = "") {
      if (!enabled) return;
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          stream: io.stderr as unknown as NodeJS.WritableStream,
          format: `${label ? `${label} ` : ""}[{bar}] {value}/{total} {info}`,
          barsize: 30,
          hideCursor: true,
          clearOnComplete: false,
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, total), 0, { info: "" });
    },
    update(value, info = "") {
      bar?.update(value, { info });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
