import { boxes, emptyBoxes, unsafeBoxes } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { analyzeCoverage, type CoverageImage } from "../src/index.js";
import { errorOf } from "./helpers.js";

// 100×100 input; a 2×2 grid of half-size squares plus one small centred square.
const priors = boxes(
  [
    [0.25, 0.25, 0.5, 0.5],
    [0.75, 0.25, 0.5, 0.5],
    [0.25, 0.75, 0.5, 0.5],
    [0.75, 0.75, 0.5, 0.5],
    [0.5, 0.5, 0.2, 0.2],
  ],
  "cxcywh",
  "rel",
);
const input = { width: 100, height: 100 };
const tiny: CoverageImage[] = [
  // exact prior 0, and a thin box (IoU 500/2900 with prior 0, 400/3000 with prior 2)
  {
    size: { width: 100, height: 100 },
    boxes: boxes(
      [
        [0, 0, 50, 50],
        [0, 0, 10, 90],
      ],
      "xyxy",
      "px",
    ),
    labels: [1, 2],
    id: "a",
  },
  // 200×100 image: letterboxed to [0, 25, 50, 75] (IoU 1/3 with priors 0 and 2); stretched to [0, 0, 50, 100] (IoU 0.5)
  { size: { width: 200, height: 100 }, boxes: boxes([[0, 0, 100, 100]], "xyxy", "px"), labels: [1], id: "b" },
  // a background-only image
  { size: { width: 50, height: 50 }, boxes: emptyBoxes("xyxy", "px"), labels: [], id: "c" },
];

describe("analyzeCoverage: hand-built dataset", () => {
  test("letterbox (default)", () => {
    const r = analyzeCoverage(tiny, priors, input);
    expect(r.numGt).toBe(3);
    expect(Array.from(r.bestIou)).toEqual([1, 500 / 2900, 1 / 3].map(Math.fround));
    expect(Array.from(r.bestPrior)).toEqual([0, 0, 0]);
    expect(Array.from(r.numAbove)).toEqual([1, 0, 0]);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.meanBestIou).toBeCloseTo((1 + 500 / 2900 + 1 / 3) / 3, 6);
    expect(Array.from(r.gtInput.subarray(8, 12))).toEqual([0, 25, 50, 75]);
    expect(r.orphans.map((o) => [o.image, o.index, o.id, o.label, o.className])).toEqual([
      [0, 1, "a", 2, "class 2"],
      [1, 0, "b", 1, "class 1"],
    ]);
    expect(r.orphans[1]?.box).toEqual([0, 0, 100, 100]);
    expect(Array.from(r.priorHits)).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(r.unmatchedPriors)).toEqual([1, 2, 3, 4]);
    // sizes 50, 30, 50 px -> buckets 16–32 and 32–64
    expect(r.bySize.map((b) => [b.name, b.count, b.covered])).toEqual([
      ["0–16 px", 0, 0],
      ["16–32 px", 1, 0],
      ["32–64 px", 2, 1],
      ["64–128 px", 0, 0],
      ["≥ 128 px", 0, 0],
    ]);
    expect(r.bySize[2]?.recall).toBe(0.5);
    expect(Number.isNaN(r.bySize[0]?.recall)).toBe(true);
    // aspect w/h: 1, 1/9, 1
    expect(r.byAspect.map((b) => b.count)).toEqual([1, 0, 2, 0, 0]);
    expect(r.byClass.map((b) => [b.name, b.count, b.covered])).toEqual([
      ["class 1", 2, 1],
      ["class 2", 1, 0],
    ]);
    expect(r.issues).toEqual([]);
  });

  test("stretch changes the answer: the wide image's box reaches IoU 0.5 with two priors", () => {
    const r = analyzeCoverage(tiny, priors, input, { resize: "stretch", classNames: { 1: "cell" } });
    expect(r.bestIou[2]).toBe(0.5);
    expect(r.numAbove[2]).toBe(2);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(Array.from(r.priorHits)).toEqual([2, 0, 1, 0, 0]);
    expect(r.byClass[0]?.name).toBe("cell");
    // orphans carry the same name as their class bucket
    expect(r.orphans.map((o) => [o.label, o.className])).toEqual([[2, "class 2"]]);
  });

  test("threshold is a parameter", () => {
    expect(analyzeCoverage(tiny, priors, input, { threshold: 0.15 }).recall).toBeCloseTo(1, 12);
  });

  test("empty dataset", () => {
    const r = analyzeCoverage([], priors, input);
    expect(r.numGt).toBe(0);
    expect(Number.isNaN(r.recall)).toBe(true);
    expect(r.unmatchedPriors.length).toBe(5);
  });

  describe("bad GT is reported, never silently dropped", () => {
    const bad: CoverageImage[] = [
      {
        size: { width: 100, height: 100 },
        boxes: unsafeBoxes(new Float32Array([10, 10, 10, 20, 0, 0, 50, 50, 90, 90, 120, 100]), "xyxy", "px"),
        labels: [1, 1, 2],
        id: "img7",
      },
    ];
    test("error (default) names image, box, value and reason", () => {
      expect(errorOf(() => analyzeCoverage(bad, priors, input))).toEqual({
        code: "INVALID_GT",
        message:
          'analyzeCoverage: dataset[0] (img7).boxes[0] [10, 10, 10, 20] (xyxy px, image 100x100) is zero-area; 1 more invalid box(es) in this image; pass options.invalid "drop" or "clip" to analyse the rest',
      });
    });
    test("drop lists every dropped box", () => {
      const r = analyzeCoverage(bad, priors, input, { invalid: "drop" });
      expect(r.numGt).toBe(1);
      expect(r.issues.map((i) => [i.image, i.index, i.id, i.reason, i.action])).toEqual([
        [0, 0, "img7", "zero-area", "dropped"],
        [0, 2, "img7", "out-of-image", "dropped"],
      ]);
    });
    test("clip keeps the border-crossing box, clipped", () => {
      const r = analyzeCoverage(bad, priors, input, { invalid: "clip" });
      expect(r.numGt).toBe(2);
      expect(Array.from(r.gtInput.subarray(4, 8))).toEqual([90, 90, 100, 100]);
      expect(r.issues.map((i) => i.action)).toEqual(["dropped", "clipped"]);
    });
    test("labels length mismatch", () => {
      const e = errorOf(() => analyzeCoverage([{ ...tiny[0]!, labels: [1] }], priors, input));
      expect(e).toEqual({
        code: "INVALID_GT",
        message: "analyzeCoverage: dataset[0] (a).labels must have one entry per box (2); got [1]",
      });
    });
    test("zero priors", () => {
      expect(errorOf(() => analyzeCoverage(tiny, emptyBoxes("cxcywh", "rel"), input)).code).toBe("NO_PRIORS");
    });
  });
});
