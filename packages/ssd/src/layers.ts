import { batchNormTrain, tf } from "@od/tf";
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

const BN_EPS = 1e-3;

/** Creates the parameters of a batch-norm layer over `channels`: gamma, beta (trained), running mean/var. */
export function initBatchNorm(store: ParamStore, name: string, channels: number): void {
  store.add(`${name}.gamma`, tf.ones([channels]), true);
  store.add(`${name}.beta`, tf.zeros([channels]), true);
  store.add(`${name}.mean`, tf.zeros([channels]), false);
  store.add(`${name}.var`, tf.ones([channels]), false);
}

/**
 * Training-mode batch norm (optionally with relu6) by `batchNormTrain` of @od/tf (one op: two passes
 * forward, two backward, only the input kept for the gradient), moving the running averages towards the
 * batch's moments.
 */
function batchNormTraining(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  ctx: ForwardContext,
  relu6: boolean,
): tf.Tensor4D {
  const runMean = store.get(`${name}.mean`) as tf.Variable<tf.Rank.R1>;
  const runVar = store.get(`${name}.var`) as tf.Variable<tf.Rank.R1>;
  const m = ctx.bnMomentum ?? 0.1;
  return batchNormTrain(
    x,
    store.get(`${name}.gamma`) as tf.Tensor1D,
    store.get(`${name}.beta`) as tf.Tensor1D,
    {
      epsilon: BN_EPS,
      relu6,
      onStatistics: (mean, variance) =>
        tf.tidy(() => {
          runMean.assign(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m)));
          runVar.assign(tf.add(tf.mul(runVar, 1 - m), tf.mul(variance, m)));
        }),
    },
  );
}

/**
 * Batch normalisation (Ioffe & Szegedy 2015) over NHWC. Training mode normalises with the batch's
 * per-channel moments and moves the running averages towards them; inference uses the running averages.
 * @param x `[B, H, W, C]`.
 */
export function batchNorm(store: ParamStore, name: string, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
  if (ctx.training) return batchNormTraining(store, name, x, ctx, false);
  return tf.batchNorm4d(
    x,
    store.get(`${name}.mean`) as tf.Tensor1D,
    store.get(`${name}.var`) as tf.Tensor1D,
    store.get(`${name}.beta`) as tf.Tensor1D,
    store.get(`${name}.gamma`) as tf.Tensor1D,
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
  name: string,
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
  store.add(`${name}.w`, heNormal([k, k, cin, cout], k * k * cin, seed, name), true);
  if (bias) store.add(`${name}.b`, tf.fill([cout], biasInit), true);
}

/** Applies a conv created by {@link initConv}: NHWC, "same" padding. */
export function conv(
  store: ParamStore,
  name: string,
  x: tf.Tensor4D,
  stride: number,
  bias: boolean,
): tf.Tensor4D {
  const w = store.get(`${name}.w`) as tf.Tensor4D;
  let y: tf.Tensor4D;
  if (w.shape[0] === 1 && w.shape[1] === 1 && stride === 1) {
    // A 1×1 convolution is a matrix product over pixels, and so are its two gradients: as matMul it
    // trains several times faster on wasm, whose Conv2DBackpropInput is slow.
    const [B, H, W, C] = x.shape;
    const cout = w.shape[3];
    y = tf.reshape(tf.matMul(tf.reshape(x, [B * H * W, C]), tf.reshape(w, [C, cout])), [B, H, W, cout]);
  } else {
    y = tf.conv2d(x, w, stride, "same");
  }
  return bias ? tf.add(y, store.get(`${name}.b`)) : y;
}

/** Creates a `k×k` depthwise kernel `[k, k, c, 1]` (He init, fan-in k·k). */
export function initDepthwise(store: ParamStore, name: string, k: number, c: number, seed: number): void {
  store.add(`${name}.w`, heNormal([k, k, c, 1], k * k, seed, name), true);
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
function foldable(ctx: ForwardContext): boolean {
  return !ctx.training && ctx.foldBatchNorm !== false && tf.engine().state.gradientDepth === 0;
}

/**
 * Inference batch norm as a per-channel affine map: `scale = γ / √(running var + ε)`,
 * `shift = β − running mean · scale`.
 */
function foldedBatchNorm(store: ParamStore, name: string): [tf.Tensor1D, tf.Tensor1D] {
  const gamma = store.get(`${name}.gamma`) as tf.Tensor1D;
  const beta = store.get(`${name}.beta`) as tf.Tensor1D;
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(store.get(`${name}.var`), BN_EPS))) as tf.Tensor1D;
  return [scale, tf.sub(beta, tf.mul(store.get(`${name}.mean`), scale)) as tf.Tensor1D];
}

/**
 * A filter with the batch norm `bnName` folded in, and the matching bias, cached in the store until
 * one of the parameters changes. `scaleShape` broadcasts the per-channel scale over the filter.
 */
function foldedFilter(
  store: ParamStore,
  wName: string,
  bnName: string,
  scaleShape: number[],
): [tf.Tensor4D, tf.Tensor1D] {
  const sources = [wName, ...["gamma", "beta", "mean", "var"].map((k) => `${bnName}.${k}`)];
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

/** A conv (`[k, k, cin, cout]` filter, "same" padding) with bias and activation as one fused op. */
function fusedConv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  bias: tf.Tensor1D,
  activation: "relu6" | "linear",
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
  return tf.fused.conv2d({ x, filter: w, strides: stride, pad: "same", bias, activation });
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
