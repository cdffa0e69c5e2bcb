import { checkImage, IMAGE_KIND, toUint8Image, type Uint8Image, type UnitImage } from "@od/image";
import { type Pixels, readPixels } from "@od/image/kernels";
import { tf } from "@od/tf";
import { fail } from "./errors.js";

/**
 * An image the detector accepts. Every form says what its values mean:
 * - an od image (`@od/image`): a `Uint8Image` (bytes in [0, 255], e.g. from `decodeImage`) or a
 *   `UnitImage` (floats in [0, 1]), C = 3 (RGB) or 4 (RGBA, alpha dropped);
 * - bytes in an ndarray-like `{ data, shape: [H, W, C] }` (C = 3 or 4) or an `ImageData`-like
 *   `{ data, width, height }` (RGBA), `data` a `Uint8Array` or `Uint8ClampedArray`;
 * - an int32 `[H, W, C]` tensor of values 0..255 (what `tf.browser.fromPixels` returns).
 *
 * A float32 tensor or float array without a range tag is refused: its values could be [0, 1],
 * [0, 255] or already normalised. Wrap [0, 1] floats with `unitImage()`; round [0, 255] values into
 * bytes (or `tf.cast(t, "int32")`).
 */
export type ImageInput =
  | Uint8Image
  | UnitImage
  | tf.Tensor3D
  | { readonly data: Uint8Array | Uint8ClampedArray; readonly shape: readonly number[] }
  | { readonly data: Uint8Array | Uint8ClampedArray; readonly width: number; readonly height: number };

function describeImage(img: unknown): string {
  if (img instanceof tf.Tensor) return `tensor [${img.shape.join(", ")}] ${img.dtype}`;
  if (typeof img === "object" && img !== null) {
    const r = img as { shape?: unknown; width?: unknown; height?: unknown; range?: unknown; kind?: unknown };
    if (r.kind === IMAGE_KIND) return `"${String(r.range)}" image of shape [${String(r.shape)}]`;
    if (Array.isArray(r.shape)) return `array of shape [${r.shape.join(", ")}]`;
    return `{ width: ${String(r.width)}, height: ${String(r.height)} }`;
  }
  return String(img);
}

/** Drops the 4th channel of packed RGBA bytes (3 channels are returned as they are). */
function rgb(data: Uint8Array, width: number, height: number, channels: number): Pixels<Uint8Array> {
  if (channels === 3) return { data, width, height, channels: 3 };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; o < out.length; i += channels, o += 3) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
  }
  return { data: out, width, height, channels: 3 };
}

/**
 * Reads any {@link ImageInput} as packed `[H, W, 3]` RGB bytes: alpha dropped, `UnitImage` floats
 * quantised as `toUint8Image` does (`round(v · 255)`), tensors read back from the backend (`dataSync`).
 * Bytes are what every image becomes before the shared resampler and the normalisation, in training
 * and prediction alike. No copy when the input already is packed RGB bytes.
 * @param fn the calling function and `index` the image's position, for messages.
 * @throws SsdError `BAD_IMAGE` naming the image index and what is wrong (rank, channels, dtype, size 0,
 *   a value outside 0..255, float data without a range); ImageError `RANGE_MISMATCH` (network input)
 *   from `@od/image`'s boundary check.
 * @internal exported for the modules of this package; not re-exported from the index.
 */
export function readImageInput(img: ImageInput, index = 0, fn = "readImageInput"): Pixels<Uint8Array> {
  const bad: (why: string) => never = (why) =>
    fail("BAD_IMAGE", fn, `image ${index} (${describeImage(img)}) ${why}`, { index });
  const channels = (c: number): void => {
    if (c !== 3 && c !== 4) bad("must have 3 (RGB) or 4 (RGBA) channels");
  };
  if (img instanceof tf.Tensor) {
    if (img.rank !== 3) bad("must have rank 3 [H, W, C]");
    const [h, w, c] = img.shape as [number, number, number];
    if (h === 0 || w === 0) bad("has size 0");
    channels(c);
    if (img.dtype === "float32")
      bad(
        "is a float32 tensor, whose value range is unknown; tf.cast() it to int32 when its values are 0..255, or pass unitImage(await t.data(), W, H, C) when they are in [0, 1]",
      );
    if (img.dtype !== "int32") bad("must be an int32 tensor of values 0..255");
    const v = img.dataSync() as Int32Array;
    let bits = 0;
    for (let i = 0; i < v.length; i++) bits |= v[i]!;
    if ((bits & ~255) !== 0) {
      const i = v.findIndex((x) => x < 0 || x > 255);
      bad(`has value ${v[i]} at flat index ${i}, outside 0..255`);
    }
    return rgb(new Uint8Array(v), w, h, c);
  }
  if (typeof img !== "object" || img === null || !("data" in img)) return bad("is not an image");
  const r = img as { kind?: unknown; stride?: unknown; shape?: unknown; data: unknown };
  if (r.kind === IMAGE_KIND || Array.isArray(r.stride)) {
    // an od image, or an ndarray: @od/image's boundary check reads its range tag
    const checked = checkImage(fn, `images[${index}]`, img, ["0-255", "0-1"]);
    const px = readPixels(fn, `images[${index}]`, checked.range === "0-1" ? toUint8Image(checked) : checked);
    channels(px.channels);
    return rgb(px.data as Uint8Array, px.width, px.height, px.channels);
  }
  let h: number;
  let w: number;
  let c: number;
  if ("shape" in img) {
    if (img.shape.length !== 3) bad("must have rank 3 [H, W, C]");
    [h, w, c] = img.shape as [number, number, number];
  } else {
    h = img.height;
    w = img.width;
    c = 4;
  }
  if (!(h > 0 && w > 0)) bad("has size 0");
  channels(c);
  let d: unknown = img.data;
  if (d instanceof Uint8ClampedArray) d = new Uint8Array(d.buffer, d.byteOffset, d.length);
  if (!(d instanceof Uint8Array)) {
    const name = typeof d === "object" && d !== null ? d.constructor.name : typeof d;
    bad(
      `data is a ${name}; only bytes (Uint8Array, Uint8ClampedArray) say their range: wrap [0, 1] floats with unitImage(data, W, H, C), round [0, 255] values into a Uint8Array`,
    );
  }
  if (d.length !== h * w * c) bad(`has ${d.length} values; expected ${h}×${w}×${c} = ${h * w * c}`);
  return rgb(d, w, h, c);
}
