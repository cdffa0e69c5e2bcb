/** The parameter layouts, defined in `@od/boxes` (shared with `@od/ssd`). */
export { PARAM_KINDS, type ParamKind } from "@od/boxes";
export {
  bfloat16ToFloat,
  DTYPE_NAMES,
  type DType,
  halfToFloat,
  isDType,
  itemSize,
  type TensorData,
  type TensorDataMap,
} from "./dtypes.js";
export { TorchError, type TorchErrorCode } from "./errors.js";
export { tfToTorch, torchShapeOf, torchToTf } from "./layout.js";
export {
  describeLoadReport,
  type ExportStateDictOptions,
  exportStateDict,
  type LoadMismatch,
  type LoadReport,
  type LoadResult,
  type LoadStateDictOptions,
  loadStateDict,
  NUM_BATCHES_TRACKED,
  type SourceParam,
  type TargetParam,
} from "./load.js";
export {
  PICKLE_ALLOWED_GLOBALS,
  type PickleDict,
  type PickleKey,
  type PickleObject,
  type PickleValue,
} from "./pickle.js";
export { defaultByteBudget, type ReadPthOptions, readPth, readPthObject } from "./pth.js";
export {
  type ReadSafetensorsOptions,
  readSafetensors,
  SAFETENSORS_MAX_HEADER,
  type SafetensorsContents,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from "./safetensors.js";
export {
  type AnyTorchTensor,
  describeStateDict,
  type FloatDType,
  makeTensor,
  numel,
  type StateDict,
  stripKeyPrefix,
  type TorchTensor,
  toFloat32,
} from "./tensor.js";
