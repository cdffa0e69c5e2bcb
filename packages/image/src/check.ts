import ndarray from "ndarray";
import { inspectImage } from "./internal/inspect.js";
import { IMAGE_KIND, type ImageOf, type PixelRange } from "./types.js";

/**
 * The boundary check of every od function that takes an image: validates tags, rank, channels (1, 3 or
 * 4) and buffer type in O(1) (never the samples) and that the range is one of `ranges`. A tagged image
 * is returned as it is. An untagged ndarray over a Uint8Array (or Uint8ClampedArray), as plain-JS
 * callers pass, is read as `"0-255"` and returned as a tagged view (no copy); an untagged float32 one is
 * refused, since its values could be [0, 1], [0, 255] or network input.
 * @param fn the calling function, for messages. @param arg the argument's name, for messages.
 * @param ranges the ranges the caller accepts.
 * @returns the image, typed by the accepted ranges (a union to narrow on `range`).
 * @example const img = checkImage("predict", "images[0]", input, ["0-255", "0-1"]);
 * @throws ImageError `INVALID_IMAGE` (not an [H, W, C] ndarray, channels, buffer type, tags that
 *   contradict the buffer), `UNKNOWN_RANGE` (untagged float32, naming `asImage`), `RANGE_MISMATCH`
 *   (another range, naming the conversion to call).
 */
export function checkImage<R extends PixelRange>(
  fn: string,
  arg: string,
  image: unknown,
  ranges: readonly R[],
): ImageOf<R> {
  const r = inspectImage(fn, arg, image, ranges);
  if (r.tagged) return image as ImageOf<R>;
  return Object.assign(ndarray(r.data, [r.height, r.width, r.channels], [...r.stride], r.offset), {
    kind: IMAGE_KIND,
    range: r.range,
    layout: "hwc" as const,
  }) as unknown as ImageOf<R>;
}
