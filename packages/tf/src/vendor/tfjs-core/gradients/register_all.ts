/**
 * @license
 * Copyright 2020 Google LLC. All Rights Reserved.
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 * =============================================================================
 */
// Vendored from @tensorflow/tfjs-core 4.22.0 by scripts/vendor-tfjs-core.mjs. Do not edit.
// @ts-nocheck
// biome-ignore-all lint: vendored upstream code, kept verbatim
// biome-ignore-all format: vendored upstream code, kept verbatim
import {absGradConfig} from "./Abs_grad.js";
import {acosGradConfig} from "./Acos_grad.js";
import {acoshGradConfig} from "./Acosh_grad.js";
import {addGradConfig} from "./Add_grad.js";
import {addNGradConfig} from "./AddN_grad.js";
import {argMaxGradConfig} from "./ArgMax_grad.js";
import {argMinGradConfig} from "./ArgMin_grad.js";
import {asinGradConfig} from "./Asin_grad.js";
import {asinhGradConfig} from "./Asinh_grad.js";
import {atan2GradConfig} from "./Atan2_grad.js";
import {atanGradConfig} from "./Atan_grad.js";
import {atanhGradConfig} from "./Atanh_grad.js";
import {avgPool3DGradConfig} from "./AvgPool3D_grad.js";
import {avgPoolGradConfig} from "./AvgPool_grad.js";
import {batchMatMulGradConfig} from "./BatchMatMul_grad.js";
import {batchToSpaceNDGradConfig} from "./BatchToSpaceND_grad.js";
import {broadcastToGradConfig} from "./BroadcastTo_grad.js";
import {castGradConfig} from "./Cast_grad.js";
import {ceilGradConfig} from "./Ceil_grad.js";
import {clipByValueGradConfig} from "./ClipByValue_grad.js";
import {complexAbsGradConfig} from "./ComplexAbs_grad.js";
import {concatGradConfig} from "./Concat_grad.js";
import {conv2DGradConfig} from "./Conv2D_grad.js";
import {conv2DBackpropInputGradConfig} from "./Conv2DBackpropInput_grad.js";
import {conv3DGradConfig} from "./Conv3D_grad.js";
import {cosGradConfig} from "./Cos_grad.js";
import {coshGradConfig} from "./Cosh_grad.js";
import {cumsumGradConfig} from "./Cumsum_grad.js";
import {depthwiseConv2dNativeGradConfig} from "./DepthwiseConv2dNative_grad.js";
import {dilation2dGradConfig} from "./Dilation2D_grad.js";
import {eluGradConfig} from "./Elu_grad.js";
import {erfGradConfig} from "./Erf_grad.js";
import {expGradConfig} from "./Exp_grad.js";
import {expandDimsGradConfig} from "./ExpandDims_grad.js";
import {expm1GradConfig} from "./Expm1_grad.js";
import {floorGradConfig} from "./Floor_grad.js";
import {floorDivGradConfig} from "./FloorDiv_grad.js";
import {fusedBatchNormGradConfig} from "./FusedBatchNorm_grad.js";
import {gatherGradConfig} from "./GatherV2_grad.js";
import {greaterEqualGradConfig} from "./GreaterEqual_grad.js";
import {identityGradConfig} from "./Identity_grad.js";
import {isFiniteGradConfig} from "./IsFinite_grad.js";
import {isInfGradConfig} from "./IsInf_grad.js";
import {isNanGradConfig} from "./IsNan_grad.js";
import {leakyReluGradConfig} from "./LeakyRelu_grad.js";
import {log1pGradConfig} from "./Log1p_grad.js";
import {logGradConfig} from "./Log_grad.js";
import {logSoftmaxGradConfig} from "./LogSoftmax_grad.js";
import {lrnGradConfig} from "./LRN_grad.js";
import {maxGradConfig} from "./Max_grad.js";
import {maximumGradConfig} from "./Maximum_grad.js";
import {maxPool3DGradConfig} from "./MaxPool3D_grad.js";
import {maxPoolGradConfig} from "./MaxPool_grad.js";
import {meanGradConfig} from "./Mean_grad.js";
import {minGradConfig} from "./Min_grad.js";
import {minimumGradConfig} from "./Minimum_grad.js";
import {mirrorPadGradConfig} from "./MirrorPad_grad.js";
import {modGradConfig} from "./Mod_grad.js";
import {multiplyGradConfig} from "./Multiply_grad.js";
import {negGradConfig} from "./Neg_grad.js";
import {oneHotGradConfig} from "./OneHot_grad.js";
import {onesLikeGradConfig} from "./OnesLike_grad.js";
import {packGradConfig} from "./Pack_grad.js";
import {padV2GradConfig} from "./PadV2_grad.js";
import {powGradConfig} from "./Pow_grad.js";
import {preluGradConfig} from "./Prelu_grad.js";
import {prodGradConfig} from "./Prod_grad.js";
import {divGradConfig} from "./RealDiv_grad.js";
import {reciprocalGradConfig} from "./Reciprocal_grad.js";
import {relu6GradConfig} from "./Relu6_grad.js";
import {reluGradConfig} from "./Relu_grad.js";
import {reshapeGradConfig} from "./Reshape_grad.js";
import {resizeBilinearGradConfig} from "./ResizeBilinear_grad.js";
import {resizeNearestNeighborGradConfig} from "./ResizeNearestNeighbor_grad.js";
import {reverseGradConfig} from "./Reverse_grad.js";
import {roundGradConfig} from "./Round_grad.js";
import {rsqrtGradConfig} from "./Rsqrt_grad.js";
import {selectGradConfig} from "./Select_grad.js";
import {seluGradConfig} from "./Selu_grad.js";
import {sigmoidGradConfig} from "./Sigmoid_grad.js";
import {signGradConfig} from "./Sign_grad.js";
import {sinGradConfig} from "./Sin_grad.js";
import {sinhGradConfig} from "./Sinh_grad.js";
import {sliceGradConfig} from "./Slice_grad.js";
import {softmaxGradConfig} from "./Softmax_grad.js";
import {softplusGradConfig} from "./Softplus_grad.js";
import {spaceToBatchNDGradConfig} from "./SpaceToBatchND_grad.js";
import {splitVGradConfig} from "./SplitV_grad.js";
import {sqrtGradConfig} from "./Sqrt_grad.js";
import {squareGradConfig} from "./Square_grad.js";
import {squaredDifferenceGradConfig} from "./SquaredDifference_grad.js";
import {stepGradConfig} from "./Step_grad.js";
import {subGradConfig} from "./Sub_grad.js";
import {sumGradConfig} from "./Sum_grad.js";
import {tanGradConfig} from "./Tan_grad.js";
import {tanhGradConfig} from "./Tanh_grad.js";
import {tileGradConfig} from "./Tile_grad.js";
import {transposeGradConfig} from "./Transpose_grad.js";
import {unpackGradConfig} from "./Unpack_grad.js";
import {unsortedSegmentSumGradConfig} from "./UnsortedSegmentSum_grad.js";
import {zerosLikeGradConfig} from "./ZerosLike_grad.js";
import type { GradConfig } from "@tensorflow/tfjs-core";

