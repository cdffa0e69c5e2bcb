/**
 * `@od/ssd`: an SSD detector on tfjs-core with heads directly on backbone feature maps; prediction on
 * images of any size with an exact inverse letterbox; save and load.
 * @packageDocumentation
 */

/** The parameter layouts, defined in `@od/boxes` (shared with `@od/torch`). */
export { PARAM_KINDS, type ParamKind } from "@od/boxes";
export { BACKBONE_PARAM_PREFIX, isBackboneParam } from "./backbone.js";
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
  SSD_HEADS,
  type SsdConfig,
  type SsdConfigInput,
  type SsdHead,
} from "./config.js";
export { isClassHeadParam, SsdDetector, type SsdDetectorOptions, type SsdOutputs } from "./detector.js";
export { SsdError, type SsdErrorCode } from "./errors.js";
export type { ImageInput } from "./images.js";
export { canChangeInputSize, withInputSize } from "./input-size.js";
export {
  type BatchNormNames,
  BN_EPS,
  type ForwardContext,
  torchBatchNormNames,
} from "./layers.js";
export {
  type InvertedResidualSetting,
  type MobilenetV3KeyMapping,
  type MobilenetV3LargeConfig,
  makeDivisible,
  mapMobilenetV3LargeKeys,
  mobilenetV3LargeBackbone,
  mobilenetV3LargeBackboneKey,
  mobilenetV3LargeSettings,
  SSDLITE_EXTRA_CHANNELS,
} from "./mobilenet-v3.js";
export {
  defaultParamKind,
  heNormal,
  type ParamLayout,
  type ParamSnapshot,
  ParamStore,
  seedFor,
} from "./params.js";
export {
  checkPostprocessOptions,
  type Detections,
  POSTPROCESS_DEFAULTS,
  type PostprocessOptions,
  postprocess,
} from "./postprocess.js";
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
export {
  SSDLITE_BN_MOMENTUM,
  SSDLITE_POSTPROCESS,
  type Ssdlite320Options,
  ssdlite320MobilenetV3Large,
  ssdlite320MobilenetV3LargeConfig,
} from "./ssdlite.js";
export { type SsdliteHeadKind, ssdliteHeadPrefix } from "./ssdlite-head.js";
export {
  type ConvNormActSpec,
  TORCH_NORMAL_INIT_STD,
  type TorchActivation,
  torchPadding,
} from "./torch-layers.js";
