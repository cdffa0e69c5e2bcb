/**
 * Image headers, EXIF orientation and browser-side image input. Decoding files lives in
 * `@od/data/node` (sharp when it loads, else jpeg-js / pngjs).
 *
 * Images are `Uint8Image`s of `@od/image`: `[H, W, 3]` (HWC) RGB bytes in [0, 255], row-major, packed,
 * tagged with their range.
 * @module
 */
import { asImage, type Uint8Image, uint8Image } from "@od/image";
import type ndarray from "ndarray";
import { fail } from "./internal/fail.js";

/** What {@link readImageHeader} finds in the first bytes of a file. */
export interface ImageHeader {
  /** Container format. */
  readonly format: "jpeg" | "png";
  /** Stored width and height in px (before EXIF orientation). */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1..8 (1 when absent). */
  readonly orientation: number;
  /** Width and height as displayed, after EXIF orientation (swapped for orientations 5..8). */
  readonly displayWidth: number;
  readonly displayHeight: number;
}

function u16(b: Uint8Array, i: number, le: boolean): number {
  return le ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
}
function u32(b: Uint8Array, i: number, le: boolean): number {
  return le ? u16(b, i, true) + u16(b, i + 2, true) * 65536 : u16(b, i, false) * 65536 + u16(b, i + 2, false);
}

/** Orientation tag (0x0112) of IFD0 in an APP1 Exif segment starting at `s` (the "Exif\0\0" bytes). */
function exifOrientation(b: Uint8Array, s: number, end: number): number {
  const t = s + 6;
  if (t + 8 > end) return 1;
  const le = b[t] === 0x49;
  if (!le && b[t] !== 0x4d) return 1;
  const ifd = t + u32(b, t + 4, le);
  if (ifd + 2 > end) return 1;
  const n = u16(b, ifd, le);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) return 1;
    if (u16(b, e, le) === 0x0112) {
      const v = u16(b, e + 8, le);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/**
 * Reads format, size and EXIF orientation from the start of a JPEG or PNG file without decoding it
 * (JPEG: the SOF marker, scanning segment headers; PNG: IHDR, orientation 1 unless an `eXIf` chunk
 * precedes IDAT). For JPEG the bytes must reach the SOF segment (usually within the first 64 KiB).
 * @returns the header, or `undefined` when the bytes are neither JPEG nor PNG or are cut before the size.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const b = bytes;
  const done = (format: "jpeg" | "png", width: number, height: number, orientation: number): ImageHeader => {
    const swap = orientation >= 5;
    return {
      format,
      width,
      height,
      orientation,
      displayWidth: swap ? height : width,
      displayHeight: swap ? width : height,
    };
  };
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const width = u32(b, 16, false);
    const height = u32(b, 20, false);
    let orientation = 1;
    for (let p = 8; p + 8 <= b.length; ) {
      const len = u32(b, p, false);
      const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
      if (type === "IDAT" || type === "IEND") break;
      if (type === "eXIf") orientation = exifOrientation(b, p + 8 - 6, Math.min(b.length, p + 8 + len));
      p += 12 + len;
    }
    return done("png", width, height, orientation);
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let orientation = 1;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1]!;
    if (m === 0xff) {
      p++;
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      p += 2;
      continue;
    }
    const len = u16(b, p + 2, false);
    const s = p + 4;
    if (
      m === 0xe1 &&
      s + 6 <= b.length &&
      b[s] === 0x45 &&
      b[s + 1] === 0x78 &&
      b[s + 2] === 0x69 &&
      b[s + 3] === 0x66
    ) {
      orientation = exifOrientation(b, s, Math.min(b.length, p + 2 + len));
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (s + 5 > b.length) return undefined;
      return done("jpeg", u16(b, s + 3, false), u16(b, s + 1, false), orientation);
    }
    p += 2 + len;
  }
  return undefined;
}

/**
 * Applies an EXIF orientation (1..8) to an HWC image, returning a new packed image as displayed
 * (orientations 5..8 swap width and height). Follows the EXIF 2.3 table (e.g. 6 = rotate 90° clockwise).
 * @throws DataError `INVALID_ARGUMENT` for an orientation outside 1..8.
 */
export function applyOrientation(image: Uint8Image, orientation: number): Uint8Image {
  if (!Number.isInteger(orientation) || orientation < 1 || orientation > 8) {
    fail(
      "INVALID_ARGUMENT",
      "applyOrientation",
      `orientation must be an integer in 1..8; got ${orientation}`,
    );
  }
  let v: ndarray.NdArray<Uint8Array> = asImage(image, "0-255");
  // Each orientation as a view of the stored image: flips (step < 0) and transposes.
  if (orientation === 2) v = v.step(1, -1);
  else if (orientation === 3) v = v.step(-1, -1);
  else if (orientation === 4) v = v.step(-1);
  else if (orientation === 5) v = v.transpose(1, 0, 2);
  else if (orientation === 6) v = v.step(-1).transpose(1, 0, 2);
  else if (orientation === 7) v = v.step(-1, -1).transpose(1, 0, 2);
  else if (orientation === 8) v = v.step(1, -1).transpose(1, 0, 2);
  return pack(v);
}

/**
 * Copies any `[H, W, C]` view of byte values (C = 1: grey, repeated; C ≥ 3: the first 3 channels) into a
 * new packed `[H, W, 3]` `"0-255"` image.
 * @internal exported for the modules of this package; not re-exported from the index.
 */
export function pack(v: ndarray.NdArray<ndarray.Data<number>>): Uint8Image {
  const [H = 0, W = 0, C = 0] = v.shape;
  const out = new Uint8Array(H * W * 3);
  let o = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) out[o++] = v.get(y, x, C === 1 ? 0 : c);
    }
  }
  return uint8Image(out, W, H, 3);
}

