import { describeValue, type ImageSize } from "@od/boxes";
import ndarray, { type NdArray } from "ndarray";
import { fail } from "./internal/check.js";
import { inspectImage } from "./internal/inspect.js";
import {
  IMAGE_KIND,
  type Image,
  type PixelDataOf,
  type PixelRange,
  type Uint8Image,
  type UnitImage,
} from "./types.js";

/** Tags a fresh ndarray (made here, never the caller's) as an image of `range`. */
function tag<R extends PixelRange>(nd: NdArray<PixelDataOf<R>>, range: R): Image<R> {
  return Object.assign(nd, { kind: IMAGE_KIND, range, layout: "hwc" as const });
}

/**
 * Wraps a contiguous `[H, W, C]` buffer as an image of `range` without any check (no copy). For
 * producers that made the samples themselves: kernels, and the model's preprocessing for `"network"`.
 * Prefer {@link uint8Image} / {@link unitImage}, which check.
 */
export function unsafeImage<R extends PixelRange>(
  data: PixelDataOf<R>,
  width: number,
  height: number,
  channels: number,
  range: R,
): Image<R> {
  return tag(ndarray(data, [height, width, channels]), range);
}

function checkLayout(fn: string, length: number, width: number, height: number, channels: number): void {
  for (const [arg, v] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      fail("INVALID_ARGUMENT", fn, `${arg} must be a positive integer; got ${describeValue(v)}`, {
        arg,
        value: v,
      });
  }
  if (channels !== 1 && channels !== 3 && channels !== 4)
    fail("INVALID_ARGUMENT", fn, `channels must be 1, 3 or 4; got ${describeValue(channels)}`, {
      arg: "channels",
      value: channels,
    });
  if (length !== width * height * channels)
    fail(
      "INVALID_IMAGE",
      fn,
      `data has ${length} values; width × height × channels = ${width} × ${height} × ${channels} = ${width * height * channels}`,
      { arg: "data", expected: width * height * channels, actual: length },
    );
}

/**
 * An image of bytes in [0, 255] over a contiguous `[H, W, C]` buffer (no copy; a Uint8ClampedArray,
 * e.g. `ImageData.data`, is viewed as a Uint8Array).
 * @param data `H · W · C` samples, row-major, channels last.
 * @param channels 1, 3 (default) or 4.
 * @example uint8Image(new Uint8Array(480 * 640 * 3), 640, 480) // Uint8Image [480, 640, 3]
 * @throws ImageError `INVALID_ARGUMENT` (size ≤ 0 or not an integer, channels), `INVALID_IMAGE` (buffer
 *   type or length).
 */
export function uint8Image(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels = 3,
): Uint8Image {
  const fn = "uint8Image";
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    fail("INVALID_IMAGE", fn, `data must be a Uint8Array or Uint8ClampedArray; got ${describeValue(data)}`, {
      arg: "data",
    });
  }
  checkLayout(fn, data.length, width, height, channels);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  return unsafeImage(bytes, width, height, channels, "0-255");
}

/**
 * Index of the first sample of a (possibly strided) `[H, W, C]` float view outside [0, 1] or NaN, as
 * `[y, x, c, value]`; undefined when every sample is in range. One pass over the samples.
 */
function firstOutsideUnit(
  data: Float32Array,
  h: number,
  w: number,
  c: number,
  stride: readonly number[],
  offset: number,
): [number, number, number, number] | undefined {
  const [s0, s1, s2] = stride as [number, number, number];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = offset + y * s0 + x * s1;
      for (let k = 0; k < c; k++) {
        const v = data[base + k * s2]!;
        if (!(v >= 0 && v <= 1)) return [y, x, k, v];
      }
    }
  }
  return undefined;
}

