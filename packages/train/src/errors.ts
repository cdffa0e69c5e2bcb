import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/train`. */
export type TrainErrorCode =
  /** The training configuration is invalid (names the field and value). */
  | "INVALID_CONFIG"
  /** A checkpoint is missing, corrupt, or does not fit the model. */
  | "BAD_CHECKPOINT"
  /** Too many consecutive non-finite losses; training was stopped. */
  | "NON_FINITE_LOSS"
  /** The dataset cannot be used for training (no images, no classes, ...). */
  | "BAD_DATASET"
  /** Training was stopped by its `signal` (e.g. SIGINT) after writing a checkpoint (`details.checkpoint`). */
  | "INTERRUPTED"
  /**
   * `model.weights` cannot be loaded: unreadable or malformed file, keys of another network, a shape
   * that does not fit, a NaN or infinite value (names the file and the key).
   */
  | "BAD_WEIGHTS"
  /** A new run was pointed at a folder that already holds files (resume it, or allow `existOk`). */
  | "RUN_EXISTS"
  /** A file of the run folder could not be written (names the path). */
  | "IO_FAILED";

/** Error thrown by `@od/train`. `name` is `"TrainError"`. */
export class TrainError extends OdError<TrainErrorCode> {
  constructor(code: TrainErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "TrainError";
  }
}

/** Throws a TrainError whose message starts with the function name (`cause`: the error it wraps). */
export function fail(
  code: TrainErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): never {
  throw new TrainError(code, `${fn}: ${message}`, { details: { fn, ...details }, cause });
}
