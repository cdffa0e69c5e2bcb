/**
 * The depthwise convolution gradients run in place on tfjs-backend-wasm's heap by a small wasm SIMD
 * module (src/wasm/depthwise-grad.wat) that imports the backend's memory: no copies, 4 channels per
 * instruction. Used for channel multiplier 1 and C divisible by 4 (MobileNet's depthwise layers);
 * other shapes use the plain loops of depthwise-direct.ts.
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";
import type { DepthwiseGeometry } from "./depthwise-direct.js";
import { DEPTHWISE_GRAD_WASM, DEPTHWISE_GRAD_WASM_SHARED } from "./wasm/depthwise-grad-bytes.js";

/** What the kernels need of tfjs-backend-wasm's `BackendWasm` (found by duck typing). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): ArrayLike<number> & { readonly byteOffset: number };
  readonly wasm: {
    readonly asm?: { readonly memory?: unknown };
    /** The memory of the threaded build (imported by its module, so not in `asm`). */
    readonly wasmMemory?: unknown;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

/**
 * Typed boundary: a kernel's `backend` argument as the wasm backend's heap API. Only for kernels
 * registered on the wasm backend (or behind a duck-type check such as conv-backprop's `heapBackend`).
 */
export function asHeapBackend(backend: unknown): WasmHeapBackend {
  return backend as WasmHeapBackend;
}

type RowFn = (x0: number, d0: number, a0: number, n: number, c4: number, xs: number, ds: number) => void;

type RangeFn = (x: number, dy: number, out: number, n4: number, lo: number, hi: number, open: number) => void;

/** The exports of src/wasm/depthwise-grad.wat, bound to one backend memory. */
export interface Rows {
  readonly memory: WebAssembly.Memory;
  readonly filterRow: RowFn;
  readonly inputRow: RowFn;
  readonly rangeGrad: RangeFn;
  /** Hardswish of `n4` blocks of 4 float32 (./hard-swish.ts); absent in modules built without it. */
  readonly hardSwish?: (x: number, out: number, n4: number) => void;
  /** `[r, c]` → `[c, r]` float32 transpose, r and c multiples of 4 (./wasm-fast-paths.ts). */
  readonly transpose2d?: (src: number, dst: number, r: number, c: number) => void;
  /** Batch-norm passes (./batch-norm.ts); absent in modules built without them. */
  readonly bnStats?: (x: number, n: number, c4: number, buf: number) => void;
  readonly bnAffine?: (
    x: number,
    y: number,
    n: number,
    c4: number,
    sc: number,
    sh: number,
    act: number,
  ) => void;
  readonly bnGradSums?: (
    x: number,
    dy: number,
    n: number,
    c4: number,
    sc: number,
    sh: number,
    mu: number,
    acc: number,
    act: number,
  ) => void;
  readonly bnGradDx?: (
    x: number,
    dy: number,
    out: number,
    n: number,
    c4: number,
    sc: number,
    sh: number,
    mu: number,
    a: number,
    b: number,
    c: number,
    act: number,
  ) => void;
}

const instances = new WeakMap<WebAssembly.Memory, Rows | null>();

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The SIMD row functions bound to `backend`'s memory; `undefined` without wasm SIMD or heap access. */
export function wasmRows(backend: WasmHeapBackend): Rows | undefined {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (typeof WebAssembly === "undefined" || !(memory instanceof WebAssembly.Memory)) return undefined;
  let rows = instances.get(memory);
  if (rows === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
      const bytes = decode(shared ? DEPTHWISE_GRAD_WASM_SHARED : DEPTHWISE_GRAD_WASM);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
        env: { memory },
      });
      const e = inst.exports as unknown as Omit<Rows, "memory">;
      rows = { memory, ...e };
    } catch {
      rows = null; // no SIMD (old browser): the callers use the plain loops
    }
    instances.set(memory, rows);
  }
  return rows ?? undefined;
}

/** Output columns `j` whose input column `j·sw + q·dw − left` lies inside `[0, w)`. */
function colRange(g: DepthwiseGeometry, q: number): [number, number] {
  const off = q * g.dw - g.left;
  const j0 = off >= 0 ? 0 : Math.ceil(-off / g.sw);
  const j1 = Math.min(g.outW, Math.floor((g.w - 1 - off) / g.sw) + 1);
  return [j0, j1];
}

