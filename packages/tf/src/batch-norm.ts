/**
 * Training-mode batch normalisation (optionally followed by relu6) as one fused op with a hand-written
 * gradient. Written with elementwise tfjs ops, a BN + relu6 layer costs about ten passes over the
 * activation forward and twenty backward, and keeps five activation-sized tensors for the gradient;
 * here the forward is two passes (statistics, normalise + clip) and the backward two (sums, input
 * gradient), and only the layer's input is kept. On wasm the passes run on the backend's heap
 * (SIMD where the module loads); other backends run the elementwise composition, with the same values up
 * to float32 rounding.
 */
import {
  add,
  clipByValue,
  customGrad,
  div,
  engine,
  type GradSaveFunc,
  getKernel,
  type KernelFunc,
  moments,
  mul,
  type NamedAttrMap,
  neg,
  registerKernel,
  rsqrt,
  sub,
  type Tensor,
  type Tensor1D,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import { asHeapBackend, type Rows, type WasmHeapBackend, wasmRows } from "./depthwise-wasm.js";
import { TfError } from "./errors.js";
import { attrsAs } from "./internal/tfjs-internal.js";

/** Kernel: per-channel mean and biased variance of `x` `[..., C]` → `[C]`, `[C]`. */
export const BN_STATS = "OdBnStats";
/** Kernel: `y = act(x · scale + shift)` per channel; attr `relu6` (1: clip to [0, 6]). */
export const BN_AFFINE_ACT = "OdBnAffineAct";
/** Kernel: `Σ dz` and `Σ dz · (x − mean)` per channel, `dz = dy · act'(x · scale + shift)`. */
export const BN_GRAD_SUMS = "OdBnGradSums";
/** Kernel: `dx = a · dz + b · (x − mean) + c` per channel, `dz` as in {@link BN_GRAD_SUMS}. */
export const BN_GRAD_DX = "OdBnGradDx";

/** Options of {@link batchNormTrain}. */
export interface BatchNormTrainOptions {
  /** Added to the variance before the square root (default 1e-3). */
  readonly epsilon?: number;
  /** Apply relu6 (`min(max(y, 0), 6)`) to the output, fused into the same passes (default false). */
  readonly relu6?: boolean;
  /**
   * Called once with the batch's `[C]` mean and biased variance (not differentiated), e.g. to update
   * running averages with `variable.assign`. The tensors are disposed after the call returns.
   */
  readonly onStatistics?: (mean: Tensor1D, variance: Tensor1D) => void;
}

function fusedAvailable(x: Tensor): boolean {
  const name = engine().backendName;
  return (
    x.dtype === "float32" &&
    x.rank >= 2 &&
    x.size > 0 &&
    getKernel(BN_STATS, name) !== undefined &&
    getKernel(BN_AFFINE_ACT, name) !== undefined &&
    getKernel(BN_GRAD_SUMS, name) !== undefined &&
    getKernel(BN_GRAD_DX, name) !== undefined
  );
}

/** The elementwise composition (any backend): the values the fused kernels reproduce. */
function reference<T extends Tensor>(
  x: T,
  gamma: Tensor1D,
  beta: Tensor1D,
  eps: number,
  act: boolean,
  onStatistics: BatchNormTrainOptions["onStatistics"],
): T {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = moments(x, axes);
  onStatistics?.(mean as Tensor1D, variance as Tensor1D);
  const scale = mul(gamma, rsqrt(add(variance, eps)));
  const z = add(mul(sub(x, mean), scale), beta) as T;
  return act ? clipByValue(z, 0, 6) : z;
}

/** Typed errors for inputs the kernels would otherwise read out of bounds or turn into NaN. */
function checkBatchNormInputs(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): void {
  const bad = (argument: string, message: string, value: unknown): never => {
    throw new TfError("INVALID_ARGUMENT", `batchNormTrain: ${message}`, {
      details: { function: "batchNormTrain", argument, value },
    });
  };
  if (x.rank < 2) bad("x", `x must be [..., C] with rank ≥ 2; got shape [${x.shape.join(", ")}]`, x.shape);
  if (x.size === 0)
    bad("x", `x is empty (shape [${x.shape.join(", ")}]); a batch needs at least one row`, x.shape);
  if (x.dtype !== "float32") bad("x", `x must be float32; got ${x.dtype}`, x.dtype);
  const C = x.shape[x.rank - 1]!;
  for (const [name, t] of [
    ["gamma", gamma],
    ["beta", beta],
  ] as const) {
    if (t.rank !== 1 || t.shape[0] !== C)
      bad(name, `${name} must be [${C}] (the channels of x); got [${t.shape.join(", ")}]`, t.shape);
  }
  if (!(Number.isFinite(eps) && eps > 0))
    bad("options.epsilon", `options.epsilon must be finite and > 0; got ${eps}`, eps);
}

/**
 * Batch normalisation in training mode (Ioffe & Szegedy 2015) over the last axis:
 * `y = γ · (x − μ) / √(σ² + ε) + β` with the batch's per-channel mean μ and biased variance σ², then
 * relu6 when `options.relu6`. The gradient w.r.t. x includes the dependence of μ and σ² on x.
 * @param x `[..., C]` float32 (NHWC activations: `[B, H, W, C]`).
 * @param gamma `[C]` scale.
 * @param beta `[C]` offset.
 * @returns `y`, shape of x; differentiable w.r.t. `x`, `gamma` and `beta`.
 * @throws TfError `INVALID_ARGUMENT` when x is not float32, has rank < 2 or no rows, gamma or beta is
 * not `[C]`, or epsilon is not finite and > 0.
 */
export function batchNormTrain<T extends Tensor>(
  x: T,
  gamma: Tensor1D,
  beta: Tensor1D,
  options: BatchNormTrainOptions = {},
): T {
  const eps = options.epsilon ?? 1e-3;
  const act = options.relu6 ?? false;
  checkBatchNormInputs(x, gamma, beta, eps);
  if (!fusedAvailable(x)) return reference(x, gamma, beta, eps, act, options.onStatistics);
  const attrs: NamedAttrMap = { relu6: act ? 1 : 0 };
  const run = (name: string, inputs: Record<string, Tensor>, a: NamedAttrMap = {}) =>
    engine().runKernel(name, inputs, a) as unknown;
  const f = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [Tensor, Tensor, Tensor, GradSaveFunc];
    const [mean, variance] = run(BN_STATS, { x: xi }) as [Tensor1D, Tensor1D];
    options.onStatistics?.(mean, variance);
    const invstd = rsqrt(add(variance, eps));
    const scale = mul(g, invstd);
    const shift = sub(b, mul(mean, scale));
    const y = run(BN_AFFINE_ACT, { x: xi, scale, shift }, attrs) as Tensor;
    save([xi, mean, invstd, scale, shift]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sm, si, sc, sh] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
        const n = sx.size / sx.shape[sx.rank - 1]!;
        const [sumDz, sumDzXc] = run(BN_GRAD_SUMS, { x: sx, dy, scale: sc, shift: sh, mean: sm }, attrs) as [
          Tensor,
          Tensor,
        ];
        const dgamma = mul(sumDzXc, si);
        const kb = neg(mul(mul(sc, si), div(dgamma, n)));
        const kc = neg(mul(sc, div(sumDz, n)));
        const dx = run(
          BN_GRAD_DX,
          { x: sx, dy, scale: sc, shift: sh, mean: sm, a: sc, b: kb, c: kc },
          attrs,
        ) as Tensor;
        return [dx, dgamma, sumDz];
      },
    };
  });
  return f(x, gamma, beta) as T;
}

