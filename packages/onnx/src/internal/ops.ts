/**
 * The op table: one entry per tfjs kernel the exporter can write, mapping a traced kernel call to
 * ONNX nodes (opset {@link OPSET}). A kernel without an entry, or an entry meeting a use it does not
 * cover, is an `UNSUPPORTED_OP` error naming the kernel; never a silently different graph.
 * Adding a kernel is one entry here.
 */
import { HARD_SWISH } from "@od/tf";
import {
  type Attr,
  floatAttr,
  type GraphBuilder,
  intAttr,
  intsAttr,
  type Layout,
  unsupported,
  type Value,
} from "./graph.js";
import { TRACE_BATCH, type TracedConstant, type TracedNode, type TracedTensor } from "./trace.js";

/** ONNX opset the graph declares (ONNX 1.12, IR version 8; run by ONNX Runtime 1.30). */
export const OPSET = 17;

/** Writes the ONNX nodes of one traced kernel call and binds its outputs. */
export type OpHandler = (g: GraphBuilder, node: TracedNode) => void;

const NCHW: Layout = { kind: "nchw" };
const PLAIN: Layout = { kind: "plain" };
/** tfjs NHWC axis → ONNX NCHW axis. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1] as const;

function input(node: TracedNode, key: string): TracedTensor {
  const t = node.inputs[key];
  if (t === undefined) return unsupported(node, `has no input "${key}"`);
  return t;
}

function output(node: TracedNode): TracedTensor {
  const t = node.outputs[0];
  if (t === undefined || node.outputs.length !== 1) return unsupported(node, "must have one output");
  return t;
}

/** The ONNX value of an input that depends on the network input. */
function live(g: GraphBuilder, node: TracedNode, key: string): Value {
  const v = g.valueOf(input(node, key));
  if (v === undefined) return unsupported(node, `needs input "${key}" to depend on the network input`);
  return v;
}

/** The values of a constant input. */
function constant(g: GraphBuilder, node: TracedNode, key: string): TracedConstant {
  const c = g.constantOf(input(node, key));
  if (c === undefined) return unsupported(node, `needs input "${key}" to be a constant (weights)`);
  return c;
}

function floats(node: TracedNode, c: TracedConstant): Float32Array {
  if (c.dtype !== "float32") unsupported(node, `has a ${c.dtype} constant; only float32 is exported`);
  return c.values instanceof Float32Array ? c.values : Float32Array.from(c.values);
}

function pair(v: unknown, node: TracedNode, what: string): [number, number] {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === "number"))
    return [Number(v[0]), Number(v[1])];
  return unsupported(node, `has ${what} ${JSON.stringify(v)}; expected a number or [h, w]`);
}

/**
 * ONNX `pads` `[top, left, bottom, right]` for tfjs padding `pad` of an `[H, W]` input: `"same"` as
 * TensorFlow (total `max((ceil(in / s) − 1)·s + (k − 1)·d + 1 − in, 0)`, the odd pixel at the end),
 * `"valid"` none, a number on every side, or explicit NHWC pairs.
 */
function convPads(
  node: TracedNode,
  pad: unknown,
  size: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): number[] {
  if (pad === "valid") return [0, 0, 0, 0];
  if (typeof pad === "number") return [pad, pad, pad, pad];
  if (pad === "same") {
    const before: number[] = [];
    const after: number[] = [];
    for (let a = 0; a < 2; a++) {
      const n = size[a]!;
      const s = strides[a]!;
      const k = (kernel[a]! - 1) * dilations[a]! + 1;
      const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
      before.push(Math.floor(total / 2));
      after.push(total - Math.floor(total / 2));
    }
    return [...before, ...after];
  }
  if (Array.isArray(pad) && pad.length === 4) {
    const [, h, w] = pad as [unknown, [number, number], [number, number]];
    return [h[0], w[0], h[1], w[1]];
  }
  return unsupported(node, `has padding ${JSON.stringify(pad)}`);
}