function checkUnitValues(
  fn: string,
  arg: string,
  data: Float32Array,
  h: number,
  w: number,
  c: number,
  stride: readonly number[],
  offset: number,
): void {
  const bad = firstOutsideUnit(data, h, w, c, stride, offset);
  if (bad === undefined) return;
  const [y, x, k, v] = bad;
  fail(
    "OUT_OF_RANGE",
    fn,
    `${arg} sample (y ${y}, x ${x}, c ${k}) is ${describeValue(v)}, outside [0, 1]${v > 1 && v <= 255 ? "; values in [0, 255] belong in a Uint8Array (uint8Image())" : ""}`,
    { arg, index: [y, x, k], value: v },
  );
}

/**
 * An image of floats in [0, 1] over a contiguous `[H, W, C]` buffer (no copy). Every sample is checked
 * once (one pass): a value outside [0, 1] is almost always [0, 255] data given the wrong type.
 * @param data `H · W · C` samples in [0, 1], row-major, channels last.
 * @param channels 1, 3 (default) or 4.
 * @throws ImageError `INVALID_ARGUMENT`, `INVALID_IMAGE` (as {@link uint8Image}), `OUT_OF_RANGE` naming the
 *   first sample outside [0, 1] (or NaN) by row, column and channel.
 */
export function unitImage(data: Float32Array, width: number, height: number, channels = 3): UnitImage {
  const fn = "unitImage";
  if (!(data instanceof Float32Array))
    fail("INVALID_IMAGE", fn, `data must be a Float32Array; got ${describeValue(data)}`, { arg: "data" });
  checkLayout(fn, data.length, width, height, channels);
  checkUnitValues(fn, "data", data, height, width, channels, [width * channels, channels, 1], 0);
  return unsafeImage(data, width, height, channels, "0-1");
}

/**
 * Declares the value range of an existing `[H, W, C]` ndarray (any strides, e.g. a flipped view): a new
 * tagged view of the same buffer (no copy; the input is not modified). `"0-1"` views are checked sample
 * by sample, as {@link unitImage}. Network input cannot be declared: only the model's preprocessing
 * makes it.
 * @example asImage(decoded.step(1, -1), "0-255") // a mirrored view, tagged
 * @throws ImageError `INVALID_IMAGE` (rank, channels, buffer type vs range), `RANGE_MISMATCH` (an image
 *   already tagged with another range), `OUT_OF_RANGE` (`"0-1"` samples outside [0, 1]),
 *   `INVALID_ARGUMENT` (another range).
 */
export function asImage(array: NdArray<Uint8Array> | NdArray<Uint8ClampedArray>, range: "0-255"): Uint8Image;
export function asImage(array: NdArray<Float32Array>, range: "0-1"): UnitImage;
export function asImage(
  array: NdArray<Uint8Array | Uint8ClampedArray | Float32Array>,
  range: "0-255" | "0-1",
): Image {
  const fn = "asImage";
  if (range !== "0-255" && range !== "0-1")
    fail(
      "INVALID_ARGUMENT",
      fn,
      `range must be "0-255" or "0-1"; got ${describeValue(range)} (network input is made by the model's preprocessing)`,
      { arg: "range", value: range },
    );
  const a = array as Partial<Image> | null;
  if (typeof a === "object" && a !== null && a.kind === IMAGE_KIND && a.range !== range) {
    fail(
      "RANGE_MISMATCH",
      fn,
      `array is already a "${String(a.range)}" image; convert it (toUint8Image() / toUnitImage()) instead of re-tagging it as "${range}"`,
      { arg: "array", expected: range, actual: a.range },
    );
  }
  const r = inspectImage(fn, "array", array, [range], range);
  if (r.range === "0-1")
    checkUnitValues(fn, "array", r.data as Float32Array, r.height, r.width, r.channels, r.stride, r.offset);
  const view = ndarray(r.data, [r.height, r.width, r.channels], [...r.stride], r.offset);
  return tag(view as NdArray<PixelDataOf<typeof range>>, range);
}

/** Width and height of an `[H, W, C]` image, px. */
export function imageSize(image: { readonly shape: readonly number[] }): ImageSize {
  return { width: image.shape[1]!, height: image.shape[0]! };
}
