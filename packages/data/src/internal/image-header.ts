import { type ImageHeader, readImageHeader } from "../image.js";
import { MAX_IMAGE_PIXELS } from "../limits.js";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start like a JPEG (`FF D8 FF`) or a PNG (its 8-byte signature). */
export function hasImageMagic(b: Uint8Array): boolean {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true;
  return b.length >= PNG_MAGIC.length && PNG_MAGIC.every((v, i) => b[i] === v);
}

/** The header of JPEG/PNG bytes, or why there is none that od accepts (one line, no file name). */
export type HeaderResult = { readonly header: ImageHeader } | { readonly problem: string };

/**
 * Reads and bounds an image header: magic bytes first (nothing else is looked at in a file that is
 * neither JPEG nor PNG), then the size marker, then a size that has pixels and is within
 * {@link MAX_IMAGE_PIXELS}.
 */
export function inspectHeader(b: Uint8Array): HeaderResult {
  if (b.length === 0) return { problem: "empty file" };
  if (!hasImageMagic(b)) {
    const head = Array.from(b.subarray(0, 4), (v) => v.toString(16).padStart(2, "0")).join(" ");
    return { problem: `not a JPEG or PNG (starts with ${head})` };
  }
  const header = readImageHeader(b);
  if (header === undefined)
    return { problem: `no size marker in the first ${b.length} bytes (truncated or corrupt)` };
  const { width, height } = header;
  if (width === 0 || height === 0)
    return { problem: `header says ${width}x${height}: the image has no pixels` };
  if (width * height > MAX_IMAGE_PIXELS)
    return {
      problem: `header says ${width}x${height} = ${width * height} px, over the limit of ${MAX_IMAGE_PIXELS} px (MAX_IMAGE_PIXELS)`,
    };
  return { header };
}