/** Appends the fused activation of a tfjs fused kernel after `x`; returns the activated value's name. */
function activation(g: GraphBuilder, node: TracedNode, x: string): string {
  const act = node.attrs.activation;
  if (act === undefined || act === null || act === "linear") return x;
  if (act === "relu") return g.node("Relu", [x]);
  if (act === "relu6") return g.node("Clip", [x, g.scalar(0), g.scalar(6)]);
  if (act === "sigmoid") return g.node("Sigmoid", [x]);
  if (act === "elu") return g.node("Elu", [x], [floatAttr("alpha", 1)]);
  if (act === "leakyrelu") {
    const alpha = node.attrs.leakyreluAlpha;
    return g.node("LeakyRelu", [x], [floatAttr("alpha", typeof alpha === "number" ? alpha : 0.2)]);
  }
  return unsupported(node, `has fused activation "${String(act)}"`);
}

/** `[kh, kw, cin, cout]` (tfjs conv2d filter) → `[cout, cin, kh, kw]` (ONNX Conv `W`). */
function convWeights(f: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const w = new Float32Array(f.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          w[((o * cin + i) * kh + y) * kw + x] = f[((y * kw + x) * cin + i) * cout + o]!;
  return w;
}

/** `[kh, kw, c, m]` (tfjs depthwise filter) → `[c·m, 1, kh, kw]` (ONNX Conv `W`, `group = c`). */
function depthwiseWeights(f: Float32Array, kh: number, kw: number, c: number, m: number): Float32Array {
  const w = new Float32Array(f.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < c; i++)
        for (let q = 0; q < m; q++) w[((i * m + q) * kh + y) * kw + x] = f[((y * kw + x) * c + i) * m + q]!;
  return w;
}

/** Conv2D / FusedConv2D / DepthwiseConv2dNative / FusedDepthwiseConv2D → Conv (+ activation). */
function convolution(depthwise: boolean): OpHandler {
  return (g, node) => {
    const x = live(g, node, "x");
    if (x.layout.kind !== "nchw") unsupported(node, "needs a rank-4 image input");
    const format = node.attrs.dataFormat;
    if (format !== undefined && format !== "NHWC") unsupported(node, `has dataFormat ${String(format)}`);
    if (node.inputs.preluActivationWeights !== undefined) unsupported(node, "has a prelu activation");
    const xShape = input(node, "x").shape;
    const filter = constant(g, node, "filter");
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    const f = floats(node, filter);
    const strides = pair(node.attrs.strides, node, "strides");
    const dilations = pair(node.attrs.dilations ?? 1, node, "dilations");
    const pads = convPads(node, node.attrs.pad, [xShape[1]!, xShape[2]!], [kh, kw], strides, dilations);
    const outChannels = depthwise ? c * m : m;
    const w = depthwise ? depthwiseWeights(f, kh, kw, c, m) : convWeights(f, kh, kw, c, m);
    const inputs = [x.name, g.floats("w", depthwise ? [c * m, 1, kh, kw] : [m, c, kh, kw], w)];
    if (node.inputs.bias !== undefined) {
      const b = floats(node, constant(g, node, "bias"));
      if (b.length !== outChannels)
        unsupported(node, `has a bias of ${b.length} values for ${outChannels} channels`);
      inputs.push(g.floats("b", [outChannels], b));
    }
    const attrs: Attr[] = [
      intsAttr("kernel_shape", [kh, kw]),
      intsAttr("strides", strides),
      intsAttr("dilations", dilations),
      intsAttr("pads", pads),
      intAttr("group", depthwise ? c : 1),
    ];
    const y = activation(g, node, g.node("Conv", inputs, attrs));
    g.bind(output(node), { name: y, layout: NCHW });
  };
}

/** A constant `[..., K, N]` matrix (batch dimensions of size 1) as `[K, N]` values, transposed if asked. */
function constantMatrix(
  node: TracedNode,
  b: TracedConstant,
  transposeB: boolean,
): { k: number; n: number; w: Float32Array } {
  const r = b.shape.length;
  const rows = b.shape[r - 2]!;
  const cols = b.shape[r - 1]!;
  if (r < 2 || rows * cols !== b.values.length)
    unsupported(node, `has a constant of shape [${b.shape.join(", ")}]; only one matrix is exported`);
  const v = floats(node, b);
  if (!transposeB) return { k: rows, n: cols, w: v };
  const w = new Float32Array(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[j * rows + i] = v[i * cols + j]!;
  return { k: cols, n: rows, w };
}

/**
 * BatchMatMul / _FusedMatMul by a constant matrix (+ bias, activation): of pixel rows, a 1×1 Conv; of
 * a plain `[B, K]` or `[1, B, K]` value (a fully connected layer, e.g. squeeze-excitation), MatMul.
 */
const matMul: OpHandler = (g, node) => {
  const a = live(g, node, "a");
  if (node.attrs.transposeA === true || a.layout.kind === "nchw")
    unsupported(node, "is exported only as a product of rows by a constant matrix");
  const {
    k: cin,
    n: cout,
    w: bv,
  } = constantMatrix(node, constant(g, node, "b"), node.attrs.transposeB === true);
  const channels = a.layout.kind === "pixels" ? a.layout.channels : input(node, "a").shape.at(-1);
  if (cin !== channels)
    unsupported(node, `multiplies ${String(channels)} columns by a [${cin}, ${cout}] matrix`);
  let bias: string | undefined;
  if (node.inputs.bias !== undefined) {
    const b = floats(node, constant(g, node, "bias"));
    if (b.length !== cout) unsupported(node, `has a bias of ${b.length} values for ${cout} outputs`);
    bias = g.floats("b", [cout], b);
  }
  if (a.layout.kind === "pixels") {
    const w = new Float32Array(cin * cout);
    for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) w[o * cin + i] = bv[i * cout + o]!;
    const inputs = [a.name, g.floats("w", [cout, cin, 1, 1], w)];
    if (bias !== undefined) inputs.push(bias);
    const y = g.node("Conv", inputs, [intsAttr("kernel_shape", [1, 1])]);
    g.bind(output(node), { name: activation(g, node, y), layout: { ...a.layout, channels: cout } });
    return;
  }
  const product = g.node("MatMul", [a.name, g.floats("w", [cin, cout], bv)]);
  const y = bias === undefined ? product : g.node("Add", [product, bias]);
  g.bind(output(node), { name: activation(g, node, y), layout: PLAIN });
};

function product(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Reshape: between a NCHW value and its pixel rows no node is needed (same ONNX value); any other
 * reshape of an image is Transpose to NHWC then Reshape, with the batch dimension kept dynamic.
 */
const reshape: OpHandler = (g, node) => {
  const t = input(node, "x");
  const x = live(g, node, "x");
  const out = output(node);
  const last = out.shape[out.shape.length - 1];
  if (x.layout.kind === "nchw" || x.layout.kind === "pixels") {
    const pixels =
      x.layout.kind === "pixels"
        ? x.layout
        : { kind: "pixels" as const, channels: t.shape[3]!, height: t.shape[1]!, width: t.shape[2]! };
    const image = [TRACE_BATCH, pixels.height, pixels.width, pixels.channels];
    if (out.shape.length === 4 && image.every((d, i) => d === out.shape[i])) {
      g.bind(out, { name: x.name, layout: NCHW });
      return;
    }
    if (out.shape.length <= 3 && last === pixels.channels && product(out.shape) === product(image)) {
      g.bind(out, { name: x.name, layout: pixels });
      return;
    }
    if (x.layout.kind === "pixels") unsupported(node, `reshapes pixel rows to [${out.shape.join(", ")}]`);
  }
  if (t.shape[0] !== TRACE_BATCH || out.shape[0] !== TRACE_BATCH || product(t.shape) !== product(out.shape))
    unsupported(node, `changes the batch dimension ([${t.shape.join(", ")}] → [${out.shape.join(", ")}])`);
  if (x.layout.kind === "plain" && out.shape.length === 4 && out.shape[1] === 1 && out.shape[2] === 1) {
    // [B, 1, 1, C] has the same element order in NHWC and NCHW: an image of one pixel
    const shape = g.int64s("shape", [0, out.shape[3]!, 1, 1]);
    g.bind(out, { name: g.node("Reshape", [x.name, shape]), layout: NCHW });
    return;
  }
  const src =
    x.layout.kind === "nchw" ? g.node("Transpose", [x.name], [intsAttr("perm", [0, 2, 3, 1])]) : x.name;
  const shape = g.int64s("shape", [0, ...out.shape.slice(1)]);
  g.bind(out, { name: g.node("Reshape", [src, shape]), layout: PLAIN });
};

/** Concat of values of one layout (NCHW: the axis mapped). */
const concat: OpHandler = (g, node) => {
  const keys = Object.keys(node.inputs).sort((a, b) => Number(a) - Number(b));
  const values = keys.map((k) => live(g, node, k));
  const layout = values[0]!.layout.kind;
  if (layout === "pixels" || values.some((v) => v.layout.kind !== layout))
    unsupported(node, "joins values of different layouts");
  const rank = input(node, keys[0]!).shape.length;
  const raw = Number(node.attrs.axis);
  const axis = raw < 0 ? raw + rank : raw;
  const onnxAxis = layout === "nchw" ? NHWC_TO_NCHW_AXIS[axis as 0 | 1 | 2 | 3] : axis;
  const y =
    values.length === 1
      ? values[0]!.name
      : g.node(
          "Concat",
          values.map((v) => v.name),
          [intAttr("axis", onnxAxis)],
        );
  g.bind(output(node), { name: y, layout: values[0]!.layout });
};

/** An elementwise op of one input that keeps the layout. */
function unary(opType: string, attrs: (node: TracedNode) => Attr[] = () => []): OpHandler {
  return (g, node) => {
    const x = live(g, node, "x");
    g.bind(output(node), { name: g.node(opType, [x.name], attrs(node)), layout: x.layout });
  };
}

/** An elementwise `Clip` between two constants. */
function clip(lo: (node: TracedNode) => number, hi: (node: TracedNode) => number): OpHandler {
  return (g, node) => {
    const x = live(g, node, "x");
    const y = g.node("Clip", [x.name, g.scalar(lo(node)), g.scalar(hi(node))]);
    g.bind(output(node), { name: y, layout: x.layout });
  };
}

/**
 * A constant operand of a broadcasting op, laid out like the other (live) operand: as it is for a
 * plain value; for an image, broadcast NHWC → `[1, C, 1, 1]`-style NCHW (only per-channel or scalar).
 */
function broadcastConstant(g: GraphBuilder, node: TracedNode, c: TracedConstant, layout: Layout): string {
  const v = floats(node, c);
  if (layout.kind === "plain") return g.floats("c", c.shape, v);
  if (c.shape.length === 0 || v.length === 1) return g.floats("c", [], Float32Array.of(v[0]!));
  const channels = c.shape[c.shape.length - 1]!;
  if (v.length !== channels)
    unsupported(
      node,
      `broadcasts a constant of shape [${c.shape.join(", ")}] over an image; only per-channel or scalar constants are exported`,
    );
  return g.floats("c", [1, channels, 1, 1], v);
}

/** An elementwise op of two inputs (broadcasting), at least one of them live. */
function binary(opType: string): OpHandler {
  return (g, node) => {
    const ta = input(node, "a");
    const tb = input(node, "b");
    const a = g.valueOf(ta);
    const b = g.valueOf(tb);
    const layout = (a ?? b)!.layout;
    if (a !== undefined && b !== undefined && a.layout.kind !== b.layout.kind)
      unsupported(node, "combines values of different layouts");
    if (layout.kind === "nchw" && ((a && ta.shape.length !== 4) || (b && tb.shape.length !== 4)))
      unsupported(node, "broadcasts an image against a tensor of another rank");
    const name = (v: Value | undefined, key: string): string =>
      v !== undefined ? v.name : broadcastConstant(g, node, constant(g, node, key), layout);
    g.bind(output(node), { name: g.node(opType, [name(a, "a"), name(b, "b")]), layout });
  };
}

/** Mean over the spatial axes of an image (global average pooling, e.g. squeeze-excitation). */
const mean: OpHandler = (g, node) => {
  const x = live(g, node, "x");
  const axes = [node.attrs.axis].flat().map(Number).sort();
  if (x.layout.kind !== "nchw" || axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2)
    unsupported(
      node,
      `is exported only over the spatial axes [1, 2] of an image; got axis ${JSON.stringify(node.attrs.axis)}`,
    );
  const keep = node.attrs.keepDims === true;
  const y = g.node("ReduceMean", [x.name], [intsAttr("axes", [2, 3]), intAttr("keepdims", keep ? 1 : 0)]);
  g.bind(output(node), { name: y, layout: keep ? NCHW : PLAIN });
};

/** Inference batch norm with constant statistics → BatchNormalization. */
const batchNorm: OpHandler = (g, node) => {
  const x = live(g, node, "x");
  if (x.layout.kind !== "nchw") unsupported(node, "needs a rank-4 image input");
  const mean = floats(node, constant(g, node, "mean"));
  const C = mean.length;
  const perChannel = (key: string, fill: number): string => {
    if (node.inputs[key] === undefined) return g.floats(key, [C], new Float32Array(C).fill(fill));
    const v = floats(node, constant(g, node, key));
    if (v.length !== C) unsupported(node, `has ${key} of ${v.length} values for ${C} channels`);
    return g.floats(key, [C], v);
  };
  const eps = Number(node.attrs.varianceEpsilon ?? 0.001);
  const y = g.node(
    "BatchNormalization",
    [
      x.name,
      perChannel("scale", 1),
      perChannel("offset", 0),
      g.floats("mean", [C], mean),
      perChannel("variance", 1),
    ],
    [floatAttr("epsilon", eps)],
  );
  g.bind(output(node), { name: y, layout: NCHW });
};

/** Softmax over the last axis of a plain value. */
const softmax: OpHandler = (g, node) => {
  const x = live(g, node, "logits");
  if (x.layout.kind !== "plain") unsupported(node, "is exported only on a plain (non-image) tensor");
  g.bind(output(node), { name: g.node("Softmax", [x.name], [intAttr("axis", -1)]), layout: PLAIN });
};

/**
 * `OdHardSwish` of `@od/tf` (hardswish in one pass) as the composite it computes, node for node:
 * `x · (clip(x + 3, 0, 6) · f32(1/6))`, the same float32 operations in the same order.
 */
const hardSwish: OpHandler = (g, node) => {
  const x = live(g, node, "x");
  const shifted = g.node("Add", [x.name, g.scalar(3)]);
  const gate = g.node("Mul", [g.node("Clip", [shifted, g.scalar(0), g.scalar(6)]), g.scalar(1 / 6)]);
  g.bind(output(node), { name: g.node("Mul", [x.name, gate]), layout: x.layout });
};

/** The op table: tfjs kernel name → how it is written in ONNX. */
export const OP_TABLE: Readonly<Record<string, OpHandler>> = Object.freeze({
  Conv2D: convolution(false),
  FusedConv2D: convolution(false),
  DepthwiseConv2dNative: convolution(true),
  FusedDepthwiseConv2D: convolution(true),
  BatchMatMul: matMul,
  _FusedMatMul: matMul,
  Reshape: reshape,
  Concat: concat,
  Identity: (g, node) => g.bind(output(node), live(g, node, "x")),
  Relu: unary("Relu"),
  Relu6: clip(
    () => 0,
    () => 6,
  ),
  ClipByValue: clip(
    (n) => Number(n.attrs.clipValueMin),
    (n) => Number(n.attrs.clipValueMax),
  ),
  Sigmoid: unary("Sigmoid"),
  Tanh: unary("Tanh"),
  Elu: unary("Elu", () => [floatAttr("alpha", 1)]),
  LeakyRelu: unary("LeakyRelu", (n) => [floatAttr("alpha", Number(n.attrs.alpha ?? 0.2))]),
  Exp: unary("Exp"),
  Neg: unary("Neg"),
  Abs: unary("Abs"),
  Sqrt: unary("Sqrt"),
  Add: binary("Add"),
  Sub: binary("Sub"),
  Multiply: binary("Mul"),
  RealDiv: binary("Div"),
  Maximum: binary("Max"),
  Minimum: binary("Min"),
  Mean: mean,
  FusedBatchNorm: batchNorm,
  Softmax: softmax,
  [HARD_SWISH]: hardSwish,
});

/** Writes one traced kernel call with its op-table entry. @throws OnnxError `UNSUPPORTED_OP`. */
export function writeNode(g: GraphBuilder, node: TracedNode): void {
  const handler = OP_TABLE[node.kernel];
  if (handler === undefined)
    unsupported(node, `has no ONNX mapping (exportable kernels: ${Object.keys(OP_TABLE).sort().join(", ")})`);
  handler(g, node);
}
