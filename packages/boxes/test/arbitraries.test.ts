import { fc, test } from "@fast-check/vitest";
import { BOX_FORMATS, BOX_UNITS, type BoxFormat, type BoxUnits, convert, validateBoxes } from "@od/boxes";
import {
  arbBox,
  arbBoxes,
  arbCoords,
  arbFormat,
  arbImageAndBoxes,
  arbImageSize,
  arbNastyBoxes,
  arbNastyCoords,
  arbUnits,
  NASTY_KINDS,
} from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";

const COMBOS: [BoxFormat, BoxUnits][] = BOX_FORMATS.flatMap((f) =>
  BOX_UNITS.map((u): [BoxFormat, BoxUnits] => [f, u]),
);

describe("valid arbitraries", () => {
  test.each(COMBOS)("arbBoxes(%s, %s) pass validateBoxes with the image, unchanged", (format, units) => {
    const image = { width: 37, height: 911 };
    fc.assert(
      fc.property(arbBoxes({ format, units, image, minLength: 1, maxLength: 20 }), (b) => {
        expect(b.format).toBe(format);
        expect(b.units).toBe(units);
        const r = validateBoxes(b.data, format, units, { image });
        expect(r.issues).toEqual([]);
        expect(r.boxes.data).toEqual(b.data);
      }),
      { numRuns: 50 },
    );
  });

  test.prop([
    fc
      .tuple(arbFormat(), arbUnits())
      .chain(([format, units]) => arbImageAndBoxes({ format, units, maxLength: 10, allowEmpty: false })),
  ])("arbImageAndBoxes with allowEmpty false: inside the image and positive area", ({ image, boxes: b }) => {
    expect(validateBoxes(b.data, b.format, b.units, { image, allowEmpty: false }).issues).toEqual([]);
  });

  test.prop([arbImageSize({ minWidth: 5, maxWidth: 9, minHeight: 100, maxHeight: 100 })])(
    "arbImageSize bounds",
    (s) => {
      expect(Number.isInteger(s.width)).toBe(true);
      expect(s.width).toBeGreaterThanOrEqual(5);
      expect(s.width).toBeLessThanOrEqual(9);
      expect(s.height).toBe(100);
    },
  );

  test.prop([arbBox({ format: "xywh", units: "rel" })])("arbBox gives a Box", (b) => {
    expect(b.kind).toBe("od.box");
    expect(b.format).toBe("xywh");
    expect(validateBoxes([b.coords], "xywh", "rel", { image: { width: 1, height: 1 } }).issues).toEqual([]);
  });

  test.prop([arbCoords({ format: "cxcywh", units: "px" })])("coordinates are exact in float32", (c) => {
    for (const v of c) expect(Math.fround(v)).toBe(v);
  });

  test("length bounds and bad options", () => {
    fc.assert(
      fc.property(arbBoxes({ format: "xyxy", units: "px", minLength: 3, maxLength: 4 }), (b) => {
        expect(b.length).toBeGreaterThanOrEqual(3);
        expect(b.length).toBeLessThanOrEqual(4);
      }),
      { numRuns: 20 },
    );
    expect(() => arbImageSize({ maxWidth: 70000 })).toThrow(RangeError);
    expect(() => arbBoxes({ format: "xyxy", units: "px", image: { width: 1.5, height: 2 } })).toThrow(
      "arbCoords: image must have integer sides >= 1; got 1.5x2",
    );
    expect(() => arbBoxes({ format: "zz" as never, units: "px" })).toThrow(RangeError);
  });
});

describe("nasty arbitraries", () => {
  const expected: Record<(typeof NASTY_KINDS)[number], string | undefined> = {
    degenerate: undefined,
    huge: undefined,
    tiny: undefined,
    negative: undefined,
    "non-finite": "non-finite",
    inverted: "inverted",
  };

  test.each(NASTY_KINDS.flatMap((k) => BOX_FORMATS.map((f) => [k, f] as const)))(
    "%s in %s: validateBoxes agrees with the documented reason",
    (kind, format) => {
      fc.assert(
        fc.property(arbNastyCoords({ format, kinds: [kind] }), ({ kind: k, coords }) => {
          expect(k).toBe(kind);
          const r = validateBoxes([coords], format, "px", { policy: "drop" });
          expect(r.issues[0]?.reason).toBe(expected[kind]);
        }),
        { numRuns: 30 },
      );
    },
  );

  test("degenerate boxes have zero width or height; negative ones a negative corner", () => {
    fc.assert(
      fc.property(arbNastyCoords({ format: "xywh", kinds: ["degenerate"] }), ({ coords }) => {
        expect(coords[2] === 0 || coords[3] === 0).toBe(true);
      }),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(arbNastyCoords({ format: "xyxy", kinds: ["negative"] }), ({ coords }) => {
        expect(Math.min(...coords)).toBeLessThan(0);
      }),
      { numRuns: 30 },
    );
  });

  test.prop([arbFormat().chain((format) => arbNastyBoxes({ format, units: "px", maxLength: 20 }))])(
    "arbNastyBoxes are well-formed Boxes that od functions accept without throwing",
    (b) => {
      expect(b.data.length).toBe(b.length * 4);
      expect(convert(b, "xyxy").length).toBe(b.length);
      const r = validateBoxes(b.data, b.format, b.units, { policy: "drop" });
      expect(r.kept.length + r.issues.length).toBe(b.length);
    },
  );
});
