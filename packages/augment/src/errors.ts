import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/augment`. */
export type AugmentErrorCode =
  /** The image is not an HWC `ndarray` of rank 3 with 1, 3 or 4 channels and a uint8 or float32 buffer. */
  | "INVALID_IMAGE"
  /** Boxes are not `Boxes<'xyxy','px'>` (wrong tags, format or units) or contain a non-finite / inverted box. */
  | "INVALID_BOXES"
  /** Two lengths disagree (labels vs boxes, two images' channels or dtypes). */
  | "SHAPE_MISMATCH"
  /** An option is out of its domain (size ≤ 0, probability outside [0, 1], empty choice list...). */
  | "INVALID_ARGUMENT"
  /** A geometric record is unknown or cannot be inverted (e.g. it came from another library version). */
  | "INVALID_RECORD";

/** Error thrown by `@od/augment`. `name` is `"AugmentError"`; match with `isOdError(e, code)`. */
export class AugmentError extends OdError<AugmentErrorCode> {
  constructor(code: AugmentErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "AugmentError";
  }
}
