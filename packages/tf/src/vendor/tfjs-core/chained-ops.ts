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
import { Tensor, abs, acos, acosh, add, all, any, argMax, argMin, asin, asinh, atan, atan2, atanh, avgPool, batchNorm, batchToSpaceND, broadcastTo, cast, ceil, clipByValue, concat, conv1d, conv2d, conv2dTranspose, cos, cosh, cumprod, cumsum, depthToSpace, depthwiseConv2d, dilation2d, div, divNoNan, dot, elu, equal, erf, euclideanNorm, exp, expandDims, expm1, fft, floor, floorDiv, gather, greater, greaterEqual, ifft, image, irfft, isFinite, isInf, isNaN, leakyRelu, less, lessEqual, localResponseNormalization, log, log1p, logSigmoid, logSoftmax, logSumExp, logicalAnd, logicalNot, logicalOr, logicalXor, matMul, max, maxPool, maximum, mean, min, minimum, mirrorPad, mod, mul, neg, norm, notEqual, oneHot, onesLike, pad, pool, pow, prelu, prod, reciprocal, relu, relu6, reshape, reverse, rfft, round, rsqrt, selu, separableConv2d, sigmoid, sign, sin, sinh, slice, softmax, softplus, spaceToBatchND, split, sqrt, square, squaredDifference, squeeze, stack, step, stridedSlice, sub, sum, tan, tanh, tile, topk, transpose, unique, unsortedSegmentSum, unstack, util, where, zerosLike } from "@tensorflow/tfjs-core";

const getGlobalTensorClass = () => Tensor;
const { assert } = util;
const { resizeBilinear, resizeNearestNeighbor } = image;

// abs.js
getGlobalTensorClass().prototype.abs = function () {
    this.throwIfDisposed();
    return abs(this);
};

// acos.js
getGlobalTensorClass().prototype.acos = function () {
    this.throwIfDisposed();
    return acos(this);
};

// acosh.js
getGlobalTensorClass().prototype.acosh = function () {
    this.throwIfDisposed();
    return acosh(this);
};

// add.js
getGlobalTensorClass().prototype.add = function (b) {
    this.throwIfDisposed();
    return add(this, b);
};

// all.js
getGlobalTensorClass().prototype.all = function (axis, keepDims) {
    this.throwIfDisposed();
    return all(this, axis, keepDims);
};

// any.js
getGlobalTensorClass().prototype.any = function (axis, keepDims) {
    this.throwIfDisposed();
    return any(this, axis, keepDims);
};

// arg_max.js
getGlobalTensorClass().prototype.argMax = function (axis) {
    this.throwIfDisposed();
    return argMax(this, axis);
};

// arg_min.js
getGlobalTensorClass().prototype.argMin = function (axis) {
    this.throwIfDisposed();
    return argMin(this, axis);
};

