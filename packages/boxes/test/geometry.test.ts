import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import {
  area,
  BOX_FORMATS,
  type BoxFormat,
  boxes,
  clip,
  convert,
  emptyBoxes,
  flipHorizontal,
  flipVertical,
  toArray,
  toRel,
  translate,
  unsafeBoxes,
  validateBoxes,
} from "@od/boxes";
import { arbBoxes, arbImageAndBoxes, arbNastyBoxes } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught, maxAbsDiff } from "./helpers.js";

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/core_convert.json", import.meta.url), "utf8"),
) as {
  image: { width: number; height: number };
  boxes: Record<BoxFormat, number[][]>;
  area: number[];
  clip: { input: number[][]; output: number[][] };
};
const image = { width: 640, height: 480 };
const anyFormat = fc.constantFrom(...BOX_FORMATS);

describe("area", () => {
  test.each([
    ["xyxy", [10, 20, 50, 80], 2400],
    ["xywh", [10, 20, 40, 60], 2400],
    ["cxcywh", [30, 50, 40, 60], 2400],
    ["yxyx", [20, 10, 80, 50], 2400],
    ["xyxy", [5, 5, 5, 9], 0],
    ["xyxy", [0, 0, 640, 480], 307200],
  ] as const)("%s %j -> %d", (format, row, expected) => {
    expect(Array.from(area(boxes([row], format, "px")))).toEqual([expected]);
  });

  test("empty, NaN, inverted (raw product, as torchvision)", () => {
    expect(area(emptyBoxes("xyxy", "px")).length).toBe(0);
    expect(Number.isNaN(area(unsafeBoxes(new Float32Array([Number.NaN, 0, 1, 1]), "xyxy", "px"))[0])).toBe(
      true,
    );
    expect(area(unsafeBoxes(new Float32Array([2, 0, 1, 1]), "xyxy", "px"))[0]).toBe(-1);
  });

  test.each(BOX_FORMATS)("matches torchvision box_area (%s input)", (format) => {
    const got = area(boxes(fixture.boxes[format], format, "px"));
    for (let i = 0; i < got.length; i++) {
      expect(Math.abs((got[i] as number) - (fixture.area[i] as number))).toBeLessThanOrEqual(
        1e-4 * Math.max(1, fixture.area[i] as number) + 0.05, // inputs are float32-rounded (ulp at 640 is 6e-5)
      );
    }
  });

  test.prop([arbImageAndBoxes({ format: "xyxy", units: "px", maxLength: 10 })])(
    "rel area = px area / image area",
    ({ image: im, boxes: b }) => {
      const a = area(b);
      const r = area(toRel(b, im));
      for (let i = 0; i < a.length; i++) {
        expect(Math.abs((r[i] as number) - (a[i] as number) / (im.width * im.height))).toBeLessThan(1e-6);
      }
    },
  );
});

describe("clip", () => {
  test("matches torchvision clip_boxes_to_image", () => {
    const got = clip(boxes(fixture.clip.input, "xyxy", "px"), fixture.image);
    expect(maxAbsDiff(got.data, fixture.clip.output.flat())).toBeLessThan(1e-4);
  });

  test("by hand: crossing, outside (becomes zero-area on the border), rel, other formats", () => {
    const b = boxes(
      [
        [-10, -5, 700, 500],
        [650, 10, 700, 20],
        [0, 0, 640, 480],
      ],
      "xyxy",
      "px",
    );
    expect(toArray(clip(b, image))).toEqual([
      [0, 0, 640, 480],
      [640, 10, 640, 20],
      [0, 0, 640, 480],
    ]);
    expect(toArray(clip(boxes([[-0.5, 0.5, 2, 0.75]], "xyxy", "rel")))).toEqual([[0, 0.5, 1, 0.75]]);
    expect(toArray(clip(boxes([[630, 240, 40, 20]], "cxcywh", "px"), image))).toEqual([[625, 240, 30, 20]]);
    expect(toArray(clip(boxes([[-10, 600, 100, 700]], "yxyx", "px"), image))).toEqual([[0, 600, 100, 640]]);
    expect(clip(emptyBoxes("xyxy", "px"), image).length).toBe(0);
  });

  test("px boxes need a size", () => {
    expect(caught(() => clip(boxes([[0, 0, 1, 1]], "xyxy", "px")))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "clip: size is required for px boxes (the image's { width, height })",
    });
  });

  test.prop([
    anyFormat.chain((format) =>
      arbNastyBoxes({ format, units: "px", kinds: ["huge", "negative", "tiny", "degenerate"] }),
    ),
  ])("clip keeps boxes inside the image", (b) => {
    const c = convert(clip(b, image), "xyxy").data;
    for (let s = 0; s < c.length; s += 4) {
      expect(c[s]).toBeGreaterThanOrEqual(0);
      expect(c[s + 1]).toBeGreaterThanOrEqual(0);
      // cxcywh/xywh rows of huge boxes lose precision when converted back; allow float32 ulp at 640
      expect(c[s + 2]).toBeLessThanOrEqual(640 + 1e-3);
      expect(c[s + 3]).toBeLessThanOrEqual(480 + 1e-3);
    }
  });

  test.prop([arbImageAndBoxes({ format: "xyxy", units: "px", maxLength: 20 })])(
    "clip is idempotent and leaves boxes already inside unchanged",
    ({ image: im, boxes: b }) => {
      expect(clip(b, im).data).toEqual(b.data);
      expect(clip(clip(b, { width: 7, height: 5 }), { width: 7, height: 5 }).data).toEqual(
        clip(b, { width: 7, height: 5 }).data,
      );
    },
  );
});

