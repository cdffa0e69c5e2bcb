// biome-ignore-all lint/complexity/useMathMinMax: plain comparisons in the hot loops (no NaN/-0 handling needed; measured faster).
/**
 * The IoU family: IoU, GIoU, DIoU and CIoU as `[N, M]` matrices and as aligned `[N]` pairs.
 *
 * All functions take boxes of any format; both arguments must share format and units (a compile error
 * via `NoInfer`, and a run-time `FORMAT_MISMATCH` / `UNITS_MISMATCH` for plain-JS callers). Boxes must
 * be valid (x1 ≤ x2, y1 ≤ y2, finite): every function checks this at entry (one O(N + M) pass) and
 * throws `INVALID_BOX` naming the argument, row, value and reason for a NaN, infinite or inverted row
 * (e.g. from `unsafeBoxes`), as `nms`, `batchedNms` and `softNms` do. Zero-area rows are valid.
 * Arithmetic is float64, results are stored as float32.
 *
 * Degenerate boxes give defined, finite values where torchvision returns NaN:
 *
 * | case | torchvision | od |
 * |---|---|---|
 * | union 0 (two zero-area boxes) | IoU NaN | IoU 0 |
 * | enclosing box of zero area | GIoU NaN | GIoU = IoU = 0 |
 * | enclosing diagonal 0 (the same point twice) | DIoU NaN | DIoU = IoU = 0 |
 * | a point box (w = h = 0) in CIoU | NaN | aspect term 0 (CIoU = DIoU) |
 * | a zero-height box in CIoU | `atan(w/0)` = π/2 | `atan2(w, h)` = π/2 (the same) |
 *
 * torchvision adds `eps = 1e-7` to the DIoU diagonal and the CIoU `alpha` denominator; od does not
 * (it handles the zero cases explicitly), so DIoU and CIoU are exactly scale invariant.
 * @packageDocumentation
 */
import { convert } from "./convert.js";
import { checkBoxes, checkOut, checkSame, fail } from "./internal/check.js";
import { aspectAngle, ciouOf, diouOf, giouOf, iouOf } from "./internal/iou-pair.js";
import { iouMatrixSweep } from "./internal/iou-sweep.js";
import { checkCoords } from "./internal/valid.js";
import type { Boxes, BoxFormat, BoxUnits } from "./types.js";

/** `[N, 4]` xyxy coordinates of `b` (no copy when it is already xyxy). */
export function xyxyData(b: Boxes): Float32Array {
  return b.format === "xyxy" ? b.data : convert(b, "xyxy").data;
}

type Metric = "iou" | "giou" | "diou" | "ciou";

/** Rows of `a` from which the IoU matrix uses the sorted sweep over `b`. */
const SWEEP_MIN_ROWS = 8;

/** Checks both arguments, returns their xyxy data and the output array. */
function prepare(
  fn: string,
  a: Boxes,
  b: Boxes,
  pairs: boolean,
  out: Float32Array | undefined,
): [Float32Array, Float32Array, Float32Array] {
  checkBoxes(fn, "a", a);
  checkBoxes(fn, "b", b);
  checkSame(fn, a, b);
  checkCoords(fn, "a", a);
  checkCoords(fn, "b", b);
  if (pairs && a.length !== b.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `a has ${a.length} boxes but b has ${b.length}; pairs are aligned row by row`,
      {
        expected: a.length,
        actual: b.length,
      },
    );
  }
  const res = checkOut(fn, out, pairs ? a.length : a.length * b.length);
  return [xyxyData(a), xyxyData(b), res];
}

/** `[M, 5]` float64 copy of xyxy boxes with their areas appended (x1, y1, x2, y2, area). */
function withAreas(B: Float32Array, m: number): Float64Array {
  const r = new Float64Array(m * 5);
  for (let j = 0, s = 0, t = 0; j < m; j++, s += 4, t += 5) {
    const x1 = B[s]!;
    const y1 = B[s + 1]!;
    const x2 = B[s + 2]!;
    const y2 = B[s + 3]!;
    r[t] = x1;
    r[t + 1] = y1;
    r[t + 2] = x2;
    r[t + 3] = y2;
    r[t + 4] = (x2 - x1) * (y2 - y1);
  }
  return r;
}

