import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBoxes, checkImageSize, checkOut, fail } from "./internal/check.js";
import type { BoxFormat, Boxes, ImageSize } from "./types.js";

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
}

/**
 * Computes the letterbox geometry of fitting `source` into `target` keeping the aspect ratio:
 * `s = min(fit.width / source.width, fit.height / source.height)` (capped at 1 when `upscale` is
 * false), `resized = max(1, round(source · s))` per side, and the offset that centres it (floored) or
 * puts it at the top-left.
 * @example letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 })
 *   // resized 300×225, offset (0, 37)
 * @throws BoxesError `INVALID_ARGUMENT` for non-positive sizes or a fit area larger than the target.
 */
export function letterboxRecord(source: ImageSize, target: ImageSize, options: LetterboxOptions = {}): LetterboxRecord {
  const fn = "letterboxRecord";
  checkImageSize(fn, "source", source);
  checkImageSize(fn, "target", target);
  const fit = options.fit ?? target;
  checkImageSize(fn, "options.fit", fit);
  if (fit.width > target.width || fit.height > target.height) {
    fail("INVALID_ARGUMENT", fn, `options.fit ${describeValue(fit)} must fit inside target ${describeValue(target)}`);
  }
  const align = options.align ?? "center";
  if (align !== "center" && align !== "top-left") {
    fail("INVALID_ARGUMENT", fn, `options.align must be "center" or "top-left"; got ${describeValue(align)}`);
  }
  let s = Math.min(fit.width / source.width, fit.height / source.height);
  if (options.upscale === false) s = Math.min(s, 1);
  const rw = Math.min(fit.width, Math.max(1, Math.round(source.width * s)));
  const rh = Math.min(fit.height, Math.max(1, Math.round(source.height * s)));
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
  if (typeof rec !== "object" || rec === null || rec.kind !== "od.letterbox") {
    fail("INVALID_ARGUMENT", fn, `record must come from letterboxRecord(); got ${describeValue(r)}`);
  }
}

function affine<F extends BoxFormat>(fn: string, b: Boxes<F, "px">, ax: number, bx: number, ay: number, by: number, out?: Float32Array): Boxes<F, "px"> {
  const src = b.data;
  const dst = checkOut(fn, out, src.length);
  const f = b.format;
  const sizes = f === "xywh" || f === "cxcywh";
  const yx = f === "yxyx";
  for (let s = 0; s < src.length; s += 4) {
    const c0 = src[s] as number;
    const c1 = src[s + 1] as number;
    const c2 = src[s + 2] as number;
    const c3 = src[s + 3] as number;
    if (yx) {
      dst[s] = c0 * ay + by;
      dst[s + 1] = c1 * ax + bx;
      dst[s + 2] = c2 * ay + by;
      dst[s + 3] = c3 * ax + bx;
    } else {
      dst[s] = c0 * ax + bx;
      dst[s + 1] = c1 * ay + by;
      dst[s + 2] = sizes ? c2 * ax : c2 * ax + bx;
      dst[s + 3] = sizes ? c3 * ay : c3 * ay + by;
    }
  }
  return unsafeBoxes(dst, f, "px");
}

/**
 * Maps px boxes of the source image into the letterboxed canvas: `x' = x · scaleX + offset.x`,
 * `y' = y · scaleY + offset.y` (sizes are only scaled). Any format.
 * @param b `[N, 4]` px boxes of `record.source`.
 * @returns `[N, 4]` px boxes of `record.target`.
 */
export function letterboxBoxes<F extends BoxFormat>(b: Boxes<F, "px">, record: LetterboxRecord, out?: Float32Array): Boxes<F, "px"> {
  checkBoxes("letterboxBoxes", "b", b, undefined, "px");
  checkRecord("letterboxBoxes", record);
  return affine("letterboxBoxes", b, record.scaleX, record.offset.x, record.scaleY, record.offset.y, out);
}

/**
 * The exact inverse of {@link letterboxBoxes} with the same record: maps px boxes on the canvas
 * (e.g. predictions) back to the source image, `x = (x' − offset.x) / scaleX`. Boxes that reach into
 * the padding map outside the source image; clip them afterwards if needed.
 * @param b `[N, 4]` px boxes of `record.target`.
 * @returns `[N, 4]` px boxes of `record.source`.
 */
export function unletterboxBoxes<F extends BoxFormat>(b: Boxes<F, "px">, record: LetterboxRecord, out?: Float32Array): Boxes<F, "px"> {
  checkBoxes("unletterboxBoxes", "b", b, undefined, "px");
  checkRecord("unletterboxBoxes", record);
  const ix = 1 / record.scaleX;
  const iy = 1 / record.scaleY;
  return affine("unletterboxBoxes", b, ix, -record.offset.x * ix, iy, -record.offset.y * iy, out);
}
