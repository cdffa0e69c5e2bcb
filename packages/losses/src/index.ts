/**
 * `@od/losses`: MultiBox loss with hard negative mining (background-only images included), focal and
 * IoU-family losses, as tfjs functions that train on the cpu and wasm backends.
 * @packageDocumentation
 */
export { LossesError, type LossesErrorCode } from "./errors.js";
export { type FocalOptions, sigmoidFocalLoss, softmaxFocalLoss } from "./focal.js";
export { IOU_LOSS_KINDS, type IouLossKind, type IouLossOptions, iouLoss } from "./iou.js";
export {
  hardNegativeMask,
  type MultiboxBaseOptions,
  type MultiboxInputs,
  type MultiboxIouOptions,
  type MultiboxLocLoss,
  type MultiboxLoss,
  type MultiboxOptions,
  type MultiboxSmoothL1Options,
  multiboxLoss,
} from "./multibox.js";
export type { Reduction } from "./reduction.js";
export { smoothL1 } from "./smooth-l1.js";
