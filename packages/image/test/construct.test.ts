import { fc, test as ftest } from "@fast-check/vitest";
import ndarray from "ndarray";
import { describe, expect, test } from "vitest";
import {
  asImage,
  checkImage,
  IMAGE_KIND,
  imageSize,
  uint8Image,
  unitImage,
  unsafeImage,
} from "../src/index.js";
import { arbUint8Image, expectError, patternImage } from "./helpers.js";

describe("uint8Image", () => {
  test("wraps the buffer without a copy, tagged 0-255 hwc", () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const im = uint8Image(data, 2, 1);
    expect(im.data).toBe(data);
    expect(im.shape).toEqual([1, 2, 3]);
    expect([im.kind, im.range, im.layout]).toEqual([IMAGE_KIND, "0-255", "hwc"]);
    expect(im.get(0, 1, 2)).toBe(6);
  });
  test("a Uint8ClampedArray (ImageData.data) is viewed as a Uint8Array over the same memory", () => {
    const c = new Uint8ClampedArray(4);
    const im = uint8Image(c, 1, 1, 4);
    expect(im.data).toBeInstanceOf(Uint8Array);
    c[3] = 9;
    expect(im.data[3]).toBe(9);
  });
  test("bad sizes, channels, buffer type and length are typed errors naming the argument", () => {
    expectError(
      () => uint8Image(new Uint8Array(0), 0, 1),
      "INVALID_ARGUMENT",
      /^uint8Image: width must be a positive integer; got 0/,
    );
    expectError(
      () => uint8Image(new Uint8Array(2), 1, 1, 2),
      "INVALID_ARGUMENT",
      /channels must be 1, 3 or 4; got 2/,
    );
    expectError(
      () => uint8Image(new Uint8Array(5), 2, 1),
      "INVALID_IMAGE",
      /data has 5 values; width × height × channels = 2 × 1 × 3 = 6/,
    );
    expectError(
      () => uint8Image(new Float32Array(3) as never, 1, 1),
      "INVALID_IMAGE",
      /data must be a Uint8Array or Uint8ClampedArray/,
    );
  });
});

describe("unitImage", () => {
  test("wraps floats in [0, 1] (both ends included)", () => {
    const im = unitImage(Float32Array.of(0, 0.5, 1), 1, 1);
    expect([im.range, im.shape]).toEqual(["0-1", [1, 1, 3]]);
  });
  test("a sample outside [0, 1] or NaN is named by row, column and channel", () => {
    expectError(
      () => unitImage(Float32Array.of(0, 0, 0, 0, 37, 0), 2, 1),
      "OUT_OF_RANGE",
      /^unitImage: data sample \(y 0, x 1, c 1\) is 37, outside \[0, 1\]; values in \[0, 255\] belong in a Uint8Array/,
    );
    expectError(() => unitImage(Float32Array.of(Number.NaN), 1, 1, 1), "OUT_OF_RANGE", /is NaN, outside/);
    expectError(() => unitImage(Float32Array.of(-0.5), 1, 1, 1), "OUT_OF_RANGE", /is -0.5, outside/);
  });
});

describe("asImage", () => {
  test("tags a strided view without copying or touching the input", () => {
    const base = patternImage(4, 3);
    const plain = ndarray(base.data, [3, 4, 3]);
    const mirrored = plain.step(1, -1);
    const im = asImage(mirrored, "0-255");
    expect(im.data).toBe(base.data);
    expect(im.get(2, 0, 1)).toBe(base.get(2, 3, 1));
    expect((mirrored as unknown as { kind?: string }).kind).toBeUndefined();
  });
  test('"0-1" checks every sample of the view; [0, 255] floats are refused', () => {
    const f = ndarray(Float32Array.of(0.25, 1, 0), [1, 1, 3]);
    expect(asImage(f, "0-1").range).toBe("0-1");
    expectError(
      () => asImage(ndarray(Float32Array.of(0, 128, 255), [1, 1, 3]), "0-1"),
      "OUT_OF_RANGE",
      /^asImage: array sample \(y 0, x 0, c 1\) is 128/,
    );
  });
  test("range and buffer must agree; a tagged image is not re-tagged; network is not declarable", () => {
    expectError(
      () => asImage(ndarray(new Uint8Array(3), [1, 1, 3]) as never, "0-1"),
      "INVALID_IMAGE",
      /^asImage: array is declared "0-1" but holds a Uint8Array/,
    );
    const unit = unitImage(new Float32Array(3), 1, 1);
    expectError(
      () => asImage(unit as never, "0-255"),
      "RANGE_MISMATCH",
      /already a "0-1" image; convert it \(toUint8Image\(\) \/ toUnitImage\(\)\)/,
    );
    expectError(
      () => asImage(ndarray(new Float32Array(3), [1, 1, 3]), "network" as never),
      "INVALID_ARGUMENT",
      /range must be "0-255" or "0-1"; got "network"/,
    );
  });
});

describe("unsafeImage and imageSize", () => {
  test("unsafeImage tags without checks; imageSize reads [H, W, C]", () => {
    const n = unsafeImage(Float32Array.of(-1, 0, 1), 1, 1, 3, "network");
    expect(n.range).toBe("network");
    expect(imageSize(patternImage(5, 2))).toEqual({ width: 5, height: 2 });
  });
  ftest.prop([arbUint8Image])("every constructed image passes the boundary check unchanged", (im) => {
    expect(checkImage("f", "image", im, ["0-255"])).toBe(im);
    expect(asImage(ndarray(im.data, im.shape.slice()), "0-255").data).toBe(im.data);
  });
  ftest.prop([fc.float32Array({ min: 0, max: 1, noNaN: true, minLength: 1, maxLength: 30 })])(
    "unitImage accepts any [0, 1] buffer (one channel)",
    (d) => {
      expect(unitImage(d, d.length, 1, 1).range).toBe("0-1");
    },
  );
});
