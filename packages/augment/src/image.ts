import {
  type PixelData,
  type PixelImage,
  type Uint8Image,
  type UnitImage,
  uint8Image,
  unitImage,
} from "@od/image";

export { imageSize, type PixelData } from "@od/image";
export { allocLike, maxValue, type Pixels, pixelsToImage as toImage, readPixels } from "@od/image/kernels";

/**
 * An image augmentation accepts: a `Uint8Image` (`[H, W, C]` bytes in [0, 255]) or a `UnitImage`
 * (`[H, W, C]` floats in [0, 1], what the photometric transforms compute in), C ∈ {1, 3, 4}, with its
 * range tag (`@od/image`). Every transform returns an image of the range it was given, contiguous
 * (stride `[W·C, C, 1]`, offset 0); inputs may be strided views, which are copied once at the boundary.
 * An untagged ndarray over a Uint8Array is read as [0, 255]; an untagged float32 one is refused.
 */
export type Image = PixelImage;

/**
 * Wraps a contiguous `[H, W, C]` buffer as an {@link Image} (no copy): bytes as a `Uint8Image`, floats
 * as a `UnitImage` (checked to lie in [0, 1]). Same as `uint8Image` / `unitImage` of `@od/image`.
 * @throws ImageError `INVALID_ARGUMENT`, `INVALID_IMAGE`, `OUT_OF_RANGE` (a float outside [0, 1]).
 */
export function makeImage(data: Uint8Array, width: number, height: number, channels: number): Uint8Image;
export function makeImage(data: Float32Array, width: number, height: number, channels: number): UnitImage;
export function makeImage(data: PixelData, width: number, height: number, channels: number): Image {
  return data instanceof Uint8Array
    ? uint8Image(data, width, height, channels)
    : unitImage(data, width, height, channels);
}

/**
 * A zero image of the given size and channels: `uint8` bytes or `float32` values in [0, 1].
 * @throws ImageError `INVALID_ARGUMENT` (size ≤ 0 or not an integer, channels not 1, 3 or 4).
 */
export function zeros(width: number, height: number, channels: number, dtype: "uint8"): Uint8Image;
export function zeros(width: number, height: number, channels: number, dtype: "float32"): UnitImage;
export function zeros(width: number, height: number, channels: number, dtype: "uint8" | "float32"): Image;
export function zeros(width: number, height: number, channels: number, dtype: "uint8" | "float32"): Image {
  const n = width * height * channels;
  return dtype === "uint8"
    ? uint8Image(new Uint8Array(n), width, height, channels)
    : unitImage(new Float32Array(n), width, height, channels);
}
