import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/plot`. */
export type PlotErrorCode =
  /** A size, axis range, bar value or option is out of its domain (non-positive width, NaN bar, min ≥ max, ...). */
  | "INVALID_ARGUMENT"
  /** Two arrays that describe the same points have different lengths (a series' `x` and `y`). */
  | "SHAPE_MISMATCH";

/** Error thrown by `@od/plot`. `name` is `"PlotError"`; match with `isOdError(e, code)`. */
export class PlotError extends OdError<PlotErrorCode> {
  constructor(code: PlotErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "PlotError";
  }
}
