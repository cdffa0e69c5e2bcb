/**
 * Lazy integer views. Shifts (crop, expand, translate) and flips only move pixels, so consecutive ones
 * compose into one map `V(x, y) = src(mx·x + bx, my·y + by)` inside a window, a constant fill outside.
 * A step that resamples (letterbox, resize) reads the view directly; anything else materialises it once.
 * The bytes are exactly those of materialising every step (same fill conversion, same pixels).
 */
import { allocLike, type Pixels } from "./pixels.js";
import type { PixelData } from "./types.js";

/** A lazily shifted / flipped image. */
export interface View {
  readonly kind: "view";
  /** The contiguous pixels the view reads. */
  readonly src: Pixels;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Column map `sx = mx·x + bx`. */
  readonly mx: 1 | -1;
  readonly bx: number;
  /** Row map `sy = my·y + by`. */
  readonly my: 1 | -1;
  readonly by: number;
  /** Window `[x0, x1) × [y0, y1)` (view coordinates) where the map applies; fill elsewhere. */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Per-channel fill, converted to the dtype (undefined: zeros). */
  readonly fill: PixelData | undefined;
}

/** Pixels, or a lazy view of pixels. */
export type Source = Pixels | View;

/** Whether `s` is a lazy {@link View} (`kind: "view"`) rather than contiguous pixels. */
export function isView(s: Source): s is View {
  return (s as Partial<View>).kind === "view";
}

/** The view of `px` that maps each pixel to itself (`mx = my = 1`, no offset, no fill). */
export function identityView(px: Pixels): View {
  return {
    kind: "view",
    src: px,
    width: px.width,
    height: px.height,
    channels: px.channels,
    mx: 1,
    bx: 0,
    my: 1,
    by: 0,
    x0: 0,
    y0: 0,
    x1: px.width,
    y1: px.height,
    fill: undefined,
  };
}

function asView(s: Source): View {
  return isView(s) ? s : identityView(s);
}

/** Fill values converted to the dtype of `like` (as assigning them to the buffer would); undefined for zeros. */
function convertFill(like: PixelData, fill: ArrayLike<number> | undefined, C: number): PixelData | undefined {
  if (fill === undefined) return undefined;
  const f = allocLike(like, C);
  let zero = true;
  for (let c = 0; c < C; c++) {
    f[c] = fill[c]!;
    if (f[c] !== 0) zero = false;
  }
  return zero ? undefined : f;
}

function sameFill(a: PixelData | undefined, b: PixelData | undefined, C: number): boolean {
  for (let c = 0; c < C; c++) if ((a === undefined ? 0 : a[c]) !== (b === undefined ? 0 : b[c])) return false;
  return true;
}

/**
 * `dst(x, y) = src(x − dx, y − dy)` on a `tw × th` canvas, `fill` where that is outside `src` (as
 * `shiftPixels`), lazily. Materialises first when the view already has a fill region that stays
 * visible and differs from `fill`.
 */
export function shiftSource(
  s: Source,
  dx: number,
  dy: number,
  tw: number,
  th: number,
  fill?: ArrayLike<number>,
): View {
  let v = asView(s);
  const f = convertFill(v.src.data, fill, v.channels);
  // visible part of the old view on the new canvas, in new coordinates
  const vx0 = Math.max(0, dx);
  const vy0 = Math.max(0, dy);
  const vx1 = Math.min(tw, v.width + dx);
  const vy1 = Math.min(th, v.height + dy);
  let x0 = Math.max(vx0, v.x0 + dx);
  let y0 = Math.max(vy0, v.y0 + dy);
  let x1 = Math.min(vx1, v.x1 + dx);
  let y1 = Math.min(vy1, v.y1 + dy);
  const oldFillVisible = vx1 > vx0 && vy1 > vy0 && (x0 !== vx0 || y0 !== vy0 || x1 !== vx1 || y1 !== vy1);
  if (oldFillVisible && !sameFill(v.fill, f, v.channels)) {
    v = identityView(materialize(v));
    x0 = vx0;
    y0 = vy0;
    x1 = vx1;
    y1 = vy1;
  }
  if (x1 < x0) x1 = x0;
  if (y1 < y0) y1 = y0;
  return {
    ...v,
    width: tw,
    height: th,
    bx: v.bx - v.mx * dx,
    by: v.by - v.my * dy,
    x0,
    y0,
    x1,
    y1,
    fill: f,
  };
}

