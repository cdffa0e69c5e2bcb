import { describeValue } from "@od/boxes";
import { unsafeImage } from "./construct.js";
import { fail } from "./internal/check.js";
import { readPixels } from "./pixels.js";
import type { Uint8Image, UnitImage } from "./types.js";

/**
 * Bytes to unit floats: `v / 255` per sample (float32), the inverse of {@link toUint8Image} (the round
 * trip gives back the same bytes).
 * @param image `[H, W, C]` `"0-255"` image (any strides).
 * @returns a new packed `[H, W, C]` `"0-1"` image.
 * @throws ImageError `INVALID_IMAGE`, `RANGE_MISMATCH` (not a `"0-255"` image).
 */
export function toUnitImage(image: Uint8Image): UnitImage {
  const fn = "toUnitImage";
  const px = readPixels(fn, "image", image);
  if (!(px.data instanceof Uint8Array))
    fail("RANGE_MISMATCH", fn, 'image must be a "0-255" image; got a "0-1" image; it already is [0, 1]', {
      arg: "image",
      expected: "0-255",
      actual: "0-1",
    });
  const src = px.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! / 255;
  return unsafeImage(out, px.width, px.height, px.channels, "0-1");
}

/**
 * Unit floats to bytes: `round(v · 255)` per sample (halves away from zero, as `Math.round`), so every
 * byte `b` survives `toUint8Image(toUnitImage(b))`.
 * @param image `[H, W, C]` `"0-1"` image (any strides).
 * @returns a new packed `[H, W, C]` `"0-255"` image.
 * @throws ImageError `INVALID_IMAGE`, `RANGE_MISMATCH` (not a `"0-1"` image), `OUT_OF_RANGE` naming the
 *   first sample outside [0, 1] or NaN (possible only in images made with `unsafeImage`).
 */
export function toUint8Image(image: UnitImage): Uint8Image {
  const fn = "toUint8Image";
  const px = readPixels(fn, "image", image);
  if (!(px.data instanceof Float32Array))
    fail("RANGE_MISMATCH", fn, 'image must be a "0-1" image; got a "0-255" image; it already is bytes', {
      arg: "image",
      expected: "0-1",
      actual: "0-255",
    });
  const src = px.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!(v >= 0 && v <= 1))
      fail("OUT_OF_RANGE", fn, `image sample ${i} is ${describeValue(v)}, outside [0, 1]`, {
        arg: "image",
        index: i,
        value: v,
      });
    out[i] = Math.round(v * 255);
  }
  return unsafeImage(out, px.width, px.height, px.channels, "0-255");
}
