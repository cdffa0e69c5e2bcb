import type { ImageSize } from "@od/boxes";
import type { ResizeMethod } from "@od/image";
import { readMethod, resizePixels } from "@od/image/kernels";
import { type BoxFilter, readFilter } from "./filter.js";
import { checkInterval, checkPositiveInt } from "./internal/check.js";
import { geometricStep } from "./internal/step.js";
import type { ResizeRecord } from "./records.js";
import { uniform } from "./rng.js";
import { checkP, defineLazyTransform, type ProbabilityOptions, type Transform } from "./transform.js";

/** Options for {@link resize}. */
export interface ResizeOptions extends ProbabilityOptions {
  /** Output width, px (positive integer). */
  readonly width: number;
  /** Output height, px (positive integer). */
  readonly height: number;
  /** Resampling (default `bilinear`; see `resizeImage` of `@od/image`). */
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
