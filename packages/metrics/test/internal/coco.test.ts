import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, evaluateCoco } from "@od/metrics";
import { describe, expect, test } from "vitest";
import {
  accumulate,
  type ClassEval,
  CocoScratch,
  computeCoco,
  computeIoU,
  evaluateClass,
  evaluateImg,
  IGNORED,
  type ImageClass,
  ignoreGroundTruth,
  MATCHED,
  matchAtThreshold,
  meanPrecision,
  meanRecall,
  precisionAtRecalls,
  summarize,
} from "../../src/internal/coco.js";
import { groupByClass, sortByScoreDesc } from "../../src/internal/group.js";
import { makeRecords } from "../../src/internal/options.js";
import { det, gt } from "../helpers.js";

type Row = readonly [number, number, number, number];
const T = COCO_IOU_THRESHOLDS.length;
const R = COCO_RECALL_THRESHOLDS.length;
const A = COCO_AREA_RANGES.length;
const ALL = COCO_AREA_RANGES[0]!;
const SMALL = COCO_AREA_RANGES[1]!;
const p1 = 1 / (1 + 2 ** -52);
const t = (thr: number) => COCO_IOU_THRESHOLDS.findIndex((v) => Math.abs(v - thr) < 1e-9);

/** One image of class 0: ground truth rows (with crowd / difficult flags) and detections in score order. */
function imageClass(
  gtRows: readonly Row[],
  detRows: readonly Row[],
  flags: { crowd?: number[]; difficult?: number[] } = {},
): ImageClass {
  const scores = detRows.map((_, i) => 1 - i / 100);
  const [record] = makeRecords(
    "test",
    [
      gt(
        gtRows,
        gtRows.map(() => 0),
        flags,
      ),
    ],
    [
      det(
        detRows,
        scores,
        detRows.map(() => 0),
      ),
    ],
    1,
  );
  return {
    record: record!,
    gt: Int32Array.from(gtRows.map((_, i) => i)),
    det: Int32Array.from(detRows.map((_, i) => i)),
  };
}
function scratchFor(ic: ImageClass): CocoScratch {
  const s = new CocoScratch();
  s.ensure(ic.det.length, ic.gt.length);
  return s;
}

const G10: Row = [0, 0, 10, 10];

describe("CocoScratch.ensure", () => {
  test("grows every buffer to fit D × G and T × G, keeps larger ones", () => {
    const s = new CocoScratch();
    s.ensure(100, 40);
    expect(s.ious.length).toBeGreaterThanOrEqual(4000);
    expect(s.gtMatch.length).toBeGreaterThanOrEqual(T * 40);
    expect(Math.min(s.gtAreas.length, s.gtIgnore.length, s.gtOrder.length)).toBeGreaterThanOrEqual(40);
    const ious = s.ious;
    s.ensure(1, 1);
    expect(s.ious).toBe(ious);
  });
});

describe("computeIoU", () => {
  test("IoU and ground-truth areas; crowd divides by the detection's area; touching boxes are 0", () => {
    const ic = imageClass(
      [G10, [20, 0, 30, 10]],
      [
        [5, 0, 15, 10],
        [10, 0, 20, 10],
      ],
      { crowd: [0, 1] },
    );
    const s = scratchFor(ic);
    computeIoU(ic, s);
    expect(Array.from(s.gtAreas.subarray(0, 2))).toEqual([100, 100]);
    // det 0 vs gt 0: 50 / 150; vs crowd gt 1: disjoint. det 1 vs gt 0: touching -> 0; vs crowd: 0 (touching)
    expect(Array.from(s.ious.subarray(0, 4))).toEqual([50 / 150, 0, 0, 0]);
    const crowd = imageClass([[0, 0, 20, 10]], [[5, 0, 15, 10]], { crowd: [1] });
    const c = scratchFor(crowd);
    computeIoU(crowd, c);
    expect(c.ious[0]).toBe(1); // intersection 100 / detection area 100
  });
});

