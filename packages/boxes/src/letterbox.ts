import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBoxes, checkImageSize, checkOut, fail } from "./internal/check.js";
import type { Boxes, BoxFormat, ImageSize } from "./types.js";

/**
 * The geometry of one letterbox: an image of `source` size resized, keeping its aspect ratio, to
 * `resized` (integer pixels) and placed at `offset` inside a zero canvas of `target` size.
 *
 * Produced once by {@link letterboxRecord}; the pixel resize (`@od/augment`, `@od/ssd`) and the box
 * mappings ({@link letterboxBoxes}, {@link unletterboxBoxes}) all read the same record, so rounding
 * is decided in one place and the inverse is exact.
 */
export interface LetterboxRecord {
  /** Runtime brand, always `"od.letterbox"`. */
  readonly kind: "od.letterbox";
  /** Size of the original image, px. */
  readonly source: ImageSize;
  /** Size of the canvas (the network input), px. */
  readonly target: ImageSize;
  /** Integer size of the resized image inside the canvas, px. */
  readonly resized: ImageSize;
  /** Integer top-left corner of the resized image in the canvas, px. */
  readonly offset: { readonly x: number; readonly y: number };
  /** `resized.width / source.width`: the exact horizontal factor the pixels were resized by. */
  readonly scaleX: number;
  /** `resized.height / source.height`. */
  readonly scaleY: number;
}

/** Options for {@link letterboxRecord}. */
export interface LetterboxOptions {
  /** Where the image sits in the canvas: centred (default; odd padding goes right/bottom) or top-left. */
  readonly align?: "center" | "top-left";
  /**
   * The area the image is fitted into, centred in (or at the top-left of) the canvas; defaults to the
   * whole canvas. The recipe's example fits a rotated 720×1280 camera frame into a 224×224 area of a
   * 320×240 canvas.
   */
  readonly fit?: ImageSize;
  /** Allow enlarging images smaller than the fit area (default `true`). */
  readonly upscale?: boolean;
  /**
   * Keep the aspect ratio (default `true`). With `false` the image is stretched to fill the fit
   * area exactly, as the recipe does when it squeezes a 720×1280 frame into 224×224 before placing
   * it on the 320×240 canvas; `scaleX` and `scaleY` then differ.
   */
  readonly keepAspectRatio?: boolean;
}