// as1d.js
/**
 * Converts a `tf.Tensor` to a `tf.Tensor1D`.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.as1D = function () {
    this.throwIfDisposed();
    return reshape(this, [this.size]);
};

// as2d.js
/**
 * Converts a `tf.Tensor` to a `tf.Tensor2D`.
 *
 * @param rows Number of rows in `tf.Tensor2D`.
 * @param columns Number of columns in `tf.Tensor2D`.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.as2D = function (rows, columns) {
    this.throwIfDisposed();
    return reshape(this, [rows, columns]);
};

// as3d.js
/**
 * Converts a `tf.Tensor` to a `tf.Tensor3D`.
 *
 * @param rows Number of rows in `tf.Tensor3D`.
 * @param columns Number of columns in `tf.Tensor3D`.
 * @param depth Depth of `tf.Tensor3D`.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.as3D = function (rows, columns, depth) {
    this.throwIfDisposed();
    return reshape(this, [rows, columns, depth]);
};

// as4d.js
/**
 * Converts a `tf.Tensor` to a `tf.Tensor4D`.
 *
 * @param rows Number of rows in `tf.Tensor4D`.
 * @param columns Number of columns in `tf.Tensor4D`.
 * @param depth Depth of `tf.Tensor4D`.
 * @param depth2 4th dimension of `tf.Tensor4D`.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.as4D = function (rows, columns, depth, depth2) {
    this.throwIfDisposed();
    return reshape(this, [rows, columns, depth, depth2]);
};

// as5d.js
/**
 * Converts a `tf.Tensor` to a `tf.Tensor5D`.
 *
 * @param rows Number of rows in `tf.Tensor5D`.
 * @param columns Number of columns in `tf.Tensor5D`.
 * @param depth Depth of `tf.Tensor5D`.
 * @param depth2 4th dimension of `tf.Tensor5D`.
 * @param depth3 5th dimension of 'tf.Tensor5D'
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.as5D = function (rows, columns, depth, depth2, depth3) {
    this.throwIfDisposed();
    return reshape(this, [rows, columns, depth, depth2, depth3]);
};

// as_scalar.js
/**
 * Converts a size-1 `tf.Tensor` to a `tf.Scalar`.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.asScalar = function () {
    this.throwIfDisposed();
    assert(this.size === 1, () => 'The array must have only 1 element.');
    return reshape(this, []);
};

// as_type.js
/**
 * Casts a `tf.Tensor` to a specified dtype.
 *
 * @param dtype Data-type to cast the tensor to.
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.asType = function (dtype) {
    this.throwIfDisposed();
    return cast(this, dtype);
};

// asin.js
getGlobalTensorClass().prototype.asin = function () {
    this.throwIfDisposed();
    return asin(this);
};

// asinh.js
getGlobalTensorClass().prototype.asinh = function () {
    this.throwIfDisposed();
    return asinh(this);
};

// atan.js
getGlobalTensorClass().prototype.atan = function () {
    this.throwIfDisposed();
    return atan(this);
};

// atan2.js
getGlobalTensorClass().prototype.atan2 = function (b) {
    this.throwIfDisposed();
    return atan2(this, b);
};

// atanh.js
getGlobalTensorClass().prototype.atanh = function () {
    this.throwIfDisposed();
    return atanh(this);
};

// avg_pool.js
getGlobalTensorClass().prototype.avgPool =
    function (filterSize, strides, pad, dimRoundingMode) {
        this.throwIfDisposed();
        return avgPool(this, filterSize, strides, pad, dimRoundingMode);
    };

// batch_to_space_nd.js
getGlobalTensorClass().prototype.batchToSpaceND = function (blockShape, crops) {
    this.throwIfDisposed();
    return batchToSpaceND(this, blockShape, crops);
};

// batchnorm.js
getGlobalTensorClass().prototype.batchNorm = function (mean, variance, offset, scale, varianceEpsilon) {
    this.throwIfDisposed();
    return batchNorm(this, mean, variance, offset, scale, varianceEpsilon);
};

// broadcast_to.js
getGlobalTensorClass().prototype.broadcastTo = function (shape) {
    this.throwIfDisposed();
    return broadcastTo(this, shape);
};

// cast.js
getGlobalTensorClass().prototype.cast = function (dtype) {
    this.throwIfDisposed();
    return cast(this, dtype);
};

// ceil.js
getGlobalTensorClass().prototype.ceil = function () {
    this.throwIfDisposed();
    return ceil(this);
};

// clip_by_value.js
getGlobalTensorClass().prototype.clipByValue = function (min, max) {
    this.throwIfDisposed();
    return clipByValue(this, min, max);
};

// concat.js
getGlobalTensorClass().prototype.concat = function (x, axis) {
    this.throwIfDisposed();
    if (x instanceof Tensor) {
        x = [x];
    }
    return concat([this, ...x], axis);
};

// conv1d.js
getGlobalTensorClass().prototype.conv1d = function (filter, stride, pad, dataFormat, dilation, dimRoundingMode) {
    this.throwIfDisposed();
    return conv1d(this, filter, stride, pad, dataFormat, dilation, dimRoundingMode);
};

// conv2d.js
getGlobalTensorClass().prototype.conv2d = function (filter, strides, pad, dataFormat, dilations, dimRoundingMode) {
    this.throwIfDisposed();
    return conv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
};

// conv2d_transpose.js
getGlobalTensorClass().prototype.conv2dTranspose =
    function (filter, outputShape, strides, pad, dimRoundingMode) {
        this.throwIfDisposed();
        return conv2dTranspose(this, filter, outputShape, strides, pad, dimRoundingMode);
    };

// cos.js
getGlobalTensorClass().prototype.cos = function () {
    this.throwIfDisposed();
    return cos(this);
};

// cosh.js
getGlobalTensorClass().prototype.cosh = function () {
    this.throwIfDisposed();
    return cosh(this);
};

// cumprod.js
getGlobalTensorClass().prototype.cumprod = function (axis, exclusive, reverse) {
    this.throwIfDisposed();
    return cumprod(this, axis, exclusive, reverse);
};

// cumsum.js
getGlobalTensorClass().prototype.cumsum = function (axis, exclusive, reverse) {
    this.throwIfDisposed();
    return cumsum(this, axis, exclusive, reverse);
};

// depth_to_space.js
getGlobalTensorClass().prototype.depthToSpace = function (blockSize, dataFormat) {
    this.throwIfDisposed();
    return depthToSpace(this, blockSize, dataFormat);
};

// depthwise_conv2d.js
getGlobalTensorClass().prototype.depthwiseConv2d =
    function (filter, strides, pad, dataFormat, dilations, dimRoundingMode) {
        this.throwIfDisposed();
        return depthwiseConv2d(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
    };

// dilation2d.js
getGlobalTensorClass().prototype.dilation2d =
    function (filter, strides, pad, dilations, dataFormat) {
        this.throwIfDisposed();
        return dilation2d(this, filter, strides, pad, dilations, dataFormat);
    };

// div.js
getGlobalTensorClass().prototype.div = function (b) {
    this.throwIfDisposed();
    return div(this, b);
};

// div_no_nan.js
getGlobalTensorClass().prototype.divNoNan = function (b) {
    this.throwIfDisposed();
    return divNoNan(this, b);
};

// dot.js
getGlobalTensorClass().prototype.dot = function (b) {
    this.throwIfDisposed();
    return dot(this, b);
};

// elu.js
getGlobalTensorClass().prototype.elu = function () {
    this.throwIfDisposed();
    return elu(this);
};

// equal.js
getGlobalTensorClass().prototype.equal = function (b) {
    this.throwIfDisposed();
    return equal(this, b);
};

// erf.js
getGlobalTensorClass().prototype.erf = function () {
    this.throwIfDisposed();
    return erf(this);
};

// euclidean_norm.js
getGlobalTensorClass().prototype.euclideanNorm = function (axis, keepDims) {
    this.throwIfDisposed();
    return euclideanNorm(this, axis, keepDims);
};

// exp.js
getGlobalTensorClass().prototype.exp = function () {
    this.throwIfDisposed();
    return exp(this);
};

// expand_dims.js
getGlobalTensorClass().prototype.expandDims = function (axis) {
    this.throwIfDisposed();
    return expandDims(this, axis);
};

// expm1.js
getGlobalTensorClass().prototype.expm1 = function () {
    this.throwIfDisposed();
    return expm1(this);
};

// fft.js
getGlobalTensorClass().prototype.fft = function () {
    this.throwIfDisposed();
    return fft(this);
};

// flatten.js
/**
 * Flatten a Tensor to a 1D array.
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.flatten = function () {
    this.throwIfDisposed();
    return reshape(this, [this.size]);
};

// floor.js
getGlobalTensorClass().prototype.floor = function () {
    this.throwIfDisposed();
    return floor(this);
};

// floorDiv.js
getGlobalTensorClass().prototype.floorDiv = function (b) {
    this.throwIfDisposed();
    return floorDiv(this, b);
};

// gather.js
getGlobalTensorClass().prototype.gather = function (indices, axis, batchDims) {
    this.throwIfDisposed();
    return gather(this, indices, axis, batchDims);
};

// greater.js
getGlobalTensorClass().prototype.greater = function (b) {
    this.throwIfDisposed();
    return greater(this, b);
};

// greater_equal.js
getGlobalTensorClass().prototype.greaterEqual = function (b) {
    this.throwIfDisposed();
    return greaterEqual(this, b);
};

// ifft.js
getGlobalTensorClass().prototype.ifft = function () {
    this.throwIfDisposed();
    return ifft(this);
};

// irfft.js
getGlobalTensorClass().prototype.irfft = function () {
    this.throwIfDisposed();
    return irfft(this);
};

// is_finite.js
getGlobalTensorClass().prototype.isFinite = function () {
    this.throwIfDisposed();
    return isFinite(this);
};

// is_inf.js
getGlobalTensorClass().prototype.isInf = function () {
    this.throwIfDisposed();
    return isInf(this);
};

// is_nan.js
getGlobalTensorClass().prototype.isNaN = function () {
    this.throwIfDisposed();
    return isNaN(this);
};

// leaky_relu.js
getGlobalTensorClass().prototype.leakyRelu = function (alpha) {
    this.throwIfDisposed();
    return leakyRelu(this, alpha);
};

// less.js
getGlobalTensorClass().prototype.less = function (b) {
    this.throwIfDisposed();
    return less(this, b);
};

// less_equal.js
getGlobalTensorClass().prototype.lessEqual = function (b) {
    this.throwIfDisposed();
    return lessEqual(this, b);
};

// local_response_normalization.js
getGlobalTensorClass().prototype.localResponseNormalization =
    function (depthRadius, bias, alpha, beta) {
        this.throwIfDisposed();
        return localResponseNormalization(this, depthRadius, bias, alpha, beta);
    };

// log.js
getGlobalTensorClass().prototype.log = function () {
    this.throwIfDisposed();
    return log(this);
};

// log1p.js
getGlobalTensorClass().prototype.log1p = function () {
    this.throwIfDisposed();
    return log1p(this);
};

// log_sigmoid.js
getGlobalTensorClass().prototype.logSigmoid = function () {
    this.throwIfDisposed();
    return logSigmoid(this);
};

// log_softmax.js
getGlobalTensorClass().prototype.logSoftmax = function (axis) {
    this.throwIfDisposed();
    return logSoftmax(this, axis);
};

// log_sum_exp.js
getGlobalTensorClass().prototype.logSumExp = function (axis, keepDims) {
    this.throwIfDisposed();
    return logSumExp(this, axis, keepDims);
};

// logical_and.js
getGlobalTensorClass().prototype.logicalAnd = function (b) {
    this.throwIfDisposed();
    return logicalAnd(this, b);
};

// logical_not.js
getGlobalTensorClass().prototype.logicalNot = function () {
    this.throwIfDisposed();
    return logicalNot(this);
};

// logical_or.js
getGlobalTensorClass().prototype.logicalOr = function (b) {
    this.throwIfDisposed();
    return logicalOr(this, b);
};

// logical_xor.js
getGlobalTensorClass().prototype.logicalXor = function (b) {
    this.throwIfDisposed();
    return logicalXor(this, b);
};

// mat_mul.js
getGlobalTensorClass().prototype.matMul = function (b, transposeA, transposeB) {
    this.throwIfDisposed();
    return matMul(this, b, transposeA, transposeB);
};

// max.js
getGlobalTensorClass().prototype.max = function (axis, keepDims) {
    this.throwIfDisposed();
    return max(this, axis, keepDims);
};

// max_pool.js
getGlobalTensorClass().prototype.maxPool =
    function (filterSize, strides, pad, dimRoundingMode) {
        this.throwIfDisposed();
        return maxPool(this, filterSize, strides, pad, dimRoundingMode);
    };

// maximum.js
getGlobalTensorClass().prototype.maximum = function (b) {
    this.throwIfDisposed();
    return maximum(this, b);
};

// mean.js
getGlobalTensorClass().prototype.mean = function (axis, keepDims) {
    this.throwIfDisposed();
    return mean(this, axis, keepDims);
};

// min.js
getGlobalTensorClass().prototype.min = function (axis, keepDims) {
    this.throwIfDisposed();
    return min(this, axis, keepDims);
};

// minimum.js
getGlobalTensorClass().prototype.minimum = function (b) {
    this.throwIfDisposed();
    return minimum(this, b);
};

// mirror_pad.js
getGlobalTensorClass().prototype.mirrorPad = function (paddings, mode) {
    this.throwIfDisposed();
    return mirrorPad(this, paddings, mode);
};

// mod.js
getGlobalTensorClass().prototype.mod = function (b) {
    this.throwIfDisposed();
    return mod(this, b);
};

// mul.js
getGlobalTensorClass().prototype.mul = function (b) {
    this.throwIfDisposed();
    return mul(this, b);
};

// neg.js
getGlobalTensorClass().prototype.neg = function () {
    this.throwIfDisposed();
    return neg(this);
};

// norm.js
getGlobalTensorClass().prototype.norm = function (ord, axis, keepDims) {
    this.throwIfDisposed();
    return norm(this, ord, axis, keepDims);
};

// not_equal.js
getGlobalTensorClass().prototype.notEqual = function (b) {
    this.throwIfDisposed();
    return notEqual(this, b);
};

// one_hot.js
getGlobalTensorClass().prototype.oneHot = function (depth, onValue = 1, offValue = 0) {
    this.throwIfDisposed();
    return oneHot(this, depth, onValue, offValue);
};

// ones_like.js
getGlobalTensorClass().prototype.onesLike = function () {
    this.throwIfDisposed();
    return onesLike(this);
};

// pad.js
getGlobalTensorClass().prototype.pad = function (paddings, constantValue) {
    this.throwIfDisposed();
    return pad(this, paddings, constantValue);
};

// pool.js
getGlobalTensorClass().prototype.pool = function (windowShape, poolingType, padding, dilationRate, strides, dimRoundingMode) {
    this.throwIfDisposed();
    return pool(this, windowShape, poolingType, padding, dilationRate, strides, dimRoundingMode);
};

// pow.js
getGlobalTensorClass().prototype.pow = function (exp) {
    this.throwIfDisposed();
    return pow(this, exp);
};

// prelu.js
getGlobalTensorClass().prototype.prelu = function (alpha) {
    this.throwIfDisposed();
    return prelu(this, alpha);
};

// prod.js
getGlobalTensorClass().prototype.prod = function (axis, keepDims) {
    this.throwIfDisposed();
    return prod(this, axis, keepDims);
};

// reciprocal.js
getGlobalTensorClass().prototype.reciprocal = function () {
    this.throwIfDisposed();
    return reciprocal(this);
};

// relu.js
getGlobalTensorClass().prototype.relu = function () {
    this.throwIfDisposed();
    return relu(this);
};

// relu6.js
getGlobalTensorClass().prototype.relu6 = function () {
    this.throwIfDisposed();
    return relu6(this);
};

// reshape.js
getGlobalTensorClass().prototype.reshape = function (shape) {
    this.throwIfDisposed();
    return reshape(this, shape);
};

// reshape_as.js
/**
 * Reshapes the tensor into the shape of the provided tensor.
 *
 * @param x The tensor of required shape.
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.reshapeAs = function (x) {
    this.throwIfDisposed();
    return reshape(this, x.shape);
};

// resize_bilinear.js
getGlobalTensorClass().prototype.resizeBilinear =
    function (newShape2D, alignCorners, halfPixelCenters) {
        this.throwIfDisposed();
        return resizeBilinear(this, newShape2D, alignCorners, halfPixelCenters);
    };

// resize_nearest_neighbor.js
getGlobalTensorClass().prototype.resizeNearestNeighbor =
    function (newShape2D, alignCorners, halfFloatCenters) {
        this.throwIfDisposed();
        return resizeNearestNeighbor(this, newShape2D, alignCorners, halfFloatCenters);
    };

// reverse.js
getGlobalTensorClass().prototype.reverse = function (axis) {
    this.throwIfDisposed();
    return reverse(this, axis);
};

// rfft.js
getGlobalTensorClass().prototype.rfft = function () {
    this.throwIfDisposed();
    return rfft(this);
};

// round.js
getGlobalTensorClass().prototype.round = function () {
    this.throwIfDisposed();
    return round(this);
};

// rsqrt.js
getGlobalTensorClass().prototype.rsqrt = function () {
    this.throwIfDisposed();
    return rsqrt(this);
};

// selu.js
getGlobalTensorClass().prototype.selu = function () {
    this.throwIfDisposed();
    return selu(this);
};

// separable_conv2d.js
getGlobalTensorClass().prototype.separableConv2d =
    function (depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat) {
        this.throwIfDisposed();
        return separableConv2d(this, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
    };

// sigmoid.js
getGlobalTensorClass().prototype.sigmoid = function () {
    this.throwIfDisposed();
    return sigmoid(this);
};

// sign.js
getGlobalTensorClass().prototype.sign = function () {
    this.throwIfDisposed();
    return sign(this);
};

// sin.js
getGlobalTensorClass().prototype.sin = function () {
    this.throwIfDisposed();
    return sin(this);
};

// sinh.js
getGlobalTensorClass().prototype.sinh = function () {
    this.throwIfDisposed();
    return sinh(this);
};

// slice.js
getGlobalTensorClass().prototype.slice = function (begin, size) {
    this.throwIfDisposed();
    return slice(this, begin, size);
};

// softmax.js
getGlobalTensorClass().prototype.softmax = function (dim) {
    this.throwIfDisposed();
    return softmax(this, dim);
};

// softplus.js
getGlobalTensorClass().prototype.softplus = function () {
    this.throwIfDisposed();
    return softplus(this);
};

// space_to_batch_nd.js
getGlobalTensorClass().prototype.spaceToBatchND = function (blockShape, paddings) {
    this.throwIfDisposed();
    return spaceToBatchND(this, blockShape, paddings);
};

// split.js
getGlobalTensorClass().prototype.split = function (numOrSizeSplits, axis) {
    this.throwIfDisposed();
    return split(this, numOrSizeSplits, axis);
};

// sqrt.js
getGlobalTensorClass().prototype.sqrt = function () {
    this.throwIfDisposed();
    return sqrt(this);
};

// square.js
getGlobalTensorClass().prototype.square = function () {
    this.throwIfDisposed();
    return square(this);
};

// squared_difference.js
getGlobalTensorClass().prototype.squaredDifference = function (b) {
    this.throwIfDisposed();
    return squaredDifference(this, b);
};

// squeeze.js
getGlobalTensorClass().prototype.squeeze = function (axis) {
    this.throwIfDisposed();
    return squeeze(this, axis);
};

// stack.js
getGlobalTensorClass().prototype.stack = function (x, axis) {
    this.throwIfDisposed();
    const tensorsToBeStacked = x instanceof Tensor ? [this, x] : [this, ...x];
    return stack(tensorsToBeStacked, axis);
};

// step.js
getGlobalTensorClass().prototype.step = function (alpha) {
    this.throwIfDisposed();
    return step(this, alpha);
};

// strided_slice.js
getGlobalTensorClass().prototype.stridedSlice = function (begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask) {
    this.throwIfDisposed();
    return stridedSlice(this, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
};

// sub.js
getGlobalTensorClass().prototype.sub = function (b) {
    this.throwIfDisposed();
    return sub(this, b);
};

// sum.js
getGlobalTensorClass().prototype.sum = function (axis, keepDims) {
    this.throwIfDisposed();
    return sum(this, axis, keepDims);
};

// tan.js
getGlobalTensorClass().prototype.tan = function () {
    this.throwIfDisposed();
    return tan(this);
};

// tanh.js
getGlobalTensorClass().prototype.tanh = function () {
    this.throwIfDisposed();
    return tanh(this);
};

// tile.js
getGlobalTensorClass().prototype.tile = function (reps) {
    this.throwIfDisposed();
    return tile(this, reps);
};

// to_bool.js
/**
 * Casts the array to type `bool`
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.toBool = function () {
    this.throwIfDisposed();
    return cast(this, 'bool');
};

// to_float.js
/**
 * Casts the array to type `float32`
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.toFloat = function () {
    this.throwIfDisposed();
    return cast(this, 'float32');
};

// to_int.js
/**
 * Casts the array to type `int32`
 *
 * @doc {heading: 'Tensors', subheading: 'Classes'}
 */
getGlobalTensorClass().prototype.toInt = function () {
    this.throwIfDisposed();
    return cast(this, 'int32');
};

// topk.js
getGlobalTensorClass().prototype.topk = function (k, sorted) {
    this.throwIfDisposed();
    return topk(this, k, sorted);
};

// transpose.js
getGlobalTensorClass().prototype.transpose = function (perm) {
    this.throwIfDisposed();
    return transpose(this, perm);
};

// unique.js
getGlobalTensorClass().prototype.unique = function (axis) {
    this.throwIfDisposed();
    return unique(this, axis);
};

// unsorted_segment_sum.js
getGlobalTensorClass().prototype.unsortedSegmentSum =
    function (segmentIds, numSegments) {
        this.throwIfDisposed();
        return unsortedSegmentSum(this, segmentIds, numSegments);
    };

// unstack.js
getGlobalTensorClass().prototype.unstack = function (axis) {
    this.throwIfDisposed();
    return unstack(this, axis);
};

// where.js
getGlobalTensorClass().prototype.where = function (condition, x) {
    this.throwIfDisposed();
    return where(condition, this, x);
};

// zeros_like.js
getGlobalTensorClass().prototype.zerosLike = function () {
    this.throwIfDisposed();
    return zerosLike(this);
};
