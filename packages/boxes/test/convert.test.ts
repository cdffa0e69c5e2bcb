import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import {
  BOX_FORMATS,
  type BoxFormat,
  boxes,
  convert,
  emptyBoxes,
  scale,
  toArray,
  toPx,
  toRel,
  unsafeBoxes,
} from "@od/boxes";
import { arbBoxes, arbImageAndBoxes } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught, maxAbsDiff } from "./helpers.js";

interface ConvertFixture {
  image: { width: number; height: number };
  boxes: Record<BoxFormat, number[][]>;
  pairs: { from: BoxFormat; to: BoxFormat; output: number[][] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/core_convert.json", import.meta.url), "utf8"),
) as ConvertFixture;

const PAIRS: [BoxFormat, BoxFormat][] = BOX_FORMATS.flatMap((a) =>
  BOX_FORMATS.filter((b) => b !== a).map((b): [BoxFormat, BoxFormat] => [a, b]),
);

describe("convert", () => {
  // xyxy [10, 20, 50, 80]: width 40, height 60, centre (30, 50). Worked by hand.
  const hand: Record<BoxFormat, number[]> = {
    xyxy: [10, 20, 50, 80],
    xywh: [10, 20, 40, 60],
    cxcywh: [30, 50, 40, 60],
    yxyx: [20, 10, 80, 50],
  };

  test("there are 12 ordered pairs", () => {
    expect(PAIRS).toHaveLength(12);
  });

  test.each(PAIRS)("%s -> %s by hand", (from, to) => {
    expect(toArray(convert(boxes([hand[from]], from, "px"), to))).toEqual([hand[to]]);
  });

  test.each(PAIRS)("%s -> %s matches torchvision box_convert (yxyx by permutation)", (from, to) => {
    const got = convert(boxes(fixture.boxes[from], from, "px"), to);
    expect(maxAbsDiff(got.data, fixture.boxes[to].flat())).toBeLessThan(1e-4);
  });

  test.each(fixture.pairs.map((p) => [p.from, p.to, p.output] as const))(
    "torchvision box_convert(%s -> %s) directly",
    (from, to, output) => {
      const got = convert(boxes(fixture.boxes[from], from, "px"), to);
      expect(maxAbsDiff(got.data, output.flat())).toBeLessThan(1e-4);
    },
  );

  test("empty, zero-area and same-format", () => {
    expect(convert(emptyBoxes("xyxy", "px"), "cxcywh").length).toBe(0);
    expect(toArray(convert(boxes([[5, 5, 5, 5]], "xyxy", "px"), "cxcywh"))).toEqual([[5, 5, 0, 0]]);
    const b = boxes([[1, 2, 3, 4]], "xywh", "rel");
    const c = convert(b, "xywh");
    expect(c.data).not.toBe(b.data);
    expect(c.data).toEqual(b.data);
  });

  test("NaN propagates (unchecked boxes)", () => {
    const b = unsafeBoxes(new Float32Array([Number.NaN, 0, 1, 1]), "xyxy", "px");
    expect(Number.isNaN(convert(b, "cxcywh").data[0])).toBe(true);
  });

  test("out may alias the input", () => {
    const b = boxes([hand.xyxy], "xyxy", "px");
    const c = convert(b, "cxcywh", b.data);
    expect(c.data).toBe(b.data);
    expect(Array.from(c.data)).toEqual(hand.cxcywh);
  });

  test("runtime errors when types are bypassed", () => {
    expect(caught(() => convert({ format: "xyxy" } as never, "xywh"))).toMatchObject({
      code: "NOT_BOXES",
      message: 'convert: b must be Boxes (made by boxes() or fromJSON()); got {"format":"xyxy"}',
    });
    expect(caught(() => convert(boxes([], "xyxy", "px"), "xyhw" as never))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'convert: to must be one of xyxy, xywh, cxcywh, yxyx; got "xyhw"',
    });
    expect(
      caught(() => convert(boxes([[1, 2, 3, 4]], "xyxy", "px"), "xywh", new Float32Array(3))),
    ).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "convert: out must be a Float32Array of length 4; got Float32Array(3)[0, 0, 0]",
    });
  });

  // Generated boxes are on a dyadic grid, so every conversion is exact in float32.
  test.prop(
    [
      fc
        .tuple(fc.constantFrom(...PAIRS), fc.constantFrom("px" as const, "rel" as const))
        .chain(([[from, to], units]) =>
          arbBoxes({ format: from, units, maxLength: 20 }).map((b) => ({ b, to })),
        ),
    ],
    { numRuns: 200 },
  )("all 12 pairs round trip exactly: convert(convert(b, to), from) = b", ({ b, to }) => {
    const back = convert(convert(b, to), b.format);
    expect(back.format).toBe(b.format);
    expect(back.units).toBe(b.units);
    expect(back.data).toEqual(b.data);
  });

  test.prop([
    fc.constantFrom(...BOX_FORMATS).chain((a) => arbBoxes({ format: a, units: "px", maxLength: 10 })),
    fc.constantFrom(...BOX_FORMATS),
    fc.constantFrom(...BOX_FORMATS),
  ])("conversion is path-independent: a -> b -> c equals a -> c", (x, b, c) => {
    expect(convert(convert(x, b), c).data).toEqual(convert(x, c).data);
  });
});

