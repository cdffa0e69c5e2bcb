import { isOdError, unsafeBoxes } from "@od/boxes";
import ndarray from "ndarray";
import { describe, expect, test } from "vitest";
import {
  asImage,
  horizontalFlip,
  type Image,
  makeSample,
  toUnitImage,
  validateSample,
} from "../src/index.js";
import { createRng } from "../src/rng.js";
import { patternImage, pxBoxes } from "./helpers.js";

function expectError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(isOdError(e, code), String(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected an error");
}

describe("makeSample", () => {
  test("valid sample: copies labels into an Int32Array, empty records", () => {
    const s = makeSample(patternImage(8, 6), pxBoxes([[1, 1, 4, 5]]), [2]);
    expect(s.labels).toEqual(Int32Array.of(2));
    expect(s.records).toEqual([]);
    expect(s.image.shape).toEqual([6, 8, 3]);
  });
  test("empty sample", () => {
    const s = makeSample(patternImage(4, 4), unsafeBoxes(new Float32Array(0), "xyxy", "px"), []);
    expect(s.boxes.length).toBe(0);
  });
  test("wrong rank", () => {
    expectError(
      () => makeSample(ndarray(new Uint8Array(12), [3, 4]) as Image, pxBoxes([]), []),
      "INVALID_IMAGE",
      /^makeSample: image must have rank 3 .*\[3, 4\]/,
    );
  });
  test("wrong channel count", () => {
    expectError(
      () => makeSample(ndarray(new Uint8Array(2 * 2 * 2), [2, 2, 2]) as unknown as Image, pxBoxes([]), []),
      "INVALID_IMAGE",
      /1, 3 or 4 channels; got 2/,
    );
  });
  test("wrong dtype", () => {
    const im = ndarray(new Int16Array(12), [2, 2, 3]) as unknown;
    expectError(
      () => makeSample(im as Image, pxBoxes([]), []),
      "INVALID_IMAGE",
      /Uint8Array .* or Float32Array .*; got Int16Array/,
    );
  });
  test("wrong box format / units", () => {
    expectError(
      () => makeSample(patternImage(4, 4), unsafeBoxes(new Float32Array(4), "cxcywh", "px") as never, [0]),
      "INVALID_BOXES",
      /boxes must be xyxy boxes; got cxcywh/,
    );
    expectError(
      () => makeSample(patternImage(4, 4), unsafeBoxes(new Float32Array(4), "xyxy", "rel") as never, [0]),
      "INVALID_BOXES",
      /boxes must be in px; got rel/,
    );
  });
  test("labels length differs", () => {
    expectError(
      () => makeSample(patternImage(4, 4), pxBoxes([[0, 0, 1, 1]]), [1, 2]),
      "SHAPE_MISMATCH",
      /labels has length 2 but boxes has 1 boxes/,
    );
  });
  test("box out of image names index and value", () => {
    expectError(
      () =>
        makeSample(
          patternImage(4, 4),
          pxBoxes([
            [0, 0, 1, 1],
            [1, 1, 9, 2],
          ]),
          [0, 1],
        ),
      "INVALID_BOXES",
      /box 1 .*out-of-image/,
    );
  });
  test("NaN box", () => {
    expectError(
      () =>
        makeSample(patternImage(4, 4), unsafeBoxes(Float32Array.of(Number.NaN, 0, 1, 1), "xyxy", "px"), [0]),
      "INVALID_BOXES",
      /non-finite/,
    );
  });
  test("validateSample clip policy reports every affected box and keeps labels aligned", () => {
    const r = validateSample(
      patternImage(4, 4),
      pxBoxes([
        [0, 0, 1, 1],
        [-1, 1, 2, 2],
        [5, 5, 6, 6],
      ]),
      [7, 8, 9],
      { policy: "clip" },
    );
    expect(Array.from(r.sample.boxes.data)).toEqual([0, 0, 1, 1, 0, 1, 2, 2]);
    expect(Array.from(r.sample.labels)).toEqual([7, 8]);
    expect(r.issues.map((i) => [i.index, i.reason, i.action])).toEqual([
      [1, "out-of-image", "clipped"],
      [2, "outside-image", "dropped"],
    ]);
  });
  test("strided views are copied to contiguous HWC", () => {
    const base = patternImage(6, 4);
    const view = asImage(base.step(1, -1), "0-255"); // mirrored view
    const s = makeSample(view, pxBoxes([]), []);
    expect(s.image.stride).toEqual([18, 3, 1]);
    expect(s.image.range).toBe("0-255");
    expect(s.image.get(0, 0, 0)).toBe(base.get(0, 5, 0));
    expect(s.image.get(3, 2, 1)).toBe(base.get(3, 3, 1));
  });
  test("images keep their range through transforms; untagged bytes (plain JS) are read as [0, 255]", () => {
    const floats = makeSample(toUnitImage(patternImage(6, 4)), pxBoxes([]), []);
    expect(floats.image.range).toBe("0-1");
    expect(horizontalFlip().apply(floats, createRng(1)).sample.image.range).toBe("0-1");
    const plain = ndarray(patternImage(6, 4).data, [4, 6, 3]) as unknown as Image;
    expect(makeSample(plain, pxBoxes([]), []).image.range).toBe("0-255");
  });
  test("an untagged float image is refused, naming the call that declares its range", () => {
    expectError(
      () => makeSample(ndarray(new Float32Array(12), [2, 2, 3]) as unknown as Image, pxBoxes([]), []),
      "UNKNOWN_RANGE",
      /^makeSample: image is a float32 ndarray with no range tag.*asImage\(array, "0-1"\)/,
    );
    expectError(
      () => makeSample(asImage(ndarray(Float32Array.of(0, 255, 0), [1, 1, 3]), "0-1"), pxBoxes([]), []),
      "OUT_OF_RANGE",
      /^asImage: array sample \(y 0, x 0, c 1\) is 255, outside \[0, 1\]/,
    );
  });
  test("transforms reject malformed samples naming the transform", () => {
    const s = makeSample(patternImage(4, 4), pxBoxes([[0, 0, 1, 1]]), [1]);
    expectError(
      () => horizontalFlip().apply({ ...s, labels: new Int32Array(2) }, createRng(1)),
      "SHAPE_MISMATCH",
      /^horizontalFlip: sample.labels has length 2/,
    );
    expectError(
      () =>
        horizontalFlip().apply(
          { ...s, image: ndarray(new Float64Array(48), [4, 4, 3]) as never },
          createRng(1),
        ),
      "INVALID_IMAGE",
      /^horizontalFlip: sample.image must hold/,
    );
  });
});
