/**
 * `@od/boxes/tf`: the box operations on tfjs tensors, for use inside models and losses. Boxes travel
 * as {@link BoxTensor} `{ tensor, format, units }` wrappers whose format and units are type
 * parameters and runtime tags, like `Boxes`. Every op is a tfjs op (`tf.op`): intermediate tensors are
 * freed, inputs are never disposed, the result is the caller's. Requires `@tensorflow/tfjs-core` (an
 * optional peer dependency of `@od/boxes`); the core entry point `@od/boxes` never imports it.
 * @packageDocumentation
 */
export { areaT, convertT, toPxT, toRelT } from "./tf/convert.js";
export { decodeT, encodeT } from "./tf/encode.js";
export {
  ciouPairsT,
  ciouT,
  diouPairsT,
  diouT,
  giouPairsT,
  giouT,
  iouPairsT,
  iouT,
} from "./tf/iou.js";
export {
  boxesToTensor,
  boxTensor,
  isBoxTensor,
  tensorToBoxes,
  tensorToBoxesBatch,
  tensorToBoxesSync,
} from "./tf/tensor.js";
export { BOX_TENSOR_KIND, type BoxTensor, unsafeBoxTensor } from "./tf/types.js";
