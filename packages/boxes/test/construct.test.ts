import { fc, test } from "@fast-check/vitest";
import {
  BOX_FORMATS,
  type BoxFormat,
  type BoxIssue,
  box,
  boxAt,
  boxCoords,
  boxes,
  concat,
  emptyBoxes,
  fromBoxList,
  fromJSON,
  select,
  toArray,
  toJSON,
  unsafeBoxes,
  validateBoxes,
} from "@od/boxes";
import { arbBoxes, arbImageAndBoxes, arbNastyCoords } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught } from "./helpers.js";

const image = { width: 640, height: 480 };

describe("boxes", () => {
  test.each([
    ["rows", [[10, 20, 50, 80]], [10, 20, 50, 80]],
    ["flat", [10, 20, 50, 80, 0, 0, 1, 1], [10, 20, 50, 80, 0, 0, 1, 1]],
    ["Float32Array flat", new Float32Array([1, 2, 3, 4]), [1, 2, 3, 4]],
    ["Int32Array flat", new Int32Array([1, 2, 3, 4]), [1, 2, 3, 4]],
    ["typed rows", [new Float64Array([1, 2, 3, 4])], [1, 2, 3, 4]],
    ["empty", [], []],
    ["zero-area", [[5, 5, 5, 5]], [5, 5, 5, 5]],
    ["border", [[0, 0, 640, 480]], [0, 0, 640, 480]],
  ] as const)("%s", (_name, input, expected) => {
    const b = boxes(input, "xyxy", "px", { image });
    expect(b.kind).toBe("od.boxes");
    expect(b.format).toBe("xyxy");
    expect(b.units).toBe("px");
    expect(b.length).toBe(expected.length / 4);
    expect(Array.from(b.data)).toEqual(expected);
  });

  test("Boxes survive structuredClone (postMessage to a worker) with their tags", () => {
    const b = boxes([[1, 2, 3, 4]], "cxcywh", "rel");
    const c = structuredClone(b);
    expect(toArray(select(c, [0]))).toEqual([[1, 2, 3, 4]]);
    expect(c.format).toBe("cxcywh");
  });

  test("a flat typed array of the wrong length", () => {
    expect(caught(() => boxes(new Float32Array(5), "xyxy", "px"))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "boxes: a flat input must have 4N numbers; got 5",
    });
  });

  test("copies its input", () => {
    const src = new Float32Array([1, 2, 3, 4]);
    const b = boxes(src, "xyxy", "px");
    src[0] = 99;
    expect(b.data[0]).toBe(1);
  });

  test.each([
    ["NaN", [[Number.NaN, 0, 1, 1]], "non-finite"],
    ["Infinity", [[0, 0, Number.POSITIVE_INFINITY, 1]], "non-finite"],
    ["beyond float32", [[0, 0, 1e39, 1]], "non-finite"],
    ["inverted x", [[5, 0, 1, 1]], "inverted"],
    ["inverted y", [[0, 5, 1, 1]], "inverted"],
  ] as const)("rejects %s with INVALID_BOX", (_name, input, reason) => {
    const e = caught(() => boxes(input, "xyxy", "px"));
    expect(e.code).toBe("INVALID_BOX");
    expect(e.message).toMatch(
      new RegExp(
        `^boxes: box 0 \\[.*\\] \\(xyxy px\\) is ${reason}; fix the input or use validateBoxes\\(\\)`,
      ),
    );
    expect(e.details.reason).toBe(reason);
  });

  test("no silent drop: boxes() and fromJSON() refuse a drop/clip policy from plain-JS callers", () => {
    expect(caught(() => boxes([], "xyxy", "px", { policy: "drop" } as never))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'boxes: options.policy "drop" is not supported here (nothing is dropped silently); use validateBoxes() to get the kept boxes and a report',
    });
    expect(
      caught(() => fromJSON(toJSON(boxes([], "xyxy", "px")), "xyxy", "px", { policy: "clip" } as never)).code,
    ).toBe("INVALID_ARGUMENT");
  });

  test("negative width in xywh and cxcywh is inverted", () => {
    for (const f of ["xywh", "cxcywh"] as const) {
      expect(caught(() => boxes([[10, 10, -1, 5]], f, "px")).details.reason).toBe("inverted");
    }
  });

  test("shape and type errors", () => {
    expect(caught(() => boxes([1, 2, 3], "xyxy", "px"))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "boxes: a flat input must have 4N numbers; got 3",
    });
    expect(caught(() => boxes([[1, 2, 3]], "xyxy", "px"))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "boxes: input[0] must have 4 coordinates; got [1, 2, 3]",
    });
    expect(caught(() => boxes([["1", 2, 3, 4]] as never, "xyxy", "px"))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'boxes: input[0][0] must be a number; got "1"',
    });
    expect(caught(() => boxes(42 as never, "xyxy", "px"))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "boxes: input must be an array of [a, b, c, d] rows or a flat array of 4N numbers; got 42",
    });
  });

  test("unknown format or units (plain-JS callers)", () => {
    expect(caught(() => boxes([], "xyxy2" as never, "px"))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'boxes: format must be one of xyxy, xywh, cxcywh, yxyx; got "xyxy2"',
    });
    expect(caught(() => boxes([], "xyxy", "pixels" as never))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'boxes: units must be "px" or "rel"; got "pixels"',
    });
  });
});

