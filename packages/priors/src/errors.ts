import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/priors`. */
export type PriorsErrorCode =
  /** A prior configuration is invalid: non-positive scale, size or step, or per-level lists of different lengths. */
  | "INVALID_CONFIG"
  /** An option or scalar argument is out of its domain (threshold outside [0, 1], bad variances, ...). */
  | "INVALID_ARGUMENT"
  /** Matching or encoding was asked against zero priors. */
  | "NO_PRIORS"
  /** Two inputs disagree in length (boxes vs labels, batch lists). */
  | "SHAPE_MISMATCH"
  /** A ground-truth box or label is invalid (zero area, out of the image, NaN, label < 1) under the `error` policy. */
  | "INVALID_GT"
  /** A fitting budget is too small for the grid (fewer shapes than levels, fewer priors than one per cell). */
  | "BUDGET_TOO_SMALL";

/** Error thrown by `@od/priors`. `name` is `"PriorsError"`; match with `isOdError(e, code)`. */
export class PriorsError extends OdError<PriorsErrorCode> {
  constructor(code: PriorsErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "PriorsError";
  }
}
