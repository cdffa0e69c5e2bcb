import { fromCanvas, fromImageData } from "@od/data";
import { describe, expect, test } from "vitest";
import { decodeImage } from "../src/page/decode.js";

/** A 3×2 canvas with known opaque pixels, row by row: red, green, blue / white, black, grey. */
function knownCanvas(): OffscreenCanvas {
  const c = new OffscreenCanvas(3, 2);
  const ctx = c.getContext("2d")!;
  const px = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
    [0, 0, 0],
    [128, 128, 128],
  ];
  px.forEach(([r, g, b], i) => {
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(i % 3, Math.floor(i / 3), 1, 1);
  });
  return c;
}
const RGB = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128];

describe("browser image input", () => {
  test("fromImageData of a real canvas's ImageData: packed [H, W, 3] bytes, alpha dropped", () => {
    const c = knownCanvas();
    const img = fromImageData(c.getContext("2d")!.getImageData(0, 0, 3, 2));
    expect(img.shape).toEqual([2, 3, 3]);
    expect(Array.from(img.data)).toEqual(RGB);
  });

  test("fromCanvas reads the same pixels", () => {
    const img = fromCanvas(knownCanvas() as unknown as Parameters<typeof fromCanvas>[0]);
    expect(Array.from(img.data)).toEqual(RGB);
  });

  test("decodeImage: a PNG through createImageBitmap gives the exact pixels", async () => {
    const png = await knownCanvas().convertToBlob({ type: "image/png" });
    const img = await decodeImage(await png.arrayBuffer(), "known.png");
    expect(img.shape).toEqual([2, 3, 3]);
    expect(Array.from(img.data)).toEqual(RGB);
  });

  test("decodeImage: bytes that are not an image give one line naming the file", async () => {
    await expect(decodeImage(new TextEncoder().encode("hello").buffer, "notes.txt")).rejects.toThrow(
      /^notes\.txt: not an image this browser can decode$/,
    );
  });
});
