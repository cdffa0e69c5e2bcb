/**
 * `@od/augment`: seeded, composable image+box transforms over {@link Sample}s (HWC `ndarray` image,
 * `Boxes<'xyxy','px'>`, labels, geometric records): letterbox with an exact inverse, resize, flips,
 * 90° rotations, SSD crop, expand, translate, photometric jitter, occlusion, copy-paste and mosaic, with
 * a report of every dropped box; plus drawing for debugging. Images are `@od/image`'s: `Uint8Image`
 * ([0, 255]) or `UnitImage` ([0, 1]), with their range tag; the image vocabulary and the resampler are
 * re-exported from there. Browser-safe; PNG encoding is in `@od/augment/node`.
 * @packageDocumentation
 */

export {
  asImage,
  ImageError,
  type ImageErrorCode,
  letterboxImage,
  type ResizeMethod,
  resizeImage,
  toUint8Image,
  toUnitImage,
  type Uint8Image,
  type UnitImage,
  uint8Image,
  unitImage,
} from "@od/image";
export { type CopyPasteOptions, copyPaste } from "./copy-paste.js";
export {
  type CropOptions,
  crop,
  type ExpandOptions,
  expand,
  type Fill,
  type SsdCropChoice,
  type SsdCropOptions,
  ssdCrop,
  type TranslateOptions,
  translate,
} from "./crop.js";
export {
  augmentationGrid,
  type DrawOptions,
  drawSample,
  type GridOptions,
  type SideBySideOptions,
  sideBySide,
} from "./draw.js";
export { AugmentError, type AugmentErrorCode } from "./errors.js";
export type { BoxFilter } from "./filter.js";
export { horizontalFlip, type Rotate90Options, rotate90, verticalFlip } from "./flip.js";
export { type Image, imageSize, makeImage, type PixelData, zeros } from "./image.js";
export { type LetterboxOptions, letterbox } from "./letterbox.js";
export { type MosaicOptions, type MosaicQuadrant, mosaic } from "./mosaic.js";
export { type OcclusionFill, type OcclusionOptions, occlusion } from "./occlusion.js";
export {
  addGaussianNoise,
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  type BlurOptions,
  type BrightnessOptions,
  blur,
  brightness,
  type ColorJitterOptions,
  colorJitter,
  contrast,
  type FactorOptions,
  gaussianBlur,
  grayscale,
  type HueOptions,
  hue,
  type NoiseOptions,
  noise,
  saturation,
  toGrayscale,
} from "./photometric.js";
export { type SsdPipelineOptions, ssdPipeline } from "./pipelines.js";
export {
  applyRecords,
  type FlipRecord,
  type GeometryRecord,
  invertRecords,
  type ResizeRecord,
  type Rotate90Record,
  type ShiftRecord,
  unletterbox,
} from "./records.js";
export { type RandomScaleOptions, type ResizeOptions, randomScale, resize } from "./resize.js";
export { createRng, normal, type Rng, random, randomInt, uniform } from "./rng.js";
export {
  makeSample,
  type Sample,
  type SampleOptions,
  type SampleValidation,
  validateSample,
} from "./sample.js";
export {
  type ComposeOptions,
  compose,
  type DroppedBox,
  type DropReason,
  oneOf,
  type ProbabilityOptions,
  type StepReport,
  type Transform,
  type TransformReport,
  type TransformResult,
} from "./transform.js";
