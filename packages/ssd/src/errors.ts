import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/ssd`. */
export type SsdErrorCode =
  /** An image or tensor has the wrong rank, channel count, dtype or a zero size. */
  | "BAD_IMAGE"
  /** A model configuration field is invalid (names the field and value). */
  | "INVALID_CONFIG"
  /** An option is outside its domain. */
  | "INVALID_ARGUMENT"
  /** A saved model is missing files, has wrong shapes or comes from another format version. */
  | "BAD_CHECKPOINT"
  /** A model file could not be written (`@od/ssd/node`; names the path). */
  | "IO_FAILED";

/** Error thrown by `@od/ssd`. `name` is `"SsdError"`. */
export class SsdError extends OdError<SsdErrorCode> {
  constructor(code: SsdErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "SsdError";
  }
}

/** Throws an SsdError whose message starts with the function name (`cause`: the error it wraps). */
export function fail(
  code: SsdErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): never {
  throw new SsdError(code, `${fn}: ${message}`, { details: { fn, ...details }, cause });
}
