// biome-ignore-all lint/complexity/useMathMinMax: plain comparisons in the hot loops (no NaN/-0 handling needed; measured faster).
import { GRID_MIN_BOXES, greedyNmsGrid } from "./nms-grid.js";

/**
 * Greedy NMS kernels over boxes gathered in score order.
 *
 * `sorted` is `[K, 5]` float64 rows (x1, y1, x2, y2, area) in decreasing-score order. A later box is
 * suppressed when its IoU with a kept box is strictly greater than the threshold (torchvision).
 */

/** Gathers xyxy rows `order[q]` of `xyxy` into `[K, 5]` float64 rows with areas appended. */
export function gatherSorted(xyxy: Float32Array, order: Int32Array): Float64Array {
  const k = order.length;
  const r = new Float64Array(k * 5);
  for (let q = 0, t = 0; q < k; q++, t += 5) {
    const s = order[q]! * 4;
    const x1 = xyxy[s]!;
    const y1 = xyxy[s + 1]!;
    const x2 = xyxy[s + 2]!;
    const y2 = xyxy[s + 3]!;
    r[t] = x1;
    r[t + 1] = y1;
    r[t + 2] = x2;
    r[t + 3] = y2;
    r[t + 4] = (x2 - x1) * (y2 - y1);
  }
  return r;
}

/**
 * Greedy NMS over rows [start, end) of `sorted`. Writes kept row positions (ascending) to
 * `keep[keepAt..]` and returns how many were kept (at most `maxKeep`; stops there). `removed` is
 * scratch of length ≥ end, zero on [start, end) on entry.
 */
export function greedyNms(
  sorted: Float64Array,
  start: number,
  end: number,
  thr: number,
  removed: Uint8Array,
  maxKeep: number,
  keep: Int32Array,
  keepAt: number,
): number {
  let kept = 0;
  for (let i = start; i < end; i++) {
    if (removed[i] === 1) continue;
    keep[keepAt + kept] = i;
    kept++;
    if (kept >= maxKeep) break;
    const t = i * 5;
    const ax1 = sorted[t]!;
    const ay1 = sorted[t + 1]!;
    const ax2 = sorted[t + 2]!;
    const ay2 = sorted[t + 3]!;
    const areaA = sorted[t + 4]!;
    for (let j = i + 1, u = t + 5; j < end; j++, u += 5) {
      if (removed[j] === 1) continue;
      const bx1 = sorted[u]!;
      const bx2 = sorted[u + 2]!;
      const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
      if (!(w > 0)) continue;
      const by1 = sorted[u + 1]!;
      const by2 = sorted[u + 3]!;
      const h = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
      if (!(h > 0)) continue;
      const inter = w * h;
      const union = areaA + sorted[u + 4]! - inter;
      if (union > 0 && inter / union > thr) removed[j] = 1;
    }
  }
  return kept;
}

/**
 * Greedy NMS over rows [start, end): the grid kernel for large ranges (identical output, see
 * nms-grid.ts), the all-pairs kernel for small ones or non-finite coordinates.
 */
export function greedyNmsAuto(
  sorted: Float64Array,
  start: number,
  end: number,
  thr: number,
  removed: Uint8Array,
  maxKeep: number,
  keep: Int32Array,
  keepAt: number,
): number {
  if (end - start >= GRID_MIN_BOXES) {
    const kept = greedyNmsGrid(sorted, start, end, thr, removed, maxKeep, keep, keepAt);
    if (kept >= 0) return kept;
  }
  return greedyNms(sorted, start, end, thr, removed, maxKeep, keep, keepAt);
}