describe("validateBoxes", () => {
  // index: 0 ok, 1 NaN, 2 inverted, 3 crosses the right border, 4 fully outside, 5 zero-area, 6 touching from outside
  const rows = [
    [10, 10, 20, 20],
    [Number.NaN, 0, 1, 1],
    [30, 30, 20, 40],
    [600, 100, 700, 200],
    [700, 10, 720, 20],
    [50, 50, 50, 60],
    [640, 10, 660, 20],
  ];

  test("policy drop reports every affected box", () => {
    const r = validateBoxes(rows, "xyxy", "px", { image, policy: "drop" });
    expect(toArray(r.boxes)).toEqual([
      [10, 10, 20, 20],
      [50, 50, 50, 60],
    ]);
    expect(Array.from(r.kept)).toEqual([0, 5]);
    expect(r.issues).toEqual<BoxIssue[]>([
      { index: 1, value: [Number.NaN, 0, 1, 1], reason: "non-finite", action: "dropped" },
      { index: 2, value: [30, 30, 20, 40], reason: "inverted", action: "dropped" },
      { index: 3, value: [600, 100, 700, 200], reason: "out-of-image", action: "dropped" },
      { index: 4, value: [700, 10, 720, 20], reason: "outside-image", action: "dropped" },
      { index: 6, value: [640, 10, 660, 20], reason: "outside-image", action: "dropped" },
    ]);
  });

  test("policy clip clips boxes crossing the border and drops the rest", () => {
    const r = validateBoxes(rows, "xyxy", "px", { image, policy: "clip" });
    expect(toArray(r.boxes)).toEqual([
      [10, 10, 20, 20],
      [600, 100, 640, 200],
      [50, 50, 50, 60],
    ]);
    expect(Array.from(r.kept)).toEqual([0, 3, 5]);
    expect(r.issues.map((i) => [i.index, i.reason, i.action])).toEqual([
      [1, "non-finite", "dropped"],
      [2, "inverted", "dropped"],
      [3, "out-of-image", "clipped"],
      [4, "outside-image", "dropped"],
      [6, "outside-image", "dropped"],
    ]);
  });

  test("policy clip keeps the format (cxcywh)", () => {
    const r = validateBoxes([[630, 240, 40, 20]], "cxcywh", "px", { image, policy: "clip" });
    expect(toArray(r.boxes)).toEqual([[625, 240, 30, 20]]);
    expect(r.issues[0]?.action).toBe("clipped");
  });

  test("policy error throws with the first box, a count, and the full report", () => {
    const e = caught(() => validateBoxes(rows, "xyxy", "px", { image }));
    expect(e.code).toBe("INVALID_BOX");
    expect(e.message).toBe(
      'validateBoxes: box 1 [NaN, 0, 1, 1] (xyxy px) is non-finite for image 640x480; 4 more invalid box(es) follow; fix the input or pass policy "drop" or "clip"',
    );
    expect(e.details).toMatchObject({ fn: "validateBoxes", index: 1, reason: "non-finite", more: 4 });
    const issues = e.details.issues as BoxIssue[];
    expect(issues.map((i) => [i.index, i.reason, i.action])).toEqual([
      [1, "non-finite", "rejected"],
      [2, "inverted", "rejected"],
      [3, "out-of-image", "rejected"],
      [4, "outside-image", "rejected"],
      [6, "outside-image", "rejected"],
    ]);
  });

  test("allowEmpty false reports zero-area boxes", () => {
    const r = validateBoxes(
      [
        [5, 5, 5, 9],
        [1, 1, 2, 2],
      ],
      "xyxy",
      "px",
      { allowEmpty: false, policy: "drop" },
    );
    expect(r.issues).toEqual([{ index: 0, value: [5, 5, 5, 9], reason: "zero-area", action: "dropped" }]);
    expect(Array.from(r.kept)).toEqual([1]);
  });

  test("rel boxes are checked against [0, 1]² and the report keeps the values as given", () => {
    const r = validateBoxes([[0.1, 0.2, 1.1, 0.9]], "xyxy", "rel", { image, policy: "clip" });
    expect(r.issues).toEqual([
      { index: 0, value: [0.1, 0.2, 1.1, 0.9], reason: "out-of-image", action: "clipped" },
    ]);
    expect(toArray(r.boxes)[0]?.[2]).toBe(1);
  });

  test("without an image, out-of-image boxes are valid", () => {
    expect(validateBoxes([[-5, -5, 1e6, 1e6]], "xyxy", "px").issues).toEqual([]);
  });

  test("bad options", () => {
    expect(caught(() => validateBoxes([], "xyxy", "px", { policy: "ignore" as never }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'validateBoxes: options.policy must be "error", "drop" or "clip"; got "ignore"',
    });
    expect(caught(() => validateBoxes([], "xyxy", "px", { image: { width: 0, height: 5 } }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'validateBoxes: options.image must be { width > 0, height > 0 } (finite); got {"width":0,"height":5}',
    });
  });

  test.prop([arbImageAndBoxes({ format: "xywh", units: "px", maxLength: 20 })])(
    "valid generated boxes pass unchanged",
    ({ image: im, boxes: b }) => {
      const r = validateBoxes(b.data, b.format, b.units, { image: im, allowEmpty: true });
      expect(r.issues).toEqual([]);
      expect(r.boxes.data).toEqual(b.data);
    },
  );

  test.prop([
    fc.constantFrom<BoxFormat>(...BOX_FORMATS),
    fc.array(
      fc.oneof(
        arbNastyCoords({ format: "xyxy" }).map((r) => r.coords),
        fc.tuple(fc.double(), fc.double(), fc.double(), fc.double()),
      ),
      { maxLength: 30 },
    ),
    fc.constantFrom("drop", "clip") as fc.Arbitrary<"drop" | "clip">,
  ])("every input box is either kept or reported, never both", (format, rows2, policy) => {
    const r = validateBoxes(rows2, format, "px", { image, policy });
    const reported = new Set(r.issues.map((i) => i.index));
    const clipped = new Set(r.issues.filter((i) => i.action === "clipped").map((i) => i.index));
    for (const k of r.kept) expect(!reported.has(k) || clipped.has(k)).toBe(true);
    expect(r.kept.length + r.issues.length - clipped.size).toBe(rows2.length);
    // what is kept is valid
    expect(validateBoxes(r.boxes.data, format, "px", { image }).issues).toEqual([]);
  });
});

describe("validateBoxes: float32 rounding at the border", () => {
  test("a cxcywh box clipped at the border re-validates (counterexample found by the property below)", () => {
    const r = validateBoxes([[0, 0, 2.3151552578342465e-41, 0]], "cxcywh", "px", {
      image,
      policy: "clip",
      allowEmpty: true,
    });
    expect(validateBoxes(r.boxes.data, "cxcywh", "px", { image, allowEmpty: true }).issues).toEqual([]);
  });
  test("a crossing larger than float32 resolution is still out-of-image", () => {
    const r = validateBoxes([[-0.01, 0, 10, 10]], "xyxy", "px", { image, policy: "clip" });
    expect(r.issues).toMatchObject([{ index: 0, reason: "out-of-image", action: "clipped" }]);
  });
});

describe("box / boxAt / boxCoords / fromBoxList", () => {
  test("box keeps float64 values and validates", () => {
    const b = box([0.1, 0.2, 0.3, 0.4], "xyxy", "rel");
    expect(b).toEqual({ kind: "od.box", format: "xyxy", units: "rel", coords: [0.1, 0.2, 0.3, 0.4] });
    expect(caught(() => box([3, 0, 1, 1], "xyxy", "px"))).toMatchObject({
      code: "INVALID_BOX",
      message: "box: coords [3, 0, 1, 1] (xyxy px) is inverted",
    });
    expect(caught(() => box([1, 2, 3], "xyxy", "px"))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "box: coords must be 4 numbers; got [1, 2, 3]",
    });
  });

  test("boxAt and boxCoords", () => {
    const b = boxes(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      "yxyx",
      "px",
    );
    expect(boxCoords(b, 1)).toEqual([5, 6, 7, 8]);
    expect(boxAt(b, 0)).toEqual({ kind: "od.box", format: "yxyx", units: "px", coords: [1, 2, 3, 4] });
    expect(caught(() => boxAt(b, 2))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "boxAt: i must be an integer in [0, 2); got 2",
    });
    expect(caught(() => boxCoords(b, 0.5))).toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  test("fromBoxList checks every element", () => {
    const a = box([1, 2, 3, 4], "xyxy", "px");
    expect(toArray(fromBoxList([a, a], "xyxy", "px"))).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    expect(fromBoxList([], "cxcywh", "rel").length).toBe(0);
    expect(caught(() => fromBoxList([a], "xywh" as "xyxy", "px"))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "fromBoxList: list[0] must be a xywh box; got xyxy",
    });
    expect(caught(() => fromBoxList([a], "xyxy", "rel" as "px"))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "fromBoxList: list[0] must be in rel units; got px",
    });
    expect(caught(() => fromBoxList([{ coords: [1, 2, 3, 4] }] as never, "xyxy", "px"))).toMatchObject({
      code: "NOT_BOXES",
    });
  });
});

