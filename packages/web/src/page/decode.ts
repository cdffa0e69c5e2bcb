/**
 * Image decoding in a page or worker: whatever the browser reads (`createImageBitmap`), to the packed
 * RGB bytes od trains and predicts on.
 * @module
 */
import { fromImageData } from "@od/data";
import type { Uint8Image } from "@od/image";

/** Decodes an encoded image (any format the browser reads) to packed RGB bytes, orientation applied by the browser. */
export async function decodeImage(bytes: ArrayBuffer | Blob, name: string): Promise<Uint8Image> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(bytes instanceof Blob ? bytes : new Blob([bytes]), {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
  } catch {
    throw new Error(`${name}: not an image this browser can decode`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error(`${name}: no 2D canvas in this browser`);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return fromImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
}
