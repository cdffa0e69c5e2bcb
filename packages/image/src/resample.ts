/**
 * The resampling kernels over contiguous HWC buffers and lazy views: the one resampler every od package
 * resizes and letterboxes with (augmentation, training and prediction alike). No validation here:
 * callers check sizes.
 */
import type { Pixels } from "./pixels.js";
import { type FixedTaps, resizeBlockWasm } from "./resize-wasm.js";
import type { PixelData } from "./types.js";
import { identityView, isView, materialize, type Source, type View } from "./view.js";

/**
 * Resampling method: `bilinear` (half-pixel centres, OpenCV `INTER_LINEAR`) or `area` (OpenCV
 * `INTER_AREA` when both axes shrink, bilinear otherwise).
 */
export type ResizeMethod = "bilinear" | "area";

const SHIFT = 11;
const ONE = 1 << SHIFT;
const ROUND2_4 = 1 << (2 * SHIFT - 5);

/**
 * Resizes `src` to `dw × dh` and writes it into `out` (an image `outW` pixels wide, same channels) at
 * `(ox, oy)`. Bilinear uses half-pixel centres: `sx = (x + 0.5) · W / dw − 0.5`, clamped to the edge
 * (OpenCV `INTER_LINEAR`; uint8 in 11-bit fixed point like OpenCV). Area averages the source footprint
 * of each output pixel when both axes shrink (OpenCV `INTER_AREA`), bilinear otherwise. A lazy view is
 * read in place for uint8 bilinear (the common case) and materialised otherwise. uint8 bilinear runs the
 * block of output pixels whose taps all lie inside the view on a wasm SIMD kernel when the engine has one
 * (see resize-wasm.ts; same bytes), the rest in JS. When `dw × dh` equals the source size and the source
 * is packed pixels, the samples are copied unchanged (the bilinear weights are then all 0, so this is
 * the same result without the arithmetic).
 * @param src packed pixels or a lazy view, `"0-255"` (Uint8Array) or `"0-1"` (Float32Array).
 * @param out `[outH, outW, C]` buffer of the same type as the source; only the `dw × dh` block at
 *   `(ox, oy)` is written.
 */
export function resizeInto(
  src: Source,
  dw: number,
  dh: number,
  method: ResizeMethod,
  out: PixelData,
  outW: number,
  ox: number,
  oy: number,
): void {
  if (!isView(src) && dw === src.width && dh === src.height) {
    copyBlock(src, out, outW, ox, oy);
  } else if (method === "area" && dw <= src.width && dh <= src.height) {
    resizeArea(materialize(src), dw, dh, out, outW, ox, oy);
  } else if (out instanceof Uint8Array && (isView(src) ? src.src.data : src.data) instanceof Uint8Array) {
    resizeBilinearU8(isView(src) ? src : identityView(src), dw, dh, out, outW, ox, oy);
  } else {
    resizeBilinearF(materialize(src), dw, dh, out, outW, ox, oy);
  }
}

/** Copies packed pixels unchanged into `out` (`outW` wide) at `(ox, oy)`. */
function copyBlock(src: Pixels, out: PixelData, outW: number, ox: number, oy: number): void {
  const { data, width: W, height: H, channels: C } = src;
  if (W === outW && ox === 0) {
    out.set(data, oy * outW * C);
    return;
  }
  const rs = W * C;
  for (let y = 0; y < H; y++) out.set(data.subarray(y * rs, (y + 1) * rs), ((oy + y) * outW + ox) * C);
}

interface Taps {
  /** first source index (pixel) */
  readonly i0: Int32Array;
  /** second source index (pixel) */
  readonly i1: Int32Array;
  /** weight of the second, 0..1 */
  readonly a: Float64Array;
}

function bilinearTaps(srcLen: number, dstLen: number): Taps {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const a = new Float64Array(dstLen);
  const s = srcLen / dstLen;
  for (let x = 0; x < dstLen; x++) {
    let f = (x + 0.5) * s - 0.5;
    if (f < 0) f = 0;
    let i = Math.floor(f);
    let w = f - i;
    if (i >= srcLen - 1) {
      i = srcLen - 1;
      w = 0;
    }
    i0[x] = i;
    i1[x] = Math.min(i + 1, srcLen - 1);
    a[x] = w;
  }
  return { i0, i1, a };
}

/** {@link bilinearTaps} with the weight rounded to 11 bits (`round(a · 2048)`; a plain loop, no callback). */
function fixedTaps(srcLen: number, dstLen: number): FixedTaps {
  const t = bilinearTaps(srcLen, dstLen);
  const w = new Int32Array(dstLen);
  for (let x = 0; x < dstLen; x++) w[x] = Math.round(t.a[x]! * ONE);
  return { i0: t.i0, i1: t.i1, w };
}

