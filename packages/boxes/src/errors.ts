/**
 * Errors shared by every od package.
 *
 * Every error thrown by od carries a closed `code` (a string literal union per package), names the
 * function and argument in its message, shows expected vs actual, and keeps the `cause`. Match errors
 * with {@link isOdError} (by `code`), not `instanceof`: two installed copies of a package do not share
 * classes.
 */

/** Codes thrown by `@od/boxes`. */
export type BoxesErrorCode =
  /** Two box arrays (or a box array and a required format) disagree on format. */
  | "FORMAT_MISMATCH"
  /** Two box arrays (or a box array and a required unit) disagree on units (`px` vs `rel`). */
  | "UNITS_MISMATCH"
  /** A value that should be `Boxes` (or a single `Box`, or BoxesJSON) is not one (missing tags, wrong data length, not a Float32Array). */
  | "NOT_BOXES"
  /** A box failed validation under the `error` policy (NaN, inverted, zero-area, out of image). */
  | "INVALID_BOX"
  /** A shape or length does not match (e.g. `[N, 4]` expected, or two arrays of different N). */
  | "SHAPE_MISMATCH"
  /** An option or scalar argument is out of its domain (negative size, threshold outside [0, 1], ...). */
  | "INVALID_ARGUMENT"
  /** A file could not be written (`@od/boxes/node`; names the path). */
  | "IO_FAILED";

/** Options accepted by {@link OdError}. */
export interface OdErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Machine-readable context: the function, argument, index, value... */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every od error. `code` is a closed union chosen by the throwing package;
 * `details` holds machine-readable context (function, argument, index, value).
 */
export class OdError<C extends string = string> extends Error {
  /** Always `true`: lets {@link isOdError} recognise od errors across package copies. */
  readonly isOdError = true as const;
  /** The closed error code. */
  readonly code: C;
  /** Machine-readable context. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: OdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OdError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Error thrown by `@od/boxes`. `name` is `"BoxesError"`. */
export class BoxesError extends OdError<BoxesErrorCode> {
  constructor(code: BoxesErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "BoxesError";
  }
}

/**
 * True when `e` is an od error (of any package, any installed copy), optionally with the given code.
 * @example
 * try { iou(a, b) } catch (e) { if (isOdError(e, "FORMAT_MISMATCH")) ... }
 */
export function isOdError<C extends string = string>(e: unknown, code?: C): e is OdError<C> {
  if (typeof e !== "object" || e === null) return false;
  const r = e as { isOdError?: unknown; code?: unknown };
  return r.isOdError === true && typeof r.code === "string" && (code === undefined || r.code === code);
}

/** Formats a value for an error message: numbers as written, arrays short, strings quoted. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v) && "length" in v) {
    const arr = v as ArrayBufferView & ArrayLike<number>;
    const head = Array.from(arr).slice(0, 8).join(", ");
    return `${v.constructor.name}(${arr.length})[${head}${arr.length > 8 ? ", ..." : ""}]`;
  }
  if (Array.isArray(v))
    return `[${v.slice(0, 8).map(describeValue).join(", ")}${v.length > 8 ? ", ..." : ""}]`;
  try {
    return JSON.stringify(v).slice(0, 120);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
