/** A plain decimal: optional sign, digits with an optional point, optional exponent. No hex, no `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `nan` in any case, with an optional sign: how Python and C write a missing value. */
const NAN = /^[+-]?nan$/i;

/**
 * The number a text field of an annotation holds, read strictly: a plain decimal (`12`, `-3.5`,
 * `1e-3`) that is finite in float64, or `NaN` for `nan` (a missing value, reported later as a
 * `non-finite` box). Everything else (`0x10`, `Infinity`, `1_000`, `12px`, `1e400`, text) is
 * `undefined`: the caller reports it as malformed.
 */
export function parseDecimal(text: string): number | undefined {
  if (DECIMAL.test(text)) {
    const v = Number(text);
    return Number.isFinite(v) ? v : undefined;
  }
  return NAN.test(text) ? Number.NaN : undefined;
}

/** What {@link parseDecimal} accepts, for messages. */
export const DECIMAL_HINT = "a decimal number such as 12 or 3.5 (no hex, no Infinity)";
