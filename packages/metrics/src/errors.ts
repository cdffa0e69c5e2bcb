import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/metrics`. */
export type MetricsErrorCode =
  /** A value that should be `Boxes<'xyxy','px'>` is not one (missing tags, other format or units). */
  | "NOT_BOXES"
  /** A box has a non-finite coordinate or is inverted (x2 < x1 or y2 < y1). */
  | "INVALID_BOX"
  /** Two arrays that describe the same boxes have different lengths, or `gts` and `dets` differ in length. */
  | "SHAPE_MISMATCH"
  /** A class label is not an integer in `[0, numClasses)`. */
  | "LABEL_OUT_OF_RANGE"
  /** A detection score is NaN. */
  | "INVALID_SCORE"
  /** An option is out of its domain (numClasses, maxDets, iouThreshold, class index, ...). */
  | "INVALID_ARGUMENT";

/** Error thrown by `@od/metrics`. `name` is `"MetricsError"`; match with `isOdError(e, code)`. */
export class MetricsError extends OdError<MetricsErrorCode> {
  constructor(code: MetricsErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "MetricsError";
  }
}
