import { convert } from "./convert.js";
import { checkBoxes, checkOut, checkSame } from "./internal/check.js";
import type { BoxFormat, Boxes, BoxUnits } from "./types.js";

/** `[N, 4]` xyxy coordinates of `b` (no copy when it is already xyxy). */
export function xyxyData(b: Boxes): Float32Array {
  return b.format === "xyxy" ? b.data : convert(b, "xyxy").data;
}

/**
 * Pairwise intersection-over-union, as torchvision `box_iou`.
 *
 * IoU = |A ∩ B| / |A ∪ B|. Degenerate pairs are defined rather than NaN: when the union is 0 (two
 * zero-area boxes) the IoU is 0. Boxes must be valid (x1 ≤ x2, y1 ≤ y2).
 *
 * @param a `[N, 4]` boxes, any format.
 * @param b `[M, 4]` boxes, same format and units as `a` (a compile error otherwise).
 * @param out optional `[N, M]` row-major output.
 * @returns `[N, M]` row-major Float32Array, `out[i * M + j] = IoU(a_i, b_j)` in [0, 1].
 * @throws BoxesError `FORMAT_MISMATCH` / `UNITS_MISMATCH` when plain-JS callers mix them.
 */
export function iou<F extends BoxFormat, U extends BoxUnits>(a: Boxes<F, U>, b: Boxes<NoInfer<F>, NoInfer<U>>, out?: Float32Array): Float32Array {
  checkBoxes("iou", "a", a);
  checkBoxes("iou", "b", b);
  checkSame("iou", a, b);
  const n = a.length;
  const m = b.length;
  const res = checkOut("iou", out, n * m);
  if (n === 0 || m === 0) return res;
  const A = xyxyData(a);
  const B = xyxyData(b);
  const areaB = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const s = j * 4;
    areaB[j] = ((B[s + 2] as number) - (B[s] as number)) * ((B[s + 3] as number) - (B[s + 1] as number));
  }
  for (let i = 0; i < n; i++) {
    const s = i * 4;
    const ax1 = A[s] as number;
    const ay1 = A[s + 1] as number;
    const ax2 = A[s + 2] as number;
    const ay2 = A[s + 3] as number;
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const t = j * 4;
      const w = Math.min(ax2, B[t + 2] as number) - Math.max(ax1, B[t] as number);
      if (w <= 0) {
        res[row + j] = 0;
        continue;
      }
      const h = Math.min(ay2, B[t + 3] as number) - Math.max(ay1, B[t + 1] as number);
      if (h <= 0) {
        res[row + j] = 0;
        continue;
      }
      const inter = w * h;
      const union = areaA + (areaB[j] as number) - inter;
      res[row + j] = union > 0 ? inter / union : 0;
    }
  }
  return res;
}
