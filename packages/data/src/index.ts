/**
 * `@od/data`: one typed `DetectionDataset` for Pascal VOC, COCO and YOLO annotations, with
 * validation reports, writers, image input, statistics, splits and a training data pipeline.
 * Browser-safe: file-system loaders and Node image decoding are in `@od/data/node`.
 * @packageDocumentation
 */
export * from "./classes.js";
export * from "./coco.js";
export * from "./dataset.js";
export * from "./errors.js";
export * from "./image.js";
export * from "./limits.js";
export * from "./pipeline.js";
export * from "./split.js";
export * from "./stats.js";
export * from "./synthetic.js";
export * from "./types.js";
export * from "./voc.js";
export * from "./yolo.js";
