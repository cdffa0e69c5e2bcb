import { test as ftest } from "@fast-check/vitest";
import { boxes, convert, isOdError, unsafeBoxes } from "@od/boxes";
import { DetectionEvaluator, evaluateCoco, evaluateVoc } from "@od/metrics";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbDataset } from "./arbitraries.js";
import { det, fromPlainJs, gt, noDet } from "./helpers.js";

const A = [0, 0, 10, 10] as const;

describe("DetectionEvaluator", () => {
  test("names classes, counts images, chains, resets", () => {
    const ev = new DetectionEvaluator({ classNames: ["cell", "platelet"] });
    expect(ev.numClasses).toBe(2);
    expect(ev.add(gt([A], [0]), det([A], [1], [0])).add(gt([], []), noDet).numImages).toBe(2);
    expect(ev.computeVoc().ap[0]).toBe(1);
    ev.reset();
    expect(ev.numImages).toBe(0);
    expect(ev.computeVoc().mAP).toBe(-1);
    expect(new DetectionEvaluator({ numClasses: 2 }).classNames).toEqual(["class 0", "class 1"]);
  });

  test("add copies its inputs: mutating them afterwards changes nothing", () => {
    const g = gt([A], [0]);
    const d = det([A], [1], [0]);
    const ev = new DetectionEvaluator({ numClasses: 1 }).add(g, d);
    d.boxes.data.fill(500);
    g.labels[0] = 7;
    expect(ev.computeCoco().mAP).toBeCloseTo(1, 14);
  });

  test.each([
    {
      name: "NaN score",
      d: det([A], [Number.NaN], [0]),
      code: "INVALID_SCORE",
      message: "DetectionEvaluator.add: image 1: det.scores[0] is NaN; scores must be numbers, not NaN",
    },
    {
      name: "label out of range",
      d: det([A, A], [1, 1], [0, 2]),
      code: "LABEL_OUT_OF_RANGE",
      message: "DetectionEvaluator.add: image 1: det.labels[1] = 2 is not a class index in [0, 2)",
    },
    {
      name: "scores length",
      d: { ...det([A], [1], [0]), scores: new Float32Array(2) },
      code: "SHAPE_MISMATCH",
      message: "DetectionEvaluator.add: image 1: det.scores has length 2 but boxes has 1",
    },
    {
      name: "inverted box",
      d: { ...det([A], [1], [0]), boxes: unsafeBoxes(Float32Array.of(5, 0, 0, 5), "xyxy", "px") },
      code: "INVALID_BOX",
      message:
        "DetectionEvaluator.add: image 1: det.boxes[0] is inverted (need x1 <= x2, y1 <= y2): [5, 0, 0, 5]",
    },
    {
      name: "NaN coordinate",
      d: { ...det([A], [1], [0]), boxes: unsafeBoxes(Float32Array.of(0, Number.NaN, 1, 1), "xyxy", "px") },
      code: "INVALID_BOX",
      message: "DetectionEvaluator.add: image 1: det.boxes[0] has a non-finite coordinate: [0, NaN, 1, 1]",
    },
    {
      name: "cxcywh boxes from plain JS",
      d: fromPlainJs({ ...det([A], [1], [0]), boxes: convert(boxes([A], "xyxy", "px"), "cxcywh") }),
      code: "NOT_BOXES",
      message:
        "DetectionEvaluator.add: image 1: det.boxes must be xyxy px boxes; got cxcywh px (convert() / toPx() first)",
    },
  ])("rejects $name with $code, naming image and field, and adds nothing", ({ d, code, message }) => {
    const ev = new DetectionEvaluator({ numClasses: 2 }).add(gt([A], [0]), noDet);
    let err: unknown;
    try {
      ev.add(gt([], []), d);
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, code)).toBe(true);
    expect((err as Error).message).toBe(message);
    expect((err as Error).name).toBe("MetricsError");
    expect(ev.numImages).toBe(1);
  });

  test("rejects flags of the wrong length and bad class specs", () => {
    const ev = new DetectionEvaluator({ numClasses: 1 });
    expect(() => ev.add({ ...gt([A], [0]), difficult: new Uint8Array(3) }, noDet)).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "DetectionEvaluator.add: image 0: gt.difficult has length 3 but boxes has 1",
      }),
    );
    expect(() => new DetectionEvaluator({ numClasses: 0 })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: "DetectionEvaluator: numClasses must be a positive integer; got 0",
      }),
    );
    expect(() => ev.computeVoc({ iouThreshold: 1 })).toThrow(
      /DetectionEvaluator.computeVoc: iouThreshold must be in \[0, 1\); got 1/,
    );
  });

  ftest.prop([arbDataset(3), fc.nat()], { numRuns: 40 })(
    "adding images one by one equals the one-shot functions",
    (data, _seed) => {
      const g = data.map((x) => x.gt);
      const d = data.map((x) => x.det);
      const ev = new DetectionEvaluator({ numClasses: 3 });
      for (let i = 0; i < g.length; i++) ev.add(g[i]!, d[i]!);
      expect(ev.computeCoco()).toEqual(evaluateCoco(g, d, { numClasses: 3 }));
      expect(ev.computeVoc({ interpolation: "11point" })).toEqual(
        evaluateVoc(g, d, { numClasses: 3, interpolation: "11point" }),
      );
    },
  );
});
