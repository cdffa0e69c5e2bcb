/**
 * Pixel kernels over contiguous HWC buffers. No validation here: callers check sizes.
 */
import { allocLike, type PixelData, type Pixels } from "../image.js";

/** Resampling method. */
export type ResizeMethod = "bilinear" | "area";

const SHIFT = 11;
const ONE = 1 << SHIFT;
const ROUND2_4 = 1 << (2 * SHIFT - 5);

/**
 * Resizes `src` to `dw × dh` and writes it into `out` (an image `outW` pixels wide, same channels) at
 * `(ox, oy)`. Bilinear uses half-pixel centres: `sx = (x + 0.5) · W / dw − 0.5`, clamped to the edge
 * (OpenCV `INTER_LINEAR`; uint8 in 11-bit fixed point like OpenCV). Area averages the source footprint
 * of each output pixel when both axes shrink (OpenCV `INTER_AREA`), bilinear otherwise.
 */
export function resizeInto(
  src: Pixels,
  dw: number,
  dh: number,
  method: ResizeMethod,
  out: PixelData,
  outW: number,
  ox: number,
  oy: number,
): void {
  if (method === "area" && dw <= src.width && dh <= src.height) {
    resizeArea(src, dw, dh, out, outW, ox, oy);
  } else if (src.data instanceof Uint8Array && out instanceof Uint8Array) {
    resizeBilinearU8(src.data, src.width, src.height, src.channels, dw, dh, out, outW, ox, oy);
  } else {
    resizeBilinearF(src, dw, dh, out, outW, ox, oy);
  }
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

function fixedTaps(srcLen: number, dstLen: number): { i0: Int32Array; i1: Int32Array; w: Int32Array } {
  const t = bilinearTaps(srcLen, dstLen);
  return { i0: t.i0, i1: t.i1, w: Int32Array.from(t.a, (a) => Math.round(a * ONE)) };
}

/** One horizontally interpolated source row, 3 channels, fixed point (value · 2048). */
function hrow3(
  src: Uint8Array,
  base: number,
  s0: Int32Array,
  s1: Int32Array,
  wx: Int32Array,
  dw: number,
  row: Int32Array,
): void {
  for (let x = 0, k = 0; x < dw; x++, k += 3) {
    const a = base + (s0[x] as number);
    const b = base + (s1[x] as number);
    const w = wx[x] as number;
    const w0 = ONE - w;
    row[k] = (src[a] as number) * w0 + (src[b] as number) * w;
    row[k + 1] = (src[a + 1] as number) * w0 + (src[b + 1] as number) * w;
    row[k + 2] = (src[a + 2] as number) * w0 + (src[b + 2] as number) * w;
  }
}

/** One horizontally interpolated source row, any channel count. */
function hrowN(
  src: Uint8Array,
  base: number,
  s0: Int32Array,
  s1: Int32Array,
  wx: Int32Array,
  n: number,
  row: Int32Array,
): void {
  for (let k = 0; k < n; k++) {
    const p = src[base + (s0[k] as number)] as number;
    const w = wx[k] as number;
    row[k] = p * (ONE - w) + (src[base + (s1[k] as number)] as number) * w;
  }
}

function resizeBilinearU8(
  src: Uint8Array,
  W: number,
  H: number,
  C: number,
  dw: number,
  dh: number,
  out: Uint8Array,
  outW: number,
  ox: number,
  oy: number,
): void {
  const tx = fixedTaps(W, dw);
  const ty = fixedTaps(H, dh);
  const n = dw * C;
  const c3 = C === 3;
  // C = 3: per output pixel; otherwise per output element.
  const m = c3 ? dw : n;
  const s0 = new Int32Array(m);
  const s1 = new Int32Array(m);
  const wx = new Int32Array(m);
  for (let x = 0; x < dw; x++) {
    for (let c = 0; c < (c3 ? 1 : C); c++) {
      const k = c3 ? x : x * C + c;
      s0[k] = (tx.i0[x] as number) * C + c;
      s1[k] = (tx.i1[x] as number) * C + c;
      wx[k] = tx.w[x] as number;
    }
  }
  let rowA = new Int32Array(n);
  let rowB = new Int32Array(n);
  let ja = -1;
  let jb = -1;
  const rs = W * C;
  for (let y = 0; y < dh; y++) {
    const j0 = ty.i0[y] as number;
    const j1 = ty.i1[y] as number;
    if (ja !== j0) {
      if (jb === j0) {
        const t = rowA;
        rowA = rowB;
        rowB = t;
        jb = ja;
        ja = j0;
      } else {
        if (c3) hrow3(src, j0 * rs, s0, s1, wx, dw, rowA);
        else hrowN(src, j0 * rs, s0, s1, wx, n, rowA);
        ja = j0;
      }
    }
    if (jb !== j1) {
      if (c3) hrow3(src, j1 * rs, s0, s1, wx, dw, rowB);
      else hrowN(src, j1 * rs, s0, s1, wx, n, rowB);
      jb = j1;
    }
    const wy = ty.w[y] as number;
    const wy0 = ONE - wy;
    let d = ((oy + y) * outW + ox) * C;
    // (a·wy0 + b·wy) / 2^22 rounded; pre-shifted by 4 to stay in int32 (as OpenCV's VResizeLinear).
    for (let k = 0; k < n; k++, d++) {
      out[d] =
        ((((rowA[k] as number) * wy0) >> 4) + (((rowB[k] as number) * wy) >> 4) + ROUND2_4) >>
        (2 * SHIFT - 4);
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
      const p0 = base + (tx.i0[x] as number) * C;
      const p1 = base + (tx.i1[x] as number) * C;
      const a = tx.a[x] as number;
      for (let c = 0; c < C; c++) {
        const p = data[p0 + c] as number;
        row[x * C + c] = p + ((data[p1 + c] as number) - p) * a;
      }
    }
  };
  for (let y = 0; y < dh; y++) {
    hrow(ty.i0[y] as number, rowA);
    hrow(ty.i1[y] as number, rowB);
    const b = ty.a[y] as number;
    let d = ((oy + y) * outW + ox) * C;
    for (let k = 0; k < n; k++, d++) {
      const v = (rowA[k] as number) + ((rowB[k] as number) - (rowA[k] as number)) * b;
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
    const ys = ty.start[y] as number;
    const yc = ty.count[y] as number;
    const yw = ty.wStart[y] as number;
    for (let t = 0; t < yc; t++) {
      const j = ys + t;
      if (cached !== j) {
        const base = j * W * C;
        for (let x = 0; x < dw; x++) {
          const xs = tx.start[x] as number;
          const xc = tx.count[x] as number;
          const xw = tx.wStart[x] as number;
          for (let c = 0; c < C; c++) {
            let v = 0;
            for (let u = 0; u < xc; u++)
              v += (data[base + (xs + u) * C + c] as number) * (tx.w[xw + u] as number);
            row[x * C + c] = v;
          }
        }
        cached = j;
      }
      const wj = ty.w[yw + t] as number;
      for (let k = 0; k < n; k++) acc[k] = (acc[k] as number) + (row[k] as number) * wj;
    }
    let d = ((oy + y) * outW + ox) * C;
    for (let k = 0; k < n; k++, d++) {
      const v = acc[k] as number;
      out[d] = u8 ? Math.min(255, Math.max(0, Math.round(v))) : v;
    }
  }
}

/** Mirrors pixels left-right (`horizontal`) or top-bottom (`vertical`). */
export function flipPixels(src: Pixels, axis: "horizontal" | "vertical"): Pixels {
  const { data, width: W, height: H, channels: C } = src;
  const out = allocLike(data, data.length);
  const rs = W * C;
  if (axis === "vertical") {
    for (let y = 0; y < H; y++) out.set(data.subarray((H - 1 - y) * rs, (H - y) * rs), y * rs);
  } else if (C === 3) {
    for (let y = 0; y < H; y++) {
      const r = y * rs;
      for (let x = 0, d = r, s = r + rs - 3; x < W; x++, d += 3, s -= 3) {
        out[d] = data[s] as number;
        out[d + 1] = data[s + 1] as number;
        out[d + 2] = data[s + 2] as number;
      }
    }
  } else {
    for (let y = 0; y < H; y++) {
      const r = y * rs;
      for (let x = 0; x < W; x++) {
        const d = r + x * C;
        const s = r + (W - 1 - x) * C;
        for (let c = 0; c < C; c++) out[d + c] = data[s + c] as number;
      }
    }
  }
  return { data: out, width: W, height: H, channels: C };
}

/** Rotates pixels by k quarter turns clockwise: `k = 1` maps source pixel (col x, row y) to (col H−1−y, row x). */
export function rotatePixels(src: Pixels, k: 1 | 2 | 3): Pixels {
  const { data, width: W, height: H, channels: C } = src;
  const out = allocLike(data, data.length);
  const W2 = k === 2 ? W : H;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * C;
      let d: number;
      if (k === 1) d = (x * W2 + (H - 1 - y)) * C;
      else if (k === 2) d = ((H - 1 - y) * W + (W - 1 - x)) * C;
      else d = ((W - 1 - x) * W2 + y) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c] as number;
    }
  }
  return k === 2
    ? { data: out, width: W, height: H, channels: C }
    : { data: out, width: H, height: W, channels: C };
}