/**
 * Fused uint8 bilinear resize of a view: every output value reads its 4 source values, interpolates
 * horizontally (`p·(2048 − wx) + q·wx`, 11-bit weights) and vertically as OpenCV's `VResizeLinear`
 * (`((a·wy0) >> 4) + ((b·wy) >> 4)`, rounded, `>> 18`). Taps outside the view's window read its fill.
 * Output rows never share work when downscaling, so no row cache is kept. Output columns `[xa, xb)` ×
 * rows `[ya, yb)` read no fill: that block goes to {@link resizeBlockWasm} first, and is computed here
 * only when it declines (no wasm SIMD, switched off, > 4 channels, sparse rows).
 */
function resizeBilinearU8(
  v: View,
  dw: number,
  dh: number,
  out: Uint8Array,
  outW: number,
  ox: number,
  oy: number,
): void {
  const C = v.channels;
  const sd = v.src.data as Uint8Array;
  const tx = fixedTaps(v.width, dw);
  const ty = fixedTaps(v.height, dh);
  const srs = v.src.width * C;
  // element offset of each column's taps inside a source row, −1 for fill
  const o0 = new Int32Array(dw);
  const o1 = new Int32Array(dw);
  let xa = -1;
  let xb = 0;
  for (let x = 0; x < dw; x++) {
    const i0 = tx.i0[x]!;
    const i1 = tx.i1[x]!;
    const in0 = i0 >= v.x0 && i0 < v.x1;
    const in1 = i1 >= v.x0 && i1 < v.x1;
    o0[x] = in0 ? (v.mx * i0 + v.bx) * C : -1;
    o1[x] = in1 ? (v.mx * i1 + v.bx) * C : -1;
    if (in0 && in1) {
      if (xa < 0) xa = x;
      xb = x + 1;
    }
  }
  if (xa < 0) xa = xb = 0;
  let oMax = 0;
  for (let x = xa; x < xb; x++) oMax = Math.max(oMax, o0[x]!, o1[x]!);
  // rows [ya, yb) read two rows inside the window; with [xa, xb) they form the block without fill taps
  let ya = 0;
  while (ya < dh && !(ty.i0[ya]! >= v.y0 && ty.i1[ya]! < v.y1)) ya++;
  let yb = ya;
  while (yb < dh && ty.i0[yb]! >= v.y0 && ty.i1[yb]! < v.y1) yb++;
  const inner = xb > xa && yb > ya && resizeBlockWasm(v, tx, ty, xa, xb, ya, yb, out, outW, ox, oy);
  const dv = new DataView(sd.buffer, sd.byteOffset, sd.byteLength);
  const fill = (v.fill as Uint8Array | undefined) ?? new Uint8Array(C);
  const wx = tx.w;
  for (let y = 0; y < dh; y++) {
    const j0 = ty.i0[y]!;
    const j1 = ty.i1[y]!;
    const r0 = j0 >= v.y0 && j0 < v.y1 ? (v.my * j0 + v.by) * srs : -1;
    const r1 = j1 >= v.y0 && j1 < v.y1 ? (v.my * j1 + v.by) * srs : -1;
    const wy = ty.w[y]!;
    const wy0 = ONE - wy;
    const d = ((oy + y) * outW + ox) * C;
    if (r0 >= 0 && r1 >= 0 && xb > xa) {
      rowEdge(sd, r0, r1, o0, o1, wx, 0, xa, wy0, wy, out, d, C, fill);
      // columns [xa, xb) are already written when the wasm kernel ran
      if (!inner) {
        if (C === 3 && Math.max(r0, r1) + oMax + 4 <= sd.length)
          row3w(dv, r0, r1, o0, o1, wx, xa, xb, wy0, wy, out, d + xa * 3);
        else if (C === 3) row3(sd, r0, r1, o0, o1, wx, xa, xb, wy0, wy, out, d + xa * 3);
        else rowN(sd, r0, r1, o0, o1, wx, xa, xb, wy0, wy, out, d + xa * C, C);
      }
      rowEdge(sd, r0, r1, o0, o1, wx, xb, dw, wy0, wy, out, d + xb * C, C, fill);
    } else {
      rowEdge(sd, r0, r1, o0, o1, wx, 0, dw, wy0, wy, out, d, C, fill);
    }
  }
}

/**
 * As {@link row3}, reading each source pixel with one little-endian 32-bit load (3 channels + one byte
 * of the next pixel, ignored): a quarter of the loads. The caller checks the 4th byte is in the buffer.
 */
