/**
 * The inner block of the uint8 bilinear resize on a small wasm SIMD module (src/wasm/resize-bilinear.wat):
 * one output pixel (≤ 4 channels) in i32x4 lanes, four pixels per step. The source rows the block reads
 * are copied into the module's memory and the output block is copied back into the canvas; the memory is
 * kept between calls and grows when needed (up to 1 GiB; it never shrinks). The bytes equal those of the
 * JS kernel (`resizeBilinearU8` in resample.ts), which stays the fallback: without WebAssembly, without
 * SIMD (the module fails to compile), for more than 4 channels, for strong horizontal downscaling (the
 * copy would dominate), or when {@link setResizeWasm} turned it off. The module is compiled synchronously
 * at first use (it is < 1 KiB, under browsers' main-thread limit).
 */

import type { View } from "./view.js";
import { RESIZE_BILINEAR_WASM } from "./wasm/resize-bilinear-bytes.js";

/** Fixed-point taps along one axis: source indices `i0`, `i1` and the 11-bit weight `w` (0..2048) of `i1`. */
export interface FixedTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w: Int32Array;
}

type BilinearFn = (
  rows: number,
  nrows: number,
  cols: number,
  n: number,
  masks: number,
  dst: number,
  c: number,
) => void;

interface Kernel {
  readonly memory: WebAssembly.Memory;
  readonly bilinear: BilinearFn;
  u8: Uint8Array;
  i32: Int32Array;
}

/** Largest memory the kernel grows to, bytes; bigger blocks use the JS kernel. */
const MAX_BYTES = 1 << 30;
const PAGE = 65536;
/**
 * Source bytes copied per output byte of a row above which the JS kernel runs instead (measured
 * crossover: 4000 → 300 columns, ≈ 13, runs as fast either way; 1920 → 300, ≈ 6.4, is 1.5× faster in wasm).
 */
const SPARSE = 10;

/** `undefined`: not loaded yet; `null`: unavailable (no WebAssembly or no SIMD). */
let kernel: Kernel | null | undefined;
let enabled = true;
let blocks = 0;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Compiles and instantiates the module once. */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly === "object") {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(decode(RESIZE_BILINEAR_WASM)), {});
      const e = inst.exports as unknown as { memory: WebAssembly.Memory; bilinear: BilinearFn };
      const buf = e.memory.buffer;
      kernel = { memory: e.memory, bilinear: e.bilinear, u8: new Uint8Array(buf), i32: new Int32Array(buf) };
    }
  } catch {
    kernel = null; // no SIMD (old engine) or wasm disallowed (CSP): the JS kernel runs
  }
  return kernel;
}

/**
 * Turns the wasm kernel on (default) or off for this module instance; returns the previous setting.
 * Output bytes do not depend on it. For tests and benchmarks.
 */
export function setResizeWasm(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** Whether uint8 bilinear blocks currently run in wasm (enabled and the module loaded). For tests and benchmarks. */
export function resizeWasmActive(): boolean {
  return enabled && load() !== null;
}

/** Number of blocks the wasm kernel has resized so far in this module instance. For tests and benchmarks. */
export function resizeWasmBlocks(): number {
  return blocks;
}

/** Grows the memory to at least `bytes`; false when that is not possible. */
function reserve(k: Kernel, bytes: number): boolean {
  if (bytes > MAX_BYTES) return false;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      k.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return false;
    }
  }
  if (k.u8.buffer !== k.memory.buffer) {
    k.u8 = new Uint8Array(k.memory.buffer);
    k.i32 = new Int32Array(k.memory.buffer);
  }
  return true;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * The kernel's masks per channel count C (index C − 1): a swizzle spreading a tap pair's 8 bytes into
 * i16 lanes `[lo pixel ch k, hi pixel ch k]` (k < C; 0x80 reads as zero), and one packing 4 pixels × 4
 * lanes (byte 4q + k) into 4·C output bytes.
 */
const MASKS: readonly Uint8Array[] = [1, 2, 3, 4].map((C) => {
  const m = new Uint8Array(32).fill(0x80);
  for (let k = 0; k < C; k++) {
    m[4 * k] = k;
    m[4 * k + 2] = C + k;
  }
  for (let t = 0; t < 4 * C; t++) m[16 + t] = 4 * Math.floor(t / C) + (t % C);
  return m;
});

