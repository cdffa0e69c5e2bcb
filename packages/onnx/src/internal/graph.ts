/**
 * The ONNX graph being written: nodes, initializers, and the ONNX value each traced tfjs tensor
 * became, with the layout that value has.
 */
import type { onnx } from "onnx-proto";
import { fail } from "../errors.js";
import type { TracedConstant, TracedNode, TracedTensor } from "./trace.js";

/**
 * How an ONNX value holds a tfjs tensor:
 * - `nchw`: a rank-4 NHWC tfjs tensor held as NCHW (the convolution layout of ONNX);
 * - `pixels`: a `[B, height, width, C]` NHWC tfjs tensor viewed as `[…, C]` rows of pixels (as a 1×1 convolution done by
 *   matrix product sees it), still held as the NCHW value it was reshaped from;
 * - `plain`: the same shape and element order as in tfjs.
 */
export type Layout =
  | { readonly kind: "nchw" }
  | { readonly kind: "pixels"; readonly channels: number; readonly height: number; readonly width: number }
  | { readonly kind: "plain" };

/** An ONNX value and the layout it holds a tfjs tensor in. */
export interface Value {
  readonly name: string;
  readonly layout: Layout;
}

/** ONNX `AttributeProto.AttributeType` codes used here. */
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;
/** ONNX `TensorProto.DataType` codes used here. */
export const DTYPE = { FLOAT: 1, INT64: 7 } as const;

/** An attribute of a node. */
export type Attr = onnx.IAttributeProto;

/** An integer attribute. */
export function intAttr(name: string, i: number): Attr {
  return { name, type: ATTR.INT, i };
}

/** An integer-list attribute. */
export function intsAttr(name: string, ints: readonly number[]): Attr {
  return { name, type: ATTR.INTS, ints: [...ints] };
}

/** A float attribute. */
export function floatAttr(name: string, f: number): Attr {
  return { name, type: ATTR.FLOAT, f };
}

function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array)
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, data[i]!, true);
  return bytes;
}

/** Builds the node list and initializers of one graph from a trace. */
export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  readonly #values = new Map<number, Value>();
  readonly #constants: ReadonlyMap<number, TracedConstant>;
  readonly #shared = new Map<string, string>();
  #counter = 0;

  constructor(constants: ReadonlyMap<number, TracedConstant>) {
    this.#constants = constants;
  }

  /** A new unique value name with a readable prefix. */
  fresh(prefix: string): string {
    this.#counter += 1;
    return `${prefix}_${this.#counter}`;
  }

  /** Records the ONNX value a traced tensor became. */
  bind(t: TracedTensor, value: Value): void {
    this.#values.set(t.id, value);
  }

  /** The ONNX value of a traced tensor that depends on the input, or `undefined` for a constant. */
  valueOf(t: TracedTensor): Value | undefined {
    return this.#values.get(t.id);
  }

  /** The value of a constant input, or `undefined` when the tensor depends on the network input. */
  constantOf(t: TracedTensor): TracedConstant | undefined {
    return this.#values.has(t.id) ? undefined : this.#constants.get(t.id);
  }

  /** Adds a node; returns the name of its (first) output. */
  node(opType: string, inputs: readonly string[], attrs: readonly Attr[] = [], output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [out],
      attribute: [...attrs],
    });
    return out;
  }

  /** Adds a node with `count` outputs; returns their names. */
  nodeOutputs(opType: string, inputs: readonly string[], attrs: readonly Attr[], count: number): string[] {
    const outs = Array.from({ length: count }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: outs,
      attribute: [...attrs],
    });
    return outs;
  }

  /** Adds a float32 initializer of shape `dims`; returns its name. */
  floats(prefix: string, dims: readonly number[], data: Float32Array): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [...dims], dataType: DTYPE.FLOAT, rawData: littleEndian(data) });
    return name;
  }

  /** Adds an int64 initializer of shape `[values.length]`; returns its name. */
  int64s(prefix: string, values: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DTYPE.INT64,
      rawData: littleEndian(BigInt64Array.from(values, (v) => BigInt(v))),
    });
    return name;
  }

  /** A float32 scalar initializer, shared by every node that uses the same value. */
  scalar(value: number): string {
    const key = `f32:${value}`;
    let name = this.#shared.get(key);
    if (name === undefined) {
      name = this.floats("scalar", [], Float32Array.of(value));
      this.#shared.set(key, name);
    }
    return name;
  }
}

/** Throws `UNSUPPORTED_OP` naming the kernel and why it cannot be exported. */
export function unsupported(node: TracedNode, why: string): never {
  return fail("UNSUPPORTED_OP", "exportOnnx", `tfjs kernel "${node.kernel}" ${why}`, {
    kernel: node.kernel,
  });
}