// Export all kernel configs here so that the package can auto register them
/** Every gradient config of tfjs-core (a few appear twice upstream). */
export const gradConfigs: GradConfig[] = [
  absGradConfig,
  acosGradConfig,
  acoshGradConfig,
  addGradConfig,
  addNGradConfig,
  argMaxGradConfig,
  argMinGradConfig,
  asinGradConfig,
  asinhGradConfig,
  atan2GradConfig,
  atanGradConfig,
  atanhGradConfig,
  avgPool3DGradConfig,
  avgPoolGradConfig,
  batchMatMulGradConfig,
  batchToSpaceNDGradConfig,
  broadcastToGradConfig,
  castGradConfig,
  ceilGradConfig,
  clipByValueGradConfig,
  complexAbsGradConfig,
  concatGradConfig,
  conv2DBackpropInputGradConfig,
  conv2DGradConfig,
  conv3DGradConfig,
  cosGradConfig,
  coshGradConfig,
  cumsumGradConfig,
  depthwiseConv2dNativeGradConfig,
  dilation2dGradConfig,
  divGradConfig,
  eluGradConfig,
  erfGradConfig,
  expGradConfig,
  expandDimsGradConfig,
  expm1GradConfig,
  floorDivGradConfig,
  floorGradConfig,
  fusedBatchNormGradConfig,
  gatherGradConfig,
  greaterEqualGradConfig,
  identityGradConfig,
  isFiniteGradConfig,
  isInfGradConfig,
  isNanGradConfig,
  leakyReluGradConfig,
  log1pGradConfig,
  logGradConfig,
  logSoftmaxGradConfig,
  lrnGradConfig,
  maxGradConfig,
  maxGradConfig,
  maximumGradConfig,
  maxPool3DGradConfig,
  maxPoolGradConfig,
  meanGradConfig,
  minGradConfig,
  minimumGradConfig,
  mirrorPadGradConfig,
  modGradConfig,
  multiplyGradConfig,
  negGradConfig,
  oneHotGradConfig,
  onesLikeGradConfig,
  packGradConfig,
  padV2GradConfig,
  padV2GradConfig,
  powGradConfig,
  preluGradConfig,
  prodGradConfig,
  reciprocalGradConfig,
  relu6GradConfig,
  reluGradConfig,
  reshapeGradConfig,
  resizeBilinearGradConfig,
  resizeNearestNeighborGradConfig,
  reverseGradConfig,
  roundGradConfig,
  rsqrtGradConfig,
  selectGradConfig,
  seluGradConfig,
  sigmoidGradConfig,
  signGradConfig,
  sinGradConfig,
  sinhGradConfig,
  sliceGradConfig,
  softmaxGradConfig,
  softplusGradConfig,
  spaceToBatchNDGradConfig,
  spaceToBatchNDGradConfig,
  splitVGradConfig,
  splitVGradConfig,
  sqrtGradConfig,
  squaredDifferenceGradConfig,
  squareGradConfig,
  stepGradConfig,
  subGradConfig,
  sumGradConfig,
  tanGradConfig,
  tanhGradConfig,
  tileGradConfig,
  transposeGradConfig,
  unpackGradConfig,
  unsortedSegmentSumGradConfig,
  zerosLikeGradConfig
];