/**
 * Copies `src` onto a `tw × th` canvas shifted by integer `(dx, dy)`: `dst(x, y) = src(x − dx, y − dy)`
 * where that is inside `src`, else `fill` (per channel; zero when omitted).
 */
export function shiftPixels(
  src: Pixels,
  dx: number,
  dy: number,
  tw: number,
  th: number,
  fill?: ArrayLike<number>,
): Pixels {
  const { data, width: W, height: H, channels: C } = src;
  const out = allocLike(data, tw * th * C);
  if (fill !== undefined && Array.prototype.some.call(fill, (v: number) => v !== 0)) {
    for (let c = 0; c < C; c++) out[c] = fill[c] as number;
    let len = C;
    while (len < out.length) {
      out.copyWithin(len, 0, Math.min(len, out.length - len));
      len *= 2;
    }
  }
  const x0 = Math.max(0, dx);
  const x1 = Math.min(tw, W + dx);
  const y0 = Math.max(0, dy);
  const y1 = Math.min(th, H + dy);
  if (x1 > x0) {
    for (let y = y0; y < y1; y++) {
      const s = ((y - dy) * W + (x0 - dx)) * C;
      out.set(data.subarray(s, s + (x1 - x0) * C), (y * tw + x0) * C);
    }
  }
  return { data: out, width: tw, height: th, channels: C };
}

/** Per-channel mean of an image (float64). */
export function channelMean(src: Pixels): Float64Array {
  const { data, channels: C } = src;
  const m = new Float64Array(C);
  const n = data.length / C;
  if (C === 3) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < data.length; i += 3) {
      r += data[i] as number;
      g += data[i + 1] as number;
      b += data[i + 2] as number;
    }
    m[0] = r / n;
    m[1] = g / n;
    m[2] = b / n;
    return m;
  }
  for (let c = 0; c < C; c++) {
    let v = 0;
    for (let i = c; i < data.length; i += C) v += data[i] as number;
    m[c] = v / n;
  }
  return m;
}
