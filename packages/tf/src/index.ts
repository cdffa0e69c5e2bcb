/**
 * `@od/tf`: the tfjs runtime of od. Importing it registers tfjs-core's gradients and the wasm
 * convolution backprop kernels (so models train on wasm); {@link initBackend} picks tfjs-node, wasm or
 * cpu and {@link activeBackend} says which and why. `tf` is the one tfjs-core every od package uses.
 * @packageDocumentation
 */
import "./register.js";
import * as tf from "@tensorflow/tfjs-core";

export { hardSigmoid, hardSwish, recordingGradients } from "./activations.js";
export {
  activeBackend,
  BACKENDS,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from "./backend.js";
export {
  type BatchNormTrainOptions,
  BN_AFFINE_ACT,
  BN_GRAD_DX,
  BN_GRAD_SUMS,
  BN_STATS,
  batchNormTrain,
  registerBatchNormKernels,
} from "./batch-norm.js";
export { RANGE_MASK_GRAD, registerRangeMaskGradients } from "./clip-grad.js";
export {
  conv2dBackpropFilterImpl,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  registerConvBackpropKernels,
  WASM_BACKPROP_KERNELS,
} from "./conv-backprop.js";
export {
  type DepthwiseGeometry,
  depthwiseFilterGradDirect,
  depthwiseInputGradDirect,
} from "./depthwise-direct.js";
export { TfError, type TfErrorCode } from "./errors.js";
export { GRADIENT_KERNELS, type GradientRegistration, registerGradients } from "./gradients.js";
export { HARD_SWISH, registerHardSwishKernel } from "./hard-swish.js";
export {
  chooseWasmBuild,
  WASM_FILES,
  type WasmBuild,
  type WasmBuildChoice,
  type WasmEnvironment,
  wasmEnvironment,
} from "./wasm-build.js";
export { registerWasmFastPaths } from "./wasm-fast-paths.js";
/**
 * The tfjs-core namespace (`@tensorflow/tfjs-core` 4.22), the same single copy every od package uses.
 * Its API: https://js.tensorflow.org/api/4.22.0/
 */
export { tf };
