import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/data`. */
export type DataErrorCode =
  /** An annotation file is not well-formed or does not match its schema (XML, JSON, YOLO txt, names file). */
  | "MALFORMED_ANNOTATION"
  /** A box failed validation under the `error` policy (non-finite, inverted, zero-area, out of image, far outside it). */
  | "INVALID_BOX"
  /** A class name or id is not in the dataset's class list (policy `error`). */
  | "UNKNOWN_CLASS"
  /** An image file referenced by an annotation does not exist (policy `error`). */
  | "MISSING_IMAGE"
  /**
   * An image file exists but cannot be read or decoded: not a regular file, over `MAX_IMAGE_FILE_BYTES`,
   * not JPEG/PNG, a header over `MAX_IMAGE_PIXELS`, or truncated/corrupt data.
   */
  | "UNREADABLE_IMAGE"
  /** The size written in an annotation differs from the actual image size (policy `error`). */
  | "SIZE_MISMATCH"
  /** A file or directory the loader needs cannot be read (annotation folder, split list, names file). */
  | "IO_ERROR"
  /** A dataset source lists no image at all (empty annotation folder, split list, COCO `images`, YOLO `images/`). */
  | "EMPTY_DATASET"
  /** An option or argument is out of its domain (fractions that do not sum to 1, batch size 0, ...). */
  | "INVALID_ARGUMENT";

/** Error thrown by `@od/data`. `name` is `"DataError"`; match with `isOdError(e, code)`. */
export class DataError extends OdError<DataErrorCode> {
  constructor(code: DataErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "DataError";
  }
}