// ---- wasm kernels: plain loops over the backend's heap (channel-innermost NHWC) ----

type Heap = WasmHeapBackend;

function view(heap: Heap, t: TensorInfo): Float32Array {
  return heap.typedArrayFromHeap(t) as Float32Array;
}

function channels(t: TensorInfo): number {
  return t.shape[t.shape.length - 1]!;
}

/**
 * Runs a SIMD pass that adds into two `[C]` float64 sums at the start of a zeroed heap block (followed,
 * when `k` is given, by `k` as `[C]` float32), and returns the sums.
 */
function sumsOnHeap(
  heap: Heap,
  rows: Rows,
  C: number,
  run: (ptr: number) => void,
  k?: Float64Array,
): [Float64Array<ArrayBuffer>, Float64Array<ArrayBuffer>] {
  const ptr = heap.wasm._malloc(C * 16 + (k === undefined ? 0 : C * 4)) >>> 0; // unsigned above 2 GiB
  try {
    new Float64Array(rows.memory.buffer, ptr, 2 * C).fill(0);
    if (k !== undefined) new Float32Array(rows.memory.buffer, ptr + C * 16, C).set(k);
    run(ptr);
    const sums = new Float64Array(rows.memory.buffer, ptr, 2 * C);
    return [Float64Array.from(sums.subarray(0, C)), Float64Array.from(sums.subarray(C, 2 * C))];
  } finally {
    heap.wasm._free(ptr);
  }
}

