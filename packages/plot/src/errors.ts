/** Codes thrown by `@od/plot`. */
export type PlotErrorCode =
  /** A size, axis range, bar value or option is out of its domain (non-positive width, NaN bar, min ≥ max, ...). */
  | "INVALID_ARGUMENT"
  /** Two arrays that describe the same points have different lengths (a series' `x` and `y`). */
  | "SHAPE_MISMATCH";

/**
 * Error thrown by `@od/plot`. `name` is `"PlotError"`; match with `isOdError(e, code)` from
 * `@od/boxes`. It has the shape of od's `OdError` (`isOdError: true`, a closed `code`, `details`,
 * `cause`) without importing it, so `@od/plot` sits at the bottom of the package graph with no
 * dependencies.
 */
export class PlotError extends Error {
  /** Always `true`: what `isOdError` recognises. */
  readonly isOdError = true as const;
  /** The closed error code. */
  readonly code: PlotErrorCode;
  /** Machine-readable context: the function, argument, index, value. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: PlotErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly details?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlotError";
    this.code = code;
    this.details = options.details ?? {};
  }
}