describe("ignoreGroundTruth", () => {
  test("crowd, difficult (when asked) and out-of-range ground truth are ignored and ordered last, stably", () => {
    const big: Row = [0, 0, 40, 40]; // 1600 px²: not small
    const ic = imageClass([big, G10, G10, G10], [], { crowd: [0, 1, 0, 0], difficult: [0, 0, 1, 0] });
    const s = scratchFor(ic);
    computeIoU(ic, s);
    expect(ignoreGroundTruth(ic, SMALL, true, s)).toBe(1);
    expect(Array.from(s.gtIgnore.subarray(0, 4))).toEqual([1, 1, 1, 0]);
    expect(Array.from(s.gtOrder.subarray(0, 4))).toEqual([3, 0, 1, 2]);
    expect(ignoreGroundTruth(ic, ALL, false, s)).toBe(3);
    expect(Array.from(s.gtOrder.subarray(0, 4))).toEqual([0, 2, 3, 1]);
  });
});

describe("matchAtThreshold", () => {
  const run = (ic: ImageClass, thr: number) => {
    const s = scratchFor(ic);
    computeIoU(ic, s);
    ignoreGroundTruth(ic, ALL, true, s);
    s.gtMatch.fill(-1);
    const flags = new Uint8Array(ic.det.length);
    matchAtThreshold(ic, t(thr), s, flags, 0);
    return Array.from(flags);
  };
  // IoU with G10: 0.6 and 0.8
  const d06: Row = [0, 0, 6, 10];
  const d08: Row = [0, 0, 8, 10];
  test("greedy in score order: the first detection takes the ground truth, the second is a FP", () => {
    expect(run(imageClass([G10], [d06, d08]), 0.5)).toEqual([MATCHED, 0]);
  });
  test("below the threshold a detection does not match; a later one still can", () => {
    expect(run(imageClass([G10], [d06, d08]), 0.7)).toEqual([0, MATCHED]);
  });
  test("IoU exactly at the threshold matches (≥)", () => {
    expect(run(imageClass([G10], [d06]), 0.6)).toEqual([MATCHED]);
  });
  test("equal IoU with two ground truths: the later one wins", () => {
    const ic = imageClass([G10, G10], [G10]);
    const s = scratchFor(ic);
    computeIoU(ic, s);
    ignoreGroundTruth(ic, ALL, true, s);
    s.gtMatch.fill(-1);
    matchAtThreshold(ic, 0, s, new Uint8Array(1), 0);
    expect([s.gtMatch[0], s.gtMatch[1]]).toEqual([-1, 0]);
  });
  test("crowd ground truth matches any number of detections, which are then ignored", () => {
    expect(run(imageClass([G10], [G10, G10], { crowd: [1] }), 0.5)).toEqual([
      MATCHED | IGNORED,
      MATCHED | IGNORED,
    ]);
  });
  test("a regular match is not replaced by a better ignored one", () => {
    const ic = imageClass([G10, [0, 0, 8, 10]], [[0, 0, 8, 10]], { difficult: [0, 1] });
    expect(run(ic, 0.5)).toEqual([MATCHED]);
  });
});

describe("evaluateImg", () => {
  test("writes [T, stride] flags at the offset, ignores unmatched detections outside the range, returns npig", () => {
    const big: Row = [0, 0, 40, 40];
    const ic = imageClass([G10], [G10, big]);
    const s = scratchFor(ic);
    computeIoU(ic, s);
    const stride = 3;
    const flags = new Uint8Array(1 + T * stride);
    expect(evaluateImg(ic, SMALL, true, s, flags, 1, stride)).toBe(1);
    for (let k = 0; k < T; k++) {
      expect(flags[1 + k * stride]).toBe(MATCHED);
      expect(flags[1 + k * stride + 1]).toBe(IGNORED); // 1600 px² is not small
      expect(flags[1 + k * stride + 2]).toBe(0); // untouched padding
    }
    expect(flags[0]).toBe(0);
    const all = new Uint8Array(T * 2);
    evaluateImg(ic, ALL, true, s, all, 0, 2);
    expect(all[1]).toBe(0); // in range: a false positive
  });
});

