import {
  AvgPool,
  BatchMatMul,
  type BatchMatMulAttrs,
  getKernel,
  Identity,
  type KernelBackend,
  type KernelFunc,
  Mean,
  Multiply,
  Reshape,
  registerKernel,
  Sum,
  type TensorInfo,
  Transpose,
  unregisterKernel,
} from "@tensorflow/tfjs-core";
import { asHeapBackend, wasmRows } from "./depthwise-wasm.js";
import { attrsAs } from "./internal/tfjs-internal.js";

/** Marks a kernel function installed by {@link registerWasmFastPaths}. */
const FAST = Symbol.for("od.tf.wasmFastPath");

/**
 * Speeds up the wasm backend where its kernels take a slow path, with results equal up to float
 * summation order:
 * - `BatchMatMul` with `transposeA` or `transposeB` runs about 9× slower than without (measured:
 *   6400×128 · 128×128 takes 80 ms transposed vs 9 ms plain), and every matMul gradient uses those flags.
 *   The wrapper transposes the operand explicitly (a cheap memory pass: 4×4 SIMD blocks when the sizes
 *   are multiples of 4, else the Transpose kernel) and multiplies without flags.
 * - `Sum` and `Mean` over leading axes (per-channel reductions of NHWC activations: batch-norm
 *   statistics and every broadcast gradient) transpose the whole tensor first. The wrapper views the
 *   tensor as `[1, R, 1, C]` and average-pools it with an `R × 1` window (XNNPACK's pooling, ~20× faster
 *   here), times R for a sum. (A matMul with a row of ones is fast only when the same tensor is reused:
 *   XNNPACK re-packs the large operand on every new tensor.)
 * - `Identity` copies its input; the engine runs it for every tensor a gradient saves. The wrapper
 *   shares the memory (reference count), as the cpu backend does.
 * Call after `@tensorflow/tfjs-backend-wasm` is imported (`initBackend` does); idempotent.
 * @returns the kernel names that were wrapped.
 */
export function registerWasmFastPaths(backendName = "wasm"): string[] {
  const done = registerIdentity(backendName);
  return [...done, ...registerMatMulAndReductions(backendName)];
}

/**
 * `Identity` shares the input's memory (reference count + 1), as the cpu backend and wasm's own
 * `Reshape` do, instead of copying it: the engine clones every tensor a gradient saves (`inputsToSave`
 * / `outputsToSave`) through `Identity`, about a thousand full copies per SSD training step. Tensors are
 * immutable, so sharing is safe.
 */
function registerIdentity(backendName: string): string[] {
  const k = getKernel(Identity, backendName);
  if (k === undefined) return [];
  const prev = k.kernelFunc as KernelFunc & { [FAST]?: true };
  if (prev[FAST]) return [];
  const kernelFunc: KernelFunc & { [FAST]?: true } = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === "string") return prev(args);
    (args.backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  kernelFunc[FAST] = true;
  replaceKernel(Identity, backendName, kernelFunc);
  return [Identity];
}

/**
 * `[..., r, c]` → `[..., c, r]` for a float32 tensor with one matrix (leading dims 1) and r, c multiples
 * of 4, by the SIMD module (4×4 register blocks; several times faster than the generic Transpose
 * kernel on the large activations matMul gradients transpose). `undefined` when it does not apply.
 */
function transpose2dSimd(backend: KernelBackend, t: TensorInfo): TensorInfo | undefined {
  const rank = t.shape.length;
  const r = t.shape[rank - 2]!;
  const c = t.shape[rank - 1]!;
  if (t.dtype !== "float32" || rank < 2 || r % 4 !== 0 || c % 4 !== 0 || r * c === 0) return undefined;
  if (t.shape.slice(0, -2).some((d) => d !== 1)) return undefined;
  const heap = asHeapBackend(backend);
  if (typeof heap.typedArrayFromHeap !== "function") return undefined;
  const rows = wasmRows(heap);
  if (rows?.transpose2d === undefined) return undefined;
  const out = heap.makeOutput([...t.shape.slice(0, -2), c, r], "float32");
  rows.transpose2d(heap.typedArrayFromHeap(t).byteOffset, heap.typedArrayFromHeap(out).byteOffset, r, c);
  return out;
}

