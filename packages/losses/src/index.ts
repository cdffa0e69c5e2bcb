/**
 * `@od/losses`: MultiBox loss with hard negative mining (background-only images included), focal and
 * IoU-family losses, as tfjs functions that train on the cpu and wasm backends.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./focal.js";
export * from "./iou.js";
export * from "./multibox.js";
export type { Reduction } from "./reduction.js";
export * from "./smooth-l1.js";