function checkIntSize(fn: string, arg: string, s: unknown): asserts s is ImageSize {
  checkImageSize(fn, arg, s);
  if (!Number.isInteger(s.width) || !Number.isInteger(s.height)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${arg} must have integer width and height (pixels); got ${describeValue(s)}`,
      {
        arg,
        value: s,
      },
    );
  }
}

/**
 * Computes the letterbox geometry of fitting `source` into `target` keeping the aspect ratio:
 * `s = min(fit.width / source.width, fit.height / source.height)` (capped at 1 when `upscale` is
 * false), `resized = clamp(round(source · s), 1, fit)` per side, and the offset that centres the
 * resized image in the canvas (floored, so odd padding goes right/bottom) or puts it at the top-left.
 * The exact factors `resized / source` are stored, so the box mappings agree with the pixels.
 * @param source original image size, integer px.
 * @param target canvas (network input) size, integer px.
 * @example letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 })
 *   // resized 300×225, offset (0, 37), scaleX = 300/640, scaleY = 225/480
 * @throws BoxesError `INVALID_ARGUMENT` for non-positive or non-integer sizes, a fit area larger than
 * the target, or an unknown `align`.
 */
export function letterboxRecord(
  source: ImageSize,
  target: ImageSize,
  options: LetterboxOptions = {},
): LetterboxRecord {
  const fn = "letterboxRecord";
  checkIntSize(fn, "source", source);
  checkIntSize(fn, "target", target);
  const fit = options.fit ?? target;
  checkIntSize(fn, "options.fit", fit);
  if (fit.width > target.width || fit.height > target.height) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.fit ${describeValue(fit)} must fit inside target ${describeValue(target)}`,
      {
        arg: "options.fit",
        value: fit,
      },
    );
  }
  const align = options.align ?? "center";
  if (align !== "center" && align !== "top-left") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.align must be "center" or "top-left"; got ${describeValue(align)}`,
      {
        arg: "options.align",
        value: align,
      },
    );
  }
  let rw: number;
  let rh: number;
  if (options.keepAspectRatio === false) {
    rw = options.upscale === false ? Math.min(fit.width, source.width) : fit.width;
    rh = options.upscale === false ? Math.min(fit.height, source.height) : fit.height;
  } else {
    let s = Math.min(fit.width / source.width, fit.height / source.height);
    if (options.upscale === false) s = Math.min(s, 1);
    rw = Math.min(fit.width, Math.max(1, Math.round(source.width * s)));
    rh = Math.min(fit.height, Math.max(1, Math.round(source.height * s)));
  }
  const ox = align === "center" ? Math.floor((target.width - rw) / 2) : 0;
  const oy = align === "center" ? Math.floor((target.height - rh) / 2) : 0;
  return {
    kind: "od.letterbox",
    source: { width: source.width, height: source.height },
    target: { width: target.width, height: target.height },
    resized: { width: rw, height: rh },
    offset: { x: ox, y: oy },
    scaleX: rw / source.width,
    scaleY: rh / source.height,
  };
}

function checkRecord(fn: string, r: unknown): asserts r is LetterboxRecord {
  const rec = r as Partial<LetterboxRecord> | null;
  const ok =
    typeof rec === "object" &&
    rec !== null &&
    rec.kind === "od.letterbox" &&
    typeof rec.scaleX === "number" &&
    typeof rec.scaleY === "number" &&
    Number.isFinite(rec.scaleX) &&
    Number.isFinite(rec.scaleY) &&
    rec.scaleX > 0 &&
    rec.scaleY > 0 &&
    typeof rec.offset === "object" &&
    rec.offset !== null &&
    Number.isFinite(rec.offset.x) &&
    Number.isFinite(rec.offset.y);
  if (!ok) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `record must come from letterboxRecord() (kind "od.letterbox", positive finite scaleX/scaleY, finite offset); got ${describeValue(r)}`,
      { arg: "record" },
    );
  }
}

/**
 * Forward (`x · s + o`) or inverse (`(x − o) / s`) per-axis affine map of px boxes in any format;
 * sizes (xywh, cxcywh) are only scaled. Rows are read into locals first, so `out` may alias `b.data`.
 */
function affine<F extends BoxFormat>(
  fn: string,
  b: Boxes<F, "px">,
  r: LetterboxRecord,
  inverse: boolean,
  out?: Float32Array,
): Boxes<F, "px"> {
  const src = b.data;
  const dst = checkOut(fn, out, src.length);
  const f = b.format;
  const sx = r.scaleX;
  const sy = r.scaleY;
  const ox = r.offset.x;
  const oy = r.offset.y;
  const pos = (c: number, s: number, o: number): number => (inverse ? (c - o) / s : c * s + o);
  const len = (c: number, s: number): number => (inverse ? c / s : c * s);
  const sizes = f === "xywh" || f === "cxcywh";
  const yx = f === "yxyx";
  for (let s = 0; s < src.length; s += 4) {
    const c0 = src[s]!;
    const c1 = src[s + 1]!;
    const c2 = src[s + 2]!;
    const c3 = src[s + 3]!;
    if (yx) {
      dst[s] = pos(c0, sy, oy);
      dst[s + 1] = pos(c1, sx, ox);
      dst[s + 2] = pos(c2, sy, oy);
      dst[s + 3] = pos(c3, sx, ox);
    } else {
      dst[s] = pos(c0, sx, ox);
      dst[s + 1] = pos(c1, sy, oy);
      dst[s + 2] = sizes ? len(c2, sx) : pos(c2, sx, ox);
      dst[s + 3] = sizes ? len(c3, sy) : pos(c3, sy, oy);
    }
  }
  return unsafeBoxes(dst, f, "px");
}

/**
 * Maps px boxes of the source image into the letterboxed canvas: `x' = x · scaleX + offset.x`,
 * `y' = y · scaleY + offset.y` (sizes are only scaled). Any format.
 * @param b `[N, 4]` px boxes of `record.source`.
 * @param record from {@link letterboxRecord}; the same record must be used for the inverse.
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` px boxes of `record.target`, same format.
 * @throws BoxesError `NOT_BOXES`, `UNITS_MISMATCH` (rel boxes: `toPx` them first), `INVALID_ARGUMENT` (bad record).
 */
export function letterboxBoxes<F extends BoxFormat>(
  b: Boxes<F, "px">,
  record: LetterboxRecord,
  out?: Float32Array,
): Boxes<F, "px"> {
  checkBoxes("letterboxBoxes", "b", b, undefined, "px");
  checkRecord("letterboxBoxes", record);
  return affine("letterboxBoxes", b, record, false, out);
}

/**
 * The exact inverse of {@link letterboxBoxes} with the same record: maps px boxes on the canvas
 * (e.g. predictions) back to the source image, `x = (x' − offset.x) / scaleX`. Boxes that reach into
 * the padding map outside the source image; clip them afterwards if needed.
 * @param b `[N, 4]` px boxes of `record.target`.
 * @param record the record the forward letterbox used (never a recomputation).
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` px boxes of `record.source`, same format.
 * @throws BoxesError `NOT_BOXES`, `UNITS_MISMATCH`, `INVALID_ARGUMENT` (bad record).
 */
export function unletterboxBoxes<F extends BoxFormat>(
  b: Boxes<F, "px">,
  record: LetterboxRecord,
  out?: Float32Array,
): Boxes<F, "px"> {
  checkBoxes("unletterboxBoxes", "b", b, undefined, "px");
  checkRecord("unletterboxBoxes", record);
  return affine("unletterboxBoxes", b, record, true, out);
}
