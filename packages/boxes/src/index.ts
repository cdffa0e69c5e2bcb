/**
 * `@od/boxes`: box arrays whose format (`xyxy`, `xywh`, `cxcywh`, `yxyx`) and units (`px`, `rel`)
 * are part of their type, with conversions, geometry, the IoU family, NMS and SSD box coding.
 * @packageDocumentation
 */
export {
  type BoxesInput,
  type BoxesJSON,
  type BoxesOptions,
  type BoxIssue,
  type BoxIssueAction,
  type BoxIssueReason,
  box,
  boxAt,
  boxCoords,
  boxes,
  concat,
  emptyBoxes,
  fromBoxList,
  fromJSON,
  type InvalidBoxPolicy,
  select,
  toArray,
  toJSON,
  unsafeBoxes,
  type ValidateOptions,
  type ValidationResult,
  validateBoxes,
} from "./construct.js";
export { convert, scale, toPx, toRel } from "./convert.js";
export {
  BBOX_XFORM_CLIP,
  type CoderOptions,
  decode,
  ENCODE_MIN_SIZE,
  encode,
  SSD_VARIANCES,
  type Variances,
} from "./encode.js";
export {
  BoxesError,
  type BoxesErrorCode,
  describeValue,
  isOdError,
  OdError,
  type OdErrorOptions,
} from "./errors.js";
export { area, clip, flipHorizontal, flipVertical, translate } from "./geometry.js";
export { ciou, ciouPairs, diou, diouPairs, giou, giouPairs, iou, iouPairs } from "./iou.js";
export {
  type LetterboxOptions,
  type LetterboxRecord,
  letterboxBoxes,
  letterboxRecord,
  unletterboxBoxes,
} from "./letterbox.js";
export { batchedNms, type NmsOptions, nms, type SoftNmsOptions, type SoftNmsResult, softNms } from "./nms.js";
export { PARAM_KINDS, type ParamKind } from "./param-kind.js";
export { sameSequence } from "./sequence.js";
export {
  boxArea,
  boxIou,
  clipBox,
  convertBox,
  flipBoxHorizontal,
  flipBoxVertical,
  scaleBox,
  toPxBox,
  toRelBox,
  translateBox,
} from "./single.js";
export {
  BOX_FORMATS,
  BOX_KIND,
  BOX_UNITS,
  BOXES_KIND,
  type Box,
  type Boxes,
  type BoxFormat,
  type BoxUnits,
  type Coords,
  type ImageSize,
} from "./types.js";
