import { test as ftest } from "@fast-check/vitest";
import ndarray from "ndarray";
import { describe, expect, test } from "vitest";
import { asImage, toUint8Image, toUnitImage, uint8Image, unitImage, unsafeImage } from "../src/index.js";
import { arbUint8Image, expectError } from "./helpers.js";

describe("toUnitImage", () => {
  test("v / 255 per sample: 0 → 0, 51 → 0.2, 255 → 1; new packed image", () => {
    const u = toUnitImage(uint8Image(Uint8Array.of(0, 51, 255), 1, 1));
    expect(u.range).toBe("0-1");
    expect(Array.from(u.data)).toEqual([0, Math.fround(0.2), 1]);
  });
  test("strided views are read in view order", () => {
    const base = uint8Image(Uint8Array.of(0, 0, 0, 255, 255, 255), 2, 1);
    const m = asImage(ndarray(base.data, [1, 2, 3]).step(1, -1), "0-255");
    expect(Array.from(toUnitImage(m).data)).toEqual([1, 1, 1, 0, 0, 0]);
  });
  test("a 0-1 image is a RANGE_MISMATCH", () => {
    expectError(
      () => toUnitImage(unitImage(new Float32Array(3), 1, 1) as never),
      "RANGE_MISMATCH",
      /^toUnitImage: image must be a "0-255" image; got a "0-1" image/,
    );
  });
});

describe("toUint8Image", () => {
  test("round(v · 255): 0.5 → 128 (half away from zero), 0.2 → 51, 1 → 255", () => {
    const b = toUint8Image(unitImage(Float32Array.of(0.5, 0.2, 1), 1, 1));
    expect(b.range).toBe("0-255");
    expect(Array.from(b.data)).toEqual([128, 51, 255]);
  });
  test("a NaN or out-of-range sample (only possible through unsafeImage) is named", () => {
    expectError(
      () => toUint8Image(unsafeImage(Float32Array.of(0, 2, 0), 1, 1, 3, "0-1")),
      "OUT_OF_RANGE",
      /^toUint8Image: image sample 1 is 2, outside \[0, 1\]/,
    );
    expectError(
      () => toUint8Image(uint8Image(new Uint8Array(3), 1, 1) as never),
      "RANGE_MISMATCH",
      /got a "0-255" image; it already is bytes/,
    );
  });
  ftest.prop([arbUint8Image])("bytes survive the round trip through [0, 1] exactly", (im) => {
    const back = toUint8Image(toUnitImage(im));
    expect(back.shape).toEqual(im.shape);
    expect(Buffer.compare(back.data, im.data)).toBe(0);
  });
  ftest.prop([arbUint8Image])("unit values stay in [0, 1] and keep the order of the bytes", (im) => {
    const u = toUnitImage(im).data;
    const bad = Array.from(u).findIndex(
      (v, i) =>
        !(v >= 0 && v <= 1) ||
        (i > 0 && (im.data[i] as number) > (im.data[i - 1] as number) && !(v > (u[i - 1] as number))),
    );
    expect(bad).toBe(-1);
  });
});