function row3w(
  dv: DataView,
  r0: number,
  r1: number,
  o0: Int32Array,
  o1: Int32Array,
  wx: Int32Array,
  xa: number,
  xb: number,
  wy0: number,
  wy: number,
  out: Uint8Array,
  d: number,
): void {
  for (let x = xa; x < xb; x++, d += 3) {
    const p = o0[x]!;
    const q = o1[x]!;
    const w = wx[x]!;
    const a0 = dv.getUint32(r0 + p, true);
    const a1 = dv.getUint32(r0 + q, true);
    const b0 = dv.getUint32(r1 + p, true);
    const b1 = dv.getUint32(r1 + q, true);
    let u = a0 & 255;
    let v = b0 & 255;
    let A = (u << 11) + Math.imul((a1 & 255) - u, w);
    let B = (v << 11) + Math.imul((b1 & 255) - v, w);
    out[d] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    u = (a0 >>> 8) & 255;
    v = (b0 >>> 8) & 255;
    A = (u << 11) + Math.imul(((a1 >>> 8) & 255) - u, w);
    B = (v << 11) + Math.imul(((b1 >>> 8) & 255) - v, w);
    out[d + 1] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    u = (a0 >>> 16) & 255;
    v = (b0 >>> 16) & 255;
    A = (u << 11) + Math.imul(((a1 >>> 16) & 255) - u, w);
    B = (v << 11) + Math.imul(((b1 >>> 16) & 255) - v, w);
    out[d + 2] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
  }
}

/** Columns `[xa, xb)` of one output row, 3 channels, all taps inside the source. */
function row3(
  sd: Uint8Array,
  r0: number,
  r1: number,
  o0: Int32Array,
  o1: Int32Array,
  wx: Int32Array,
  xa: number,
  xb: number,
  wy0: number,
  wy: number,
  out: Uint8Array,
  d: number,
): void {
  for (let x = xa; x < xb; x++, d += 3) {
    const p = o0[x]!;
    const q = o1[x]!;
    const w = wx[x]!;
    const a = r0 + p;
    const b = r0 + q;
    const e = r1 + p;
    const f = r1 + q;
    let u = sd[a]!;
    let v = sd[e]!;
    let A = (u << 11) + Math.imul(sd[b]! - u, w);
    let B = (v << 11) + Math.imul(sd[f]! - v, w);
    out[d] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    u = sd[a + 1]!;
    v = sd[e + 1]!;
    A = (u << 11) + Math.imul(sd[b + 1]! - u, w);
    B = (v << 11) + Math.imul(sd[f + 1]! - v, w);
    out[d + 1] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    u = sd[a + 2]!;
    v = sd[e + 2]!;
    A = (u << 11) + Math.imul(sd[b + 2]! - u, w);
    B = (v << 11) + Math.imul(sd[f + 2]! - v, w);
    out[d + 2] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
  }
}

/** Columns `[xa, xb)` of one output row, any channel count, all taps inside the source. */
function rowN(
  sd: Uint8Array,
  r0: number,
  r1: number,
  o0: Int32Array,
  o1: Int32Array,
  wx: Int32Array,
  xa: number,
  xb: number,
  wy0: number,
  wy: number,
  out: Uint8Array,
  d: number,
  C: number,
): void {
  for (let x = xa; x < xb; x++) {
    const p = o0[x]!;
    const q = o1[x]!;
    const a = r0 + p;
    const b = r0 + q;
    const e = r1 + p;
    const f = r1 + q;
    const w = wx[x]!;
    for (let c = 0; c < C; c++, d++) {
      const u = sd[a + c]!;
      const v = sd[e + c]!;
      const A = (u << 11) + Math.imul(sd[b + c]! - u, w);
      const B = (v << 11) + Math.imul(sd[f + c]! - v, w);
      out[d] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    }
  }
}

/** Columns `[xa, xb)` of one output row where a tap may fall on the fill (row or column offset −1). */
function rowEdge(
  sd: Uint8Array,
  r0: number,
  r1: number,
  o0: Int32Array,
  o1: Int32Array,
  wx: Int32Array,
  xa: number,
  xb: number,
  wy0: number,
  wy: number,
  out: Uint8Array,
  d: number,
  C: number,
  fill: Uint8Array,
): void {
  for (let x = xa; x < xb; x++) {
    const p = o0[x]!;
    const q = o1[x]!;
    const w = wx[x]!;
    for (let c = 0; c < C; c++, d++) {
      const fc = fill[c]!;
      const u = r0 >= 0 && p >= 0 ? sd[r0 + p + c]! : fc;
      const u1 = r0 >= 0 && q >= 0 ? sd[r0 + q + c]! : fc;
      const v = r1 >= 0 && p >= 0 ? sd[r1 + p + c]! : fc;
      const v1 = r1 >= 0 && q >= 0 ? sd[r1 + q + c]! : fc;
      const A = (u << 11) + Math.imul(u1 - u, w);
      const B = (v << 11) + Math.imul(v1 - v, w);
      out[d] = ((Math.imul(A, wy0) >> 4) + (Math.imul(B, wy) >> 4) + ROUND2_4) >> 18;
    }
  }
}

