import type { ImageSize } from "@od/boxes";
import { type BoxFilter, readFilter } from "./filter.js";
import { allocLike, type Image, type Pixels, readPixels, toImage } from "./image.js";
import { checkInterval, checkPositiveInt, fail } from "./internal/check.js";
import { type ResizeMethod, resizeInto } from "./internal/kernels.js";
import { geometricStep } from "./internal/step.js";
import { isView, type Source } from "./internal/view.js";
import type { ResizeRecord } from "./records.js";
import { uniform } from "./rng.js";
import { checkP, defineLazyTransform, type ProbabilityOptions, type Transform } from "./transform.js";

export type { ResizeMethod } from "./internal/kernels.js";

/** Checks a resize method option. @internal */
export function readMethod(fn: string, m: unknown): ResizeMethod {
  if (m === undefined) return "bilinear";
  if (m !== "bilinear" && m !== "area")
    fail("INVALID_ARGUMENT", fn, `options.method must be "bilinear" or "area"; got ${String(m)}`);
  return m;
}

/** Resizes pixels to `width × height`. @internal */
export function resizePixels(px: Source, width: number, height: number, method: ResizeMethod): Pixels {
  const out = allocLike(isView(px) ? px.src.data : px.data, width * height * px.channels);
  resizeInto(px, width, height, method, out, width, 0, 0);
  return { data: out, width, height, channels: px.channels };
}

/**
 * Resizes an image to `width × height` (aspect ratio NOT kept).
 *
 * `bilinear` samples with half-pixel centres: output pixel x reads source position
 * `(x + 0.5) · W / width − 0.5`, clamped to the edge pixels, as OpenCV `INTER_LINEAR` and
 * `tf.image.resizeBilinear(..., halfPixelCenters=true)`; uint8 uses 11-bit fixed-point weights (as
 * OpenCV), so results match `cv2.resize` within ±1. `area` averages each output pixel's source footprint
 * (OpenCV `INTER_AREA`), recommended for downscaling by more than 2×; when either axis grows it falls
 * back to bilinear.
 * @param image `[H, W, C]` uint8/float32.
 * @returns `[height, width, C]`, same dtype.
 * @throws AugmentError `INVALID_IMAGE`, `INVALID_ARGUMENT` (size ≤ 0 or not an integer, unknown method).
 */
export function resizeImage(
  image: Image,
  width: number,
  height: number,
  method: ResizeMethod = "bilinear",
): Image {
  const fn = "resizeImage";
  const px = readPixels(fn, "image", image);
  checkPositiveInt(fn, "width", width);
  checkPositiveInt(fn, "height", height);
  return toImage(resizePixels(px, width, height, readMethod(fn, method)));
}

/** Options for {@link resize}. */
export interface ResizeOptions extends ProbabilityOptions {
  /** Output width, px (positive integer). */
  readonly width: number;
  /** Output height, px (positive integer). */
  readonly height: number;
  /** Resampling (default `bilinear`; see {@link resizeImage}). */
  readonly method?: ResizeMethod;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

function resizeRecord(source: ImageSize, width: number, height: number): ResizeRecord {
  return {
    kind: "od.resize",
    source: { width: source.width, height: source.height },
    target: { width, height },
    scaleX: width / source.width,
    scaleY: height / source.height,
  };
}

/**
 * Resizes the sample to a fixed `width × height` (stretching; see {@link letterbox} to keep the aspect
 * ratio). Boxes are scaled by `width / W`, `height / H`; records an `od.resize`.
 * @throws AugmentError `INVALID_ARGUMENT` for sizes ≤ 0.
 */
export function resize(options: ResizeOptions): Transform {
  const fn = "resize";
  checkPositiveInt(fn, "options.width", options?.width);
  checkPositiveInt(fn, "options.height", options.height);
  const method = readMethod(fn, options.method);
  const filter = readFilter(fn, options.filter);
  const { width, height } = options;
  return defineLazyTransform(fn, checkP(fn, options.p), (parts) => {
    const rec = resizeRecord(parts.px, width, height);
    return geometricStep(fn, parts, rec, resizePixels(parts.px, width, height, method), filter);
  });
}

/** Options for {@link randomScale}. */
export interface RandomScaleOptions extends ProbabilityOptions {
  /** Range of the scale factor applied to both sides (default `[0.75, 1.25]`). */
  readonly scale?: readonly [number, number];
  /** Range of an extra width/height ratio factor (default `[1, 1]`: aspect kept). */
  readonly aspect?: readonly [number, number];
  /** Resampling (default `bilinear`). */
  readonly method?: ResizeMethod;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * Resizes by a random factor `s ∈ scale` (and an optional aspect jitter `a ∈ aspect`:
 * `W' = round(W · s · √a)`, `H' = round(H · s / √a)`, at least 1 px). Records an `od.resize`.
 * @throws AugmentError `INVALID_ARGUMENT` for ranges that are not `0 < lo ≤ hi`.
 */
export function randomScale(options: RandomScaleOptions = {}): Transform {
  const fn = "randomScale";
  const scale = options.scale ?? [0.75, 1.25];
  const aspect = options.aspect ?? [1, 1];
  checkInterval(fn, "options.scale", scale, Number.MIN_VALUE, 64);
  checkInterval(fn, "options.aspect", aspect, Number.MIN_VALUE, 64);
  const method = readMethod(fn, options.method);
  const filter = readFilter(fn, options.filter);
  return defineLazyTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const s = uniform(rng, scale[0], scale[1]);
    const a = Math.sqrt(uniform(rng, aspect[0], aspect[1]));
    const w = Math.max(1, Math.round(parts.px.width * s * a));
    const h = Math.max(1, Math.round(parts.px.height * (s / a)));
    const rec = resizeRecord(parts.px, w, h);
    return geometricStep(fn, parts, rec, resizePixels(parts.px, w, h, method), filter);
  });
}
