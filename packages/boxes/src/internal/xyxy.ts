import type { BoxFormat } from "../types.js";

/**
 * Reads row i of `src` (format `f`) as xyxy into `dst[d..d+3]`. Reads into locals first, so
 * `dst` may alias `src`.
 */
export function rowToXyxy(
  src: ArrayLike<number>,
  s: number,
  f: BoxFormat,
  dst: Float32Array | Float64Array,
  d: number,
): void {
  const a = src[s]!;
  const b = src[s + 1]!;
  const c = src[s + 2]!;
  const e = src[s + 3]!;
  switch (f) {
    case "xyxy":
      dst[d] = a;
      dst[d + 1] = b;
      dst[d + 2] = c;
      dst[d + 3] = e;
      return;
    case "xywh":
      dst[d] = a;
      dst[d + 1] = b;
      dst[d + 2] = a + c;
      dst[d + 3] = b + e;
      return;
    case "cxcywh":
      dst[d] = a - 0.5 * c;
      dst[d + 1] = b - 0.5 * e;
      dst[d + 2] = a + 0.5 * c;
      dst[d + 3] = b + 0.5 * e;
      return;
    case "yxyx":
      dst[d] = b;
      dst[d + 1] = a;
      dst[d + 2] = e;
      dst[d + 3] = c;
      return;
  }
}

/** Writes the xyxy box (x1, y1, x2, y2) into `dst[d..d+3]` in format `f`. */
export function xyxyToRow(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  f: BoxFormat,
  dst: Float32Array | Float64Array,
  d: number,
): void {
  switch (f) {
    case "xyxy":
      dst[d] = x1;
      dst[d + 1] = y1;
      dst[d + 2] = x2;
      dst[d + 3] = y2;
      return;
    case "xywh":
      dst[d] = x1;
      dst[d + 1] = y1;
      dst[d + 2] = x2 - x1;
      dst[d + 3] = y2 - y1;
      return;
    case "cxcywh":
      dst[d] = 0.5 * (x1 + x2);
      dst[d + 1] = 0.5 * (y1 + y2);
      dst[d + 2] = x2 - x1;
      dst[d + 3] = y2 - y1;
      return;
    case "yxyx":
      dst[d] = y1;
      dst[d + 1] = x1;
      dst[d + 2] = y2;
      dst[d + 3] = x2;
      return;
  }
}

/** Index offsets of the x-like (x, width) and y-like coordinates within a row of format `f`. */
export function axisIndices(f: BoxFormat): {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
} {
  return f === "yxyx" ? { x: [1, 3], y: [0, 2] } : { x: [0, 2], y: [1, 3] };
}