/** Whether the SIMD path handles `g`: channel multiplier 1, channels a multiple of 4. */
export function wasmDepthwiseSupported(g: DepthwiseGeometry): boolean {
  return g.m === 1 && g.c % 4 === 0 && g.c > 0;
}

/**
 * Depthwise filter gradient (see `depthwiseFilterGradDirect`) on the wasm heap: `x` `[B, H, W, C]`,
 * `dy` `[B, outH, outW, C]`, `out` `[kh, kw, C, 1]`, all float32 tensors of `backend`. Row sums are
 * formed in float32 (≤ outW terms), the total in float64.
 */
export function depthwiseFilterGradWasm(
  backend: WasmHeapBackend,
  rows: Rows,
  x: TensorInfo,
  dy: TensorInfo,
  g: DepthwiseGeometry,
  out: TensorInfo,
): void {
  const { b: nb, h, w, c, outH, outW, kh, kw, sh, sw, dh, top } = g;
  const n = kh * kw * c;
  const acc = backend.wasm._malloc(n * 8) >>> 0; // heap pointers above 2 GiB come back negative (signed i32)
  try {
    new Float64Array(rows.memory.buffer, acc, n).fill(0);
    const xBase = backend.typedArrayFromHeap(x).byteOffset;
    const dBase = backend.typedArrayFromHeap(dy).byteOffset;
    const ranges = Array.from({ length: kw }, (_, q) => colRange(g, q));
    const c4 = c / 4;
    const cb = c * 4; // bytes per pixel
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < outH; i++) {
        const dRow = dBase + (b * outH + i) * outW * cb;
        for (let p = 0; p < kh; p++) {
          const row = i * sh + p * dh - top;
          if (row < 0 || row >= h) continue;
          const xRow = xBase + (b * h + row) * w * cb;
          for (let q = 0; q < kw; q++) {
            const [j0, j1] = ranges[q] as [number, number];
            if (j1 <= j0) continue;
            const col = j0 * sw + q * g.dw - g.left;
            rows.filterRow(
              xRow + col * cb,
              dRow + j0 * cb,
              acc + (p * kw + q) * c * 8,
              j1 - j0,
              c4,
              sw * cb,
              cb,
            );
          }
        }
      }
    }
    const o = backend.typedArrayFromHeap(out) as Float32Array;
    o.set(new Float64Array(rows.memory.buffer, acc, n));
  } finally {
    backend.wasm._free(acc);
  }
}

/**
 * Depthwise input gradient (see `depthwiseInputGradDirect`) on the wasm heap: `dy`
 * `[B, outH, outW, C]`, `filter` `[kh, kw, C, 1]`, `out` `[B, H, W, C]`, float32 tensors of `backend`.
 */
export function depthwiseInputGradWasm(
  backend: WasmHeapBackend,
  rows: Rows,
  dy: TensorInfo,
  filter: TensorInfo,
  g: DepthwiseGeometry,
  out: TensorInfo,
): void {
  const { b: nb, h, w, c, outH, outW, kh, kw, sh, sw, dh, top } = g;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  o.fill(0);
  const xBase = o.byteOffset;
  const dBase = backend.typedArrayFromHeap(dy).byteOffset;
  const fBase = backend.typedArrayFromHeap(filter).byteOffset;
  const ranges = Array.from({ length: kw }, (_, q) => colRange(g, q));
  const c4 = c / 4;
  const cb = c * 4;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < outH; i++) {
      const dRow = dBase + (b * outH + i) * outW * cb;
      for (let p = 0; p < kh; p++) {
        const row = i * sh + p * dh - top;
        if (row < 0 || row >= h) continue;
        const xRow = xBase + (b * h + row) * w * cb;
        for (let q = 0; q < kw; q++) {
          const [j0, j1] = ranges[q] as [number, number];
          if (j1 <= j0) continue;
          const col = j0 * sw + q * g.dw - g.left;
          rows.inputRow(xRow + col * cb, dRow + j0 * cb, fBase + (p * kw + q) * cb, j1 - j0, c4, sw * cb, cb);
        }
      }
    }
  }
}