function resizeBilinearF(
  src: Pixels,
  dw: number,
  dh: number,
  out: PixelData,
  outW: number,
  ox: number,
  oy: number,
): void {
  const { data, width: W, channels: C } = src;
  const tx = bilinearTaps(W, dw);
  const ty = bilinearTaps(src.height, dh);
  const n = dw * C;
  const u8 = out instanceof Uint8Array;
  const rowA = new Float64Array(n);
  const rowB = new Float64Array(n);
  const hrow = (j: number, row: Float64Array): void => {
    const base = j * W * C;
    for (let x = 0; x < dw; x++) {
      const p0 = base + tx.i0[x]! * C;
      const p1 = base + tx.i1[x]! * C;
      const a = tx.a[x]!;
      for (let c = 0; c < C; c++) {
        const p = data[p0 + c]!;
        row[x * C + c] = p + (data[p1 + c]! - p) * a;
      }
    }
  };
  for (let y = 0; y < dh; y++) {
    hrow(ty.i0[y]!, rowA);
    hrow(ty.i1[y]!, rowB);
    const b = ty.a[y]!;
    let d = ((oy + y) * outW + ox) * C;
    for (let k = 0; k < n; k++, d++) {
      const lo = rowA[k]!;
      const v = lo + (rowB[k]! - lo) * b;
      out[d] = u8 ? Math.min(255, Math.max(0, Math.round(v))) : v;
    }
  }
}

interface AreaTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly w: Float64Array;
  readonly wStart: Int32Array;
}

function areaTaps(srcLen: number, dstLen: number): AreaTaps {
  const s = srcLen / dstLen;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const wStart = new Int32Array(dstLen);
  const ws: number[] = [];
  for (let x = 0; x < dstLen; x++) {
    const a = x * s;
    const b = Math.min((x + 1) * s, srcLen);
    const i0 = Math.floor(a);
    const i1 = Math.min(Math.ceil(b), srcLen);
    start[x] = i0;
    wStart[x] = ws.length;
    let c = 0;
    for (let i = i0; i < i1; i++) {
      const ov = Math.min(b, i + 1) - Math.max(a, i);
      if (ov > 1e-12) {
        if (c === 0) start[x] = i;
        ws.push(ov / s);
        c++;
      }
    }
    count[x] = c;
  }
  return { start, count, w: Float64Array.from(ws), wStart };
}

function resizeArea(
  src: Pixels,
  dw: number,
  dh: number,
  out: PixelData,
  outW: number,
  ox: number,
  oy: number,
): void {
  const { data, width: W, channels: C } = src;
  const tx = areaTaps(W, dw);
  const ty = areaTaps(src.height, dh);
  const n = dw * C;
  const u8 = out instanceof Uint8Array;
  const row = new Float64Array(n);
  const acc = new Float64Array(n);
  let cached = -1;
  for (let y = 0; y < dh; y++) {
    acc.fill(0);
    const ys = ty.start[y]!;
    const yc = ty.count[y]!;
    const yw = ty.wStart[y]!;
    for (let t = 0; t < yc; t++) {
      const j = ys + t;
      if (cached !== j) {
        const base = j * W * C;
        for (let x = 0; x < dw; x++) {
          const xs = tx.start[x]!;
          const xc = tx.count[x]!;
          const xw = tx.wStart[x]!;
          for (let c = 0; c < C; c++) {
            let v = 0;
            for (let u = 0; u < xc; u++) v += data[base + (xs + u) * C + c]! * tx.w[xw + u]!;
            row[x * C + c] = v;
          }
        }
        cached = j;
      }
      const wj = ty.w[yw + t]!;
      for (let k = 0; k < n; k++) acc[k]! += row[k]! * wj;
    }
    let d = ((oy + y) * outW + ox) * C;
    for (let k = 0; k < n; k++, d++) {
      const v = acc[k]!;
      out[d] = u8 ? Math.min(255, Math.max(0, Math.round(v))) : v;
    }
  }
}
