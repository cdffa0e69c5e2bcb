/**
 * Pixel kernels of augmentation that are not resampling (resizing lives in @od/image). No validation
 * here: callers check sizes.
 */
import { allocLike, type Pixels } from "@od/image/kernels";

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
      for (let c = 0; c < C; c++) out[d + c] = data[s + c]!;
    }
  }
  return k === 2
    ? { data: out, width: W, height: H, channels: C }
    : { data: out, width: H, height: W, channels: C };
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
      r += data[i]!;
      g += data[i + 1]!;
      b += data[i + 2]!;
    }
    m[0] = r / n;
    m[1] = g / n;
    m[2] = b / n;
    return m;
  }
  for (let c = 0; c < C; c++) {
    let v = 0;
    for (let i = c; i < data.length; i += C) v += data[i]!;
    m[c] = v / n;
  }
  return m;
}