describe("toJSON / fromJSON", () => {
  test("round trip through JSON text keeps the tags", () => {
    const b = boxes([[1.5, 2, 3, 4]], "cxcywh", "px");
    const text = JSON.stringify(toJSON(b));
    expect(JSON.parse(text)).toEqual({
      kind: "od.boxes",
      format: "cxcywh",
      units: "px",
      boxes: [[1.5, 2, 3, 4]],
    });
    expect(fromJSON(JSON.parse(text), "cxcywh", "px").data).toEqual(b.data);
  });

  test("tag mismatches and malformed JSON", () => {
    const json = toJSON(boxes([[1, 2, 3, 4]], "xyxy", "px"));
    expect(caught(() => fromJSON(json, "xywh", "px"))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: 'fromJSON: json holds "xyxy" boxes but xywh was expected',
    });
    expect(caught(() => fromJSON(json, "xyxy", "rel"))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: 'fromJSON: json is in "px" units but rel was expected',
    });
    expect(caught(() => fromJSON({ boxes: [] }, "xyxy", "px"))).toMatchObject({
      code: "NOT_BOXES",
      message: 'fromJSON: json must be { kind: "od.boxes", format, units, boxes: [...] }; got {"boxes":[]}',
    });
    expect(caught(() => fromJSON({ ...json, boxes: [[3, 2, 1, 4]] }, "xyxy", "px")).code).toBe("INVALID_BOX");
  });

  test.prop([arbBoxes({ format: "yxyx", units: "rel", maxLength: 10 })])(
    "toJSON∘fromJSON = identity",
    (b) => {
      expect(fromJSON(JSON.parse(JSON.stringify(toJSON(b))), "yxyx", "rel").data).toEqual(b.data);
    },
  );
});

