import type { ImageSize } from "@od/boxes";
import { checkRange, fail } from "./internal/check.js";
import type { DropReason } from "./transform.js";

/**
 * Which boxes survive a geometric step. Every geometric transform clips its boxes to the new image and
 * then drops, in this order and with these reasons: boxes entirely outside (`outside`), boxes with zero
 * width or height after clipping (`zero-area`, always), visible fraction below `minVisibility`
 * (`min-visibility`; area after clipping / area before, both in the new image's pixels), area below
 * `minArea` (`min-area`), width below `minWidth` or height below `minHeight` (`min-size`).
 * As albumentations' `BboxParams(min_area, min_visibility, min_width, min_height)`.
 */
export interface BoxFilter {
  /** Minimum area after clipping, px² (default 0). */
  readonly minArea?: number;
  /** Minimum fraction of the box still inside the image, 0..1 (default 0). */
  readonly minVisibility?: number;
  /** Minimum width after clipping, px (default 0). */
  readonly minWidth?: number;
  /** Minimum height after clipping, px (default 0). */
  readonly minHeight?: number;
}

/** A filter with every field set. @internal */
export interface FullFilter {
  readonly minArea: number;
  readonly minVisibility: number;
  readonly minWidth: number;
  readonly minHeight: number;
}

/** Validates a filter option. @internal */
export function readFilter(fn: string, f: BoxFilter | undefined): FullFilter {
  if (f === undefined) return { minArea: 0, minVisibility: 0, minWidth: 0, minHeight: 0 };
  if (typeof f !== "object" || f === null) fail("INVALID_ARGUMENT", fn, "options.filter must be an object");
  const minArea = f.minArea ?? 0;
  const minVisibility = f.minVisibility ?? 0;
  const minWidth = f.minWidth ?? 0;
  const minHeight = f.minHeight ?? 0;
  checkRange(fn, "options.filter.minArea", minArea, 0, Number.MAX_VALUE);
  checkRange(fn, "options.filter.minVisibility", minVisibility, 0, 1);
  checkRange(fn, "options.filter.minWidth", minWidth, 0, Number.MAX_VALUE);
  checkRange(fn, "options.filter.minHeight", minHeight, 0, Number.MAX_VALUE);
  return { minArea, minVisibility, minWidth, minHeight };
}

/** Output of {@link clipAndFilter}. @internal */
export interface Filtered {
  readonly boxes: Float32Array;
  readonly labels: Int32Array;
  readonly kept: Int32Array;
  readonly dropped: { index: number; reason: DropReason }[];
}

/**
 * Clips transformed (unclipped, float64) xyxy boxes to the `size` window at `(ox, oy)` (default the image), then filters them. `pre[i]` is the
 * reason already decided for box i (e.g. `center-outside`), or undefined. @internal
 */
export function clipAndFilter(
  t: Float64Array,
  labels: Int32Array,
  size: ImageSize,
  filter: FullFilter,
  pre?: (i: number) => DropReason | undefined,
  ox = 0,
  oy = 0,
): Filtered {
  const n = labels.length;
  const X0 = ox;
  const Y0 = oy;
  const W = ox + size.width;
  const H = oy + size.height;
  const out = new Float32Array(n * 4);
  const kept = new Int32Array(n);
  const dropped: { index: number; reason: DropReason }[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = i * 4;
    const x1 = t[s]!;
    const y1 = t[s + 1]!;
    const x2 = t[s + 2]!;
    const y2 = t[s + 3]!;
    let reason = pre?.(i);
    const cx1 = Math.min(Math.max(x1, X0), W);
    const cy1 = Math.min(Math.max(y1, Y0), H);
    const cx2 = Math.min(Math.max(x2, X0), W);
    const cy2 = Math.min(Math.max(y2, Y0), H);
    const w = cx2 - cx1;
    const h = cy2 - cy1;
    // Rounded to float32 as stored, so a kept box never has zero area after storage.
    const fx1 = Math.fround(cx1);
    const fy1 = Math.fround(cy1);
    const fx2 = Math.fround(cx2);
    const fy2 = Math.fround(cy2);
    if (reason === undefined) {
      if (x2 <= X0 || y2 <= Y0 || x1 >= W || y1 >= H) reason = x2 > x1 && y2 > y1 ? "outside" : "zero-area";
      else if (!(w > 0 && h > 0) || !(fx2 > fx1 && fy2 > fy1)) reason = "zero-area";
      else if (filter.minVisibility > 0 && (w * h) / ((x2 - x1) * (y2 - y1)) < filter.minVisibility)
        reason = "min-visibility";
      else if (w * h < filter.minArea) reason = "min-area";
      else if (w < filter.minWidth || h < filter.minHeight) reason = "min-size";
    }
    if (reason !== undefined) {
      dropped.push({ index: i, reason });
      continue;
    }
    out[k * 4] = fx1;
    out[k * 4 + 1] = fy1;
    out[k * 4 + 2] = fx2;
    out[k * 4 + 3] = fy2;
    kept[k++] = i;
  }
  const keptIdx = k === n ? kept : kept.slice(0, k);
  return {
    boxes: k === n ? out : out.slice(0, k * 4),
    labels: Int32Array.from(keptIdx, (i) => labels[i]!),
    kept: keptIdx,
    dropped,
  };
}
