/**
 * Area of (the union of rectangles `rects`) ∩ box `[bx1, by1, bx2, by2]`, exact by coordinate
 * compression (O(K³) for K rectangles; K is small here). `rects` is a flat `[K, 4]` xyxy list.
 */
export function coveredArea(
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  rects: ArrayLike<number>,
): number {
  const xs: number[] = [bx1, bx2];
  const ys: number[] = [by1, by2];
  const clipped: number[] = [];
  for (let k = 0; k < rects.length; k += 4) {
    const x1 = Math.max(bx1, rects[k]!);
    const y1 = Math.max(by1, rects[k + 1]!);
    const x2 = Math.min(bx2, rects[k + 2]!);
    const y2 = Math.min(by2, rects[k + 3]!);
    if (x2 > x1 && y2 > y1) {
      clipped.push(x1, y1, x2, y2);
      xs.push(x1, x2);
      ys.push(y1, y2);
    }
  }
  if (clipped.length === 0) return 0;
  xs.sort((a, b) => a - b);
  ys.sort((a, b) => a - b);
  let area = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    const xa = xs[i]!;
    const xb = xs[i + 1]!;
    if (xb <= xa) continue;
    const xm = (xa + xb) / 2;
    for (let j = 0; j + 1 < ys.length; j++) {
      const ya = ys[j]!;
      const yb = ys[j + 1]!;
      if (yb <= ya) continue;
      const ym = (ya + yb) / 2;
      for (let k = 0; k < clipped.length; k += 4) {
        if (xm > clipped[k]! && xm < clipped[k + 2]! && ym > clipped[k + 1]! && ym < clipped[k + 3]!) {
          area += (xb - xa) * (yb - ya);
          break;
        }
      }
    }
  }
  return area;
}
