import { evaluateCoco, evaluateVoc } from "@od/metrics";
import { describe, expect, test } from "vitest";
import { referenceCases } from "./helpers.js";

// Fixtures: scripts/reference.py, a numpy transcription of pycocotools COCOeval and voc_eval.py
// (pycocotools cannot be installed here). Coordinates are multiples of 0.25 and scores of 1/16, so
// both sides see the same numbers; only numpy's pairwise summation in np.mean differs (~1e-16).
const { cases, gts, dets } = referenceCases();
const close = (actual: ArrayLike<number>, expected: readonly number[]) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, 12);
};

describe("reference fixtures", () => {
  cases.forEach((c, i) => {
    test(`${c.name}: COCO stats and per-class AP match the pycocotools transcription`, () => {
      const r = evaluateCoco(gts[i]!, dets[i]!, { numClasses: c.numClasses });
      close(r.statsArray, c.coco.stats);
      close(r.ap, c.coco.ap);
      close(
        r.classes.map((k) => k.ap50),
        c.coco.ap50,
      );
      const counted = evaluateCoco(gts[i]!, dets[i]!, { numClasses: c.numClasses, difficult: "count" });
      close(counted.statsArray, c.coco.statsDifficultCount);
    });
    test(`${c.name}: VOC AP (all-point and 11-point) match the voc_eval transcription`, () => {
      close(evaluateVoc(gts[i]!, dets[i]!, { numClasses: c.numClasses }).ap, c.voc.allpoint);
      close(
        evaluateVoc(gts[i]!, dets[i]!, { numClasses: c.numClasses, interpolation: "11point" }).ap,
        c.voc.point11,
      );
    });
  });
});