function matrix(fn: Metric, a: Boxes, b: Boxes, out: Float32Array | undefined): Float32Array {
  const [A, B, res] = prepare(fn, a, b, false, out);
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return res;
  // The sweep sorts b once (O(M log M)); worth it from a few rows on.
  if (fn === "iou" && n >= SWEEP_MIN_ROWS && iouMatrixSweep(A, n, B, m, res, out === undefined)) return res;
  const Bq = withAreas(B, m);
  let thB: Float64Array | undefined;
  if (fn === "ciou") {
    thB = new Float64Array(m);
    for (let j = 0, t = 0; j < m; j++, t += 5)
      thB[j] = aspectAngle(Bq[t]!, Bq[t + 1]!, Bq[t + 2]!, Bq[t + 3]!);
  }
  for (let i = 0, s = 0, row = 0; i < n; i++, s += 4, row += m) {
    const ax1 = A[s]!;
    const ay1 = A[s + 1]!;
    const ax2 = A[s + 2]!;
    const ay2 = A[s + 3]!;
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    switch (fn) {
      case "iou":
        iouRow(ax1, ay1, ax2, ay2, areaA, Bq, m, res, row);
        break;
      case "giou":
        for (let j = 0, t = 0; j < m; j++, t += 5) {
          res[row + j] = giouOf(
            ax1,
            ay1,
            ax2,
            ay2,
            areaA,
            Bq[t]!,
            Bq[t + 1]!,
            Bq[t + 2]!,
            Bq[t + 3]!,
            Bq[t + 4]!,
          );
        }
        break;
      case "diou":
        for (let j = 0, t = 0; j < m; j++, t += 5) {
          res[row + j] = diouOf(
            ax1,
            ay1,
            ax2,
            ay2,
            areaA,
            Bq[t]!,
            Bq[t + 1]!,
            Bq[t + 2]!,
            Bq[t + 3]!,
            Bq[t + 4]!,
          );
        }
        break;
      case "ciou": {
        const thA = aspectAngle(ax1, ay1, ax2, ay2);
        const th = thB as Float64Array;
        for (let j = 0, t = 0; j < m; j++, t += 5) {
          res[row + j] = ciouOf(
            ax1,
            ay1,
            ax2,
            ay2,
            areaA,
            thA,
            Bq[t]!,
            Bq[t + 1]!,
            Bq[t + 2]!,
            Bq[t + 3]!,
            Bq[t + 4]!,
            th[j]!,
          );
        }
        break;
      }
    }
  }
  return res;
}

/** One row of the IoU matrix: box A against every row of `Bq` ([M, 5] with areas). */
function iouRow(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  Bq: Float64Array,
  m: number,
  res: Float32Array,
  row: number,
): void {
  for (let j = 0, t = 0; j < m; j++, t += 5) {
    const bx1 = Bq[t]!;
    const bx2 = Bq[t + 2]!;
    const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
    if (w > 0) {
      const by1 = Bq[t + 1]!;
      const by2 = Bq[t + 3]!;
      const h = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
      if (h > 0) {
        const inter = w * h;
        const union = areaA + Bq[t + 4]! - inter;
        res[row + j] = union > 0 ? inter / union : 0;
        continue;
      }
    }
    res[row + j] = 0;
  }
}

function pairs(fn: Metric, a: Boxes, b: Boxes, out: Float32Array | undefined): Float32Array {
  const [A, B, res] = prepare(`${fn}Pairs`, a, b, true, out);
  const n = a.length;
  for (let i = 0, s = 0; i < n; i++, s += 4) {
    const ax1 = A[s]!;
    const ay1 = A[s + 1]!;
    const ax2 = A[s + 2]!;
    const ay2 = A[s + 3]!;
    const bx1 = B[s]!;
    const by1 = B[s + 1]!;
    const bx2 = B[s + 2]!;
    const by2 = B[s + 3]!;
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    const areaB = (bx2 - bx1) * (by2 - by1);
    switch (fn) {
      case "iou":
        res[i] = iouOf(ax1, ay1, ax2, ay2, areaA, bx1, by1, bx2, by2, areaB);
        break;
      case "giou":
        res[i] = giouOf(ax1, ay1, ax2, ay2, areaA, bx1, by1, bx2, by2, areaB);
        break;
      case "diou":
        res[i] = diouOf(ax1, ay1, ax2, ay2, areaA, bx1, by1, bx2, by2, areaB);
        break;
      case "ciou":
        res[i] = ciouOf(
          ax1,
          ay1,
          ax2,
          ay2,
          areaA,
          aspectAngle(ax1, ay1, ax2, ay2),
          bx1,
          by1,
          bx2,
          by2,
          areaB,
          aspectAngle(bx1, by1, bx2, by2),
        );
        break;
    }
  }
  return res;
}

/**
 * Pairwise intersection-over-union matrix, as torchvision `box_iou`: `IoU = |A ∩ B| / |A ∪ B|`.
 *
 * Boxes that only touch (zero-width intersection) have IoU 0. When the union is 0 (two zero-area
 * boxes) the IoU is 0 (torchvision: NaN).
 *
 * @param a `[N, 4]` boxes, any format, valid (x1 ≤ x2, y1 ≤ y2).
 * @param b `[M, 4]` boxes, same format and units as `a` (a compile error otherwise).
 * @param out optional `[N, M]` row-major Float32Array to write into (returned).
 * @returns `[N, M]` row-major Float32Array, `out[i * M + j] = IoU(a_i, b_j)` in [0, 1].
 * @throws BoxesError `FORMAT_MISMATCH` / `UNITS_MISMATCH` when plain-JS callers mix them, `NOT_BOXES`,
 * `SHAPE_MISMATCH` for a wrong `out`, `INVALID_BOX` for a non-finite or inverted row.
 * @example iou(gt, priors)[i * priors.length + j]
 */
