import {
  BatchMatMul,
  type BatchMatMulAttrs,
  getKernel,
  type KernelBackend,
  type KernelFunc,
  Mean,
  Reshape,
  registerKernel,
  Sum,
  type TensorInfo,
  Transpose,
  unregisterKernel,
} from "@tensorflow/tfjs-core";

/** Marks a kernel function installed by {@link registerWasmFastPaths}. */
const FAST = Symbol.for("od.tf.wasmFastPath");

/**
 * Speeds up the wasm backend where its kernels take a slow path, with results equal up to float
 * summation order:
 * - `BatchMatMul` with `transposeA` or `transposeB` runs about 9× slower than without (measured:
 *   6400×128 · 128×128 takes 80 ms transposed vs 9 ms plain), and every matMul gradient uses those flags.
 *   The wrapper transposes the operand explicitly (a cheap memory pass) and multiplies without flags.
 * - `Sum` and `Mean` over leading axes (per-channel reductions of NHWC activations: batch-norm
 *   statistics and every broadcast gradient) transpose the whole tensor first. The wrapper computes them
 *   as one matrix product with a row of ones (`[1, R] · [R, C]`), which runs on the fast matMul path.
 * Call after `@tensorflow/tfjs-backend-wasm` is imported (`initBackend` does); idempotent.
 * @returns the kernel names that were wrapped.
 */
export function registerWasmFastPaths(backendName = "wasm"): string[] {
  const orig = getKernel(BatchMatMul, backendName);
  const transpose = getKernel(Transpose, backendName);
  if (orig === undefined || transpose === undefined) return [];
  const prev = orig.kernelFunc as KernelFunc & { [FAST]?: true };
  if (prev[FAST]) return [];
  const kernelFunc: KernelFunc & { [FAST]?: true } = (args) => {
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return prev(args);
    const backend = args.backend as KernelBackend;
    const swapLast = (t: TensorInfo): TensorInfo => {
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
  if (reshape === undefined) return done;
  for (const name of [Sum, Mean]) {
    const k = getKernel(name, backendName);
    if (k === undefined) continue;
    const prevReduce = k.kernelFunc;
    const reduceFunc: KernelFunc & { [FAST]?: true } = (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
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
      const x3 = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: [1, R, C] } }) as TensorInfo;
      const ones = backend.makeOutput(
        [1, 1, R],
        "float32",
        undefined,
        new Float32Array(R).fill(name === Mean ? 1 / R : 1),
      );
      const y = kernelFunc({
        inputs: { a: ones, b: x3 },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      backend.disposeData(x3.dataId);
      backend.disposeData(ones.dataId);
      const shape = keepDims ? x.shape.map((d, i) => (i < k0 ? 1 : d)) : x.shape.slice(k0);
      const out = reshape.kernelFunc({ inputs: { x: y }, backend, attrs: { shape } }) as TensorInfo;
      backend.disposeData(y.dataId);
      return out;
    };
    reduceFunc[FAST] = true;
    if ((prevReduce as KernelFunc & { [FAST]?: true })[FAST]) continue;
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
