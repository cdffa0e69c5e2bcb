// biome-ignore-all lint/complexity/useMathMinMax: plain comparisons in the hot loops (no NaN/-0 handling needed; measured faster).
/**
 * Greedy NMS with a uniform grid over box centres (a spatial early exit).
 *
 * For a kept box A of width a and a later box B, IoU(A, B) > t (t ≥ 0) needs the x-overlap
 * `L > t·max(a, b)`, and `L ≤ min(a, (a + b)/2 − |Δcx|)`. Hence `b < a/t` and
 * `|Δcx| < a/2 + b(1/2 − t)`, i.e. `|Δcx| < a·max(1/2, 1/(2t) − 1/2)`; always `|Δcx| < (a + maxW)/2`.
 * The same holds in y. So only boxes whose centre lies in that window around A's centre can be
 * suppressed by A: the kernel visits the grid cells covering the (slightly enlarged) window and
 * computes the exact IoU there. The output is identical to the all-pairs kernel.
 */

/** Fewest boxes for which the grid pays for its set-up. */
export const GRID_MIN_BOXES = 96;

/** Window half-width factor `max(1/2, 1/(2t) − 1/2)` (Infinity for t = 0). */
function radiusFactor(t: number): number {
  return t >= 0.5 ? 0.5 : t > 0 ? 1 / (2 * t) - 0.5 : Number.POSITIVE_INFINITY;
}

/**
 * Same contract as `greedyNms` (rows [start, end) of `sorted`, `[K, 5]` x1 y1 x2 y2 area in score
 * order): writes kept row positions ascending to `keep[keepAt..]`, returns the count (≤ maxKeep).
 */
export function greedyNmsGrid(
  sorted: Float64Array,
  start: number,
  end: number,
  thr: number,
  removed: Uint8Array,
  maxKeep: number,
  keep: Int32Array,
  keepAt: number,
): number {
  const k = end - start;
  // Extent of the centres and the mean and max sides.
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let sumW = 0;
  let sumH = 0;
  let maxW = 0;
  let maxH = 0;
  for (let i = start, t = start * 5; i < end; i++, t += 5) {
    const x1 = sorted[t]!;
    const y1 = sorted[t + 1]!;
    const w = sorted[t + 2]! - x1;
    const h = sorted[t + 3]! - y1;
    const cx = x1 + 0.5 * w;
    const cy = y1 + 0.5 * h;
    if (cx < minX) minX = cx;
    if (cx > maxX) maxX = cx;
    if (cy < minY) minY = cy;
    if (cy > maxY) maxY = cy;
    sumW += w;
    sumH += h;
    if (w > maxW) maxW = w;
    if (h > maxH) maxH = h;
  }
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const cap = Math.max(1, Math.ceil(Math.sqrt(2 * k)));
  const meanW = sumW / k;
  const meanH = sumH / k;
  const nx = meanW > 0 && spanX > 0 ? Math.max(1, Math.min(cap, Math.floor(spanX / meanW))) : 1;
  const ny = meanH > 0 && spanY > 0 ? Math.max(1, Math.min(cap, Math.floor(spanY / meanH))) : 1;
  if (!Number.isFinite(spanX + spanY + sumW + sumH)) return -1;
  const sx = nx > 1 ? spanX / nx : 1;
  const sy = ny > 1 ? spanY / ny : 1;
  const invX = nx > 1 ? 1 / sx : 0;
  const invY = ny > 1 ? 1 / sy : 0;
  // Counting sort of rows into cells (CSR); each cell lists its rows in score order.
  const cells = nx * ny;
  const cellStart = new Int32Array(cells + 1);
  const cellOf = new Int32Array(k);
  for (let i = start, t = start * 5; i < end; i++, t += 5) {
    const cx = 0.5 * (sorted[t]! + sorted[t + 2]!);
    const cy = 0.5 * (sorted[t + 1]! + sorted[t + 3]!);
    let gx = Math.floor((cx - minX) * invX);
    let gy = Math.floor((cy - minY) * invY);
    if (gx >= nx) gx = nx - 1;
    if (gy >= ny) gy = ny - 1;
    const c = gy * nx + gx;
    cellOf[i - start] = c;
    cellStart[c + 1]!++;
  }
  for (let c = 0; c < cells; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, cells);
  const items = new Int32Array(k);
  for (let i = start; i < end; i++) {
    const c = cellOf[i - start]!;
    const f = fill[c]!;
    items[f] = i;
    fill[c] = f + 1;
  }
  const fac = radiusFactor(thr);
  const slack = 1 + 1e-6;
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
    if (!(areaA > 0)) continue; // a zero-area box has IoU 0 with everything
    const aw = ax2 - ax1;
    const ah = ay2 - ay1;
    const rx = Math.min(aw * fac, 0.5 * (aw + maxW)) * slack + 1e-12 * (Math.abs(ax1) + Math.abs(ax2));
    const ry = Math.min(ah * fac, 0.5 * (ah + maxH)) * slack + 1e-12 * (Math.abs(ay1) + Math.abs(ay2));
    const cx = 0.5 * (ax1 + ax2);
    const cy = 0.5 * (ay1 + ay2);
    let gx0 = Math.floor((cx - rx - minX) * invX);
    let gx1 = Math.floor((cx + rx - minX) * invX);
    let gy0 = Math.floor((cy - ry - minY) * invY);
    let gy1 = Math.floor((cy + ry - minY) * invY);
    if (gx0 < 0) gx0 = 0;
    if (gy0 < 0) gy0 = 0;
    if (gx1 >= nx) gx1 = nx - 1;
    if (gy1 >= ny) gy1 = ny - 1;
    for (let gy = gy0; gy <= gy1; gy++) {
      const rowBase = gy * nx;
      const from = cellStart[rowBase + gx0]!;
      const to = cellStart[rowBase + gx1 + 1]!;
      // Cells gx0..gx1 of one grid row are contiguous in `items`.
      for (let q = from; q < to; q++) {
        const j = items[q]!;
        if (j <= i || removed[j] === 1) continue;
        const u = j * 5;
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
  }
  return kept;
}
