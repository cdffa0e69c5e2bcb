import type { SsdPriorConfig } from "./config.js";
import { checkInt, checkPositive } from "./internal/fail.js";

/**
 * torchvision `ssd300_vgg16`'s default boxes: 300×300 input, maps 38/19/10/5/3/1, steps
 * `[8, 16, 32, 64, 100, 300]`, scales `[0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05]`, aspect ratios
 * `[[2], [2, 3], [2, 3], [2, 3], [2], [2]]`, clipped. 8,732 priors, equal to torchvision's to 1e-6.
 */
export const SSD300_VGG16: SsdPriorConfig = Object.freeze({
  imageSize: { width: 300, height: 300 },
  featureMaps: [38, 19, 10, 5, 3, 1].map((n) => ({ height: n, width: n })),
  steps: [8, 16, 32, 64, 100, 300],
  scales: [0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05],
  aspectRatios: [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
  clip: true,
});

/**
 * Scales as torchvision `DefaultBoxGenerator` estimates them when none are given:
 * `s_k = min + (max − min) · k / (L − 1)` for k < L, then `1.0`; for one level `[min, max]`.
 * Same float64 arithmetic as torchvision, so the values are bit-identical.
 * @param levels L ≥ 1 (an integer).
 * @param minScale finite > 0, relative to the input.
 * @param maxScale finite > 0, relative to the input.
 * @returns `L + 1` scales.
 * @throws PriorsError `INVALID_ARGUMENT` naming the argument and value otherwise.
 */
export function linearScales(levels: number, minScale: number, maxScale: number): number[] {
  const fn = "linearScales";
  checkInt("INVALID_ARGUMENT", fn, "levels", levels, 1);
  checkPositive("INVALID_ARGUMENT", fn, "minScale", minScale);
  checkPositive("INVALID_ARGUMENT", fn, "maxScale", maxScale);
  if (levels === 1) return [minScale, maxScale];
  const range = maxScale - minScale;
  const out: number[] = [];
  for (let k = 0; k < levels; k++) out.push(minScale + (range * k) / (levels - 1.0));
  out.push(1.0);
  return out;
}

/**
 * torchvision `ssdlite320_mobilenet_v3_large`'s default boxes: 320×320 input, maps 20/10/5/3/2/1, no steps
 * (centres `(j + 0.5) / size`), scales estimated from `min_ratio = 0.2`, `max_ratio = 0.95`, aspect ratios
 * `[2, 3]` on every level, clipped. 3,234 priors, equal to torchvision's to 1e-6.
 */
export const SSDLITE320_MOBILENET_V3: SsdPriorConfig = Object.freeze({
  imageSize: { width: 320, height: 320 },
  featureMaps: [20, 10, 5, 3, 2, 1].map((n) => ({ height: n, width: n })),
  scales: linearScales(6, 0.2, 0.95),
  aspectRatios: [
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
  ],
  clip: true,
});
