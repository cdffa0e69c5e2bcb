import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/losses`. */
export type LossesErrorCode =
  /** A tensor has the wrong rank or a shape that disagrees with another argument. */
  | "SHAPE_MISMATCH"
  /** A label is outside [-1, C) or not an integer. */
  | "LABEL_OUT_OF_RANGE"
  /** A target contains NaN or ±Infinity. */
  | "NON_FINITE"
  /** An option is outside its domain (negative ratio, gamma < 0, ...). */
  | "INVALID_ARGUMENT";

/** Error thrown by `@od/losses`. `name` is `"LossesError"`. */
export class LossesError extends OdError<LossesErrorCode> {
  constructor(code: LossesErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "LossesError";
  }
}

/** Throws a LossesError whose message starts with the function name. */
export function fail(
  code: LossesErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new LossesError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}
