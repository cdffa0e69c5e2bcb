import { type LetterboxOptions as BoxesLetterboxOptions, type ImageSize, letterboxRecord } from "@od/boxes";
import type { ResizeMethod } from "@od/image";
import { letterboxPixels, readMethod } from "@od/image/kernels";
import { type BoxFilter, readFilter } from "./filter.js";
import { checkPositiveInt, fail } from "./internal/check.js";
import { geometricStep } from "./internal/step.js";
import { checkP, defineLazyTransform, type ProbabilityOptions, type Transform } from "./transform.js";

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
  /** Resampling (default `bilinear`; `area` for strong downscaling); the kernel of `@od/image`. */
  readonly method?: ResizeMethod;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * Scales the sample to fit a `width × height` canvas keeping its aspect ratio and inscribes it into a
 * zero canvas (centred or top-left), as the recipe's "fitting resized image into a black box". Pixels
 * with the shared resampler of `@od/image` (what `letterboxImage` and the model's preprocessing use, so
 * training and prediction see the same bytes); geometry from `letterboxRecord` (`@od/boxes`), appended to
 * `records`; {@link unletterbox} / {@link invertRecords}
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