/** Mirrors a source left-right or top-bottom, lazily. */
export function flipSource(s: Source, axis: "horizontal" | "vertical"): View {
  const v = asView(s);
  if (axis === "horizontal") {
    return {
      ...v,
      mx: v.mx === 1 ? -1 : 1,
      bx: v.bx + v.mx * (v.width - 1),
      x0: v.width - v.x1,
      x1: v.width - v.x0,
    };
  }
  return {
    ...v,
    my: v.my === 1 ? -1 : 1,
    by: v.by + v.my * (v.height - 1),
    y0: v.height - v.y1,
    y1: v.height - v.y0,
  };
}

/** Contiguous pixels of a source (views are rendered; pixels are returned as they are). */
export function materialize(s: Source): Pixels {
  if (!isView(s)) return s;
  const { src, width: W, height: H, channels: C, fill } = s;
  const sd = src.data;
  const out = allocLike(sd, W * H * C);
  const rs = W * C;
  if (fill !== undefined && out.length > 0) {
    for (let c = 0; c < C; c++) out[c] = fill[c]!;
    let len = C;
    while (len < out.length) {
      out.copyWithin(len, 0, Math.min(len, out.length - len));
      len *= 2;
    }
  }
  const n = s.x1 - s.x0;
  if (n <= 0 || s.y1 <= s.y0) return { data: out, width: W, height: H, channels: C };
  const srs = src.width * C;
  for (let y = s.y0; y < s.y1; y++) {
    const srow = (s.my * y + s.by) * srs;
    const d = y * rs + s.x0 * C;
    if (s.mx === 1) {
      const a = srow + (s.bx + s.x0) * C;
      out.set(sd.subarray(a, a + n * C), d);
    } else {
      // source pixels bx − x0 down to bx − x1 + 1
      reverseCopy(sd, srow + (s.bx - s.x1 + 1) * C, out, d, n, C);
    }
  }
  return { data: out, width: W, height: H, channels: C };
}

/**
 * Writes the `n` pixels starting at `src[s]` to `out[d]` in reverse order. For 3-channel uint8 rows at
 * 4-byte aligned offsets, 4 pixels (3 words) move per step with byte shuffles.
 */
function reverseCopy(src: PixelData, s: number, out: PixelData, d: number, n: number, C: number): void {
  if (C === 3 && src instanceof Uint8Array && out instanceof Uint8Array) {
    const sb = src.byteOffset + s;
    const db = out.byteOffset + d;
    const blocks = n >> 2;
    if (blocks > 0 && (sb & 3) === 0 && (db & 3) === 0 && (n & 3) === 0) {
      const sw = new Uint32Array(src.buffer, sb, blocks * 3);
      const dw = new Uint32Array(out.buffer, db, blocks * 3);
      // dest block k (pixels 4k..4k+3) = reversed source block (blocks − 1 − k)
      for (let k = 0, j = (blocks - 1) * 3; k < blocks * 3; k += 3, j -= 3) {
        const u0 = sw[j]!;
        const u1 = sw[j + 1]!;
        const u2 = sw[j + 2]!;
        // little endian: source A B C D = [Ar Ag Ab Br] [Bg Bb Cr Cg] [Cb Dr Dg Db] -> D C B A
        dw[k] = (u2 >>> 8) | ((u1 << 8) & 0xff000000);
        dw[k + 1] = (u1 >>> 24) | ((u2 & 0xff) << 8) | ((u0 >>> 24) << 16) | ((u1 & 0xff) << 24);
        dw[k + 2] = ((u1 >>> 8) & 0xff) | (u0 << 8);
      }
      return;
    }
    for (let x = 0, q = s + (n - 1) * 3; x < n; x++, d += 3, q -= 3) {
      out[d] = src[q]!;
      out[d + 1] = src[q + 1]!;
      out[d + 2] = src[q + 2]!;
    }
    return;
  }
  for (let x = 0; x < n; x++) {
    const q = s + (n - 1 - x) * C;
    for (let c = 0; c < C; c++) out[d + x * C + c] = src[q + c]!;
  }
}
