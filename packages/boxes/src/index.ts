/**
 * `@od/boxes`: box arrays whose format (`xyxy`, `xywh`, `cxcywh`, `yxyx`) and units (`px`, `rel`)
 * are part of their type, with conversions, geometry, the IoU family, NMS and SSD box coding.
 * @packageDocumentation
 */
export * from "./construct.js";
export * from "./convert.js";
export * from "./encode.js";
export * from "./errors.js";
export * from "./geometry.js";
export * from "./iou.js";
export * from "./letterbox.js";
export * from "./nms.js";
export * from "./single.js";
export * from "./types.js";