function registerMatMulAndReductions(backendName: string): string[] {
  const orig = getKernel(BatchMatMul, backendName);
  const transpose = getKernel(Transpose, backendName);
  if (orig === undefined || transpose === undefined) return [];
  const prev = orig.kernelFunc as KernelFunc & { [FAST]?: true };
  if (prev[FAST]) return [];
  const kernelFunc: KernelFunc & { [FAST]?: true } = (args) => {
    const attrs = attrsAs<BatchMatMulAttrs>(args.attrs);
    if (!attrs.transposeA && !attrs.transposeB) return prev(args);
    const backend = args.backend as KernelBackend;
    const swapLast = (t: TensorInfo): TensorInfo => {
      const fast = transpose2dSimd(backend, t);
      if (fast !== undefined) return fast;
      const r = t.shape.length;
      const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
      return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as TensorInfo;
    };
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const ta = attrs.transposeA ? swapLast(a) : a;
    const tb = attrs.transposeB ? swapLast(b) : b;
    const out = prev({
      ...args,
      inputs: { a: ta, b: tb },
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (ta !== a) backend.disposeData(ta.dataId);
    if (tb !== b) backend.disposeData(tb.dataId);
    return out;
  };
  kernelFunc[FAST] = true;
  replaceKernel(BatchMatMul, backendName, kernelFunc);
  const done = [BatchMatMul];
  const reshape = getKernel(Reshape, backendName);
  const avgPool = getKernel(AvgPool, backendName);
  const multiply = getKernel(Multiply, backendName);
  if (reshape === undefined || avgPool === undefined || multiply === undefined) return done;
  for (const name of [Sum, Mean]) {
    const k = getKernel(name, backendName);
    if (k === undefined) continue;
    const prevReduce = k.kernelFunc as KernelFunc & { [FAST]?: true };
    if (prevReduce[FAST]) continue;
    const reduceFunc: KernelFunc & { [FAST]?: true } = (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = attrsAs<{ axis: number | number[]; keepDims: boolean }>(args.attrs);
      const r = x.shape.length;
      const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + r : a)))].sort(
        (p, q) => p - q,
      );
      const k0 = axes.length;
      if (x.dtype !== "float32" || k0 === 0 || k0 >= r || !axes.every((a, i) => a === i))
        return prevReduce(args);
      const R = x.shape.slice(0, k0).reduce((p, q) => p * q, 1);
      const C = x.shape.slice(k0).reduce((p, q) => p * q, 1);
      if (R < 64 || C === 0) return prevReduce(args);
      const backend = args.backend as KernelBackend & {
        makeOutput(shape: number[], dtype: "float32", offset?: number, values?: Float32Array): TensorInfo;
      };
      const x4 = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: [1, R, 1, C] } }) as TensorInfo;
      let y = avgPool.kernelFunc({
        inputs: { x: x4 },
        backend,
        attrs: { filterSize: [R, 1], strides: [R, 1], pad: "valid" },
      }) as TensorInfo;
      backend.disposeData(x4.dataId);
      if (name === Sum) {
        const n = backend.makeOutput([], "float32", undefined, new Float32Array([R]));
        const s = multiply.kernelFunc({ inputs: { a: y, b: n }, backend, attrs: {} }) as TensorInfo;
        backend.disposeData(n.dataId);
        backend.disposeData(y.dataId);
        y = s;
      }
      const shape = keepDims ? x.shape.map((d, i) => (i < k0 ? 1 : d)) : x.shape.slice(k0);
      const out = reshape.kernelFunc({ inputs: { x: y }, backend, attrs: { shape } }) as TensorInfo;
      backend.disposeData(y.dataId);
      return out;
    };
    reduceFunc[FAST] = true;
    replaceKernel(name, backendName, reduceFunc);
    done.push(name);
  }
  return done;
}

function replaceKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  const orig = getKernel(kernelName, backendName);
  unregisterKernel(kernelName, backendName);
  registerKernel({
    kernelName,
    backendName,
    kernelFunc,
    ...(orig?.setupFunc ? { setupFunc: orig.setupFunc } : {}),
    ...(orig?.disposeFunc ? { disposeFunc: orig.disposeFunc } : {}),
  });
}
