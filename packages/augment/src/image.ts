import { describeValue, type ImageSize } from "@od/boxes";
import ndarray, { type NdArray } from "ndarray";
import { fail } from "./internal/check.js";

/** Pixel buffer types an {@link Image} may hold. */
export type PixelData = Uint8Array | Float32Array;

/**
 * An image: an `ndarray` of shape `[H, W, C]` (HWC, row-major), C ∈ {1, 3, 4}, over a `Uint8Array`
 * (values 0..255) or a `Float32Array` (values 0..1 for the photometric transforms; geometric ones do not
 * care about the range). Transforms return contiguous images (stride `[W·C, C, 1]`, offset 0); inputs may
 * be strided views, which are copied once at the boundary.
 */
export type Image = NdArray<Uint8Array> | NdArray<Float32Array>;

/** A validated, contiguous view of an {@link Image}: the buffer plus its size. */
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

/** The width and height of an `[H, W, C]` image, px. */
export function imageSize(image: Image): ImageSize {
  return { width: image.shape[1] as number, height: image.shape[0] as number };
}

/** Wraps a contiguous `[H, W, C]` buffer as an {@link Image} (no copy). */
export function makeImage<D extends PixelData>(
  data: D,
  width: number,
  height: number,
  channels: number,
): NdArray<D> {
  return ndarray(data, [height, width, channels]);
}

/** A zero image of the given size, channels and dtype. */
export function zeros(width: number, height: number, channels: number, dtype: "uint8" | "float32"): Image {
  const n = width * height * channels;
  return dtype === "uint8"
    ? makeImage(new Uint8Array(n), width, height, channels)
    : makeImage(new Float32Array(n), width, height, channels);
}

/** The largest pixel value of the image's value range: 255 for uint8, 1 for float32. */
export function maxValue(data: PixelData): number {
  return data instanceof Uint8Array ? 255 : 1;
}

/**
 * Validates an image and returns its contiguous pixels (copying a strided view once).
 * @throws AugmentError `INVALID_IMAGE` naming `fn`, `arg` and what is wrong (rank, channels, dtype).
 */
export function readPixels(fn: string, arg: string, image: unknown): Pixels {
  const im = image as Partial<NdArray<PixelData>> | null;
  if (typeof im !== "object" || im === null || !Array.isArray(im.shape) || !Array.isArray(im.stride)) {
    fail("INVALID_IMAGE", fn, `${arg} must be an ndarray of shape [H, W, C]; got ${describeValue(image)}`, {
      arg,
    });
  }
  if (im.shape.length !== 3) {
    fail("INVALID_IMAGE", fn, `${arg} must have rank 3 (H, W, C); got shape ${describeValue(im.shape)}`, {
      arg,
      value: im.shape,
    });
  }
  const [h, w, c] = im.shape as [number, number, number];
  if (c !== 1 && c !== 3 && c !== 4) {
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} must have 1, 3 or 4 channels; got ${c} (shape ${describeValue(im.shape)})`,
      { arg, value: c },
    );
  }
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) {
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} must have a positive height and width; got shape ${describeValue(im.shape)}`,
      { arg, value: im.shape },
    );
  }
  let data = im.data as unknown;
  if (data instanceof Uint8ClampedArray) data = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    const name = typeof data === "object" && data !== null ? data.constructor.name : typeof data;
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} must hold a Uint8Array (uint8) or Float32Array (float32); got ${name}`,
      { arg, value: name },
    );
  }
  const [s0, s1, s2] = im.stride as [number, number, number];
  const off = im.offset ?? 0;
  const n = h * w * c;
  if (s0 === w * c && s1 === c && s2 === 1 && off === 0 && data.length === n) {
    return { data, width: w, height: h, channels: c };
  }
  if (s0 === w * c && s1 === c && s2 === 1) {
    if (off < 0 || off + n > data.length) {
      fail(
        "INVALID_IMAGE",
        fn,
        `${arg} buffer of length ${data.length} is too short for shape ${describeValue(im.shape)} at offset ${off}`,
        { arg },
      );
    }
    return { data: data.slice(off, off + n) as PixelData, width: w, height: h, channels: c };
  }
  const out: PixelData = data instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n);
  const src = data;
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = off + y * s0 + x * s1;
      for (let k = 0; k < c; k++) {
        const v = src[base + k * s2];
        if (v === undefined)
          fail("INVALID_IMAGE", fn, `${arg} strides ${describeValue(im.stride)} point outside its buffer`, {
            arg,
          });
        out[o++] = v;
      }
    }
  }
  return { data: out, width: w, height: h, channels: c };
}

/** Wraps pixels back into an {@link Image}. */
export function toImage(p: Pixels): Image {
  return p.data instanceof Uint8Array
    ? makeImage(p.data, p.width, p.height, p.channels)
    : makeImage(p.data as Float32Array, p.width, p.height, p.channels);
}

/** A new zero buffer of the same dtype as `like`, of length n. */
export function allocLike(like: PixelData, n: number): PixelData {
  return like instanceof Uint8Array ? new Uint8Array(n) : new Float32Array(n);
}