/**
 * Resizes output columns `[xa, xb)` × rows `[ya, yb)` of a uint8 bilinear resize of view `v` (taps `tx`,
 * `ty` as the JS kernel's; every tap of the block inside the view's window) into `out`, an image `outW`
 * pixels wide, at `(ox, oy)`. Same bytes as the JS kernel.
 * @returns false (nothing written) when the wasm kernel is off or unavailable, the view has more than 4
 * channels, the block's rows span more than 10 source bytes per output byte, or it would need more than
 * 1 GiB of wasm memory: the caller runs the JS kernel.
 */
export function resizeBlockWasm(
  v: View,
  tx: FixedTaps,
  ty: FixedTaps,
  xa: number,
  xb: number,
  ya: number,
  yb: number,
  out: Uint8Array,
  outW: number,
  ox: number,
  oy: number,
): boolean {
  const C = v.channels;
  if (!enabled || C < 1 || C > 4) return false;
  const k = load();
  if (k === null) return false;
  const n = xb - xa;
  const nr = yb - ya;
  const { mx, bx, my, by } = v;
  const srs = v.src.width * C;
  // source columns the block reads: view columns i0[xa] .. i1[xb − 1]
  const ca = mx * tx.i0[xa]! + bx;
  const cb = mx * tx.i1[xb - 1]! + bx;
  const colLo = Math.min(ca, cb);
  const span = (Math.max(ca, cb) + 1 - colLo) * C;
  const rowBytes = n * C;
  // strong horizontal downscaling reads a few pixels of each copied row: the JS kernel is as fast there
  if (span > SPARSE * rowBytes) return false;
  // layout (16-byte aligned): row table | column table | masks | output block (+ slack) | slack | source
  // rows | slack
  const rowsP = 0;
  const colsP = align16(rowsP + nr * 16);
  const masksP = colsP + n * 32;
  const dstP = masksP + 32;
  const srcP = align16(dstP + nr * rowBytes + 16) + 16;
  const maxRows = Math.min(2 * nr, v.height);
  if (!reserve(k, srcP + maxRows * span + 16)) return false;
  const { u8, i32 } = k;
  u8.set(MASKS[C - 1]!, masksP);
  // columns: offset of the pair's lower-address pixel in the copied span, weights in address order
  const sub = colLo * C + (mx === 1 ? 0 : C);
  for (let x = xa, p = colsP >> 2; x < xb; x++, p += 8) {
    const w = tx.w[x]!;
    const pw = mx === 1 ? (2048 - w) | (w << 16) : w | ((2048 - w) << 16);
    i32[p] = (mx * tx.i0[x]! + bx) * C - sub;
    i32[p + 4] = pw;
    i32[p + 5] = pw;
    i32[p + 6] = pw;
    i32[p + 7] = pw;
  }
  // rows: each distinct view row the block reads is copied once (runs of whole contiguous rows at once)
  const sd = v.src.data as Uint8Array;
  const whole = my === 1 && span === srs;
  let count = 0;
  let last = -1;
  let runS = 0;
  let runK = 0;
  let runN = 0;
  const flush = (): void => {
    const a = runS * srs + colLo * C;
    if (runN > 0) u8.set(sd.subarray(a, a + (runN - 1) * srs + span), srcP + runK * span);
  };
  const take = (j: number): void => {
    if (j <= last) return;
    const s = my * j + by;
    if (whole && runN > 0 && s === runS + runN) runN++;
    else {
      flush();
      runS = s;
      runK = count;
      runN = 1;
    }
    last = j;
    count++;
  };
  // j1 is j0 or j0 + 1, and both only grow with y: the pair is always the last one or two rows copied
  for (let y = ya, p = rowsP >> 2; y < yb; y++, p += 4) {
    const j0 = ty.i0[y]!;
    const j1 = ty.i1[y]!;
    take(j0);
    take(j1);
    i32[p] = srcP + (count - (j1 > j0 ? 2 : 1)) * span;
    i32[p + 1] = srcP + (count - 1) * span;
    i32[p + 2] = ty.w[y]!;
  }
  flush();
  k.bilinear(rowsP, nr, colsP, n, masksP, dstP, C);
  blocks++;
  if (n === outW) {
    out.set(u8.subarray(dstP, dstP + nr * rowBytes), (oy + ya) * outW * C);
  } else {
    for (let y = 0; y < nr; y++) {
      const s = dstP + y * rowBytes;
      out.set(u8.subarray(s, s + rowBytes), ((oy + ya + y) * outW + ox + xa) * C);
    }
  }
  return true;
}
