import { describeValue } from "../errors.js";
import { fail } from "./check.js";

/** Largest candidate count for the packed-key sort: 2^21 indices beside a 32-bit score key stay below 2^53. */
const PACKED_MAX = 1 << 21;

/**
 * Indices `i` with `scores[i] > scoreThreshold` (all when it is undefined), sorted by decreasing
 * score, ties broken by lower index (a stable order). `-0` and `+0` are equal.
 *
 * Float32-representable scores (always the case for a Float32Array) are sorted as packed float64
 * keys `descKey(score) · 2^21 + index` with the native numeric typed-array sort: one allocation,
 * no comparator calls. Other inputs fall back to a comparator sort on the exact values.
 *
 * @throws BoxesError `INVALID_ARGUMENT` naming the first NaN score.
 */
export function scoreOrder(
  fn: string,
  scores: ArrayLike<number>,
  n: number,
  scoreThreshold: number | undefined,
): Int32Array {
  const idx = new Int32Array(n);
  const f32 = new Float32Array(n);
  let k = 0;
  let packable = n <= PACKED_MAX;
  const lo = scoreThreshold ?? Number.NEGATIVE_INFINITY;
  const all = scoreThreshold === undefined;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (typeof s !== "number" || Number.isNaN(s)) {
      fail("INVALID_ARGUMENT", fn, `scores[${i}] must be a number, not NaN; got ${describeValue(s)}`, {
        arg: "scores",
        index: i,
        value: s,
      });
    }
    if (all || s > lo) {
      idx[k] = i;
      const r = s + 0; // -0 -> +0
      f32[k] = r;
      if (packable && f32[k] !== r) packable = false;
      k++;
    }
  }
  if (k === 0) return new Int32Array(0);
  if (!packable) {
    const order = idx.slice(0, k);
    order.sort((p, q) => scores[q]! - scores[p]! || p - q);
    return order;
  }
  const bits = new Uint32Array(f32.buffer, 0, k);
  const keys = new Float64Array(k);
  for (let q = 0; q < k; q++) {
    const u = bits[q]!;
    // Descending key: negatives keep their bits (more negative = larger), positives are inverted into [0, 2^31).
    const desc = u >= 0x80000000 ? u : ~u & 0x7fffffff;
    keys[q] = desc * PACKED_MAX + idx[q]!;
  }
  keys.sort();
  const order = new Int32Array(k);
  for (let q = 0; q < k; q++) order[q] = keys[q]! % PACKED_MAX;
  return order;
}
