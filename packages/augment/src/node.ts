/**
 * `@od/augment/node`: PNG encoding of drawn samples and grids (pngjs). Node only; the core
 * `@od/augment` stays browser-safe.
 * @packageDocumentation
 */
import { PNG } from "pngjs";
import { augmentationGrid, type DrawOptions, drawSample, type GridOptions } from "./draw.js";
import type { Image } from "./image.js";
import { readPixels } from "./image.js";
import type { Sample } from "./sample.js";
import type { Transform } from "./transform.js";

/**
 * Encodes an image as PNG (8-bit RGBA): uint8 as is, float32 × 255 clamped; grey replicated, alpha kept.
 * @param image `[H, W, C]`, C ∈ {1, 3, 4}.
 * @returns the PNG file bytes.
 * @throws AugmentError `INVALID_IMAGE`.
 */
export function encodePng(image: Image): Buffer {
  const { data, width, height, channels: C } = readPixels("encodePng", "image", image);
  const png = new PNG({ width, height });
  const f = data instanceof Uint8Array ? 1 : 255;
  for (let i = 0, o = 0; o < width * height * 4; i += C, o += 4) {
    for (let c = 0; c < 4; c++) {
      const v = c === 3 ? (C === 4 ? data[i + 3]! * f : 255) : data[i + (C >= 3 ? c : 0)]! * f;
      png.data[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return PNG.sync.write(png);
}

/** {@link drawSample} encoded as PNG: boxes and label names on the image. */
export function renderSample(sample: Sample, options: DrawOptions = {}): Buffer {
  return encodePng(drawSample(sample, options));
}

/** {@link augmentationGrid} encoded as PNG. */
export function renderGrid(sample: Sample, transform: Transform, options: GridOptions = {}): Buffer {
  return encodePng(augmentationGrid(sample, transform, options));
}

export type { DrawOptions, GridOptions } from "./draw.js";
