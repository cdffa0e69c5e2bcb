import {
  type LetterboxOptions as BoxesLetterboxOptions,
  type ImageSize,
  type LetterboxRecord,
  letterboxRecord,
} from "@od/boxes";
import { type BoxFilter, readFilter } from "./filter.js";
import { allocLike, type Image, type Pixels, readPixels, toImage } from "./image.js";
import { checkPositiveInt, fail } from "./internal/check.js";
import { type ResizeMethod, resizeInto } from "./internal/kernels.js";
import { geometricStep } from "./internal/step.js";
import { isView, type Source } from "./internal/view.js";
import { readMethod } from "./resize.js";
import { checkP, defineLazyTransform, type ProbabilityOptions, type Transform } from "./transform.js";

/** Resizes and pads pixels as `record` says. @internal */
export function letterboxPixels(px: Source, record: LetterboxRecord, method: ResizeMethod): Pixels {
  const { target, resized, offset } = record;
  const out = allocLike(isView(px) ? px.src.data : px.data, target.width * target.height * px.channels);
  resizeInto(px, resized.width, resized.height, method, out, target.width, offset.x, offset.y);
  return { data: out, width: target.width, height: target.height, channels: px.channels };
}

/**
 * Draws the pixels of a letterbox: the image resized to `record.resized` (see {@link resizeImage} for
 * the sampling) at `record.offset` of a zero canvas of `record.target` size. The geometry comes from
 * `letterboxRecord` of `@od/boxes`, so boxes mapped with `letterboxBoxes(…, record)` line up exactly.
 * @param image `[H, W, C]` with `W × H = record.source`.
 * @returns `[target.height, target.width, C]`, same dtype.
 * @throws AugmentError `INVALID_IMAGE`, `INVALID_ARGUMENT` when the image size differs from `record.source`.
 */
export function letterboxImage(
  image: Image,
  record: LetterboxRecord,
  method: ResizeMethod = "bilinear",
): Image {
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
  return toImage(letterboxPixels(px, record, readMethod(fn, method)));
}

/** Options for {@link letterbox}. */
export interface LetterboxOptions extends ProbabilityOptions {
  /** Canvas (network input) width, px. */
  readonly width: number;
  /** Canvas height, px. */
  readonly height: number;
  /** `center` (default; odd padding goes right/bottom) or `top-left`. */
  readonly align?: "center" | "top-left";
  /** Fit the image into this area of the canvas instead of the whole canvas (the recipe's 224×224 in 320×240). */
  readonly fit?: ImageSize;
  /** Allow enlarging small images (default true). */
  readonly upscale?: boolean;
  /** Resampling (default `bilinear`; `area` for strong downscaling). */
  readonly method?: ResizeMethod;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * Scales the sample to fit a `width × height` canvas keeping its aspect ratio and inscribes it into a
 * zero canvas (centred or top-left), as the recipe's "fitting resized image into a black box". Geometry
 * from `letterboxRecord` (`@od/boxes`), appended to `records`; {@link unletterbox} / {@link invertRecords}
 * map predictions back.
 * @example letterbox({ width: 300, height: 300 }) // 640×480 → 300×225 at (0, 37)
 * @throws AugmentError `INVALID_ARGUMENT` for sizes ≤ 0 or a fit area larger than the canvas.
 */
export function letterbox(options: LetterboxOptions): Transform {
  const fn = "letterbox";
  checkPositiveInt(fn, "options.width", options?.width);
  checkPositiveInt(fn, "options.height", options.height);
  if (options.fit !== undefined) {
    checkPositiveInt(fn, "options.fit.width", options.fit.width);
    checkPositiveInt(fn, "options.fit.height", options.fit.height);
    if (options.fit.width > options.width || options.fit.height > options.height) {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.fit ${options.fit.width}x${options.fit.height} must fit inside ${options.width}x${options.height}`,
      );
    }
  }
  if (options.align !== undefined && options.align !== "center" && options.align !== "top-left") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.align must be "center" or "top-left"; got ${String(options.align)}`,
    );
  }
  const method = readMethod(fn, options.method);
  const filter = readFilter(fn, options.filter);
  const target = { width: options.width, height: options.height };
  const lbOptions: BoxesLetterboxOptions = {
    ...(options.align !== undefined ? { align: options.align } : {}),
    ...(options.fit !== undefined ? { fit: options.fit } : {}),
    ...(options.upscale !== undefined ? { upscale: options.upscale } : {}),
  };
  return defineLazyTransform(fn, checkP(fn, options.p), (parts) => {
    const rec = letterboxRecord({ width: parts.px.width, height: parts.px.height }, target, lbOptions);
    return geometricStep(fn, parts, rec, letterboxPixels(parts.px, rec, method), filter);
  });
}
