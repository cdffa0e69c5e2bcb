import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/image`. */
export type ImageErrorCode =
  /** Not an `[H, W, C]` ndarray with 1, 3 or 4 channels over a uint8 or float32 buffer, or tags that contradict the buffer. */
  | "INVALID_IMAGE"
  /** An image of another value range than the function needs (e.g. `"0-1"` where `"0-255"` is expected). */
  | "RANGE_MISMATCH"
  /** A float32 image with no range tag: its values could be [0, 1], [0, 255] or network input. */
  | "UNKNOWN_RANGE"
  /** A sample outside the declared range (e.g. 37 in a `"0-1"` image, or NaN). */
  | "OUT_OF_RANGE"
  /** An option is out of its domain (size ≤ 0 or not an integer, unknown resize method...). */
  | "INVALID_ARGUMENT"
  /** A letterbox record is not one `letterboxRecord()` made, or its source size is not the image's. */
  | "INVALID_RECORD";

/** Error thrown by `@od/image`. `name` is `"ImageError"`; match with `isOdError(e, code)`. */
export class ImageError extends OdError<ImageErrorCode> {
  constructor(code: ImageErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "ImageError";
  }
}
