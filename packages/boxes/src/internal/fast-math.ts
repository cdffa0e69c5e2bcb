/** `2^(k − 1100)` for k in [0, 2200): the scale step of {@link expFast}. */
const POW2 = new Float64Array(2200).map((_, k) => 2 ** (k - 1100));
const LN2_HI = 0.6931471803691238; // ln 2 split in two (Cody–Waite) so x − k·ln2 stays exact
const LN2_LO = 1.9082149292705877e-10;

/**
 * `exp(x)` to a relative error below 1e-12 (far below float32's 6e-8, the precision decoded boxes are
 * stored in), about 1.5× faster than `Math.exp` in V8: `x = k·ln2 + r` with |r| ≤ ln2 / 2, a degree-10
 * Taylor polynomial for `exp(r)`, and a table lookup for `2^k`. Outside (−708, 709), and for NaN, it
 * defers to `Math.exp`, so overflow, underflow and NaN behave exactly as there.
 */
export function expFast(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const k = Math.floor(x * Math.LOG2E + 0.5); // floor, not round: V8 compiles it to one instruction
  const r = x - k * LN2_HI - k * LN2_LO;
  const e =
    1 +
    r *
      (1 +
        r *
          (1 / 2 +
            r *
              (1 / 6 +
                r *
                  (1 / 24 +
                    r *
                      (1 / 120 +
                        r *
                          (1 / 720 +
                            r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800))))))))));
  return e * POW2[k + 1100]!;
}

/** `2^(1100 − k)`, k as in {@link POW2}: {@link logFast}'s own copy keeps each call site monomorphic. */
const POW2_LOG = POW2.slice();
const SCRATCH_F64 = new Float64Array(1);
const SCRATCH_HI = new Int32Array(SCRATCH_F64.buffer, 4, 1); // high word on little-endian hosts
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SQRT2 = Math.SQRT2;

/**
 * `log(x)` to an error below 1e-13 (relative once |log x| > 1; encoded log-sizes are stored as float32), about 2× faster
 * than `Math.log` in V8: the binary exponent e is read from the float64's bits, `m = x·2^−e` in [1, 2),
 * and `log(m) = log √2 + 2·atanh(s)` with `s = (m − √2)/(m + √2)`, |s| ≤ 0.172, summed to s¹⁵. Zero,
 * negatives, subnormals, Infinity and NaN defer to `Math.log`, so they behave exactly as there; `log(1)` is exactly 0.
 */
export function logFast(x: number): number {
  if (!(x >= 2.2250738585072014e-308 && x < Number.POSITIVE_INFINITY) || !LITTLE_ENDIAN) return Math.log(x);
  if (x === 1) return 0;
  SCRATCH_F64[0] = x;
  const e = (SCRATCH_HI[0]! >> 20) - 1023;
  const m = x * POW2_LOG[1100 - e]!;
  const s = (m - SQRT2) / (m + SQRT2);
  const z = s * s;
  return (
    (e + 0.5) * Math.LN2 +
    2 *
      s *
      (1 + z * (1 / 3 + z * (1 / 5 + z * (1 / 7 + z * (1 / 9 + z * (1 / 11 + z * (1 / 13 + z * (1 / 15))))))))
  );
}
