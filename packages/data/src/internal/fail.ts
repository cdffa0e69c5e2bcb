import type { OdErrorOptions } from "@od/boxes";
import { DataError, type DataErrorCode } from "../errors.js";

/** Throws a {@link DataError} whose message starts with the function name. */
export function fail(
  code: DataErrorCode,
  fn: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
  cause?: unknown,
): never {
  const options: OdErrorOptions =
    cause === undefined ? { details: { fn, ...details } } : { details: { fn, ...details }, cause };
  throw new DataError(code, `${fn}: ${message}`, options);
}

/** Shortest decimal string (≤ 10 significant digits) for a coordinate written to a text format. */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}
