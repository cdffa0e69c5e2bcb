import ndarray from "ndarray";
import { describe, expect, test } from "vitest";
import { checkImage, unitImage, unsafeImage } from "../src/index.js";
import { readPixels } from "../src/kernels.js";
import { expectError, patternImage } from "./helpers.js";

describe("checkImage", () => {
  test("a tagged image of an accepted range is returned as it is", () => {
    const im = patternImage(3, 2);
    expect(checkImage("f", "image", im, ["0-255", "0-1"])).toBe(im);
  });
  test("an untagged uint8 ndarray (plain JS) is read as 0-255: a tagged view of the same buffer", () => {
    const raw = ndarray(new Uint8Array(12), [2, 2, 3]);
    const im = checkImage("f", "image", raw, ["0-255"]);
    expect(im).not.toBe(raw);
    expect([im.kind, im.range, im.layout]).toEqual(["od.image", "0-255", "hwc"]);
    expect(im.data).toBe(raw.data);
  });
  test("an untagged float32 ndarray is refused, naming the calls that declare or convert it", () => {
    expectError(
      () => checkImage("predict", "images[2]", ndarray(new Float32Array(3), [1, 1, 3]), ["0-255", "0-1"]),
      "UNKNOWN_RANGE",
      /^predict: images\[2\] is a float32 ndarray with no range tag.*asImage\(array, "0-1"\).*uint8Image\(\)/,
    );
  });
  test("another range is a RANGE_MISMATCH naming the conversion", () => {
    const unit = unitImage(new Float32Array(3), 1, 1);
    expectError(
      () => checkImage("drawBoxes", "image", unit, ["0-255"]),
      "RANGE_MISMATCH",
      /^drawBoxes: image must be a "0-255" image; got a "0-1" image; call toUint8Image\(\) first/,
    );
    expectError(
      () => checkImage("g", "image", patternImage(1, 1), ["0-1"]),
      "RANGE_MISMATCH",
      /got a "0-255" image; call toUnitImage\(\) first/,
    );
    const net = unsafeImage(new Float32Array(3), 1, 1, 3, "network");
    expectError(
      () => checkImage("resizeImage", "image", net, ["0-255", "0-1"]),
      "RANGE_MISMATCH",
      /must be a "0-255" or "0-1" image; got a "network" image; network input cannot be turned back/,
    );
    expectError(
      () => checkImage("forward", "x", patternImage(1, 1), ["network"]),
      "RANGE_MISMATCH",
      /make network input with the model's preprocessing/,
    );
  });
  test("malformed values: rank, channels, size, buffer type, tags that contradict the buffer", () => {
    const cases: [unknown, RegExp][] = [
      [null, /^f: image must be an ndarray of shape \[H, W, C\]/],
      [ndarray(new Uint8Array(12), [3, 4]), /must have rank 3 \(H, W, C\); got shape \[3, 4\]/],
      [ndarray(new Uint8Array(8), [2, 2, 2]), /must have 1, 3 or 4 channels; got 2/],
      [ndarray(new Uint8Array(0), [0, 2, 3]), /must have a positive height and width/],
      [
        ndarray(new Int16Array(12), [2, 2, 3]),
        /must hold a Uint8Array .* or Float32Array .*; got Int16Array/,
      ],
      [
        { ...ndarray(new Float32Array(3), [1, 1, 3]), kind: "od.image", range: "0-255", layout: "hwc" },
        /is tagged "0-255" but holds a Float32Array/,
      ],
      [
        { ...ndarray(new Uint8Array(3), [1, 1, 3]), kind: "od.image", range: "0-255", layout: "chw" },
        /image.layout must be "hwc"; got "chw"/,
      ],
      [
        { ...ndarray(new Uint8Array(3), [1, 1, 3]), kind: "od.image", range: "0-100", layout: "hwc" },
        /image.range must be one of "0-255" or "0-1" or "network"; got "0-100"/,
      ],
    ];
    for (const [v, msg] of cases)
      expectError(() => checkImage("f", "image", v, ["0-255"]), "INVALID_IMAGE", msg);
  });
});

describe("readPixels", () => {
  test("packed images are read without a copy; strided views are copied once to packed HWC", () => {
    const im = patternImage(4, 3);
    expect(readPixels("f", "image", im).data).toBe(im.data);
    const mirrored = ndarray(im.data, [3, 4, 3]).step(1, -1);
    const px = readPixels("f", "image", mirrored);
    expect(px.data).not.toBe(im.data);
    expect(Array.from(px.data.subarray(0, 3))).toEqual([im.get(0, 3, 0), im.get(0, 3, 1), im.get(0, 3, 2)]);
  });
  test("an offset view into a larger buffer is sliced; a too-short buffer is an error", () => {
    const data = Uint8Array.from({ length: 9 }, (_, i) => i);
    expect(Array.from(readPixels("f", "image", ndarray(data, [1, 2, 3], [6, 3, 1], 3)).data)).toEqual([
      3, 4, 5, 6, 7, 8,
    ]);
    expectError(
      () => readPixels("f", "image", ndarray(data, [1, 2, 3], [6, 3, 1], 5)),
      "INVALID_IMAGE",
      /buffer of length 9 is too short for shape \[1, 2, 3\] at offset 5/,
    );
  });
  test("network input is not pixels", () => {
    expectError(
      () => readPixels("letterboxImage", "image", unsafeImage(new Float32Array(3), 1, 1, 3, "network")),
      "RANGE_MISMATCH",
      /^letterboxImage: image must be a "0-255" or "0-1" image; got a "network" image/,
    );
  });
});
