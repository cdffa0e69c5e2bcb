/**
 * `@od/ssd`: an SSD detector on tfjs-core with heads directly on backbone feature maps; prediction on
 * images of any size with an exact inverse letterbox; save and load.
 * @packageDocumentation
 */
export {
  type Backbone,
  type BackboneConfig,
  createBackbone,
  featureSize,
  type MobilenetConfig,
  type Tap,
  type VggConfig,
} from "./backbones.js";
export { CropClassifier, type CropClassifierConfig, classifyBoxes, cropBoxes } from "./classifier.js";
export { defaultSsdConfig, SSD_FORMAT_VERSION, type SsdConfig, type SsdConfigInput } from "./config.js";
export { SsdDetector, type SsdOutputs } from "./detector.js";
export { SsdError, type SsdErrorCode } from "./errors.js";
export { type ImageInput, imageToTensor } from "./images.js";
export { canChangeInputSize, withInputSize } from "./input-size.js";
export type { ForwardContext } from "./layers.js";
export { ParamStore } from "./params.js";
export { type Detections, type PostprocessOptions, postprocess } from "./postprocess.js";
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
