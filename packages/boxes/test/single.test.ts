import { fc, test } from "@fast-check/vitest";
import {
  area,
  BOX_FORMATS,
  box,
  boxArea,
  boxAt,
  boxes,
  boxIou,
  clip,
  clipBox,
  convert,
  convertBox,
  flipBoxHorizontal,
  flipBoxVertical,
  flipHorizontal,
  iou,
  scaleBox,
  toPxBox,
  toRelBox,
  translateBox,
} from "@od/boxes";
import { arbBox, arbBoxes } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught } from "./helpers.js";

const image = { width: 640, height: 480 };
const b = box([10, 20, 50, 80], "xyxy", "px");

describe("convertBox", () => {
  test("by hand, keeping float64 values", () => {
    expect(convertBox(b, "cxcywh")).toEqual({
      kind: "od.box",
      format: "cxcywh",
      units: "px",
      coords: [30, 50, 40, 60],
    });
    expect(convertBox(b, "yxyx").coords).toEqual([20, 10, 80, 50]);
    expect(convertBox(box([0.1, 0.2, 0.3, 0.5], "xyxy", "rel"), "xywh").coords[0]).toBe(0.1);
  });

  test("errors", () => {
    expect(caught(() => convertBox([1, 2, 3, 4] as never, "xywh"))).toMatchObject({
      code: "NOT_BOXES",
      message: "convertBox: b must be a Box (made by box() or boxAt()); got [1, 2, 3, 4]",
    });
  });

  test.prop([
    fc.constantFrom(...BOX_FORMATS).chain((format) => arbBox({ format, units: "px" })),
    fc.constantFrom(...BOX_FORMATS),
  ])("round trip and agreement with convert()", (x, to) => {
    expect(convertBox(convertBox(x, to), x.format)).toEqual(x);
    expect(convertBox(x, to).coords).toEqual(Array.from(convert(boxes([x.coords], x.format, "px"), to).data));
  });
});

describe("boxArea / boxIou", () => {
  test("by hand", () => {
    expect(boxArea(b)).toBe(2400);
    expect(boxArea(box([5, 5, 5, 9], "xyxy", "px"))).toBe(0);
    expect(boxIou(b, b)).toBe(1);
    // [0,0,2,2] vs [1,1,3,3]: intersection 1, union 7
    expect(boxIou(box([0, 0, 2, 2], "xyxy", "px"), box([1, 1, 3, 3], "xyxy", "px"))).toBeCloseTo(1 / 7, 6);
    expect(boxIou(box([0, 0, 1, 1], "xywh", "rel"), box([2, 2, 1, 1], "xywh", "rel"))).toBe(0);
  });

  test("mix-ups throw when types are bypassed", () => {
    expect(caught(() => boxIou(b, convertBox(b, "cxcywh") as never))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "boxIou: a is xyxy but b is cxcywh; convertBox() one of them first",
    });
    expect(caught(() => boxIou(b, toRelBox(b, image) as never))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "boxIou: a is in px but b is in rel; use toRelBox()/toPxBox() first",
    });
  });

  test.prop([arbBoxes({ format: "cxcywh", units: "rel", minLength: 2, maxLength: 2 })])(
    "agree with area() and iou()",
    (bs) => {
      const [p, q] = [boxAt(bs, 0), boxAt(bs, 1)];
      expect(Math.abs(boxArea(p) - (area(bs)[0] as number))).toBeLessThan(1e-6);
      expect(boxIou(p, q)).toBe(iou(bs, bs)[1]);
    },
  );
});

describe("toRelBox / toPxBox", () => {
  test("by hand and errors", () => {
    expect(toRelBox(box([64, 48, 320, 240], "xyxy", "px"), image).coords).toEqual([0.1, 0.1, 0.5, 0.5]);
    expect(toPxBox(box([0.5, 0.5, 0.1, 0.1], "cxcywh", "rel"), image).coords).toEqual([320, 240, 64, 48]);
    expect(caught(() => toPxBox(b as never, image))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "toPxBox: b must be in rel units; got px",
    });
  });

  test.prop([fc.constantFrom(...BOX_FORMATS).chain((format) => arbBox({ format, units: "px", image }))])(
    "toPxBox∘toRelBox ≈ identity (float64)",
    (x) => {
      const back = toPxBox(toRelBox(x, image), image);
      back.coords.forEach((c, k) => {
        expect(Math.abs(c - (x.coords[k] as number))).toBeLessThan(1e-9);
      });
    },
  );
});

describe("clipBox / flips / translateBox / scaleBox", () => {
  test("by hand", () => {
    expect(clipBox(box([-10, -5, 700, 500], "xyxy", "px"), image).coords).toEqual([0, 0, 640, 480]);
    expect(clipBox(box([0.5, 0.5, 2, 2], "xywh", "rel")).coords).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(flipBoxHorizontal(b, image).coords).toEqual([590, 20, 630, 80]);
    expect(flipBoxVertical(b, image).coords).toEqual([10, 400, 50, 460]);
    expect(translateBox(convertBox(b, "cxcywh"), 5, -3).coords).toEqual([35, 47, 40, 60]);
    expect(scaleBox(convertBox(b, "yxyx"), 2, 0.5).coords).toEqual([10, 20, 40, 100]);
  });

  test("errors", () => {
    expect(caught(() => clipBox(b))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "clipBox: size is required for px boxes (the image's { width, height })",
    });
    expect(caught(() => translateBox(b, 1, Number.POSITIVE_INFINITY))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "translateBox: dx and dy must be finite numbers; got 1, Infinity",
    });
    expect(caught(() => scaleBox(b, -1))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "scaleBox: sx must be a finite number > 0; got -1",
    });
  });

  test.prop([fc.constantFrom(...BOX_FORMATS).chain((format) => arbBox({ format, units: "px", image }))])(
    "agree with the array functions; flip∘flip = identity",
    (x) => {
      const arr = boxes([x.coords], x.format, "px");
      expect(flipBoxHorizontal(x, image).coords).toEqual(Array.from(flipHorizontal(arr, image).data));
      expect(clipBox(translateBox(x, 100, -100), image).coords).toEqual(
        Array.from(clip(boxes([translateBox(x, 100, -100).coords], x.format, "px"), image).data),
      );
      expect(flipBoxVertical(flipBoxVertical(x, image), image)).toEqual(x);
    },
  );
});
