/**
 * Layers laid out and named as torchvision's modules, so a model's parameter names are the keys of
 * the PyTorch `state_dict` (values in tfjs layout, each tagged with its {@link ParamKind}): PyTorch's
 * symmetric padding `(k − 1) / 2` (not tfjs' `"same"`, which pads a stride-2 layer on an even input at
 * the bottom/right only), `Conv2dNormActivation` (`<prefix>.0` conv without bias, `<prefix>.1` batch
 * norm), squeeze-excitation (`fc1`, `fc2`) and `nn.Conv2d` with bias.
 * @module
 */
import { hardSigmoid, hardSwish, tf } from "@od/tf";
import {
  batchNorm,
  batchNormRelu6,
  convFilter,
  type ForwardContext,
  foldable,
  foldedFilter,
  fusedConv,
  initBatchNorm,
  torchBatchNormNames,
} from "./layers.js";
import { type ParamStore, seedFor } from "./params.js";

/** Activation after a torchvision layer: `nn.ReLU`, `nn.ReLU6`, `nn.Hardswish`, or none. */
export type TorchActivation = "relu" | "relu6" | "hardswish" | "linear";

/**
 * Standard deviation of torchvision's `_normal_init` (ssdlite.py): every conv weight of an SSDlite
 * model built without pretrained weights starts as N(0, 0.03²), every bias at 0.
 */
export const TORCH_NORMAL_INIT_STD = 0.03;

/** One `Conv2dNormActivation` of torchvision: conv (no bias) → batch norm → activation. */
export interface ConvNormActSpec {
  /** Module path, e.g. `backbone.features.0.0`; the conv is `<prefix>.0`, the batch norm `<prefix>.1`. */
  readonly prefix: string;
  /** Input channels. */
  readonly cin: number;
  /** Output channels (must equal `cin` for a depthwise layer). */
  readonly cout: number;
  /** Square kernel size (odd). */
  readonly kernel: number;
  /** Stride (1 or 2). */
  readonly stride: number;
  /** Depthwise (`groups = channels`) instead of a full convolution. */
  readonly depthwise: boolean;
  /** Activation after the batch norm. */
  readonly activation: TorchActivation;
}

/** PyTorch's padding of a `k×k` conv with dilation 1: `(k − 1) / 2` on every side. */
export function torchPadding(kernel: number): number {
  return (kernel - 1) >> 1;
}

/** N(0, 0.03²) values (torchvision `_normal_init`), seeded by the model seed and the parameter name. */
export function torchNormalInit(shape: readonly number[], seed: number, name: string): tf.Tensor {
  return tf.randomNormal([...shape], 0, TORCH_NORMAL_INIT_STD, "float32", seedFor(seed, name));
}

/** Creates the parameters of a {@link ConvNormActSpec}: `<prefix>.0.weight`, batch norm `<prefix>.1.*`. */
export function initConvNormAct(store: ParamStore, s: ConvNormActSpec, seed: number): void {
  const name = `${s.prefix}.0.weight`;
  if (s.depthwise)
    store.add(name, torchNormalInit([s.kernel, s.kernel, s.cin, 1], seed, name), true, "depthwise");
  else store.add(name, torchNormalInit([s.kernel, s.kernel, s.cin, s.cout], seed, name), true, "conv2d");
  initBatchNorm(store, torchBatchNormNames(`${s.prefix}.1`), s.cout);
}

function activate(x: tf.Tensor4D, a: TorchActivation): tf.Tensor4D {
  if (a === "relu") return tf.relu(x);
  if (a === "relu6") return tf.relu6(x);
  if (a === "hardswish") return hardSwish(x);
  return x;
}

/**
 * Applies a {@link ConvNormActSpec} to `x` `[B, H, W, cin]` with PyTorch's padding. In inference the
 * batch norm is folded into the filter (cached until a parameter changes) and conv + bias + relu/relu6
 * run as one fused op (hardswish after it); in training conv → batch norm (batch statistics, running
 * averages moved with `ctx.bnMomentum`) → activation.
 * @returns `[B, floor((H + 2p − k) / stride) + 1, …, cout]`, p = {@link torchPadding}.
 */
