/**
 * `@od/data`: one typed `DetectionDataset` for Pascal VOC, COCO and YOLO annotations, with
 * validation reports, writers, image input, statistics, splits and a training data pipeline.
 * Browser-safe: file-system loaders and Node image decoding are in `@od/data/node`.
 * @packageDocumentation
 */

export { deriveSeed, rngFor, shuffleInPlace } from "@od/random";
export {
  type ClassNameSimilarity,
  closestClassName,
  MIN_TYPO_LENGTH,
  type SimilarClassNames,
  similarClassNames,
} from "./classes.js";
export { type CocoJson, type CocoOptions, cocoDataset, type WriteCocoOptions, writeCoco } from "./coco.js";
export { addNegatives, createDataset, isNegative, negativeRecord, subset } from "./dataset.js";
export { DataError, type DataErrorCode } from "./errors.js";
export {
  applyOrientation,
  type CanvasLike,
  fromCanvas,
  fromImageData,
  type ImageDataLike,
  type ImageHeader,
  readImageHeader,
} from "./image.js";
export {
  MAX_ANNOTATION_FILE_BYTES,
  MAX_BOX_OVERHANG,
  MAX_IMAGE_FILE_BYTES,
  MAX_IMAGE_HEADER_BYTES,
  MAX_IMAGE_PIXELS,
} from "./limits.js";
export {
  type Batch,
  createPipeline,
  type DataSample,
  fromSampleMessage,
  type Pipeline,
  type PipelineOptions,
  type SampleMessage,
  type TransformOutput,
  toSampleMessage,
} from "./pipeline.js";
export { type SplitOptions, splitDataset } from "./split.js";
export {
  type ClassStats,
  computeStats,
  type DatasetStats,
  type Histogram,
  histogramSvg,
  IMAGE_PX_UNITS,
  statsSvg,
} from "./stats.js";
export { SYNTHETIC_CLASSES, type SyntheticShapesOptions, syntheticShapes } from "./synthetic.js";
export type {
  DataIssue,
  DataIssueAction,
  DataIssueReason,
  DetectionDataset,
  ImageCheck,
  ImageRecord,
  LoadOptions,
  ValidationReport,
} from "./types.js";
export {
  MAX_XML_DEPTH,
  parseImageSet,
  parseVocXml,
  type VocAnnotation,
  type VocEntry,
  type VocObject,
  type VocOptions,
  vocDataset,
  vocImageFile,
  writeVocXml,
} from "./voc.js";
export {
  parseNames,
  parseYoloLabels,
  writeNames,
  writeYoloLabels,
  type YoloEntry,
  type YoloOptions,
  type YoloOrphan,
  type YoloRow,
  yoloDataset,
} from "./yolo.js";
