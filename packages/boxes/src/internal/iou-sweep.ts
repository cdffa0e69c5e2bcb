// biome-ignore-all lint/complexity/useMathMinMax: plain comparisons in the hot loops (no NaN/-0 handling needed; measured faster).
/**
 * IoU matrix by a sorted sweep over x: `b` is sorted once by x1, so for each row box A only the
 * boxes with `x1 ∈ (ax1 − maxW, ax2)` can overlap it (two binary searches); every other entry is 0.
 * Values are computed by the same float64 arithmetic as the plain loop, so results are identical.
 */

/** Largest M for the packed-key sort (2^21 indices beside a 32-bit key stay below 2^53). */
const PACKED_MAX = 1 << 21;

/**
 * Writes the `[N, M]` IoU matrix of xyxy `A` ([N, 4]) and `B` ([M, 4]) into `res`. When `zeroed` is
 * false `res` is cleared first. Returns false (writing nothing) when `B` has a non-finite coordinate,
 * so the caller can use the plain loop.
 */
export function iouMatrixSweep(
  A: Float32Array,
  n: number,
  B: Float32Array,
  m: number,
  res: Float32Array,
  zeroed: boolean,
): boolean {
  if (m > PACKED_MAX) return false;
  let maxW = 0;
  for (let j = 0, s = 0; j < m; j++, s += 4) {
    const x1 = B[s]!;
    const y1 = B[s + 1]!;
    const x2 = B[s + 2]!;
    const y2 = B[s + 3]!;
    if (!Number.isFinite(x1) || !Number.isFinite(y1) || !Number.isFinite(x2) || !Number.isFinite(y2))
      return false;
    if (x2 - x1 > maxW) maxW = x2 - x1;
  }
  // Sort B by x1 (float32, exact) with packed keys: ascending float order of the bits, then index.
  const bits = new Uint32Array(B.buffer, B.byteOffset, B.length);
  const keys = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const u = bits[j * 4]!;
    const f = B[j * 4]!;
    const asc = f === 0 ? 0x80000000 : u >= 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    keys[j] = asc * PACKED_MAX + j;
  }
  keys.sort();
  const perm = new Int32Array(m);
  const Bq = new Float64Array(m * 5);
  for (let q = 0, t = 0; q < m; q++, t += 5) {
    const j = keys[q]! % PACKED_MAX;
    perm[q] = j;
    const s = j * 4;
    const x1 = B[s]!;
    const y1 = B[s + 1]!;
    const x2 = B[s + 2]!;
    const y2 = B[s + 3]!;
    Bq[t] = x1;
    Bq[t + 1] = y1;
    Bq[t + 2] = x2;
    Bq[t + 3] = y2;
    Bq[t + 4] = (x2 - x1) * (y2 - y1);
  }
  if (!zeroed) res.fill(0);
  for (let i = 0, s = 0, row = 0; i < n; i++, s += 4, row += m) {
    const ax1 = A[s]!;
    const ay1 = A[s + 1]!;
    const ax2 = A[s + 2]!;
    const ay2 = A[s + 3]!;
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    // First q with x1 >= ax2 (no box from there on overlaps) and first q with x1 > ax1 - maxW.
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Bq[mid * 5]! < ax2) lo = mid + 1;
      else hi = mid;
    }
    const end = lo;
    const left = ax1 - maxW;
    lo = 0;
    hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Bq[mid * 5]! <= left) lo = mid + 1;
      else hi = mid;
    }
    for (let q = lo, t = lo * 5; q < end; q++, t += 5) {
      const bx1 = Bq[t]!;
      const bx2 = Bq[t + 2]!;
      const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
      if (!(w > 0)) continue;
      const by1 = Bq[t + 1]!;
      const by2 = Bq[t + 3]!;
      const h = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
      if (!(h > 0)) continue;
      const inter = w * h;
      const union = areaA + Bq[t + 4]! - inter;
      res[row + perm[q]!] = union > 0 ? inter / union : 0;
    }
  }
  return true;
}
