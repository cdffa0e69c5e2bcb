import { fc, test as ftest } from "@fast-check/vitest";
import { letterboxRecord } from "@od/boxes";
import { describe, expect, test } from "vitest";
import {
  letterboxImage,
  resizeImage,
  toUnitImage,
  uint8Image,
  unitImage,
  unsafeImage,
} from "../src/index.js";
import { letterboxPixels } from "../src/kernels.js";
import { arbUint8Image, expectError, patternImage } from "./helpers.js";

describe("resizeImage", () => {
  test("2x1 -> 4x1 bilinear with half-pixel centres (OpenCV INTER_LINEAR values)", () => {
    // sx = (x + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped)
    const im = uint8Image(Uint8Array.of(0, 100), 2, 1, 1);
    const r = resizeImage(im, 4, 1);
    expect(r.range).toBe("0-255");
    expect(Array.from(r.data)).toEqual([0, 25, 75, 100]);
    const f = resizeImage(unitImage(Float32Array.of(0, 1), 2, 1, 1), 4, 1);
    expect(f.range).toBe("0-1");
    expect(Array.from(f.data)).toEqual([0, 0.25, 0.75, 1]);
  });
  test("same size is a copy of the same samples", () => {
    const im = patternImage(7, 5);
    const r = resizeImage(im, 7, 5);
    expect(r.data).not.toBe(im.data);
    expect(Array.from(r.data)).toEqual(Array.from(im.data));
  });
  test("area 4x4 -> 2x2 averages 2x2 blocks", () => {
    const im = uint8Image(
      Uint8Array.from({ length: 16 }, (_, i) => i * 10),
      4,
      4,
      1,
    );
    expect(Array.from(resizeImage(im, 2, 2, "area").data)).toEqual([25, 45, 105, 125]);
  });
  test("area 3 -> 2 weights partial pixels", () => {
    const im = unitImage(Float32Array.of(0, 0.375, 0.75), 3, 1, 1);
    // [0, 1.5) -> (0 + 0.5·0.375)/1.5 = 0.125; [1.5, 3) -> (0.5·0.375 + 0.75)/1.5 = 0.625
    expect(Array.from(resizeImage(im, 2, 1, "area").data)).toEqual([0.125, 0.625]);
  });
  test("bad sizes, methods and images are typed errors naming the function", () => {
    expectError(
      () => resizeImage(patternImage(2, 2), 0, 3),
      "INVALID_ARGUMENT",
      /^resizeImage: width must be a positive integer; got 0/,
    );
    expectError(
      () => resizeImage(patternImage(2, 2), 2, 2, "cubic" as never),
      "INVALID_ARGUMENT",
      /^resizeImage: options.method must be "bilinear" or "area"; got cubic/,
    );
    expectError(
      () => resizeImage(unsafeImage(new Float32Array(3), 1, 1, 3, "network") as never, 2, 2),
      "RANGE_MISMATCH",
      /^resizeImage: image must be a "0-255" or "0-1" image; got a "network" image/,
    );
  });
  ftest.prop([arbUint8Image, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })])(
    "bytes and unit floats resample alike: |byte result − 255 · float result| ≤ 1",
    (im, w, h) => {
      const b = resizeImage(im, w, h).data;
      const f = resizeImage(toUnitImage(im), w, h).data;
      let worst = 0;
      for (let i = 0; i < b.length; i++)
        worst = Math.max(worst, Math.abs((b[i] as number) - 255 * (f[i] as number)));
      expect(worst).toBeLessThanOrEqual(1);
    },
  );
});

describe("letterboxImage", () => {
  test("640x480 -> 300x300: content rows 37..261, zero padding above and below", () => {
    const im = uint8Image(new Uint8Array(640 * 480 * 3).fill(200), 640, 480);
    const rec = letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 });
    const out = letterboxImage(im, rec);
    expect(out.shape).toEqual([300, 300, 3]);
    expect(out.get(36, 150, 0)).toBe(0);
    expect(out.get(37, 150, 0)).toBe(200);
    expect(out.get(261, 150, 0)).toBe(200);
    expect(out.get(262, 150, 0)).toBe(0);
  });
  test("a record of another source size, or no record, is refused", () => {
    const rec = letterboxRecord({ width: 20, height: 10 }, { width: 16, height: 16 });
    expectError(
      () => letterboxImage(patternImage(3, 3), rec),
      "INVALID_ARGUMENT",
      /^letterboxImage: image is 3x3 but record.source is 20x10/,
    );
    expectError(
      () => letterboxImage(patternImage(3, 3), {} as never),
      "INVALID_RECORD",
      /letterboxRecord\(\)/,
    );
  });
  ftest.prop([arbUint8Image])("into a canvas of the image's own size it is the identity", (im) => {
    const [h, w] = im.shape as [number, number];
    const out = letterboxImage(im, letterboxRecord({ width: w, height: h }, { width: w, height: h }));
    expect(Buffer.compare(out.data, im.data)).toBe(0);
  });
  ftest.prop([arbUint8Image, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })])(
    "equals resizeImage to record.resized placed at record.offset, zeros elsewhere",
    (im, tw, th) => {
      const [h, w, c] = im.shape as [number, number, number];
      const rec = letterboxRecord({ width: w, height: h }, { width: tw, height: th });
      const out = letterboxImage(im, rec);
      const inner = resizeImage(im, rec.resized.width, rec.resized.height);
      const expected = new Uint8Array(tw * th * c);
      for (let y = 0; y < rec.resized.height; y++)
        for (let x = 0; x < rec.resized.width; x++)
          for (let k = 0; k < c; k++)
            expected[((y + rec.offset.y) * tw + x + rec.offset.x) * c + k] = inner.get(y, x, k);
      expect(Buffer.compare(out.data, expected)).toBe(0);
    },
  );
});

describe("letterboxPixels (kernels) into a given canvas", () => {
  const pixels = (im: ReturnType<typeof patternImage>) => {
    const [h, w, c] = im.shape as [number, number, number];
    return { data: im.data as Uint8Array, width: w, height: h, channels: c };
  };
  ftest.prop([arbUint8Image, fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 })])(
    "the same pixels as a new canvas, whatever the canvas held before (it is zeroed)",
    (im, tw, th) => {
      const px = pixels(im);
      const rec = letterboxRecord({ width: px.width, height: px.height }, { width: tw, height: th });
      const fresh = letterboxPixels(px, rec, "bilinear");
      const out = new Uint8Array(tw * th * px.channels).fill(77);
      const drawn = letterboxPixels(px, rec, "bilinear", out);
      expect(drawn.data).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(fresh.data));
    },
  );
  test("an out of another length or buffer type is refused naming it", () => {
    const px = pixels(patternImage(4, 2));
    const rec = letterboxRecord({ width: 4, height: 2 }, { width: 3, height: 3 });
    expectError(
      () => letterboxPixels(px, rec, "bilinear", new Uint8Array(26)),
      "INVALID_ARGUMENT",
      /^letterboxPixels: out must be a Uint8Array of 27 samples; got Uint8Array\(26\)/,
    );
    expectError(
      () => letterboxPixels(px, rec, "bilinear", new Float32Array(27)),
      "INVALID_ARGUMENT",
      /^letterboxPixels: out must be a Uint8Array of 27 samples; got Float32Array\(27\)/,
    );
  });
});