describe("select / concat / emptyBoxes / unsafeBoxes", () => {
  const b = boxes(
    [
      [0, 0, 1, 1],
      [1, 1, 2, 2],
      [2, 2, 3, 3],
    ],
    "xyxy",
    "px",
  );

  test("select gathers in order, with repeats; empty indices give empty boxes", () => {
    expect(toArray(select(b, [2, 0, 2]))).toEqual([
      [2, 2, 3, 3],
      [0, 0, 1, 1],
      [2, 2, 3, 3],
    ]);
    expect(select(b, new Int32Array(0)).length).toBe(0);
    expect(caught(() => select(b, [3]))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "select: indices[0] must be an integer in [0, 3); got 3",
    });
    expect(caught(() => select(b, 1 as never))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "select: indices must be an array of integers; got 1",
    });
  });

  test("concat", () => {
    const c = concat([b, emptyBoxes("xyxy", "px"), select(b, [0])], "xyxy", "px");
    expect(c.length).toBe(4);
    expect(concat([], "xyxy", "px").length).toBe(0);
    const other = unsafeBoxes(new Float32Array(4), "xywh", "px");
    expect(caught(() => concat([b, other] as never, "xyxy", "px"))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "concat: parts[1] must be xyxy boxes; got xywh",
    });
  });

  test("toArray on a non-Boxes value (plain JS)", () => {
    expect(caught(() => toArray({ data: [1, 2, 3, 4] } as never))).toMatchObject({
      code: "NOT_BOXES",
      message: 'toArray: b must be Boxes (made by boxes() or fromJSON()); got {"data":[1,2,3,4]}',
    });
    expect(
      caught(() =>
        toArray({ kind: "od.boxes", format: "xyxy", units: "px", data: [1, 2, 3, 4], length: 1 } as never),
      ),
    ).toMatchObject({
      code: "NOT_BOXES",
      message: "toArray: b.data must be a Float32Array of length 4 * length (1); got [1, 2, 3, 4]",
    });
  });
});
