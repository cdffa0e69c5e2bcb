/**
 * `@od/onnx`: exports od detectors as ONNX models and runs them with ONNX Runtime (`onnxruntime-web`
 * from this entry, `onnxruntime-node` from `@od/onnx/node`), with od's own preprocessing and
 * postprocessing around the graph.
 * @packageDocumentation
 */

export { OnnxError, type OnnxErrorCode } from "./errors.js";
export { type ExportOnnxOptions, exportOnnx, IR_VERSION } from "./export.js";
export {
  DETECTION_NAMES,
  type DetectionSettings,
  INPUT_NAME,
  METADATA_KEYS,
  OD_ONNX_FORMAT,
  OD_ONNX_VERSION,
  type OnnxModelInfo,
  OUTPUT_NAMES,
  readOnnxMetadata,
} from "./metadata.js";
export {
  hwcToChw,
  isOrtModule,
  loadOrt,
  loadOrtWeb,
  OnnxDetector,
  type OnnxDetectorOptions,
  ORT_VERSION,
  type OrtModule,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
  softmaxRows,
} from "./runtime.js";