/** Pixels as a browser `ImageData` holds them: RGBA, row-major, 4 bytes per pixel. */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Browser input: an `ImageData` (or anything with RGBA `data`, `width`, `height`) to a packed HWC
 * RGB `"0-255"` image; alpha is dropped (not composited). Works with `ctx.getImageData(...)` or an OffscreenCanvas.
 * @throws DataError `INVALID_ARGUMENT` when `data.length !== width * height * 4`.
 */
export function fromImageData(img: ImageDataLike): Uint8Image {
  const { width: W, height: H, data } = img;
  if (data.length !== W * H * 4) {
    fail(
      "INVALID_ARGUMENT",
      "fromImageData",
      `data must hold width * height * 4 = ${W * H * 4} RGBA bytes; got ${data.length}`,
    );
  }
  const out = new Uint8Array(W * H * 3);
  for (let i = 0, o = 0; i < data.length; i += 4, o += 3) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
  }
  return uint8Image(out, W, H, 3);
}

/** A canvas (HTMLCanvasElement, OffscreenCanvas) as far as {@link fromCanvas} needs it. */
export interface CanvasLike {
  readonly width: number;
  readonly height: number;
  /** The 2d context (only `getImageData` is used), or null when the canvas has none. */
  getContext(id: "2d"): {
    /** The RGBA pixels of the rectangle at (`x`, `y`) px, `w` × `h` px. */
    getImageData(x: number, y: number, w: number, h: number): ImageDataLike;
  } | null;
}

/**
 * Browser input: the pixels of a canvas as a packed HWC RGB image. Draw an `<img>` (already
 * EXIF-oriented by the browser) on the canvas first.
 * @throws DataError `INVALID_ARGUMENT` when the canvas has no 2d context.
 */
export function fromCanvas(canvas: CanvasLike): Uint8Image {
  const ctx = canvas.getContext("2d");
  if (ctx === null) fail("INVALID_ARGUMENT", "fromCanvas", "canvas.getContext('2d') returned null");
  return fromImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
}
