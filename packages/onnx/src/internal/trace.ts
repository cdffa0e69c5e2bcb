/**
 * Records the tfjs kernels a detector's inference forward pass runs: every top-level
 * `engine.runKernel` call whose inputs depend on the network input becomes a {@link TracedNode};
 * tensors that do not depend on it (weights, batch norm folded into them, scalars) are read once
 * as constants when a recorded kernel consumes them.
 */
import type { SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";

/** A tensor seen in the trace: its tfjs id, shape and dtype. */
export interface TracedTensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** One recorded kernel call. */
export interface TracedNode {
  /** tfjs kernel name (`"FusedConv2D"`, `"Reshape"`, ...). */
  readonly kernel: string;
  /** Named inputs as the kernel received them (`x`, `filter`, `bias`, or `"0"`, `"1"`, ... for lists). */
  readonly inputs: Readonly<Record<string, TracedTensor>>;
  /** The kernel's attributes, copied. */
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly outputs: readonly TracedTensor[];
}

/** A constant read during the trace. */
export interface TracedConstant {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly values: Float32Array | Int32Array | Uint8Array;
}

/** A forward pass as kernels. */
export interface Trace {
  /** The network input `[TRACE_BATCH, H, W, 3]`. */
  readonly input: TracedTensor;
  readonly nodes: readonly TracedNode[];
  /** Constants consumed by recorded kernels, by tensor id. */
  readonly constants: ReadonlyMap<number, TracedConstant>;
  /** The `loc` and `logits` outputs. */
  readonly loc: TracedTensor;
  readonly logits: TracedTensor;
}

/**
 * Batch size of the traced pass: 2, so a batch dimension is told apart from a size-1 dimension.
 * Reshapes whose first dimension is the batch are exported with a dynamic batch.
 */
export const TRACE_BATCH = 2;

type RunKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => unknown;

function described(t: tf.Tensor): TracedTensor {
  return { id: t.id, shape: [...t.shape], dtype: t.dtype };
}

/**
 * Runs `detector.forward` in inference mode (batch norm folded) on a `[TRACE_BATCH, H, W, 3]` input
 * and records the kernels it runs. Leaves no tensor behind and restores the engine on any exit.
 */
export function traceForward(detector: SsdDetector): Trace {
  const { width, height } = detector.config.inputSize;
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const nodes: TracedNode[] = [];
  const constants = new Map<number, TracedConstant>();
  const live = new Set<number>();
  let depth = 0;
  const x = tf.zeros([TRACE_BATCH, height, width, 3]) as tf.Tensor4D;
  live.add(x.id);
  const recordInputs = (inputs: Record<string, tf.Tensor>): Record<string, TracedTensor> => {
    const out: Record<string, TracedTensor> = {};
    for (const [k, t] of Object.entries(inputs)) {
      if (!(t instanceof tf.Tensor)) continue;
      out[k] = described(t);
      if (!live.has(t.id) && !constants.has(t.id)) {
        constants.set(t.id, {
          shape: [...t.shape],
          dtype: t.dtype,
          values: t.dataSync() as Float32Array | Int32Array | Uint8Array,
        });
      }
    }
    return out;
  };
  engine.runKernel = function traced(name, inputs, attrs) {
    if (depth > 0) return original.call(this, name, inputs, attrs);
    const ins = Object.values(inputs).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
    const dependent = ins.some((t) => live.has(t.id));
    depth++;
    try {
      const result = original.call(this, name, inputs, attrs);
      if (dependent) {
        const outs = (Array.isArray(result) ? result : [result]) as tf.Tensor[];
        for (const o of outs) live.add(o.id);
        nodes.push({
          kernel: name,
          inputs: recordInputs(inputs),
          attrs: { ...attrs },
          outputs: outs.map(described),
        });
      }
      return result;
    } finally {
      depth--;
    }
  };
  let out: { loc: tf.Tensor; logits: tf.Tensor };
  try {
    out = detector.forward(x, false);
  } finally {
    engine.runKernel = original;
    x.dispose();
  }
  const trace: Trace = {
    input: { id: x.id, shape: [TRACE_BATCH, height, width, 3], dtype: "float32" },
    nodes,
    constants,
    loc: described(out.loc),
    logits: described(out.logits),
  };
  tf.dispose([out.loc, out.logits]);
  return trace;
}
