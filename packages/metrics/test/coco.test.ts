import { test as ftest } from "@fast-check/vitest";
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, evaluateCoco } from "@od/metrics";
import { describe, expect, test } from "vitest";
import { arbDataset } from "./arbitraries.js";
import { det, gt, noDet } from "./helpers.js";

const A = [0, 0, 10, 10] as const; // area 100: small
const B = [20, 0, 30, 10] as const;
const far = [200, 200, 210, 210] as const;
const one = { numClasses: 1 } as const;
/** Precision of a single TP: pycocotools divides by tp + fp + np.spacing(1). */
const p1 = 1 / (1 + 2 ** -52);

describe("COCO parameters", () => {
  test("thresholds are bit-identical to numpy linspace", () => {
    expect(COCO_IOU_THRESHOLDS.length).toBe(10);
    expect(COCO_IOU_THRESHOLDS[8]).toBe(0.8999999999999999);
    expect(COCO_IOU_THRESHOLDS[5]).toBe(0.75);
    expect(COCO_RECALL_THRESHOLDS.length).toBe(101);
    expect(COCO_RECALL_THRESHOLDS[3]).toBe(0.03);
    expect(COCO_RECALL_THRESHOLDS[100]).toBe(1);
  });
});

describe("evaluateCoco", () => {
  test("perfect detections: AP = AR = 1 (up to pycocotools' 2^-52), by area", () => {
    const big = [0, 0, 100, 100] as const; // area 1e4 > 96²: large
    const r = evaluateCoco([gt([A, big], [0, 1])], [det([A, big], [0.9, 0.8], [0, 1])], {
      classNames: ["a", "b"],
    });
    expect(r.stats.AP).toBeCloseTo(1, 14);
    expect(r.stats.AP).toBeLessThan(1);
    expect(r.stats.AP50).toBeCloseTo(1, 14);
    expect(r.stats.APs).toBeCloseTo(1, 14);
    expect(r.stats.APm).toBe(-1);
    expect(r.stats.APl).toBeCloseTo(1, 14);
    expect([r.stats.AR1, r.stats.AR10, r.stats.AR100, r.stats.ARs, r.stats.ARm, r.stats.ARl]).toEqual([
      1, 1, 1, 1, -1, 1,
    ]);
    expect(r.classes[1]).toMatchObject({ name: "b", numGt: 1, numDetections: 1, ar: 1 });
  });

  test("one false positive at the top: precision 2/3 at every recall level -> AP 2/3", () => {
    // rc = [0, .5, 1], pr = [0, .5, 2/3], envelope 2/3 everywhere, the same at every IoU threshold
    const r = evaluateCoco([gt([A, B], [0, 0])], [det([far, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], one);
    expect(r.mAP).toBeCloseTo(2 / 3, 14);
  });

  test("duplicates are false positives: AP = (51 p1 + 50 * 2/3) / 101", () => {
    // rc = [.5, .5, 1], pr = [p1, .5, 2/3] -> envelope [p1, 2/3, 2/3]; recall thresholds 0..0.50 read
    // index 0 (51 of them), 0.51..1 read index 2 (50)
    const r = evaluateCoco([gt([A, B], [0, 0])], [det([A, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], one);
    expect(r.mAP).toBeCloseTo((51 * p1 + 50 * (2 / 3)) / 101, 13);
  });

  test("maxDets are per image and class, applied after sorting by score", () => {
    const r = evaluateCoco([gt([A, B], [0, 0])], [det([B, far, A], [0.7, 0.9, 0.8], [0, 0, 0])], one);
    expect(r.stats.AR1).toBe(0); // the single kept detection is the FP
    expect(r.stats.AR10).toBe(1);
    const r2 = evaluateCoco([gt([A, B], [0, 0])], [det([B, far, A], [0.7, 0.9, 0.8], [0, 0, 0])], {
      ...one,
      maxDets: [1, 2, 2],
    });
    expect(r2.stats.AR100).toBe(0.5); // far and A kept
    expect(r2.maxDets).toEqual([1, 2, 2]);
  });

  test("equal IoU: the later ground truth wins (pycocotools `ious < iou: continue`)", () => {
    // A = [0,0,10,10], A2 = [2,0,12,10]; d1 = [1,0,11,10] has IoU 90/110 = .818 with both and takes A2;
    // d2 = A (IoU 1 with A) is then a TP too. For t >= .85 d1 matches nothing: rc [0, .5], pr [0, .5]
    // -> precision .5 at the 51 recall thresholds 0..0.5, 0 above.
    const A2 = [2, 0, 12, 10] as const;
    const r = evaluateCoco([gt([A, A2], [0, 0])], [det([[1, 0, 11, 10], A], [0.9, 0.8], [0, 0])], one);
    expect(r.mAP).toBeCloseTo((7 * p1 + 3 * (25.5 / 101)) / 10, 14);
  });

  test("a detection matched to regular ground truth does not move on to ignored ground truth", () => {
    // d = [0,0,10,8]: IoU .8 with A, crowd IoU 80/80 = 1 with C = [0,0,10,8]. t <= .8 (7 thresholds):
    // TP on A. t >= .85: A fails, d matches the crowd and is ignored; no TP -> precision 0.
    const r = evaluateCoco(
      [gt([A, [0, 0, 10, 8]], [0, 0], { crowd: [0, 1] })],
      [det([[0, 0, 10, 8]], [0.9], [0])],
      one,
    );
    expect(r.mAP).toBeCloseTo(0.7 * p1, 14);
    expect(r.classes[0]!.numGt).toBe(1);
  });

  test("crowd ground truth absorbs any number of detections (IoU = intersection / detection area)", () => {
    const crowd = [40, 40, 140, 140] as const;
    const inside = [
      [50, 50, 70, 70],
      [60, 60, 80, 80],
      [100, 100, 130, 130],
    ] as const;
    const r = evaluateCoco(
      [gt([crowd, A], [0, 0], { crowd: [1, 0] })],
      [det([...inside, A], [0.9, 0.9, 0.9, 0.5], [0, 0, 0, 0])],
      one,
    );
    expect(r.mAP).toBeCloseTo(p1, 14);
    // only crowd ground truth: nothing to recall, AP -1
    expect(
      evaluateCoco([gt([crowd], [0], { crowd: [1] })], [det([...inside], [0.9, 0.8, 0.7], [0, 0, 0])], one)
        .mAP,
    ).toBe(-1);
  });

  test("difficult ground truth is ignored by default and counted with difficult: 'count'", () => {
    const g = [gt([A, B], [0, 0], { difficult: [0, 1] })];
    const d = [det([A], [0.9], [0])];
    expect(evaluateCoco(g, d, one).mAP).toBeCloseTo(p1, 14);
    expect(evaluateCoco(g, d, { ...one, difficult: "count" }).stats.AR100).toBe(0.5);
  });

  test("area ranges: inclusive bounds; unmatched detections outside the range are ignored", () => {
    const sq32 = [0, 0, 32, 32] as const; // area exactly 32²: both small and medium
    const r = evaluateCoco([gt([sq32], [0])], [det([sq32], [1], [0])], one);
    expect(r.stats.APs).toBeCloseTo(p1, 14);
    expect(r.stats.APm).toBeCloseTo(p1, 14);
    expect(r.stats.APl).toBe(-1);
    // a large FP above a small TP: FP in "all" (rc [0, 1], pr [0, .5] -> .5), ignored in "small"
    const r2 = evaluateCoco([gt([A], [0])], [det([[300, 300, 400, 400], A], [0.9, 0.8], [0, 0])], one);
    expect(r2.stats.AP).toBeCloseTo(0.5, 14);
    expect(r2.stats.APs).toBeCloseTo(p1, 14);
  });

  test("empty ground-truth classes give -1 and are excluded; images without detections give 0", () => {
    const r = evaluateCoco([gt([A], [0]), gt([B], [2])], [det([A, B], [0.9, 0.9], [0, 1]), noDet], {
      numClasses: 3,
    });
    expect(r.ap[0]).toBeCloseTo(p1, 14);
    expect(r.ap[1]).toBe(-1);
    expect(r.ap[2]).toBe(0);
    expect(r.mAP).toBeCloseTo(p1 / 2, 14);
    expect(r.classes[1]).toMatchObject({ ap: -1, ap50: -1, ap75: -1, ar: -1, numGt: 0, numDetections: 1 });
    const none = evaluateCoco([gt([], [])], [noDet], one);
    expect(Array.from(none.statsArray)).toEqual(new Array(12).fill(-1));
  });

  test("score ties keep input order within an image and image order across images", () => {
    expect(evaluateCoco([gt([A], [0])], [det([far, A], [0.5, 0.5], [0, 0])], one).mAP).toBeCloseTo(0.5, 14);
    expect(evaluateCoco([gt([A], [0])], [det([A, far], [0.5, 0.5], [0, 0])], one).mAP).toBeCloseTo(p1, 14);
    const twoImages = evaluateCoco(
      [gt([], []), gt([A], [0])],
      [det([far], [0.5], [0]), det([A], [0.5], [0])],
      one,
    );
    expect(twoImages.mAP).toBeCloseTo(0.5, 14);
  });

  test("precision and recall arrays have pycocotools' shapes", () => {
    const r = evaluateCoco([gt([A], [0])], [det([A], [1], [0])], { numClasses: 2 });
    expect(r.precision.length).toBe(10 * 101 * 2 * 4 * 3);
    expect(r.recall.length).toBe(10 * 2 * 4 * 3);
  });

  test("rejects bad options", () => {
    expect(() => evaluateCoco([], [], { ...one, maxDets: [10, 1, 100] })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: "evaluateCoco: maxDets must be 3 ascending positive integers; got [10, 1, 100]",
      }),
    );
    // @ts-expect-error not a policy
    expect(() => evaluateCoco([], [], { ...one, difficult: "drop" })).toThrow(
      /evaluateCoco: difficult must be/,
    );
  });

  ftest.prop([arbDataset(2)], { numRuns: 40 })(
    "detections equal to the ground truth give AP = 1 - 2^-52 per class",
    (data) => {
      const g = data.map((x) => x.gt);
      const d = g.map((x) => ({
        boxes: x.boxes,
        labels: x.labels,
        scores: new Float32Array(x.labels.length).fill(0.5),
      }));
      const r = evaluateCoco(g, d, { numClasses: 2 });
      for (const c of r.classes) {
        if (c.numGt > 0) expect(c.ap).toBeCloseTo(1, 12);
        else expect(c.ap).toBe(-1);
      }
    },
  );

  ftest.prop([arbDataset(2)], { numRuns: 40 })(
    "scaling every box by 2 leaves the per-class AP (area all) unchanged",
    (data) => {
      const scale = <T extends { boxes: { data: Float32Array } }>(x: T): T => ({
        ...x,
        boxes: { ...x.boxes, data: x.boxes.data.map((v) => v * 2) },
      });
      const r1 = evaluateCoco(
        data.map((x) => x.gt),
        data.map((x) => x.det),
        { numClasses: 2 },
      );
      const r2 = evaluateCoco(
        data.map((x) => scale(x.gt)),
        data.map((x) => scale(x.det)),
        { numClasses: 2 },
      );
      expect(Array.from(r2.ap)).toEqual(Array.from(r1.ap));
    },
  );

  ftest.prop([arbDataset(2)], { numRuns: 40 })("a false positive below every score changes no AP", (data) => {
    const g = data.map((x) => x.gt);
    const d = data.map((x) => x.det);
    const r1 = evaluateCoco(g, d, { numClasses: 2 });
    const r2 = evaluateCoco([...g, gt([], [])], [...d, det([A, A], [-1, -1], [0, 1])], { numClasses: 2 });
    expect(Array.from(r2.ap)).toEqual(Array.from(r1.ap));
    expect(r2.stats.AP50).toBe(r1.stats.AP50);
  });
});
