/**
 * `@od/ssd`: an SSD detector on tfjs-core with heads directly on backbone feature maps; prediction on
 * images of any size with an exact inverse letterbox; save and load.
 * @packageDocumentation
 */
export {
  type Backbone,
  type BackboneConfig,
  type CustomBackboneConfig,
  createBackbone,
  featureSize,
  type MobilenetConfig,
  type Tap,
  type VggConfig,
} from "./backbones.js";
export { CropClassifier, type CropClassifierConfig, classifyBoxes, cropBoxes } from "./classifier.js";
export {
  defaultSsdConfig,
  INPUT_FITS,
  type InputFit,
  PRIOR_FIT_DEFAULTS,
  SSD_DEFAULTS,
  SSD_FORMAT_VERSION,
  type SsdConfig,
  type SsdConfigInput,
} from "./config.js";
export { SsdDetector, type SsdDetectorOptions, type SsdOutputs } from "./detector.js";
export { SsdError, type SsdErrorCode } from "./errors.js";
export type { ImageInput } from "./images.js";
export { canChangeInputSize, withInputSize } from "./input-size.js";
export type { ForwardContext } from "./layers.js";
export { heNormal, ParamStore, seedFor } from "./params.js";
export { type Detections, type PostprocessOptions, postprocess } from "./postprocess.js";
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
export {
  deserializeClassifier,
  deserializeDetector,
  packParams,
  type SavedClassifierJson,
  type SavedModelJson,
  serializeClassifier,
  serializeDetector,
  unpackParams,
  type WeightSpec,
} from "./serialize.js";
