import { describeValue } from "@od/boxes";
import { flipSource } from "@od/image/kernels";
import { readFilter } from "./filter.js";
import { fail } from "./internal/check.js";
import { rotatePixels } from "./internal/kernels.js";
import { geometricStep, unchanged } from "./internal/step.js";
import type { FlipRecord, Rotate90Record } from "./records.js";
import { randomInt } from "./rng.js";
import {
  checkP,
  defineLazyTransform,
  defineTransform,
  type ProbabilityOptions,
  type Transform,
} from "./transform.js";

function flip(fn: string, axis: "horizontal" | "vertical", options: ProbabilityOptions): Transform {
  const filter = readFilter(fn, undefined);
  return defineLazyTransform(fn, checkP(fn, options?.p), (parts) => {
    const rec: FlipRecord = {
      kind: "od.flip",
      axis,
      size: { width: parts.px.width, height: parts.px.height },
    };
    return geometricStep(fn, parts, rec, flipSource(parts.px, axis), filter);
  });
}

/**
 * Mirrors the sample left-right: pixel column x ↦ W − 1 − x, boxes `[x1, x2] ↦ [W − x2, W − x1]`
 * (continuous coordinates). Applying it twice is the identity on image and boxes. Records an `od.flip`.
 * @param options `p`: probability (default 1; 0.5 is usual for training).
 */
export function horizontalFlip(options: ProbabilityOptions = {}): Transform {
  return flip("horizontalFlip", "horizontal", options);
}

/** Mirrors the sample top-bottom: `[y1, y2] ↦ [H − y2, H − y1]`. Records an `od.flip`. */
export function verticalFlip(options: ProbabilityOptions = {}): Transform {
  return flip("verticalFlip", "vertical", options);
}

/** Options for {@link rotate90}. */
export interface Rotate90Options extends ProbabilityOptions {
  /**
   * Quarter turns clockwise: 0..3, or `"random"` (default) to draw one of 0, 1, 2, 3 uniformly
   * (0 leaves the sample unchanged and records nothing).
   */
  readonly k?: 0 | 1 | 2 | 3 | "random";
}

/**
 * Rotates the sample by k·90° clockwise (the recipe's physically rotated camera). Pixels move exactly
 * (no resampling); for k = 1 box `[x1, y1, x2, y2] ↦ [H − y2, x1, H − y1, x2]` and the image becomes
 * H × W. Four quarter turns are the identity. Records an `od.rotate90`.
 * @throws AugmentError `INVALID_ARGUMENT` for k outside 0..3.
 */
export function rotate90(options: Rotate90Options = {}): Transform {
  const fn = "rotate90";
  const kk = options.k ?? "random";
  if (kk !== "random" && kk !== 0 && kk !== 1 && kk !== 2 && kk !== 3) {
    fail("INVALID_ARGUMENT", fn, `options.k must be 0, 1, 2, 3 or "random"; got ${describeValue(kk)}`, {
      value: kk,
    });
  }
  const filter = readFilter(fn, undefined);
  return defineTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const k = kk === "random" ? randomInt(rng, 0, 3) : kk;
    if (k === 0) return unchanged(parts);
    const q = k as 1 | 2 | 3;
    const rec: Rotate90Record = {
      kind: "od.rotate90",
      k: q,
      source: { width: parts.px.width, height: parts.px.height },
    };
    return geometricStep(fn, parts, rec, rotatePixels(parts.px, q), filter);
  });
}
