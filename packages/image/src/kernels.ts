/**
 * `@od/image/kernels`: the pixel kernels under `@od/image`'s image functions, for libraries that build
 * transforms on them (as `@od/augment` does): contiguous {@link Pixels}, lazy integer views (shifts and
 * flips composed without copying), the shared resampler writing into a caller's buffer, and the switch
 * of its WebAssembly SIMD path. No validation inside the kernels: read images with {@link readPixels}
 * at the boundary first.
 * @packageDocumentation
 */
export { allocLike, maxValue, type Pixels, pixelsToImage, readPixels, sameRangeImage } from "./pixels.js";
export { type ResizeMethod, resizeInto } from "./resample.js";
export { letterboxPixels, readMethod, resizePixels } from "./resize.js";
export { resizeWasmActive, resizeWasmBlocks, setResizeWasm } from "./resize-wasm.js";
export {
  flipSource,
  identityView,
  isView,
  materialize,
  type Source,
  shiftSource,
  type View,
} from "./view.js";
