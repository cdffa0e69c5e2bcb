/**
 * `@od/image`: images whose value range (`"0-255"` uint8, `"0-1"` float32, `"network"` input) and
 * layout (`hwc`) are part of their type and a runtime tag, explicit conversions between them, and the
 * one bilinear / area resampler (letterbox, resize) every od package uses. Plain TypeScript over typed
 * arrays; runs unchanged in a browser. Low-level kernels for transform libraries are in
 * `@od/image/kernels`.
 * @packageDocumentation
 */
export { checkImage } from "./check.js";
export { asImage, imageSize, uint8Image, unitImage, unsafeImage } from "./construct.js";
export { toUint8Image, toUnitImage } from "./convert.js";
export { ImageError, type ImageErrorCode } from "./errors.js";
export { letterboxImage, type ResizeMethod, resizeImage } from "./resize.js";
export {
  IMAGE_KIND,
  type Image,
  type ImageOf,
  type NetworkImage,
  type PixelData,
  type PixelDataOf,
  type PixelImage,
  type PixelLayout,
  type PixelRange,
  type SameRange,
  type Uint8Image,
  type UnitImage,
} from "./types.js";
