/**
 * Hardswish inference in one pass on wasm. The composite of ./activations.ts is four kernels (add,
 * clipByValue, mul, mul), each a pass over the activation and a new tensor; MobileNetV3 applies it to
 * most of its feature maps. `OdHardSwish` computes the same float32 values in one SIMD pass on the wasm
 * heap. It has no gradient: `hardSwish` runs it only where no gradient is being recorded.
 */
import { getKernel, type KernelFunc, registerKernel, type TensorInfo } from "@tensorflow/tfjs-core";
import { asHeapBackend, wasmRows } from "./depthwise-wasm.js";

/** Kernel name of the one-pass hardswish (wasm backend, float32, no gradient). */
export const HARD_SWISH = "OdHardSwish";

const SIXTH = Math.fround(1 / 6);

/** One element of the composite, with its float32 roundings: `x · (clamp(x + 3, 0, 6) · f32(1/6))`. */
export function hardSwishScalar(x: number): number {
  const c = Math.min(Math.max(Math.fround(x + 3), 0), 6);
  return Math.fround(x * Math.fround(c * SIXTH));
}

const wasmKernel: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  const heap = asHeapBackend(backend);
  const out = heap.makeOutput([...x.shape], "float32");
  const rows = wasmRows(heap);
  // views taken after makeOutput, which may grow the heap
  const xv = heap.typedArrayFromHeap(x) as Float32Array;
  const ov = heap.typedArrayFromHeap(out) as Float32Array;
  const n = ov.length;
  const simd = rows?.hardSwish;
  const n4 = simd === undefined ? 0 : n >> 2;
  if (simd !== undefined && n4 > 0) simd(xv.byteOffset, ov.byteOffset, n4);
  for (let k = n4 * 4; k < n; k++) ov[k] = hardSwishScalar(xv[k]!);
  return out;
};

/**
 * Registers `OdHardSwish` on the wasm backend. Runs on `import "@od/tf"`; idempotent.
 * @returns whether the kernel was registered now (false when it already was).
 */
export function registerHardSwishKernel(): boolean {
  if (getKernel(HARD_SWISH, "wasm") !== undefined) return false;
  registerKernel({ kernelName: HARD_SWISH, backendName: "wasm", kernelFunc: wasmKernel });
  return true;
}
