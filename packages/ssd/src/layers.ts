import { batchNormTrain, recordingGradients, tf } from "@od/tf";
import { heNormal, type ParamStore } from "./params.js";

/** Forward-pass context shared by every layer. */
export interface ForwardContext {
  /** Training mode: batch norm uses batch statistics and updates its running averages. */
  readonly training: boolean;
  /** Running-average momentum of batch norm (default 0.1, as PyTorch). */
  readonly bnMomentum?: number;
  /** Inference only: fold batch norm into the convolutions and run fused ops (default true). */
  readonly foldBatchNorm?: boolean;
}

/** Batch-norm ε of every od layer (the value torchvision's SSDlite and MobileNetV3 set). */
export const BN_EPS = 1e-3;

/** Full parameter names of one batch-norm layer. */
export interface BatchNormNames {
  /** Scale γ (trained). */
  readonly gamma: string;
  /** Shift β (trained). */
  readonly beta: string;
  /** Running mean (not trained). */
  readonly mean: string;
  /** Running variance (not trained). */
  readonly variance: string;
}

/**
 * The parameter names of a batch-norm layer: od's (`<name>.gamma`, `.beta`, `.mean`, `.var`) for a
 * string, or the given names (e.g. {@link torchBatchNormNames}).
 */
export function bnNames(name: string | BatchNormNames): BatchNormNames {
  if (typeof name !== "string") return name;
  return { gamma: `${name}.gamma`, beta: `${name}.beta`, mean: `${name}.mean`, variance: `${name}.var` };
}

/** PyTorch `nn.BatchNorm2d`'s state_dict names under `prefix`: `weight`, `bias`, `running_mean`, `running_var`. */
export function torchBatchNormNames(prefix: string): BatchNormNames {
  return {
    gamma: `${prefix}.weight`,
    beta: `${prefix}.bias`,
    mean: `${prefix}.running_mean`,
    variance: `${prefix}.running_var`,
  };
}

/** Creates the parameters of a batch-norm layer over `channels`: gamma, beta (trained), running mean/var. */
export function initBatchNorm(store: ParamStore, name: string | BatchNormNames, channels: number): void {
  const n = bnNames(name);
  store.add(n.gamma, tf.ones([channels]), true, "vector");
  store.add(n.beta, tf.zeros([channels]), true, "vector");
  store.add(n.mean, tf.zeros([channels]), false, "vector");
  store.add(n.variance, tf.ones([channels]), false, "vector");
}

/**
 * Training-mode batch norm (optionally with relu6) by `batchNormTrain` of @od/tf (one op: two passes
 * forward, two backward, only the input kept for the gradient), moving the running averages towards the
 * batch's moments.
 */
function batchNormTraining(
  store: ParamStore,
  name: string | BatchNormNames,
  x: tf.Tensor4D,
  ctx: ForwardContext,
  relu6: boolean,
): tf.Tensor4D {
  const n = bnNames(name);
  const runMean = store.get(n.mean) as tf.Variable<tf.Rank.R1>;
  const runVar = store.get(n.variance) as tf.Variable<tf.Rank.R1>;
  const m = ctx.bnMomentum ?? 0.1;
  return batchNormTrain(x, store.get(n.gamma) as tf.Tensor1D, store.get(n.beta) as tf.Tensor1D, {
    epsilon: BN_EPS,
    relu6,
    onStatistics: (mean, variance) =>
      tf.tidy(() => {
        runMean.assign(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m)));
        runVar.assign(tf.add(tf.mul(runVar, 1 - m), tf.mul(variance, m)));
      }),
  });
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015) over NHWC. Training mode normalises with the batch's
 * per-channel moments and moves the running averages towards them; inference uses the running averages.
 * @param x `[B, H, W, C]`.
 */
export function batchNorm(
  store: ParamStore,
  name: string | BatchNormNames,
  x: tf.Tensor4D,
  ctx: ForwardContext,
): tf.Tensor4D {
  if (ctx.training) return batchNormTraining(store, name, x, ctx, false);
  const n = bnNames(name);
  return tf.batchNorm4d(
    x,
    store.get(n.mean) as tf.Tensor1D,
    store.get(n.variance) as tf.Tensor1D,
    store.get(n.beta) as tf.Tensor1D,
    store.get(n.gamma) as tf.Tensor1D,
    BN_EPS,
  );
}

/**
 * Batch norm then relu6, as {@link batchNorm} followed by {@link relu6}; in training mode one fused op
 * (same values up to float32 rounding).
 * @param x `[B, H, W, C]`.
 */
