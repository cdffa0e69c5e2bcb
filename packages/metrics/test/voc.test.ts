import { test as ftest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { evaluateVoc, vocAp } from "@od/metrics";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbDataset } from "./arbitraries.js";
import { det, gt, noDet } from "./helpers.js";

const A = [0, 0, 10, 10] as const;
const B = [20, 0, 30, 10] as const;
const far = [100, 100, 110, 110] as const;
const one = { numClasses: 1 } as const;

describe("vocAp", () => {
  test.each([
    // [recall, precision, 11point, allpoint], worked by hand from voc_ap in voc_eval.py
    { rec: [], prec: [], p11: 0, all: 0 },
    { rec: [0.5, 1], prec: [1, 0.5], p11: (6 * 1 + 5 * 0.5) / 11, all: 0.5 * 1 + 0.5 * 0.5 },
    // envelope: precision 0.5 at recall 0.5 is lifted to 2/3 by the later point
    { rec: [0, 0.5, 1], prec: [0, 0.5, 2 / 3], p11: 2 / 3, all: 2 / 3 },
    // recall 0.3 does not reach the 11-point threshold 3 * 0.1 = 0.30000000000000004 (as np.arange)
    { rec: [0.1, 0.2, 0.3], prec: [1, 1, 1], p11: 3 / 11, all: 0.3 },
  ])("rec $rec, prec $prec", ({ rec, prec, p11, all }) => {
    expect(vocAp(rec, prec, "11point")).toBeCloseTo(p11, 14);
    expect(vocAp(rec, prec, "allpoint")).toBeCloseTo(all, 14);
  });

  test("rejects mismatched lengths and unknown interpolations", () => {
    expect(() => vocAp([1], [], "allpoint")).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "vocAp: recall has length 1 but precision has 0",
      }),
    );
    // @ts-expect-error not an interpolation
    expect(() => vocAp([], [], "101point")).toThrow(
      /vocAp: interpolation must be "allpoint" or "11point"; got "101point"/,
    );
  });

  ftest.prop([
    fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    ),
  ])("AP is in [0, 1] and all-point >= 0", (pts) => {
    const rec = pts.map((p) => p[0]).sort((a, b) => a - b);
    const prec = pts.map((p) => p[1]);
    for (const m of ["11point", "allpoint"] as const) {
      const ap = vocAp(rec, prec, m);
      expect(ap).toBeGreaterThanOrEqual(0);
      expect(ap).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});

describe("evaluateVoc", () => {
  test("perfect detections give AP 1 with both interpolations", () => {
    const g = [gt([A, B], [0, 1]), gt([far], [0])];
    const d = [det([A, B], [0.9, 0.8], [0, 1]), det([far], [0.7], [0])];
    for (const interpolation of ["11point", "allpoint"] as const) {
      const r = evaluateVoc(g, d, { classNames: ["a", "b"], interpolation });
      // 11-point sums 11 terms of 1/11: 1.0000000000000002 in float64, as voc_ap in numpy
      expect(r.ap[0]).toBeCloseTo(1, 15);
      expect(r.ap[1]).toBeCloseTo(1, 15);
      expect(r.mAP).toBeCloseTo(1, 15);
      expect(r.classes[0]).toMatchObject({
        name: "a",
        numGt: 2,
        numDetections: 2,
        truePositives: 2,
        falsePositives: 0,
      });
    }
  });

  test("one false positive at the top: rec [0, .5, 1], prec [0, .5, 2/3] -> AP 2/3", () => {
    const r = evaluateVoc([gt([A, B], [0, 0])], [det([far, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], one);
    expect(Array.from(r.classes[0]!.curve.recall)).toEqual([0, 0.5, 1]);
    expect(r.classes[0]!.curve.precision[2]).toBeCloseTo(2 / 3, 15);
    expect(r.mAP).toBeCloseTo(2 / 3, 15);
    expect(
      evaluateVoc([gt([A, B], [0, 0])], [det([far, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], {
        ...one,
        interpolation: "11point",
      }).mAP,
    ).toBeCloseTo(2 / 3, 15);
  });

  test("a duplicate detection is a false positive: rec [.5, .5, 1], prec [1, .5, 2/3]", () => {
    const r = evaluateVoc([gt([A, B], [0, 0])], [det([A, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], one);
    expect(r.classes[0]).toMatchObject({ truePositives: 2, falsePositives: 1 });
    // all-point: 0.5 * 1 + 0.5 * 2/3; 11-point: t = 0..0.5 (6 points) -> 1, t = 0.6..1 (5 points) -> 2/3
    expect(r.mAP).toBeCloseTo(0.5 + 1 / 3, 15);
    expect(
      evaluateVoc([gt([A, B], [0, 0])], [det([A, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], {
        ...one,
        interpolation: "11point",
      }).mAP,
    ).toBeCloseTo((6 + 5 * (2 / 3)) / 11, 15);
  });

  test("a detection takes the max-IoU ground truth even if already matched; no fallback (devkit)", () => {
    // A = [0,0,10,10], A2 = [2,0,12,10]; d1 = [1,0,11,10] has IoU 90/110 with both (first max = A),
    // d2 = A has IoU 1 with A (taken) and 80/120 with A2: the devkit makes d2 a FP, not a match to A2.
    const A2 = [2, 0, 12, 10] as const;
    const r = evaluateVoc([gt([A, A2], [0, 0])], [det([[1, 0, 11, 10], A], [0.9, 0.8], [0, 0])], one);
    expect(r.classes[0]).toMatchObject({ truePositives: 1, falsePositives: 1 });
    // rec [.5, .5], prec [1, .5] -> AP = 0.5
    expect(r.mAP).toBe(0.5);
  });

  test("IoU must be STRICTLY greater than the threshold", () => {
    const half = [0, 0, 10, 5] as const; // IoU with A = 50 / 100 = 0.5
    expect(evaluateVoc([gt([A], [0])], [det([half], [1], [0])], one).mAP).toBe(0);
    expect(evaluateVoc([gt([A], [0])], [det([half], [1], [0])], { ...one, iouThreshold: 0.49 }).mAP).toBe(1);
  });

  test("difficult (and crowd) ground truth: matched detections count neither way, npos excludes them", () => {
    // det on the difficult box (0.9) is ignored, det on A (0.8) is a TP: rec [0, 1], prec [0, 1] -> AP 1
    for (const flags of [{ difficult: [0, 1] }, { crowd: [0, 1] }]) {
      const r = evaluateVoc([gt([A, B], [0, 0], flags)], [det([B, A], [0.9, 0.8], [0, 0])], one);
      expect(r.classes[0]).toMatchObject({ numGt: 1, truePositives: 1, falsePositives: 0, ap: 1 });
    }
  });

  test("a class without ground truth has AP -1 and is left out of the mean", () => {
    const r = evaluateVoc([gt([A], [0])], [det([A, B], [0.9, 0.9], [0, 1])], { numClasses: 3 });
    expect(Array.from(r.ap)).toEqual([1, -1, -1]);
    expect(r.mAP).toBe(1);
    expect(r.classes[1]).toMatchObject({ name: "class 1", numGt: 0, numDetections: 1, falsePositives: 1 });
    expect(evaluateVoc([gt([], [])], [noDet], one).mAP).toBe(-1);
  });

  test("images without detections: AP 0 for the missed class; a class with only difficult GT is -1", () => {
    const r = evaluateVoc([gt([A], [0]), gt([B], [1], { difficult: [1] })], [noDet, noDet], {
      numClasses: 2,
    });
    expect(Array.from(r.ap)).toEqual([0, -1]);
    expect(r.mAP).toBe(0);
    expect(r.numImages).toBe(2);
  });

  test("ties: equal scores keep image order, then input order", () => {
    const fpFirst = evaluateVoc([gt([A], [0])], [det([far, A], [0.5, 0.5], [0, 0])], one);
    const tpFirst = evaluateVoc([gt([A], [0])], [det([A, far], [0.5, 0.5], [0, 0])], one);
    expect(fpFirst.mAP).toBe(0.5);
    expect(tpFirst.mAP).toBe(1);
    const acrossImages = evaluateVoc(
      [gt([], []), gt([A], [0])],
      [det([far], [0.5], [0]), det([A], [0.5], [0])],
      one,
    );
    expect(acrossImages.mAP).toBe(0.5);
  });

  test("boxes are continuous: no +1 on widths (touching boxes do not overlap)", () => {
    // with the devkit's +1, [0,0,10,10] and [10,0,20,10] would overlap by one pixel column
    expect(
      evaluateVoc([gt([A], [0])], [det([[10, 0, 20, 10]], [1], [0])], { ...one, iouThreshold: 0 }).mAP,
    ).toBe(0);
  });

  test("validation errors name the function, image and field", () => {
    expect(() => evaluateVoc([gt([A], [3])], [noDet], one)).toThrow(
      expect.objectContaining({
        code: "LABEL_OUT_OF_RANGE",
        message: "evaluateVoc: image 0: gt.labels[0] = 3 is not a class index in [0, 1)",
      }),
    );
    expect(() => evaluateVoc([gt([A], [0])], [], one)).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "evaluateVoc: gts has 1 images but dets has 0",
      }),
    );
    // @ts-expect-error neither classNames nor numClasses
    expect(() => evaluateVoc([], [], {})).toThrow(/evaluateVoc: options must give classNames or numClasses/);
    try {
      evaluateVoc([gt([A], [0])], [gt([A], [0]) as never], one);
    } catch (e) {
      expect(isOdError(e, "SHAPE_MISMATCH")).toBe(true);
    }
  });

  ftest.prop([arbDataset(3)], { numRuns: 60 })(
    "every AP is -1 or in [0, 1]; mAP is the mean of the defined ones",
    (data) => {
      const r = evaluateVoc(
        data.map((x) => x.gt),
        data.map((x) => x.det),
        { numClasses: 3 },
      );
      const defined = Array.from(r.ap).filter((a) => a !== -1);
      for (const a of defined) expect(a >= 0 && a <= 1).toBe(true);
      expect(r.mAP).toBeCloseTo(
        defined.length ? defined.reduce((s, a) => s + a, 0) / defined.length : -1,
        12,
      );
    },
  );

  ftest.prop([arbDataset(2)], { numRuns: 60 })("scaling every box by 2 changes nothing", (data) => {
    const scale = <T extends { boxes: { data: Float32Array } }>(x: T): T => ({
      ...x,
      boxes: { ...x.boxes, data: x.boxes.data.map((v) => v * 2) },
    });
    const r1 = evaluateVoc(
      data.map((x) => x.gt),
      data.map((x) => x.det),
      { numClasses: 2 },
    );
    const r2 = evaluateVoc(
      data.map((x) => scale(x.gt)),
      data.map((x) => scale(x.det)),
      { numClasses: 2 },
    );
    expect(Array.from(r2.ap)).toEqual(Array.from(r1.ap));
  });

  ftest.prop([arbDataset(2)], { numRuns: 60 })(
    "a false positive below every score leaves all-point AP unchanged",
    (data) => {
      const g = data.map((x) => x.gt);
      const d = data.map((x) => x.det);
      const r1 = evaluateVoc(g, d, { numClasses: 2 });
      const r2 = evaluateVoc([...g, gt([], [])], [...d, det([A, A], [-1, -1], [0, 1])], { numClasses: 2 });
      expect(Array.from(r2.ap)).toEqual(Array.from(r1.ap));
    },
  );
});
