/** @packageDocumentation Pascal VOC, COCO and YOLO loaders and writers with validation reports, image decoding, dataset statistics and pipelines */
export {};