export function batchNormRelu6(
  store: ParamStore,
  name: string | BatchNormNames,
  x: tf.Tensor4D,
  ctx: ForwardContext,
): tf.Tensor4D {
  if (ctx.training) return batchNormTraining(store, name, x, ctx, true);
  return relu6(batchNorm(store, name, x, ctx));
}

/** `min(max(x, 0), 6)`, MobileNet's activation. */
export function relu6(x: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(x, 0, 6);
}

/** Creates a `k×k` conv kernel `[k, k, cin, cout]` (He init) and, if `bias`, a zero bias. */
export function initConv(
  store: ParamStore,
  name: string,
  k: number,
  cin: number,
  cout: number,
  seed: number,
  bias: boolean,
  biasInit = 0,
): void {
  store.add(`${name}.w`, heNormal([k, k, cin, cout], k * k * cin, seed, name), true, "conv2d");
  if (bias) store.add(`${name}.b`, tf.fill([cout], biasInit), true, "vector");
}

/**
 * Padding of a convolution: `"same"` (tfjs: output `ceil(n / stride)`, odd padding at the bottom/right)
 * or a number of zero rows/columns on every side (PyTorch `padding=p`: output
 * `floor((n + 2p − k) / stride) + 1`).
 */
export type ConvPadding = "same" | number;

/**
 * A convolution of `x` `[B, H, W, cin]` with filter `w` `[k, k, cin, cout]`: a 1×1 stride-1 one as a
 * matrix product over pixels (its two gradients too: several times faster to train on wasm, whose
 * Conv2DBackpropInput is slow), any other as `tf.conv2d`.
 * @returns `[B, H', W', cout]`.
 */
export function convFilter(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: ConvPadding): tf.Tensor4D {
  if (w.shape[0] === 1 && w.shape[1] === 1 && stride === 1) {
    const [B, H, W, C] = x.shape;
    const cout = w.shape[3];
    return tf.reshape(tf.matMul(tf.reshape(x, [B * H * W, C]), tf.reshape(w, [C, cout])), [B, H, W, cout]);
  }
  return tf.conv2d(x, w, stride, pad);
}

/** Applies a conv created by {@link initConv}: NHWC, "same" padding. */
export function conv(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  bias: boolean,
): tf.Tensor4D {
  const y = convFilter(x, store.get(`${name}.w`) as tf.Tensor4D, stride, "same");
  return bias ? tf.add(y, store.get(`${name}.b`)) : y;
}

/** Creates a `k×k` depthwise kernel `[k, k, c, 1]` (He init, fan-in k·k). */
export function initDepthwise(store: ParamStore, name: string, k: number, c: number, seed: number): void {
  store.add(`${name}.w`, heNormal([k, k, c, 1], k * k, seed, name), true, "depthwise");
}

/** Applies a depthwise conv created by {@link initDepthwise}: NHWC, "same" padding. */
export function depthwise(store: ParamStore, name: string, x: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.depthwiseConv2d(x, store.get(`${name}.w`) as tf.Tensor4D, stride, "same");
}

/**
 * Whether inference can fold batch norm into the preceding convolution and run the fused tfjs ops
 * (conv + bias + relu6 in one XNNPACK call on wasm). Not while a gradient is being recorded: tfjs has no
 * gradient for a fused relu6.
 */
export function foldable(ctx: ForwardContext): boolean {
  return !ctx.training && ctx.foldBatchNorm !== false && !recordingGradients();
}

/**
 * Inference batch norm as a per-channel affine map: `scale = γ / √(running var + ε)`,
 * `shift = β − running mean · scale`.
 */
function foldedBatchNorm(store: ParamStore, name: string | BatchNormNames): [tf.Tensor1D, tf.Tensor1D] {
  const n = bnNames(name);
  const gamma = store.get(n.gamma) as tf.Tensor1D;
  const beta = store.get(n.beta) as tf.Tensor1D;
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(store.get(n.variance), BN_EPS))) as tf.Tensor1D;
  return [scale, tf.sub(beta, tf.mul(store.get(n.mean), scale)) as tf.Tensor1D];
}

/**
 * A filter with the batch norm `bnName` folded in, and the matching bias, cached in the store until
 * one of the parameters changes. `scaleShape` broadcasts the per-channel scale over the filter.
 */
