import { describeValue } from "@od/boxes";
import { unsafeImage } from "./construct.js";
import { fail } from "./internal/check.js";
import { inspectImage } from "./internal/inspect.js";
import type { PixelData, PixelImage, SameRange, Uint8Image, UnitImage } from "./types.js";

/**
 * A validated, contiguous `[H, W, C]` buffer of a {@link PixelImage}: what the kernels read and write.
 * The buffer type is the range: a `Uint8Array` holds `"0-255"` samples, a `Float32Array` `"0-1"` ones
 * (network input never enters a kernel).
 */
export interface Pixels<D extends PixelData = PixelData> {
  /** `[H, W, C]` row-major samples. */
  readonly data: D;
  /** W, px. */
  readonly width: number;
  /** H, px. */
  readonly height: number;
  /** C ∈ {1, 3, 4}. */
  readonly channels: number;
}

/**
 * Validates a pixel image at a boundary (see `checkImage`; ranges `"0-255"` and `"0-1"`) and returns its
 * contiguous pixels, copying a strided view once (a packed image is returned without a copy).
 * @throws ImageError `INVALID_IMAGE`, `UNKNOWN_RANGE` (untagged float32), `RANGE_MISMATCH` (network
 *   input), naming `fn` and `arg`.
 */
export function readPixels(fn: string, arg: string, image: unknown): Pixels {
  const r = inspectImage(fn, arg, image, ["0-255", "0-1"]);
  const { data, width: w, height: h, channels: c, offset: off } = r;
  const [s0, s1, s2] = r.stride;
  const n = h * w * c;
  if (s0 === w * c && s1 === c && s2 === 1 && off === 0 && data.length === n) {
    return { data, width: w, height: h, channels: c };
  }
  if (s0 === w * c && s1 === c && s2 === 1) {
    if (off < 0 || off + n > data.length) {
      fail(
        "INVALID_IMAGE",
        fn,
        `${arg} buffer of length ${data.length} is too short for shape [${h}, ${w}, ${c}] at offset ${off}`,
        { arg },
      );
    }
    return { data: data.slice(off, off + n) as PixelData, width: w, height: h, channels: c };
  }
  const out: PixelData = allocLike(data, n);
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = off + y * s0 + x * s1;
      for (let k = 0; k < c; k++) {
        const v = data[base + k * s2];
        if (v === undefined)
          fail("INVALID_IMAGE", fn, `${arg} strides ${describeValue(r.stride)} point outside its buffer`, {
            arg,
          });
        out[o++] = v;
      }
    }
  }
  return { data: out, width: w, height: h, channels: c };
}

/** Wraps contiguous pixels back into an image (no copy), tagged by the buffer type. */
export function pixelsToImage<D extends PixelData>(
  p: Pixels<D>,
): D extends Uint8Array ? Uint8Image : D extends Float32Array ? UnitImage : PixelImage;
export function pixelsToImage(p: Pixels): PixelImage {
  return p.data instanceof Uint8Array
    ? unsafeImage(p.data, p.width, p.height, p.channels, "0-255")
    : unsafeImage(p.data, p.width, p.height, p.channels, "0-1");
}

/** As {@link pixelsToImage}, typed like `like`: the result of a kernel applied to `like`. */
export function sameRangeImage<I extends PixelImage>(_like: I, p: Pixels): SameRange<I> {
  return pixelsToImage(p) as SameRange<I>;
}

/** A new zero buffer of the same type as `like` (so the same range), of length n. */
export function allocLike(like: PixelData, n: number): PixelData {
  return like instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n);
}

/** The largest sample of a buffer's range: 255 for a Uint8Array, 1 for a Float32Array. */
export function maxValue(data: PixelData): number {
  return data instanceof Uint8Array ? 255 : 1;
}