export function iou<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return matrix("iou", a, b, out);
}

/**
 * Generalized IoU matrix (Rezatofighi et al., CVPR 2019; torchvision `generalized_box_iou`):
 * `GIoU = IoU − (|C| − |A ∪ B|) / |C|` with C the smallest enclosing box. In [−1, 1], ≤ IoU.
 * When `|C| = 0` (then the union is 0 too) the GIoU is 0 (torchvision: NaN).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[M, 4]` boxes, same format and units as `a`.
 * @param out optional `[N, M]` output.
 * @returns `[N, M]` row-major Float32Array.
 * @throws BoxesError `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `SHAPE_MISMATCH` (out),
 * `INVALID_BOX` (non-finite or inverted row).
 */
export function giou<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return matrix("giou", a, b, out);
}

/**
 * Distance IoU matrix (Zheng et al., AAAI 2020; torchvision `distance_box_iou`):
 * `DIoU = IoU − ρ²/c²` with ρ the distance between the box centres and c the diagonal of the
 * enclosing box. In [−1, 1], ≤ IoU. When c = 0 the penalty is 0. torchvision adds `1e-7` to c²; od
 * does not (exactly scale invariant).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[M, 4]` boxes, same format and units as `a`.
 * @param out optional `[N, M]` output.
 * @returns `[N, M]` row-major Float32Array.
 * @throws BoxesError `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `SHAPE_MISMATCH` (out),
 * `INVALID_BOX` (non-finite or inverted row).
 */
export function diou<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return matrix("diou", a, b, out);
}

/**
 * Complete IoU matrix (Zheng et al., AAAI 2020; torchvision `complete_box_iou`):
 * `CIoU = DIoU − α·v`, `v = (4/π²)(atan(w_a/h_a) − atan(w_b/h_b))²`, `α = v / (1 − IoU + v)`.
 * In [−2, 1], ≤ DIoU. The aspect angle is computed as `atan2(w, h)` (π/2 for a zero-height box);
 * for a point box (w = h = 0) the aspect term is 0, and α = 0 when v = 0 (torchvision: NaN for a
 * point box; it adds `1e-7` to α's denominator, od does not).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[M, 4]` boxes, same format and units as `a`.
 * @param out optional `[N, M]` output.
 * @returns `[N, M]` row-major Float32Array.
 * @throws BoxesError `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `SHAPE_MISMATCH` (out),
 * `INVALID_BOX` (non-finite or inverted row).
 */
export function ciou<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return matrix("ciou", a, b, out);
}

/**
 * Aligned IoU: `out[i] = IoU(a_i, b_i)` (the diagonal of {@link iou} without the `N × M` work), for
 * losses and matching. Same degenerate-box rules as {@link iou}.
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[N, 4]` boxes, same format, units and length as `a`.
 * @param out optional `[N]` output.
 * @returns `[N]` Float32Array in [0, 1].
 * @throws BoxesError `SHAPE_MISMATCH` when the lengths differ (or `out` is wrong), `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`,
 * `INVALID_BOX` (non-finite or inverted row).
 */
export function iouPairs<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return pairs("iou", a, b, out);
}

/**
 * Aligned GIoU: `out[i] = GIoU(a_i, b_i)` (see {@link giou}).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[N, 4]` boxes, same format, units and length as `a`.
 * @param out optional `[N]` output.
 * @returns `[N]` Float32Array in [−1, 1].
 * @throws BoxesError `SHAPE_MISMATCH`, `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `INVALID_BOX`.
 */
export function giouPairs<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return pairs("giou", a, b, out);
}

/**
 * Aligned DIoU: `out[i] = DIoU(a_i, b_i)` (see {@link diou}).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[N, 4]` boxes, same format, units and length as `a`.
 * @param out optional `[N]` output.
 * @returns `[N]` Float32Array in [−1, 1].
 * @throws BoxesError `SHAPE_MISMATCH`, `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `INVALID_BOX`.
 */
export function diouPairs<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return pairs("diou", a, b, out);
}

/**
 * Aligned CIoU: `out[i] = CIoU(a_i, b_i)` (see {@link ciou}).
 *
 * @param a `[N, 4]` boxes, any format, valid.
 * @param b `[N, 4]` boxes, same format, units and length as `a`.
 * @param out optional `[N]` output.
 * @returns `[N]` Float32Array in [−2, 1].
 * @throws BoxesError `SHAPE_MISMATCH`, `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `NOT_BOXES`, `INVALID_BOX`.
 */
export function ciouPairs<F extends BoxFormat, U extends BoxUnits>(
  a: Boxes<F, U>,
  b: Boxes<NoInfer<F>, NoInfer<U>>,
  out?: Float32Array,
): Float32Array {
  return pairs("ciou", a, b, out);
}
