import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/tf`. */
export type TfErrorCode =
  /** A backend name that `@od/tf` does not know (`prefer: ["webgl"]`). */
  | "UNKNOWN_BACKEND"
  /** Every requested backend failed to load or initialise (e.g. `prefer: ["tensorflow"]` without tfjs-node). */
  | "BACKEND_UNAVAILABLE"
  /** A kernel was called with an option it does not implement (e.g. `NCHW` data format). */
  | "UNSUPPORTED"
  /** An option or argument is out of its domain (e.g. `workers: 0`). */
  | "INVALID_ARGUMENT"
  /** A worker replica failed (it crashed, or its step threw). */
  | "WORKER_FAILED";

/** Error thrown by `@od/tf`. `name` is `"TfError"`; match it with `isOdError(e, code)`. */
export class TfError extends OdError<TfErrorCode> {
  constructor(code: TfErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "TfError";
  }
}
