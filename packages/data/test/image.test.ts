import { type Uint8Image, uint8Image } from "@od/image";
import { describe, expect, test } from "vitest";
import { applyOrientation, fromCanvas, fromImageData, readImageHeader } from "../src/index.js";
import { expectOdError } from "./helpers.js";

/** 2x3 (H x W) image whose pixel (y, x) has R = 10y + x. */
const img = () => {
  const d = new Uint8Array(2 * 3 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) d[(y * 3 + x) * 3] = 10 * y + x;
  return uint8Image(d, 3, 2);
};
const red = (v: Uint8Image) => {
  const [H = 0, W = 0] = v.shape;
  return Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => v.get(y, x, 0)));
};

describe("applyOrientation", () => {
  // Expected displays worked out from the EXIF 2.3 orientation table.
  test.each([
    [
      1,
      [
        [0, 1, 2],
        [10, 11, 12],
      ],
    ],
    [
      2,
      [
        [2, 1, 0],
        [12, 11, 10],
      ],
    ],
    [
      3,
      [
        [12, 11, 10],
        [2, 1, 0],
      ],
    ],
    [
      4,
      [
        [10, 11, 12],
        [0, 1, 2],
      ],
    ],
    [
      5,
      [
        [0, 10],
        [1, 11],
        [2, 12],
      ],
    ],
    [
      6,
      [
        [10, 0],
        [11, 1],
        [12, 2],
      ],
    ],
    [
      7,
      [
        [12, 2],
        [11, 1],
        [10, 0],
      ],
    ],
    [
      8,
      [
        [2, 12],
        [1, 11],
        [0, 10],
      ],
    ],
  ])("orientation %i", (o, expected) => {
    const out = applyOrientation(img(), o);
    expect(out.range).toBe("0-255");
    expect(red(out)).toEqual(expected);
    expect(out.data.length).toBe(18);
  });
  test("invalid orientation", () => {
    expectOdError(
      () => applyOrientation(img(), 9),
      "INVALID_ARGUMENT",
      /^applyOrientation: orientation must be an integer in 1\.\.8; got 9/,
    );
  });
});

describe("fromImageData / fromCanvas", () => {
  const data = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0]);
  test("RGBA to HWC RGB, alpha dropped", () => {
    const out = fromImageData({ data, width: 2, height: 1 });
    expect(out.shape).toEqual([1, 2, 3]);
    expect([out.kind, out.range, out.layout]).toEqual(["od.image", "0-255", "hwc"]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expectOdError(
      () => fromImageData({ data, width: 3, height: 1 }),
      "INVALID_ARGUMENT",
      /width \* height \* 4 = 12 RGBA bytes; got 8/,
    );
  });
  test("a canvas-like object", () => {
    const canvas = {
      width: 2,
      height: 1,
      getContext: () => ({ getImageData: () => ({ data, width: 2, height: 1 }) }),
    };
    expect(Array.from(fromCanvas(canvas).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expectOdError(
      () => fromCanvas({ width: 1, height: 1, getContext: () => null }),
      "INVALID_ARGUMENT",
      /getContext\('2d'\) returned null/,
    );
  });
});

describe("readImageHeader", () => {
  test("truncated or foreign bytes give undefined", () => {
    expect(readImageHeader(new Uint8Array(0))).toBeUndefined();
    expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBeUndefined();
    expect(readImageHeader(new TextEncoder().encode("GIF89a........"))).toBeUndefined();
  });
});
