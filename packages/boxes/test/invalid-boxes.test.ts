import { fc, test } from "@fast-check/vitest";
import {
  type Boxes,
  type BoxFormat,
  batchedNms,
  boxes,
  ciou,
  ciouPairs,
  diou,
  diouPairs,
  giou,
  giouPairs,
  iou,
  iouPairs,
  nms,
  softNms,
  unsafeBoxes,
} from "@od/boxes";
import { arbBoxes } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught } from "./helpers.js";

const good = boxes(
  [
    [0, 0, 10, 10],
    [5, 5, 15, 15],
    [20, 20, 20, 30], // zero width: valid (IoU 0)
  ],
  "xyxy",
  "px",
);
/** `good` with row 1 replaced (no validation: what `unsafeBoxes` lets through). */
const withRow1 = (row: readonly number[], format: BoxFormat = "xyxy") => {
  const d = Float32Array.from(good.data);
  d.set(row, 4);
  return unsafeBoxes(d, format, "px") as Boxes<"xyxy", "px">;
};

const matrices = { iou, giou, diou, ciou } as const;
const pairs = { iouPairs, giouPairs, diouPairs, ciouPairs } as const;
const BAD: [string, number[], string][] = [
  ["NaN", [Number.NaN, 5, 15, 15], "non-finite"],
  ["+Infinity", [5, 5, Number.POSITIVE_INFINITY, 15], "non-finite"],
  ["-Infinity", [Number.NEGATIVE_INFINITY, 5, 15, 15], "non-finite"],
  ["x2 < x1", [15, 5, 5, 15], "inverted"],
  ["y2 < y1", [5, 15, 15, 5], "inverted"],
];

describe("the IoU family and NMS refuse non-finite and inverted boxes at entry", () => {
  describe.each(BAD)("%s", (_what, row, reason) => {
    const bad = withRow1(row);
    const shown = `[${row.map((v) => String(v)).join(", ")}]`;
    test.each(Object.entries(matrices))("%s (either argument)", (name, f) => {
      for (const [arg, call] of [
        ["a", () => f(bad, good)],
        ["b", () => f(good, bad)],
      ] as const) {
        const e = caught(call);
        expect(e.code).toBe("INVALID_BOX");
        expect(e.message).toBe(
          `${name}: ${arg} box 1 ${shown} (xyxy px) is ${reason}; boxes that may hold such rows must go through boxes() or validateBoxes() first`,
        );
        expect(e.details).toMatchObject({ fn: name, arg, index: 1, reason });
      }
    });
    test.each(Object.entries(pairs))("%s", (name, f) => {
      expect(caught(() => f(good, bad)).message).toMatch(new RegExp(`^${name}: b box 1 .* is ${reason};`));
    });
    test("nms, batchedNms, softNms", () => {
      expect(caught(() => nms(bad, [0.9, 0.8, 0.7], 0.5)).message).toMatch(/^nms: boxes box 1 .* is /);
      expect(caught(() => batchedNms(bad, [0.9, 0.8, 0.7], [0, 0, 1], 0.5)).code).toBe("INVALID_BOX");
      expect(caught(() => softNms(bad, [0.9, 0.8, 0.7])).details).toMatchObject({ index: 1, reason });
    });
  });

  test("a negative width in cxcywh is inverted, shown in its own format", () => {
    const bad = withRow1([10, 10, -4, 4], "cxcywh") as unknown as Boxes<"cxcywh", "px">;
    const ok = unsafeBoxes(Float32Array.from([10, 10, 4, 4, 0, 0, 0, 0, 1, 1, 1, 1]), "cxcywh", "px");
    expect(caught(() => iou(ok, bad)).message).toMatch(
      /^iou: b box 1 \[10, 10, -4, 4\] \(cxcywh px\) is inverted;/,
    );
  });

  test("zero-area boxes and empty inputs stay valid", () => {
    expect(Array.from(iou(good, good))[8]).toBe(0);
    expect(nms(good, [0.3, 0.2, 0.9], 0.5).length).toBe(3);
    const none = unsafeBoxes(new Float32Array(0), "xyxy", "px");
    expect(iou(none, good).length).toBe(0);
  });

  test.prop([
    arbBoxes({ format: "xyxy", units: "px", minLength: 1, maxLength: 20 }),
    fc.nat(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.integer({ min: 0, max: 3 }),
  ])("valid boxes pass; one bad coordinate anywhere is named by its index", (b, k, v, q) => {
    expect(() => iou(b, b)).not.toThrow();
    expect(() =>
      nms(
        b,
        Array.from({ length: b.length }, (_, i) => i),
        0.5,
      ),
    ).not.toThrow();
    const i = k % b.length;
    const d = Float32Array.from(b.data);
    d[i * 4 + q] = v;
    const bad = unsafeBoxes(d, "xyxy", "px");
    expect(caught(() => iou(b, bad)).details).toMatchObject({ arg: "b", index: i, reason: "non-finite" });
    expect(
      caught(() =>
        nms(
          bad,
          Array.from({ length: b.length }, () => 1),
          0.5,
        ),
      ).details,
    ).toMatchObject({
      index: i,
    });
  });
});
