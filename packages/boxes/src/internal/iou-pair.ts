// biome-ignore-all lint/complexity/useMathMinMax: plain comparisons in the hot loops (no NaN/-0 handling needed; measured faster).
/**
 * Scalar kernels of the IoU family for one pair of xyxy boxes (float64 arithmetic). Small and
 * allocation-free so V8 inlines them into the matrix and pairwise loops.
 *
 * Degenerate pairs are defined rather than NaN (torchvision returns NaN for them):
 * - IoU is 0 when the union is 0 (two zero-area boxes).
 * - GIoU's enclosing-area term is 0 when the enclosing box has zero area (then the union is 0 too).
 * - DIoU's distance term is 0 when the enclosing diagonal is 0 (then the centres coincide).
 * - CIoU's aspect term is 0 when either box is a point (zero width AND zero height), and the
 *   aspect angle is `atan2(w, h)` (π/2 for a zero-height box), so no division by zero occurs.
 * Penalties are clamped to their mathematical ranges ([0, 1]) so float rounding cannot push GIoU or
 * DIoU above IoU.
 */

/** 4 / π², the CIoU aspect-ratio constant. */
const FOUR_OVER_PI2 = 4 / (Math.PI * Math.PI);

/** Aspect angle `atan2(w, h)` of a box, NaN for a point box (no aspect ratio). */
export function aspectAngle(x1: number, y1: number, x2: number, y2: number): number {
  const w = x2 - x1;
  const h = y2 - y1;
  return w === 0 && h === 0 ? Number.NaN : Math.atan2(w, h);
}

/** Area of an xyxy box (may be 0). */
export function boxArea(x1: number, y1: number, x2: number, y2: number): number {
  return (x2 - x1) * (y2 - y1);
}

/** IoU of two xyxy boxes with precomputed areas; 0 when the union is 0. */
export function iouOf(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  areaB: number,
): number {
  const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
  if (!(w > 0)) return 0;
  const h = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
  if (!(h > 0)) return 0;
  const inter = w * h;
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/** Intersection area (≥ 0) of two xyxy boxes. */
function interOf(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
): number {
  const w = (ax2 < bx2 ? ax2 : bx2) - (ax1 > bx1 ? ax1 : bx1);
  const h = (ay2 < by2 ? ay2 : by2) - (ay1 > by1 ? ay1 : by1);
  return w > 0 && h > 0 ? w * h : 0;
}

/** GIoU (Rezatofighi et al. 2019; torchvision `generalized_box_iou`) of two xyxy boxes. */
export function giouOf(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  areaB: number,
): number {
  const inter = interOf(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
  const union = areaA + areaB - inter;
  const iou = union > 0 ? inter / union : 0;
  const cw = (ax2 > bx2 ? ax2 : bx2) - (ax1 < bx1 ? ax1 : bx1);
  const ch = (ay2 > by2 ? ay2 : by2) - (ay1 < by1 ? ay1 : by1);
  const c = cw * ch;
  if (!(c > 0)) return iou;
  const p = (c - union) / c;
  return iou - (p < 0 ? 0 : p > 1 ? 1 : p);
}

/** DIoU penalty `ρ²/c²` (centre distance over enclosing diagonal, squared), 0 when c = 0, at most 1. */
function diouPenalty(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
): number {
  const cw = (ax2 > bx2 ? ax2 : bx2) - (ax1 < bx1 ? ax1 : bx1);
  const ch = (ay2 > by2 ? ay2 : by2) - (ay1 < by1 ? ay1 : by1);
  const c2 = cw * cw + ch * ch;
  if (!(c2 > 0)) return 0;
  const dx = 0.5 * (ax1 + ax2 - bx1 - bx2);
  const dy = 0.5 * (ay1 + ay2 - by1 - by2);
  const p = (dx * dx + dy * dy) / c2;
  return p > 1 ? 1 : p;
}

/** DIoU (Zheng et al. 2020; torchvision `distance_box_iou`, without its `eps`) of two xyxy boxes. */
export function diouOf(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  areaB: number,
): number {
  const inter = interOf(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
  const union = areaA + areaB - inter;
  const iou = union > 0 ? inter / union : 0;
  return iou - diouPenalty(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
}

/**
 * CIoU (Zheng et al. 2020; torchvision `complete_box_iou`, without its `eps`) of two xyxy boxes with
 * precomputed aspect angles ({@link aspectAngle}; NaN for a point box, which drops the aspect term).
 */
export function ciouOf(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  thA: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  areaB: number,
  thB: number,
): number {
  const inter = interOf(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
  const union = areaA + areaB - inter;
  const iou = union > 0 ? inter / union : 0;
  const diou = iou - diouPenalty(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
  const d = thA - thB;
  const v = FOUR_OVER_PI2 * d * d;
  // v is NaN when either box is a point; `v > 0` is false then, as it is for equal aspect ratios.
  if (!(v > 0)) return diou;
  const alpha = v / (1 - iou + v);
  return diou - alpha * v;
}