export function foldedFilter(
  store: ParamStore,
  wName: string,
  bnName: string | BatchNormNames,
  scaleShape: number[],
): [tf.Tensor4D, tf.Tensor1D] {
  const n = bnNames(bnName);
  const sources = [wName, n.gamma, n.beta, n.mean, n.variance];
  const [w, b] = store.derived(`fold:${wName}`, sources, () => {
    const [scale, shift] = foldedBatchNorm(store, bnName);
    return [tf.mul(store.get(wName), tf.reshape(scale, scaleShape)), shift];
  });
  return [w as tf.Tensor4D, b as tf.Tensor1D];
}

/**
 * Depthwise conv → batch norm → relu6. In inference the batch norm is folded into the filter (cached in
 * the store until a parameter changes) and the three run as one fused op; in training as
 * {@link depthwise} then {@link batchNormRelu6}.
 */
export function depthwiseBnRelu6(
  store: ParamStore,
  dwName: string,
  bnName: string,
  x: tf.Tensor4D,
  stride: number,
  ctx: ForwardContext,
): tf.Tensor4D {
  if (!foldable(ctx)) return batchNormRelu6(store, bnName, depthwise(store, dwName, x, stride), ctx);
  const [filter, bias] = foldedFilter(store, `${dwName}.w`, bnName, [1, 1, -1, 1]);
  return tf.fused.depthwiseConv2d({ x, filter, strides: stride, pad: "same", bias, activation: "relu6" });
}

/** Activations the fused tfjs ops apply. */
export type FusedActivation = "relu" | "relu6" | "linear";

/**
 * A conv (`[k, k, cin, cout]` filter) with bias and activation as one fused op (a 1×1 stride-1 conv as
 * a fused matrix product).
 */
export function fusedConv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  bias: tf.Tensor1D,
  activation: FusedActivation,
  pad: ConvPadding = "same",
): tf.Tensor4D {
  if (w.shape[0] === 1 && w.shape[1] === 1 && stride === 1) {
    const [B, H, W, C] = x.shape;
    const cout = w.shape[3];
    const y = tf.fused.matMul({
      a: tf.reshape(x, [B * H * W, C]),
      b: tf.reshape(w, [C, cout]),
      bias,
      activation,
    });
    return tf.reshape(y, [B, H, W, cout]);
  }
  return tf.fused.conv2d({ x, filter: w, strides: stride, pad, bias, activation });
}

/**
 * {@link conv} with its bias; in inference (see {@link depthwiseBnRelu6}) as one fused op.
 * @param x `[B, H, W, cin]`.
 */
export function convWithBias(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  ctx: ForwardContext,
): tf.Tensor4D {
  if (!foldable(ctx)) return conv(store, name, x, stride, true);
  return fusedConv(
    x,
    store.get(`${name}.w`) as tf.Tensor4D,
    stride,
    store.get(`${name}.b`) as tf.Tensor1D,
    "linear",
  );
}

/** conv → batch norm → relu6. */
export function initConvBnAct(
  store: ParamStore,
  name: string,
  k: number,
  cin: number,
  cout: number,
  seed: number,
): void {
  initConv(store, `${name}.conv`, k, cin, cout, seed, false);
  initBatchNorm(store, `${name}.bn`, cout);
}

/** Applies {@link initConvBnAct}. */
export function convBnAct(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  ctx: ForwardContext,
): tf.Tensor4D {
  if (!foldable(ctx))
    return batchNormRelu6(store, `${name}.bn`, conv(store, `${name}.conv`, x, stride, false), ctx);
  const [w, shift] = foldedFilter(store, `${name}.conv.w`, `${name}.bn`, [1, 1, 1, -1]);
  return fusedConv(x, w, stride, shift, "relu6");
}

/** Depthwise-separable block (MobileNet v1): 3×3 depthwise → BN → relu6 → 1×1 conv → BN → relu6. */
export function initSeparable(
  store: ParamStore,
  name: string,
  cin: number,
  cout: number,
  seed: number,
): void {
  initDepthwise(store, `${name}.dw`, 3, cin, seed);
  initBatchNorm(store, `${name}.dwbn`, cin);
  initConvBnAct(store, `${name}.pw`, 1, cin, cout, seed);
}

/** Applies {@link initSeparable}. */
export function separable(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  ctx: ForwardContext,
): tf.Tensor4D {
  const d = depthwiseBnRelu6(store, `${name}.dw`, `${name}.dwbn`, x, stride, ctx);
  return convBnAct(store, `${name}.pw`, d, 1, ctx);
}
