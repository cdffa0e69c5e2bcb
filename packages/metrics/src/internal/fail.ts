import { MetricsError, type MetricsErrorCode } from "../errors.js";

/** Throws a MetricsError whose message is `fn: message`. */
export function fail(
  code: MetricsErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new MetricsError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}