export function convNormAct(
  store: ParamStore,
  s: ConvNormActSpec,
  x: tf.Tensor4D,
  ctx: ForwardContext,
): tf.Tensor4D {
  const wName = `${s.prefix}.0.weight`;
  const bn = torchBatchNormNames(`${s.prefix}.1`);
  const pad = torchPadding(s.kernel);
  if (foldable(ctx)) {
    const fused = s.activation === "hardswish" ? "linear" : s.activation;
    let y: tf.Tensor4D;
    if (s.depthwise) {
      const [filter, bias] = foldedFilter(store, wName, bn, [1, 1, -1, 1]);
      y = tf.fused.depthwiseConv2d({ x, filter, strides: s.stride, pad, bias, activation: fused });
    } else {
      const [filter, bias] = foldedFilter(store, wName, bn, [1, 1, 1, -1]);
      y = fusedConv(x, filter, s.stride, bias, fused, pad);
    }
    return s.activation === "hardswish" ? hardSwish(y) : y;
  }
  const w = store.get(wName) as tf.Tensor4D;
  const y = s.depthwise ? tf.depthwiseConv2d(x, w, s.stride, pad) : convFilter(x, w, s.stride, pad);
  if (s.activation === "relu6") return batchNormRelu6(store, bn, y, ctx);
  return activate(batchNorm(store, bn, y, ctx), s.activation);
}

/**
 * Creates a 1×1 `nn.Conv2d` with bias: `<prefix>.weight` `[1, 1, cin, cout]` (kind `conv2d`) and
 * `<prefix>.bias` `[cout]`, N(0, 0.03²) and 0 as torchvision's `_normal_init`.
 */
export function initPointwiseWithBias(
  store: ParamStore,
  prefix: string,
  cin: number,
  cout: number,
  seed: number,
): void {
  const name = `${prefix}.weight`;
  store.add(name, torchNormalInit([1, 1, cin, cout], seed, name), true, "conv2d");
  store.add(`${prefix}.bias`, tf.zeros([cout]), true, "vector");
}

/** Applies {@link initPointwiseWithBias} to `x` `[B, H, W, cin]` (fused in inference). */
export function pointwiseWithBias(
  store: ParamStore,
  prefix: string,
  x: tf.Tensor4D,
  ctx: ForwardContext,
): tf.Tensor4D {
  const w = store.get(`${prefix}.weight`) as tf.Tensor4D;
  const b = store.get(`${prefix}.bias`) as tf.Tensor1D;
  if (foldable(ctx)) return fusedConv(x, w, 1, b, "linear", 0);
  return tf.add(convFilter(x, w, 1, 0), b);
}

/**
 * Creates torchvision's `SqueezeExcitation` over `channels` with `squeeze` hidden channels:
 * `<prefix>.fc1` (channels → squeeze) and `<prefix>.fc2` (squeeze → channels), 1×1 convs with bias.
 */
export function initSqueezeExcitation(
  store: ParamStore,
  prefix: string,
  channels: number,
  squeeze: number,
  seed: number,
): void {
  initPointwiseWithBias(store, `${prefix}.fc1`, channels, squeeze, seed);
  initPointwiseWithBias(store, `${prefix}.fc2`, squeeze, channels, seed);
}

/**
 * MobileNetV3's squeeze-excitation (torchvision `SqueezeExcitation` with `scale_activation =
 * Hardsigmoid`): `x · hardsigmoid(fc2(relu(fc1(mean over H, W of x))))`.
 * @param x `[B, H, W, C]`. @returns `[B, H, W, C]`.
 */
export function squeezeExcitation(store: ParamStore, prefix: string, x: tf.Tensor4D): tf.Tensor4D {
  const [B, , , C] = x.shape;
  const dense = (v: tf.Tensor2D, fc: string): tf.Tensor2D => {
    const w = store.get(`${fc}.weight`) as tf.Tensor4D;
    const [, , cin, cout] = w.shape;
    return tf.add(tf.matMul(v, tf.reshape(w, [cin, cout])), store.get(`${fc}.bias`)) as tf.Tensor2D;
  };
  const pooled = tf.reshape(tf.mean(x, [1, 2]), [B, C]) as tf.Tensor2D;
  const hidden = tf.relu(dense(pooled, `${prefix}.fc1`));
  const gate = hardSigmoid(dense(hidden, `${prefix}.fc2`));
  return tf.mul(x, tf.reshape(gate, [B, 1, 1, C]));
}