describe("flipHorizontal / flipVertical", () => {
  test.each([
    ["xyxy", [10, 20, 50, 80], [590, 20, 630, 80], [10, 400, 50, 460]],
    ["xywh", [10, 20, 40, 60], [590, 20, 40, 60], [10, 400, 40, 60]],
    ["cxcywh", [30, 50, 40, 60], [610, 50, 40, 60], [30, 430, 40, 60]],
    ["yxyx", [20, 10, 80, 50], [20, 590, 80, 630], [400, 10, 460, 50]],
  ] as const)("%s by hand in a 640x480 image", (format, row, h, v) => {
    const b = boxes([row], format, "px");
    expect(toArray(flipHorizontal(b, image))).toEqual([h]);
    expect(toArray(flipVertical(b, image))).toEqual([v]);
  });

  test("border, zero-area, rel, empty", () => {
    expect(toArray(flipHorizontal(boxes([[0, 0, 640, 480]], "xyxy", "px"), image))).toEqual([
      [0, 0, 640, 480],
    ]);
    expect(toArray(flipHorizontal(boxes([[0, 5, 0, 9]], "xyxy", "px"), image))).toEqual([[640, 5, 640, 9]]);
    expect(toArray(flipVertical(boxes([[0.25, 0, 0.5, 0.25]], "xyxy", "rel")))).toEqual([
      [0.25, 0.75, 0.5, 1],
    ]);
    expect(flipVertical(emptyBoxes("xyxy", "px"), image).length).toBe(0);
  });

  test("px boxes need a size", () => {
    expect(caught(() => flipVertical(boxes([[0, 0, 1, 1]], "xyxy", "px")))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "flipVertical: size is required for px boxes (the image's { width, height })",
    });
  });

  test.prop([anyFormat.chain((format) => arbImageAndBoxes({ format, units: "px", maxLength: 20 }))])(
    "flip∘flip = identity, flips keep boxes inside and valid, and keep the area",
    ({ image: im, boxes: b }) => {
      const h = flipHorizontal(b, im);
      const v = flipVertical(b, im);
      expect(flipHorizontal(h, im).data).toEqual(b.data);
      expect(flipVertical(v, im).data).toEqual(b.data);
      expect(validateBoxes(h.data, h.format, "px", { image: im }).issues).toEqual([]);
      expect(area(h)).toEqual(area(b));
      expect(area(v)).toEqual(area(b));
    },
  );

  test.prop([anyFormat.chain((format) => arbBoxes({ format, units: "rel", maxLength: 20 })), anyFormat])(
    "flips commute with convert and with each other (rel)",
    (b, to) => {
      expect(convert(flipHorizontal(b), to).data).toEqual(flipHorizontal(convert(b, to)).data);
      expect(flipVertical(flipHorizontal(b)).data).toEqual(flipHorizontal(flipVertical(b)).data);
    },
  );
});

describe("translate", () => {
  test.each([
    ["xyxy", [10, 20, 50, 80], [15, 17, 55, 77]],
    ["xywh", [10, 20, 40, 60], [15, 17, 40, 60]],
    ["cxcywh", [30, 50, 40, 60], [35, 47, 40, 60]],
    ["yxyx", [20, 10, 80, 50], [17, 15, 77, 55]],
  ] as const)("%s by hand: (+5, -3)", (format, row, expected) => {
    expect(toArray(translate(boxes([row], format, "px"), 5, -3))).toEqual([expected]);
  });

  test("errors", () => {
    expect(caught(() => translate(boxes([[0, 0, 1, 1]], "xyxy", "px"), Number.NaN, 0))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "translate: dx and dy must be finite numbers; got NaN, 0",
    });
    expect(caught(() => translate(null as never, 1, 1))).toMatchObject({ code: "NOT_BOXES" });
  });

  // Integer shifts of grid coordinates are exact, so the relations hold bit for bit.
  const shift = fc.integer({ min: -1000, max: 1000 });
  test.prop([
    anyFormat.chain((format) => arbBoxes({ format, units: "px", maxLength: 20 })),
    shift,
    shift,
    shift,
    shift,
    anyFormat,
  ])("metamorphic: inverse, additivity, commutes with convert, keeps area", (b, dx, dy, ex, ey, to) => {
    expect(translate(translate(b, dx, dy), -dx, -dy).data).toEqual(b.data);
    expect(translate(translate(b, dx, dy), ex, ey).data).toEqual(translate(b, dx + ex, dy + ey).data);
    expect(convert(translate(b, dx, dy), to).data).toEqual(translate(convert(b, to), dx, dy).data);
    expect(area(translate(b, dx, dy))).toEqual(area(b));
  });

  test.prop([arbImageAndBoxes({ format: "xyxy", units: "px", maxLength: 10 }), shift])(
    "flipHorizontal(translate(b, dx)) = translate(flipHorizontal(b), -dx)",
    ({ image: im, boxes: b }, dx) => {
      expect(flipHorizontal(translate(b, dx, 0), im).data).toEqual(
        translate(flipHorizontal(b, im), -dx, 0).data,
      );
    },
  );
});
