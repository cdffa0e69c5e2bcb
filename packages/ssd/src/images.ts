import { type LetterboxRecord, letterboxRecord } from "@od/boxes";
import { tf } from "@od/tf";
import { fail } from "./errors.js";

/**
 * An image the detector accepts: a `[H, W, C]` tensor (C = 3, or 4 with alpha dropped; int32 or
 * float32 values in [0, 255]), an ndarray-like `{ data, shape: [H, W, C] }`, or an `ImageData`-like
 * `{ data, width, height }` (RGBA).
 */
export type ImageInput =
  | tf.Tensor3D
  | { readonly data: ArrayLike<number>; readonly shape: readonly number[] }
  | { readonly data: ArrayLike<number>; readonly width: number; readonly height: number };

function describeImage(img: unknown): string {
  if (img instanceof tf.Tensor) return `tensor [${img.shape.join(", ")}] ${img.dtype}`;
  if (typeof img === "object" && img !== null) {
    const r = img as { shape?: unknown; width?: unknown; height?: unknown };
    if (Array.isArray(r.shape)) return `array of shape [${r.shape.join(", ")}]`;
    return `{ width: ${String(r.width)}, height: ${String(r.height)} }`;
  }
  return String(img);
}

/**
 * Converts any {@link ImageInput} to a `[H, W, 3]` float32 tensor of values in [0, 255] (caller owns it).
 * @throws SsdError `BAD_IMAGE` naming the image index and what is wrong (rank, channels, dtype, size 0).
 */
export function imageToTensor(img: ImageInput, index = 0): tf.Tensor3D {
  const fn = "imageToTensor";
  const bad: (why: string) => never = (why) =>
    fail("BAD_IMAGE", fn, `image ${index} (${describeImage(img)}) ${why}`, { index });
  if (img instanceof tf.Tensor) {
    if (img.rank !== 3) bad("must have rank 3 [H, W, C]");
    const [h, w, c] = img.shape as [number, number, number];
    if (h === 0 || w === 0) bad("has size 0");
    if (c !== 3 && c !== 4) bad("must have 3 (RGB) or 4 (RGBA) channels");
    if (img.dtype !== "float32" && img.dtype !== "int32") bad("must be int32 or float32");
    return tf.tidy(() => {
      const rgb = c === 4 ? tf.slice(img, [0, 0, 0], [h, w, 3]) : img;
      return tf.cast(rgb, "float32") as tf.Tensor3D;
    });
  }
  if (typeof img !== "object" || img === null || !("data" in img)) return bad("is not an image");
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
  if (c !== 3 && c !== 4) bad("must have 3 (RGB) or 4 (RGBA) channels");
  const d = img.data;
  if (d.length !== h * w * c) bad(`has ${d.length} values; expected ${h}×${w}×${c} = ${h * w * c}`);
  if (
    !(
      d instanceof Uint8Array ||
      d instanceof Uint8ClampedArray ||
      d instanceof Float32Array ||
      Array.isArray(d)
    )
  ) {
    bad("data must be a Uint8Array, Uint8ClampedArray, Float32Array or number[]");
  }
  return tf.tidy(() => {
    const t = tf.tensor3d(Float32Array.from(d), [h, w, c]);
    return (c === 4 ? tf.slice(t, [0, 0, 0], [h, w, 3]) : t) as tf.Tensor3D;
  });
}

/**
 * Letterboxes one `[H, W, 3]` image tensor into the network input using the geometry of `record`
 * (from `letterboxRecord` of @od/boxes): bilinear resize with half-pixel centres to `record.resized`,
 * then zero padding to `record.target` at `record.offset`.
 * @returns `[target.height, target.width, 3]` float32 in [0, 255] (caller owns it).
 */
export function letterboxTensor(img: tf.Tensor3D, record: LetterboxRecord): tf.Tensor3D {
  return tf.tidy(() => {
    const { resized, target, offset } = record;
    const r =
      resized.width === img.shape[1] && resized.height === img.shape[0]
        ? img
        : tf.image.resizeBilinear(img, [resized.height, resized.width], false, true);
    return tf.pad(r, [
      [offset.y, target.height - resized.height - offset.y],
      [offset.x, target.width - resized.width - offset.x],
      [0, 0],
    ]) as tf.Tensor3D;
  });
}

/**
 * Letterboxes a list of images of any sizes into one normalised batch.
 * @returns `batch [B, H, W, 3]` float32 in [−1, 1] (caller owns it) and one record per image for the inverse.
 */
export function preprocessImages(
  images: readonly ImageInput[],
  inputSize: { readonly width: number; readonly height: number },
): { batch: tf.Tensor4D; records: LetterboxRecord[] } {
  if (!Array.isArray(images) || images.length === 0) {
    fail("BAD_IMAGE", "preprocessImages", "images must be a non-empty array");
  }
  const records: LetterboxRecord[] = [];
  const batch = tf.tidy(() => {
    const parts = images.map((img, i) => {
      const t = imageToTensor(img, i);
      const rec = letterboxRecord({ width: t.shape[1], height: t.shape[0] }, inputSize);
      records.push(rec);
      return letterboxTensor(t, rec);
    });
    return tf.sub(tf.div(tf.stack(parts), 127.5), 1) as tf.Tensor4D;
  });
  return { batch, records };
}
