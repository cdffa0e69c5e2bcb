/**
 * `@od/ssd`: an SSD detector on tfjs-core with heads directly on backbone feature maps; prediction on
 * images of any size with an exact inverse letterbox; save and load.
 * @packageDocumentation
 */
export * from "./backbones.js";
export * from "./classifier.js";
export * from "./config.js";
export * from "./detector.js";
export * from "./errors.js";
export * from "./images.js";
export { canChangeInputSize, withInputSize } from "./input-size.js";
export type { ForwardContext } from "./layers.js";
export { heNormal, ParamStore, seedFor } from "./params.js";
export * from "./postprocess.js";
export {
  inputRecord,
  NETWORK_INPUT_RANGE,
  normalizeBytes,
  normalizeTensor,
  type PreparedInput,
  type PreparedSample,
  type PreprocessConfig,
  type PreprocessSampleOptions,
  preprocessBatch,
  preprocessImage,
  preprocessSample,
  type TrainingSample,
} from "./preprocess.js";
export * from "./serialize.js";
