/**
 * One-pass gradients of `clipByValue` and `relu6` on wasm. tfjs-core's gradient functions build the
 * mask from 4–5 kernels (clipByValue: GreaterEqual, LessEqual, LogicalAnd, ZerosLike, Select; relu6:
 * LessEqual, Step, Multiply, Cast, Multiply), each a pass over the activation. Here one kernel,
 * `OdRangeMaskGrad`, computes the result in one SIMD pass on the wasm heap; other backends (or when the
 * kernel is missing) run tfjs-core's exact formula.
 */
import {
  ClipByValue,
  type ClipByValueAttrs,
  cast,
  engine,
  getKernel,
  greaterEqual,
  type KernelFunc,
  lessEqual,
  logicalAnd,
  mul,
  Relu6,
  registerGradient,
  registerKernel,
  step,
  type Tensor,
  type TensorInfo,
  where,
  zerosLike,
} from "@tensorflow/tfjs-core";
import { asHeapBackend, wasmRows } from "./depthwise-wasm.js";
import { asNamedAttrMap, attrsAs } from "./internal/tfjs-internal.js";

/** Kernel `dy · [lo ≤ x ≤ hi]` (`open`: `lo < x`), the gradient of clipByValue (relu6 with `open`). */
export const RANGE_MASK_GRAD = "OdRangeMaskGrad";

interface RangeMaskAttrs {
  readonly lo: number;
  readonly hi: number;
  /** true: `lo < x ≤ hi` and `dy · mask` (relu6); false: `lo ≤ x ≤ hi` and `where(mask, dy, 0)` (clipByValue). */
  readonly open: boolean;
}

/** tfjs-core 4.22's own formulas (used where the kernel is not registered). */
function reference(x: Tensor, dy: Tensor, a: RangeMaskAttrs): Tensor {
  if (a.open) return mul(dy, cast(mul(lessEqual(x, a.hi), step(x)), "float32"));
  return where(logicalAnd(greaterEqual(x, a.lo), lessEqual(x, a.hi)), dy, zerosLike(dy));
}

function rangeMaskGrad(x: Tensor, dy: Tensor, a: RangeMaskAttrs): Tensor {
  const usable =
    x.dtype === "float32" &&
    dy.dtype === "float32" &&
    x.size === dy.size &&
    getKernel(RANGE_MASK_GRAD, engine().backendName) !== undefined &&
    (!a.open || a.lo === 0); // relu6's formula hardcodes step(x), i.e. lo = 0
  if (!usable) return reference(x, dy, a);
  return engine().runKernel(RANGE_MASK_GRAD, { x, dy }, asNamedAttrMap(a)) as Tensor;
}

const wasmKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrsAs<RangeMaskAttrs>(attrs);
  const heap = asHeapBackend(backend);
  const out = heap.makeOutput([...dy.shape], "float32");
  const rows = wasmRows(heap);
  const xv = heap.typedArrayFromHeap(x) as Float32Array;
  const dv = heap.typedArrayFromHeap(dy) as Float32Array;
  const ov = heap.typedArrayFromHeap(out) as Float32Array;
  const n = ov.length;
  const n4 = rows === undefined ? 0 : n >> 2;
  if (rows !== undefined && n4 > 0)
    rows.rangeGrad(xv.byteOffset, dv.byteOffset, ov.byteOffset, n4, a.lo, a.hi, a.open ? 1 : 0);
  const lo = Math.fround(a.lo);
  const hi = Math.fround(a.hi);
  for (let k = n4 * 4; k < n; k++) {
    const v = xv[k]!;
    const d = dv[k]!;
    ov[k] = a.open ? d * (v > lo && v <= hi ? 1 : 0) : v >= lo && v <= hi ? d : 0;
  }
  return out;
};

/**
 * Registers the one-pass `clipByValue` / `relu6` gradients: the `OdRangeMaskGrad` kernel on the wasm
 * backend and gradient functions for `ClipByValue` and `Relu6` that use it
 * where it is registered and tfjs-core's own formula elsewhere (same values; replaces tfjs-core's
 * gradient functions for these two kernels). Runs on `import "@od/tf"`; idempotent.
 * @returns whether the kernel was registered now (false when it already was).
 */
export function registerRangeMaskGradients(): boolean {
  const backendName = "wasm";
  registerGradient({
    kernelName: ClipByValue,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Tensor[];
      const { clipValueMin, clipValueMax } = attrsAs<ClipByValueAttrs>(attrs);
      return {
        x: () =>
          rangeMaskGrad(x as Tensor, dy as Tensor, { lo: clipValueMin, hi: clipValueMax, open: false }),
      };
    },
  });
  registerGradient({
    kernelName: Relu6,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved as Tensor[];
      return { x: () => rangeMaskGrad(x as Tensor, dy as Tensor, { lo: 0, hi: 6, open: true }) };
    },
  });
  registerGradient({
    kernelName: RANGE_MASK_GRAD,
    inputsToSave: ["x"],
    gradFunc: (ddy, saved, attrs) => {
      const [x] = saved as Tensor[];
      const a = attrsAs<RangeMaskAttrs>(attrs);
      return { x: () => zerosLike(x as Tensor), dy: () => rangeMaskGrad(x as Tensor, ddy as Tensor, a) };
    },
  });
  if (getKernel(RANGE_MASK_GRAD, backendName) !== undefined) return false;
  registerKernel({ kernelName: RANGE_MASK_GRAD, backendName, kernelFunc: wasmKernel });
  return true;
}