describe("evaluateClass", () => {
  const records = makeRecords(
    "test",
    [gt([G10], [0]), gt([], []), gt([G10], [1])],
    [det([G10, G10, G10], [0.5, 0.9, 0.7], [0, 0, 0]), det([G10], [0.3], [0]), det([], [], [])],
    3,
  );
  const gtGroups = records.map((r) => groupByClass(r.gtLabels, 3));
  const detGroups = records.map((r) => {
    const d = groupByClass(r.detLabels, 3);
    for (let c = 0; c < 3; c++) sortByScoreDesc(d.idx, d.start[c]!, d.start[c + 1]!, r.detScores);
    return d;
  });
  test("scores and ranks in image order, each image cut to maxDets[2]; npig per area", () => {
    const ev = evaluateClass(
      records,
      gtGroups,
      detGroups,
      0,
      { maxDets: [1, 2, 2], ignoreDifficult: true },
      new CocoScratch(),
    );
    expect(ev).toBeDefined();
    expect(ev!.nd).toBe(3);
    expect(Array.from(ev!.scores)).toEqual([0.9, 0.7, 0.3].map(Math.fround));
    expect(Array.from(ev!.rank)).toEqual([0, 1, 0]);
    expect(Array.from(ev!.npig)).toEqual([1, 1, 0, 0]);
    expect(ev!.flags.length).toBe(A * T * 3);
  });
  test("a class with ground truth but no detections is evaluated; one with neither is skipped", () => {
    const cfg = { maxDets: [1, 10, 100], ignoreDifficult: true } as const;
    expect(evaluateClass(records, gtGroups, detGroups, 1, cfg, new CocoScratch())?.nd).toBe(0);
    expect(evaluateClass(records, gtGroups, detGroups, 2, cfg, new CocoScratch())).toBeUndefined();
  });
});

describe("precisionAtRecalls", () => {
  const read = (flags: number[], rank: number[], maxDet: number, npig: number) => {
    const out = new Float64Array(R * 2).fill(-7);
    const rc = precisionAtRecalls(
      Uint8Array.from(flags),
      Int32Array.from(rank),
      maxDet,
      npig,
      new Float64Array(flags.length),
      out,
      1,
      2,
    );
    return { rc, at: (ri: number) => out[1 + ri * 2], untouched: out[0] };
  };
  test("TP, FP, TP over 2 ground truths: envelope p1 up to recall 0.5, then 2/3", () => {
    const r = read([MATCHED, 0, MATCHED], [0, 1, 2], 100, 2);
    expect(r.rc).toBe(1);
    expect(r.at(0)).toBe(p1);
    expect(r.at(50)).toBe(p1);
    expect(r.at(51)).toBe(2 / (3 + 2 ** -52));
    expect(r.at(100)).toBe(2 / (3 + 2 ** -52));
    expect(r.untouched).toBe(-7);
  });
  test("FP, TP: the envelope carries the later, higher precision back to recall 0", () => {
    const r = read([0, MATCHED], [0, 1], 100, 1);
    expect(r.at(0)).toBe(1 / (2 + 2 ** -52));
    expect(r.at(100)).toBe(1 / (2 + 2 ** -52));
  });
  test("ignored detections count for nothing; recall never reached reads 0", () => {
    const r = read([IGNORED, MATCHED | IGNORED, MATCHED], [0, 1, 2], 100, 4);
    expect(r.rc).toBe(0.25);
    expect(r.at(25)).toBe(p1);
    expect(r.at(26)).toBe(0);
  });
  test("detections ranked at or beyond maxDet are dropped; none left: recall 0, precision 0", () => {
    const r = read([MATCHED, MATCHED], [1, 2], 1, 2);
    expect(r.rc).toBe(0);
    expect(r.at(0)).toBe(0);
  });
});