describe("toRel / toPx", () => {
  test("by hand", () => {
    const size = { width: 640, height: 480 };
    expect(toArray(toRel(boxes([[64, 48, 320, 240]], "xyxy", "px"), size))).toEqual(
      [[0.1, 0.1, 0.5, 0.5]].map((r) => r.map(Math.fround)),
    );
    expect(toArray(toRel(boxes([[320, 240, 64, 48]], "cxcywh", "px"), size))).toEqual(
      [[0.5, 0.5, 0.1, 0.1]].map((r) => r.map(Math.fround)),
    );
    expect(toArray(toRel(boxes([[240, 320, 480, 640]], "yxyx", "px"), size))).toEqual([[0.5, 0.5, 1, 1]]);
    expect(toArray(toPx(boxes([[0, 0, 1, 1]], "xywh", "rel"), size))).toEqual([[0, 0, 640, 480]]);
    expect(toRel(emptyBoxes("xyxy", "px"), size).length).toBe(0);
  });

  test("runtime errors when types are bypassed", () => {
    const rel = boxes([[0, 0, 1, 1]], "xyxy", "rel");
    expect(caught(() => toRel(rel as never, { width: 2, height: 2 }))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "toRel: b must be in px units; got rel",
    });
    expect(
      caught(() => toPx(boxes([[0, 0, 1, 1]], "xyxy", "px") as never, { width: 2, height: 2 })),
    ).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "toPx: b must be in rel units; got px",
    });
    expect(caught(() => toPx(rel, { width: -1, height: 2 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'toPx: size must be { width > 0, height > 0 } (finite); got {"width":-1,"height":2}',
    });
  });

  test.prop([
    fc
      .constantFrom(...BOX_FORMATS)
      .chain((format) => arbImageAndBoxes({ format, units: "px", maxLength: 20 })),
  ])("toPx(toRel(b)) = b within float32 rounding", ({ image, boxes: b }) => {
    const back = toPx(toRel(b, image), image);
    const tol = 2 ** -22 * Math.max(image.width, image.height) * 2;
    expect(maxAbsDiff(back.data, b.data)).toBeLessThanOrEqual(tol);
  });

  test.prop([
    fc
      .constantFrom(...BOX_FORMATS)
      .chain((format) => arbImageAndBoxes({ format, units: "rel", maxLength: 20 })),
  ])("toRel(toPx(b)) = b within float32 rounding", ({ image, boxes: b }) => {
    expect(maxAbsDiff(toRel(toPx(b, image), image).data, b.data)).toBeLessThanOrEqual(2 ** -21);
  });

  test.prop([
    arbImageAndBoxes({ format: "xyxy", units: "px", maxLength: 10 }),
    fc.constantFrom(...BOX_FORMATS),
  ])("toRel commutes with convert", ({ image, boxes: b }, f) => {
    expect(maxAbsDiff(toRel(convert(b, f), image).data, convert(toRel(b, image), f).data)).toBeLessThan(1e-6);
  });
});

describe("scale", () => {
  test("by hand, every format", () => {
    expect(toArray(scale(boxes([[10, 20, 50, 80]], "xyxy", "px"), 2, 0.5))).toEqual([[20, 10, 100, 40]]);
    expect(toArray(scale(boxes([[30, 50, 40, 60]], "cxcywh", "px"), 2, 0.5))).toEqual([[60, 25, 80, 30]]);
    expect(toArray(scale(boxes([[20, 10, 80, 50]], "yxyx", "px"), 2, 0.5))).toEqual([[10, 20, 40, 100]]);
    expect(toArray(scale(boxes([[1, 2, 3, 4]], "xywh", "px"), 3))).toEqual([[3, 6, 9, 12]]);
  });

  test("factor errors", () => {
    const b = boxes([[1, 2, 3, 4]], "xyxy", "px");
    expect(caught(() => scale(b, 0))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "scale: sx must be a finite number > 0; got 0",
    });
    expect(caught(() => scale(b, 1, Number.NaN))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "scale: sy must be a finite number > 0; got NaN",
    });
  });

  test.prop([
    fc.constantFrom(...BOX_FORMATS).chain((format) => arbBoxes({ format, units: "px", maxLength: 10 })),
    fc.integer({ min: -4, max: 4 }),
    fc.integer({ min: -4, max: 4 }),
  ])("scale by powers of two commutes with convert and inverts exactly", (b, ex, ey) => {
    const sx = 2 ** ex;
    const sy = 2 ** ey;
    expect(scale(scale(b, sx, sy), 1 / sx, 1 / sy).data).toEqual(b.data);
    expect(convert(scale(b, sx, sy), "xyxy").data).toEqual(scale(convert(b, "xyxy"), sx, sy).data);
  });
});
