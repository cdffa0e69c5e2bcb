import { describeValue } from "@od/boxes";
import { IMAGE_KIND, PIXEL_RANGES, type PixelData, type PixelRange } from "../types.js";
import { fail } from "./check.js";

/** What the boundary check learned about an image-like value: its validated parts and its range. */
export interface Inspected {
  readonly range: PixelRange;
  /** The buffer (a Uint8ClampedArray is viewed as a Uint8Array, no copy). */
  readonly data: PixelData;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly stride: readonly [number, number, number];
  readonly offset: number;
  /** True when the value carried the `od.image` tag (false: an untagged uint8 ndarray). */
  readonly tagged: boolean;
}

/** The call that turns an image of range `from` into one of range `to`, for error messages. */
export function conversionHint(from: PixelRange, to: readonly PixelRange[]): string {
  if (from === "network")
    return "network input cannot be turned back into pixels; pass the image it was made from";
  if (to.includes("network")) return "make network input with the model's preprocessing (@od/ssd)";
  if (to.includes("0-255")) return "call toUint8Image() first";
  return "call toUnitImage() first";
}

const describeRanges = (rs: readonly PixelRange[]): string => rs.map((r) => `"${r}"`).join(" or ");

/**
 * Validates an image-like value at a package boundary (O(1): tags, rank, channels, buffer type and
 * length; never the samples) and checks that its range is one of `ranges`. An untagged ndarray over a
 * Uint8Array (or Uint8ClampedArray) is read as `"0-255"`: a byte cannot mean anything else. An untagged
 * float32 one is refused: its values could be [0, 1], [0, 255] or network input. `declared` is the
 * range an untagged value is read as instead (what `asImage` passes).
 * @throws ImageError `INVALID_IMAGE`, `UNKNOWN_RANGE`, `RANGE_MISMATCH`, naming `fn` and `arg`.
 */
export function inspectImage(
  fn: string,
  arg: string,
  image: unknown,
  ranges: readonly PixelRange[],
  declared?: PixelRange,
): Inspected {
  const im = image as {
    kind?: unknown;
    range?: unknown;
    layout?: unknown;
    data?: unknown;
    shape?: unknown;
    stride?: unknown;
    offset?: unknown;
  } | null;
  if (typeof im !== "object" || im === null || !Array.isArray(im.shape) || !Array.isArray(im.stride)) {
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} must be an ndarray of shape [H, W, C] (made by uint8Image(), unitImage() or asImage()); got ${describeValue(image)}`,
      { arg },
    );
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
  let data = im.data;
  if (data instanceof Uint8ClampedArray) data = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    const name = typeof data === "object" && data !== null ? data.constructor.name : typeof data;
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} must hold a Uint8Array (range "0-255") or Float32Array (range "0-1" or "network"); got ${name}`,
      { arg, value: name },
    );
  }
  const tagged = im.kind === IMAGE_KIND;
  let range: PixelRange;
  if (tagged) {
    if (!(PIXEL_RANGES as readonly unknown[]).includes(im.range)) {
      fail(
        "INVALID_IMAGE",
        fn,
        `${arg}.range must be one of ${describeRanges(PIXEL_RANGES)}; got ${describeValue(im.range)}`,
        { arg, value: im.range },
      );
    }
    range = im.range as PixelRange;
    if (im.layout !== "hwc") {
      fail("INVALID_IMAGE", fn, `${arg}.layout must be "hwc"; got ${describeValue(im.layout)}`, {
        arg,
        value: im.layout,
      });
    }
  } else if (declared !== undefined) {
    range = declared;
  } else if (data instanceof Uint8Array) {
    range = "0-255";
  } else {
    fail(
      "UNKNOWN_RANGE",
      fn,
      `${arg} is a float32 ndarray with no range tag, so its values could be [0, 1], [0, 255] or network input; wrap it with asImage(array, "0-1") when they are in [0, 1], or round [0, 255] values into a Uint8Array and use uint8Image()`,
      { arg },
    );
  }
  if ((range === "0-255") !== data instanceof Uint8Array) {
    fail(
      "INVALID_IMAGE",
      fn,
      `${arg} is ${tagged ? "tagged" : "declared"} "${range}" but holds a ${data.constructor.name}; "0-255" images hold a Uint8Array, the others a Float32Array`,
      { arg, value: range },
    );
  }
  if (!ranges.includes(range)) {
    fail(
      "RANGE_MISMATCH",
      fn,
      `${arg} must be a ${describeRanges(ranges)} image; got a "${range}" image; ${conversionHint(range, ranges)}`,
      { arg, expected: ranges, actual: range },
    );
  }
  const stride = im.stride as [number, number, number];
  const offset = typeof im.offset === "number" ? im.offset : 0;
  return { range, data, height: h, width: w, channels: c, stride, offset, tagged };
}
