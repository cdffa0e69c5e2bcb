import type { PreparedPriors } from "./prepared.js";

/** Result slots of {@link scanGt}: [bestIou, bestPrior, numAbove]. */
export type ScanOut = Float64Array;

/**
 * IoU of one xyxy rel box against every prior it overlaps (priors it misses have IoU 0): writes its best IoU,
 * best prior (lowest index on ties, −1 when it overlaps none) and the number of priors with IoU ≥ threshold,
 * and increments `counts[p]` for those priors.
 */
export function scanGt(
  P: PreparedPriors,
  gx1: number,
  gy1: number,
  gx2: number,
  gy2: number,
  threshold: number,
  counts: Int32Array | undefined,
  out: ScanOut,
): void {
  const ga = (gx2 - gx1) * (gy2 - gy1);
  let best = 0;
  let bestP = -1;
  let above = 0;
  for (const c of P.classes) {
    const cx1 = c.x1;
    let lo = 0;
    let hi = cx1.length;
    const from = gx1 - c.maxW;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cx1[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    const { idx, y1, x2, y2, area } = c;
    for (let k = lo; k < cx1.length; k++) {
      const px1 = cx1[k]!;
      if (px1 >= gx2) break;
      const w = Math.min(gx2, x2[k]!) - Math.max(gx1, px1);
      if (w <= 0) continue;
      const h = Math.min(gy2, y2[k]!) - Math.max(gy1, y1[k]!);
      if (h <= 0) continue;
      const inter = w * h;
      const union = ga + area[k]! - inter;
      const v = union > 0 ? inter / union : 0;
      const p = idx[k]!;
      if (v > best || (v === best && v > 0 && p < bestP)) {
        best = v;
        bestP = p;
      }
      if (v >= threshold && v > 0) {
        above++;
        if (counts !== undefined) counts[p]!++;
      }
    }
  }
  out[0] = best;
  out[1] = bestP;
  out[2] = above;
}
