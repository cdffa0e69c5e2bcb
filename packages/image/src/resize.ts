import type { LetterboxRecord } from "@od/boxes";
import { checkPositiveInt, fail } from "./internal/check.js";
import { allocLike, type Pixels, readPixels, sameRangeImage } from "./pixels.js";
import { type ResizeMethod, resizeInto } from "./resample.js";
import type { PixelData, PixelImage, SameRange } from "./types.js";
import { isView, type Source } from "./view.js";

export type { ResizeMethod } from "./resample.js";

/**
 * Checks a resize method option (undefined: `bilinear`).
 * @throws ImageError `INVALID_ARGUMENT` naming `fn` and the value.
 */
export function readMethod(fn: string, m: unknown): ResizeMethod {
  if (m === undefined) return "bilinear";
  if (m !== "bilinear" && m !== "area")
    fail("INVALID_ARGUMENT", fn, `options.method must be "bilinear" or "area"; got ${String(m)}`, {
      arg: "method",
      value: m,
    });
  return m;
}

/** Resizes pixels (or a lazy view) to `width × height` with the shared kernel; same buffer type. */
export function resizePixels(px: Source, width: number, height: number, method: ResizeMethod): Pixels {
  const out = allocLike(isView(px) ? px.src.data : px.data, width * height * px.channels);
  resizeInto(px, width, height, method, out, width, 0, 0);
  return { data: out, width, height, channels: px.channels };
}

/**
 * Resizes and pads pixels (or a lazy view) as `record` says: the source resized to `record.resized` at
 * `record.offset` of a zero canvas of `record.target` size; same buffer type. No checks: see
 * {@link letterboxImage} for the checked form.
 * @param out optional canvas to draw into instead of a new one (e.g. a buffer reused from image to
 *   image): `target.width · target.height · channels` samples of the source's buffer type; it is
 *   zeroed first, so earlier contents never show.
 * @throws ImageError `INVALID_ARGUMENT` for an `out` of another length or buffer type.
 */
export function letterboxPixels(
  px: Source,
  record: LetterboxRecord,
  method: ResizeMethod,
  out?: PixelData,
): Pixels {
  const { target, resized, offset } = record;
  const like = isView(px) ? px.src.data : px.data;
  const n = target.width * target.height * px.channels;
  if (out !== undefined) {
    if (out.length !== n || out instanceof Uint8Array !== like instanceof Uint8Array)
      fail(
        "INVALID_ARGUMENT",
        "letterboxPixels",
        `out must be a ${like instanceof Uint8Array ? "Uint8Array" : "Float32Array"} of ${n} samples; got ${out.constructor.name}(${out.length})`,
        { arg: "out" },
      );
    out.fill(0);
  } else out = allocLike(like, n);
  resizeInto(px, resized.width, resized.height, method, out, target.width, offset.x, offset.y);
  return { data: out, width: target.width, height: target.height, channels: px.channels };
}

/**
 * Resizes an image to `width × height` (aspect ratio NOT kept).
 *
 * `bilinear` samples with half-pixel centres: output pixel x reads source position
 * `(x + 0.5) · W / width − 0.5`, clamped to the edge pixels, as OpenCV `INTER_LINEAR` and
 * `tf.image.resizeBilinear(..., halfPixelCenters=true)`; `"0-255"` images use 11-bit fixed-point weights
 * (as OpenCV), so results match `cv2.resize` within ±1. `area` averages each output pixel's source
 * footprint (OpenCV `INTER_AREA`), recommended for downscaling by more than 2×; when either axis grows
 * it falls back to bilinear. Resizing to the image's own size returns a copy of the same samples.
 * @param image `[H, W, C]` `"0-255"` or `"0-1"` image.
 * @returns `[height, width, C]`, same range.
 * @throws ImageError `INVALID_IMAGE`, `UNKNOWN_RANGE`, `RANGE_MISMATCH`, `INVALID_ARGUMENT` (size ≤ 0 or
 *   not an integer, unknown method).
 */
export function resizeImage<I extends PixelImage>(
  image: I,
  width: number,
  height: number,
  method: ResizeMethod = "bilinear",
): SameRange<I> {
  const fn = "resizeImage";
  const px = readPixels(fn, "image", image);
  checkPositiveInt(fn, "width", width);
  checkPositiveInt(fn, "height", height);
  return sameRangeImage(image, resizePixels(px, width, height, readMethod(fn, method)));
}

/**
 * Draws the pixels of a letterbox: the image resized to `record.resized` (see {@link resizeImage} for
 * the sampling) at `record.offset` of a zero canvas of `record.target` size. The geometry comes from
 * `letterboxRecord` of `@od/boxes`, so boxes mapped with `letterboxBoxes(…, record)` line up exactly.
 * @param image `[H, W, C]` `"0-255"` or `"0-1"` image with `W × H = record.source`.
 * @returns `[target.height, target.width, C]`, same range.
 * @throws ImageError `INVALID_IMAGE`, `UNKNOWN_RANGE`, `RANGE_MISMATCH`, `INVALID_RECORD` (not a
 *   letterbox record), `INVALID_ARGUMENT` (the image size differs from `record.source`, unknown method).
 */
export function letterboxImage<I extends PixelImage>(
  image: I,
  record: LetterboxRecord,
  method: ResizeMethod = "bilinear",
): SameRange<I> {
  const fn = "letterboxImage";
  const px = readPixels(fn, "image", image);
  if (record?.kind !== "od.letterbox") fail("INVALID_RECORD", fn, "record must come from letterboxRecord()");
  if (px.width !== record.source.width || px.height !== record.source.height) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `image is ${px.width}x${px.height} but record.source is ${record.source.width}x${record.source.height}`,
      { expected: record.source, actual: { width: px.width, height: px.height } },
    );
  }
  return sameRangeImage(image, letterboxPixels(px, record, readMethod(fn, method)));
}