/** Shifted sums (shift = first row) in float64: stable one-pass mean and variance. */
const statsKernel: KernelFunc = ({ inputs, backend }) => {
  const heap = asHeapBackend(backend);
  const { x } = inputs as { x: TensorInfo };
  const C = channels(x);
  const meanT = heap.makeOutput([C], "float32");
  const varT = heap.makeOutput([C], "float32");
  const xv = view(heap, x);
  const n = xv.length / C;
  const k = Float64Array.from(xv.subarray(0, C));
  let s1 = new Float64Array(C);
  let s2 = new Float64Array(C);
  const rows = wasmRows(heap);
  if (rows?.bnStats !== undefined && C % 4 === 0) {
    const bnStats = rows.bnStats;
    [s1, s2] = sumsOnHeap(heap, rows, C, (buf) => bnStats(view(heap, x).byteOffset, n, C / 4, buf), k);
  } else {
    for (let o = 0; o < xv.length; o += C) {
      for (let c = 0; c < C; c++) {
        const d = xv[o + c]! - k[c]!;
        s1[c]! += d;
        s2[c]! += d * d;
      }
    }
  }
  const mv = view(heap, meanT);
  const vv = view(heap, varT);
  for (let c = 0; c < C; c++) {
    const m1 = s1[c]! / n;
    mv[c] = k[c]! + m1;
    vv[c] = Math.max(0, s2[c]! / n - m1 * m1);
  }
  return [meanT, varT];
};

const affineKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const heap = asHeapBackend(backend);
  const { x, scale, shift } = inputs as { x: TensorInfo; scale: TensorInfo; shift: TensorInfo };
  const act = attrsAs<{ relu6: number }>(attrs).relu6 === 1;
  const out = heap.makeOutput([...x.shape], "float32");
  const C = channels(x);
  const xv = view(heap, x);
  const yv = view(heap, out);
  const sc = view(heap, scale);
  const sh = view(heap, shift);
  const rows = wasmRows(heap);
  if (rows?.bnAffine !== undefined && C % 4 === 0) {
    rows.bnAffine(
      xv.byteOffset,
      yv.byteOffset,
      xv.length / C,
      C / 4,
      sc.byteOffset,
      sh.byteOffset,
      act ? 1 : 0,
    );
    return out;
  }
  for (let o = 0; o < xv.length; o += C) {
    for (let c = 0; c < C; c++) {
      const v = Math.fround(Math.fround(xv[o + c]! * sc[c]!) + sh[c]!);
      yv[o + c] = act ? Math.min(Math.max(v, 0), 6) : v;
    }
  }
  return out;
};

const gradSumsKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const heap = asHeapBackend(backend);
  const { x, dy, scale, shift, mean } = inputs as Record<string, TensorInfo>;
  const act = attrsAs<{ relu6: number }>(attrs).relu6 === 1;
  const C = channels(x as TensorInfo);
  const s1T = heap.makeOutput([C], "float32");
  const s2T = heap.makeOutput([C], "float32");
  const xv = view(heap, x as TensorInfo);
  const dv = view(heap, dy as TensorInfo);
  const sc = view(heap, scale as TensorInfo);
  const sh = view(heap, shift as TensorInfo);
  const mu = view(heap, mean as TensorInfo);
  let s1 = new Float64Array(C);
  let s2 = new Float64Array(C);
  const rows = wasmRows(heap);
  if (rows?.bnGradSums !== undefined && C % 4 === 0) {
    const bnGradSums = rows.bnGradSums;
    [s1, s2] = sumsOnHeap(heap, rows, C, (acc) =>
      bnGradSums(
        xv.byteOffset,
        dv.byteOffset,
        xv.length / C,
        C / 4,
        sc.byteOffset,
        sh.byteOffset,
        mu.byteOffset,
        acc,
        act ? 1 : 0,
      ),
    );
  } else {
    for (let o = 0; o < xv.length; o += C) {
      for (let c = 0; c < C; c++) {
        const xi = xv[o + c]!;
        let d = dv[o + c]!;
        if (act) {
          const z = Math.fround(Math.fround(xi * sc[c]!) + sh[c]!);
          if (!(z > 0 && z <= 6)) d = 0;
        }
        s1[c]! += d;
        s2[c]! += d * (xi - mu[c]!);
      }
    }
  }
  view(heap, s1T).set(s1);
  view(heap, s2T).set(s2);
  return [s1T, s2T];
};

const gradDxKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const heap = asHeapBackend(backend);
  const t = inputs as Record<string, TensorInfo>;
  const act = attrsAs<{ relu6: number }>(attrs).relu6 === 1;
  const x = t.x as TensorInfo;
  const out = heap.makeOutput([...x.shape], "float32");
  const C = channels(x);
  const xv = view(heap, x);
  const dv = view(heap, t.dy as TensorInfo);
  const ov = view(heap, out);
  const [sc, sh, mu, ka, kb, kc] = (["scale", "shift", "mean", "a", "b", "c"] as const).map((k) =>
    view(heap, t[k]!),
  ) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const rows = wasmRows(heap);
  if (rows?.bnGradDx !== undefined && C % 4 === 0) {
    rows.bnGradDx(
      xv.byteOffset,
      dv.byteOffset,
      ov.byteOffset,
      xv.length / C,
      C / 4,
      sc.byteOffset,
      sh.byteOffset,
      mu.byteOffset,
      ka.byteOffset,
      kb.byteOffset,
      kc.byteOffset,
      act ? 1 : 0,
    );
    return out;
  }
  for (let o = 0; o < xv.length; o += C) {
    for (let c = 0; c < C; c++) {
      const xi = xv[o + c]!;
      let d = dv[o + c]!;
      if (act) {
        const z = Math.fround(Math.fround(xi * sc[c]!) + sh[c]!);
        if (!(z > 0 && z <= 6)) d = 0;
      }
      ov[o + c] = ka[c]! * d + kb[c]! * (xi - mu[c]!) + kc[c]!;
    }
  }
  return out;
};

/**
 * Registers the fused batch-norm kernels ({@link BN_STATS}, {@link BN_AFFINE_ACT}, {@link BN_GRAD_SUMS},
 * {@link BN_GRAD_DX}) on the wasm backend, which {@link batchNormTrain} uses when present. Runs on
 * `import "@od/tf"`; idempotent.
 * @returns whether they were registered now.
 */
export function registerBatchNormKernels(backendName = "wasm"): boolean {
  if (getKernel(BN_STATS, backendName) !== undefined) return false;
  registerKernel({ kernelName: BN_STATS, backendName, kernelFunc: statsKernel });
  registerKernel({ kernelName: BN_AFFINE_ACT, backendName, kernelFunc: affineKernel });
  registerKernel({ kernelName: BN_GRAD_SUMS, backendName, kernelFunc: gradSumsKernel });
  registerKernel({ kernelName: BN_GRAD_DX, backendName, kernelFunc: gradDxKernel });
  return true;
}