describe("accumulate", () => {
  test("orders by score across images and fills only the class's entries; empty area ranges stay -1", () => {
    const K = 2;
    const nd = 2;
    const flags = new Uint8Array(A * T * nd);
    // detection 0 (score 0.2) is a TP, detection 1 (score 0.8) a FP, in area "all" at every threshold
    for (let k = 0; k < T; k++) flags[k * nd] = MATCHED;
    const ev: ClassEval = {
      nd,
      scores: Float32Array.of(0.2, 0.8),
      rank: Int32Array.of(0, 0),
      flags,
      npig: Int32Array.of(1, 0, 0, 0),
    };
    const precision = new Float64Array(T * R * K * A * 3).fill(-1);
    const recall = new Float64Array(T * K * A * 3).fill(-1);
    accumulate(ev, 1, K, [1, 10, 100], precision, recall);
    const P = (tt: number, r: number, k: number, a: number, m: number) =>
      precision[(((tt * R + r) * K + k) * A + a) * 3 + m];
    const Rc = (tt: number, k: number, a: number, m: number) => recall[((tt * K + k) * A + a) * 3 + m];
    // global order: FP then TP -> precision 1/2 at recall 1
    expect(P(0, 0, 1, 0, 2)).toBe(1 / (2 + 2 ** -52));
    expect(P(9, 100, 1, 0, 2)).toBe(1 / (2 + 2 ** -52));
    expect(Rc(3, 1, 0, 0)).toBe(1);
    expect(P(0, 0, 0, 0, 2)).toBe(-1); // class 0 untouched
    expect(P(0, 0, 1, 1, 2)).toBe(-1); // no ground truth in "small"
    expect(Rc(0, 1, 2, 1)).toBe(-1);
  });
});

describe("meanPrecision / meanRecall", () => {
  test("average the defined (> -1) entries of a selection; none defined: -1", () => {
    const K = 2;
    const precision = new Float64Array(T * R * K * A * 3).fill(-1);
    const recall = new Float64Array(T * K * A * 3).fill(-1);
    for (let tt = 0; tt < T; tt++) {
      for (let r = 0; r < R; r++) precision[(((tt * R + r) * K + 0) * A + 0) * 3 + 2] = tt === 0 ? 1 : 0.5;
      recall[((tt * K + 0) * A + 0) * 3 + 2] = 0.25;
    }
    const sel = { t0: 0, t1: T, k0: 0, k1: K, a: 0, mi: 2 };
    expect(meanPrecision(precision, K, sel)).toBeCloseTo((1 + 9 * 0.5) / 10, 14);
    expect(meanPrecision(precision, K, { ...sel, t1: 1 })).toBe(1);
    expect(meanPrecision(precision, K, { ...sel, k0: 1 })).toBe(-1);
    expect(meanRecall(recall, K, sel)).toBe(0.25);
    expect(meanRecall(recall, K, { ...sel, a: 1 })).toBe(-1);
  });
});

describe("summarize", () => {
  test("the 12 stats in pycocotools order and per-class numbers", () => {
    const K = 2;
    const precision = new Float64Array(T * R * K * A * 3).fill(-1);
    const recall = new Float64Array(T * K * A * 3).fill(-1);
    for (let tt = 0; tt < T; tt++) {
      for (let r = 0; r < R; r++)
        for (const a of [0, 1]) precision[(((tt * R + r) * K + 0) * A + a) * 3 + 2] = 0.5;
      for (const m of [0, 1, 2]) recall[((tt * K + 0) * A + 0) * 3 + m] = [0.25, 0.5, 0.75][m]!;
    }
    const s = summarize(precision, recall, ["a", "b"], Int32Array.of(3, 0), Int32Array.of(4, 1));
    expect(Array.from(s.statsArray)).toEqual([0.5, 0.5, 0.5, 0.5, -1, -1, 0.25, 0.5, 0.75, -1, -1, -1]);
    expect(s.stats.AR10).toBe(0.5);
    expect(Array.from(s.ap)).toEqual([0.5, -1]);
    expect(s.classes[1]).toEqual({
      name: "b",
      ap: -1,
      ap50: -1,
      ap75: -1,
      ar: -1,
      numGt: 0,
      numDetections: 1,
    });
    expect(s.classes[0]).toMatchObject({ name: "a", ap: 0.5, numGt: 3, numDetections: 4 });
  });
});

describe("computeCoco", () => {
  test("is what evaluateCoco returns", () => {
    const gts = [gt([G10, [20, 0, 30, 10]], [0, 1])];
    const dets = [det([G10, [20, 0, 29, 10]], [0.9, 0.8], [0, 1])];
    const records = makeRecords("x", gts, dets, 2);
    expect(computeCoco(records, ["a", "b"], { maxDets: [1, 10, 100], ignoreDifficult: true })).toEqual(
      evaluateCoco(gts, dets, { classNames: ["a", "b"] }),
    );
  });
});
