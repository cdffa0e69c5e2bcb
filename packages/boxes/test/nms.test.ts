import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import {
  type Boxes,
  batchedNms,
  boxes,
  convert,
  emptyBoxes,
  nms,
  select,
  softNms,
  unsafeBoxes,
} from "@od/boxes";
import { describe, expect } from "vitest";
import { caught } from "./helpers.js";

const xyxy = (rows: number[][]): Boxes<"xyxy", "px"> => boxes(rows, "xyxy", "px");
const list = (a: Int32Array): number[] => Array.from(a);

/** Reference IoU of rows i and j (float64, IoU 0 for a zero union). */
function refIou(d: Float32Array, i: number, j: number): number {
  const [a1, b1, a2, b2] = [
    d[i * 4] as number,
    d[i * 4 + 1] as number,
    d[i * 4 + 2] as number,
    d[i * 4 + 3] as number,
  ];
  const [c1, e1, c2, e2] = [
    d[j * 4] as number,
    d[j * 4 + 1] as number,
    d[j * 4 + 2] as number,
    d[j * 4 + 3] as number,
  ];
  const w = Math.max(0, Math.min(a2, c2) - Math.max(a1, c1));
  const h = Math.max(0, Math.min(b2, e2) - Math.max(b1, e1));
  const inter = w * h;
  const union = (a2 - a1) * (b2 - b1) + (c2 - c1) * (e2 - e1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Decreasing score, ties by lower index. */
const byScore = (scores: ArrayLike<number>) => (p: number, q: number) =>
  (scores[q] as number) - (scores[p] as number) || p - q;

/** The textbook greedy NMS, all pairs, as torchvision's CPU kernel (with the stable tie rule). */
function naiveNms(d: Float32Array, scores: ArrayLike<number>, thr: number): number[] {
  const n = d.length / 4;
  const order = Array.from({ length: n }, (_, i) => i).sort(byScore(scores));
  const removed = new Set<number>();
  const keep: number[] = [];
  for (const [r, i] of order.entries()) {
    if (removed.has(i)) continue;
    keep.push(i);
    for (const j of order.slice(r + 1)) if (!removed.has(j) && refIou(d, i, j) > thr) removed.add(j);
  }
  return keep;
}

/** Integer boxes in a 64x64 area (exact float32; touching and identical boxes are common) with small-integer scores (ties are common). */
const arbScene = (min: number, max: number) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 3 }),
      ),
      { minLength: min, maxLength: max },
    )
    .map((rows) => ({
      boxes: xyxy(rows.map(([x, y, w, h]) => [x, y, x + w, y + h])),
      scores: Float32Array.from(rows, (r) => r[4] / 8),
      classes: Int32Array.from(rows, (r) => r[5]),
    }));
const arbThr = fc
  .constantFrom(0, 0.1, 0.3, 0.5, 0.7, 1)
  .chain((t) => fc.oneof(fc.constant(t), fc.double({ min: 0, max: 1, noNaN: true })));

describe("nms: examples", () => {
  // IoU([0,0,10,10], [1,1,11,11]) = 81 / (100 + 100 - 81) = 81/119 ≈ 0.68
  const three = xyxy([
    [0, 0, 10, 10],
    [1, 1, 11, 11],
    [20, 20, 30, 30],
  ]);
  test("suppresses above the threshold, keeps below; output by decreasing score", () => {
    expect(list(nms(three, [0.9, 0.8, 0.7], 0.5))).toEqual([0, 2]);
    expect(list(nms(three, [0.9, 0.8, 0.7], 0.7))).toEqual([0, 1, 2]);
    expect(list(nms(three, [0.1, 0.8, 0.7], 0.5))).toEqual([1, 2]);
    expect(list(nms(three, [0.1, 0.2, 0.9], 0.9))).toEqual([2, 1, 0]);
  });
  test("strictly greater: IoU exactly at the threshold is kept", () => {
    // inter 2x1 = 2, union 3 + 3 - 2 = 4 -> IoU 0.5 exactly
    const b = xyxy([
      [0, 0, 3, 1],
      [1, 0, 4, 1],
    ]);
    expect(list(nms(b, [0.9, 0.8], 0.5))).toEqual([0, 1]);
    expect(list(nms(b, [0.9, 0.8], 0.4999))).toEqual([0]);
  });
  test("ties: lower index first (kept order and who suppresses whom); -0 equals +0", () => {
    const same = xyxy([
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [0, 0, 10, 10],
    ]);
    expect(list(nms(same, [0.5, 0.5, 0.5], 0.5))).toEqual([0]);
    expect(list(nms(same, [0.4, 0.5, 0.5], 0.5))).toEqual([1]);
    const apart = xyxy([
      [0, 0, 1, 1],
      [5, 5, 6, 6],
      [9, 9, 10, 10],
    ]);
    expect(list(nms(apart, [0.5, 0.5, 0.5], 0.5))).toEqual([0, 1, 2]);
    expect(list(nms(apart, [0, -0, 0], 0.5))).toEqual([0, 1, 2]);
    expect(list(nms(apart, [-0, 0, Number.POSITIVE_INFINITY], 0.5))).toEqual([2, 0, 1]);
  });
  test("scores are compared exactly, also when float32 would tie them", () => {
    const apart = xyxy([
      [0, 0, 1, 1],
      [5, 5, 6, 6],
    ]);
    expect(Math.fround(0.1) === Math.fround(0.1 + 1e-12)).toBe(true);
    expect(list(nms(apart, [0.1, 0.1 + 1e-12], 0.5))).toEqual([1, 0]);
  });
  test("empty input, touching boxes, zero-area boxes", () => {
    expect(nms(emptyBoxes("xyxy", "px"), [], 0.5)).toEqual(new Int32Array(0));
    // touching: IoU 0, kept even at threshold 0
    expect(
      list(
        nms(
          xyxy([
            [0, 0, 1, 1],
            [1, 0, 2, 1],
          ]),
          [0.9, 0.8],
          0,
        ),
      ),
    ).toEqual([0, 1]);
    // a zero-area box has IoU 0 with everything (torchvision: NaN with another zero-area box): kept
    expect(
      list(
        nms(
          xyxy([
            [1, 1, 1, 1],
            [1, 1, 1, 1],
            [0, 0, 2, 2],
          ]),
          [0.9, 0.8, 0.7],
          0,
        ),
      ),
    ).toEqual([0, 1, 2]);
  });
  test("maxOutput and scoreThreshold", () => {
    const s = [0.9, 0.8, 0.7];
    expect(list(nms(three, s, 0.7, { maxOutput: 2 }))).toEqual([0, 1]);
    expect(list(nms(three, s, 0.7, { maxOutput: 0 }))).toEqual([]);
    expect(list(nms(three, s, 0.5, { maxOutput: 1 }))).toEqual([0]);
    // strict: 0.8 is not > 0.8
    expect(list(nms(three, s, 0.7, { scoreThreshold: 0.8 }))).toEqual([0]);
    // box 0 filtered out first, so box 1 survives
    expect(list(nms(three, [0.1, 0.8, 0.7], 0.5, { scoreThreshold: 0.5 }))).toEqual([1, 2]);
  });
  test("any format", () => {
    expect(list(nms(convert(three, "cxcywh"), [0.9, 0.8, 0.7], 0.5))).toEqual([0, 2]);
    expect(list(nms(convert(three, "yxyx"), [0.9, 0.8, 0.7], 0.5))).toEqual([0, 2]);
  });
  test("errors name the function, the argument and the value", () => {
    expect(caught(() => nms(three, [0.9, Number.NaN, 0.7], 0.5))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "nms: scores[1] must be a number, not NaN; got NaN",
    });
    expect(caught(() => nms(three, [0.9, 0.8], 0.5))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "nms: scores has 2 values but boxes has 3 boxes; they must match",
    });
    expect(caught(() => nms(three, [0.9, 0.8, 0.7], 1.5))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "nms: iouThreshold must be a finite number in [0, 1]; got 1.5",
    });
    expect(caught(() => nms(three, [0.9, 0.8, 0.7], Number.NaN)).code).toBe("INVALID_ARGUMENT");
    expect(caught(() => nms(three, [0.9, 0.8, 0.7], 0.5, { maxOutput: 1.5 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "nms: options.maxOutput must be an integer >= 0 or Infinity; got 1.5",
    });
  });
});

interface NmsFixture {
  name: string;
  iou_threshold: number;
  boxes: number[];
  scores: number[];
  classes?: number[];
  keep: number[];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/ops.json", import.meta.url), "utf8")) as {
  nms: NmsFixture[];
  batched_nms: NmsFixture[];
};

describe("nms and batchedNms vs torchvision 0.14 (random float32 boxes, distinct scores)", () => {
  test.each(fixtures.nms.map((f) => [f.name, f] as const))("nms %s", (_n, f) => {
    const b = unsafeBoxes(new Float32Array(f.boxes), "xyxy", "px");
    expect(list(nms(b, new Float32Array(f.scores), f.iou_threshold))).toEqual(f.keep);
  });
  // Distinct scores, so torchvision's unstable merge sort cannot reorder anything.
  test.each(fixtures.batched_nms.map((f) => [f.name, f] as const))("batched_nms %s", (_n, f) => {
    const b = unsafeBoxes(new Float32Array(f.boxes), "xyxy", "px");
    expect(list(batchedNms(b, new Float32Array(f.scores), f.classes ?? [], f.iou_threshold))).toEqual(f.keep);
  });
});

describe("nms: properties", () => {
  test.prop([arbScene(0, 40), arbThr])(
    "equals the textbook all-pairs greedy NMS",
    ({ boxes: b, scores }, thr) => {
      expect(list(nms(b, scores, thr))).toEqual(naiveNms(b.data, scores, thr));
    },
  );

  // 100..300 boxes: the grid kernel (from 96 boxes) against the all-pairs reference.
  test.prop([arbScene(100, 300), arbThr], { numRuns: 30 })(
    "large inputs (grid kernel) equal the textbook NMS",
    ({ boxes: b, scores }, thr) => {
      expect(list(nms(b, scores, thr))).toEqual(naiveNms(b.data, scores, thr));
    },
  );

  test.prop([arbScene(0, 60), arbThr])(
    "kept boxes: pairwise IoU ≤ thr, sorted by score (ties: index); every suppressed box overlaps an earlier kept box by > thr",
    ({ boxes: b, scores }, thr) => {
      const keep = list(nms(b, scores, thr));
      const cmp = byScore(scores);
      for (let p = 0; p < keep.length; p++) {
        for (let q = p + 1; q < keep.length; q++) {
          expect(refIou(b.data, keep[p] as number, keep[q] as number)).toBeLessThanOrEqual(thr);
          expect(cmp(keep[p] as number, keep[q] as number)).toBeLessThan(0);
        }
      }
      const kept = new Set(keep);
      for (let i = 0; i < b.length; i++) {
        if (kept.has(i)) continue;
        expect(keep.some((k) => cmp(k, i) < 0 && refIou(b.data, k, i) > thr)).toBe(true);
      }
    },
  );

  test.prop([arbScene(0, 60), arbThr])(
    "idempotent: NMS of the kept set keeps all of it",
    ({ boxes: b, scores }, thr) => {
      const keep = nms(b, scores, thr);
      const again = nms(
        select(b, keep),
        Float32Array.from(keep, (i) => scores[i] as number),
        thr,
      );
      expect(list(again)).toEqual(keep.length === 0 ? [] : Array.from({ length: keep.length }, (_, i) => i));
    },
  );
});

describe("batchedNms", () => {
  test("classes never suppress each other; one global order with the index tie rule", () => {
    const b = xyxy([
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [1, 1, 10, 10],
    ]);
    expect(list(batchedNms(b, [0.5, 0.5, 0.9, 0.5], [1, 2, 1, 2], 0.5))).toEqual([2, 1]);
    expect(list(batchedNms(b, [0.5, 0.5, 0.5, 0.5], [7, -3, 7, 1e9], 0.5))).toEqual([0, 1, 3]);
    expect(list(batchedNms(b, [0.5, 0.5, 0.5, 0.5], [7, -3, 7, 1e9], 0.5, { maxOutput: 2 }))).toEqual([0, 1]);
    expect(list(batchedNms(emptyBoxes("xyxy", "px"), [], [], 0.5))).toEqual([]);
  });
  test("errors", () => {
    const b = xyxy([[0, 0, 1, 1]]);
    expect(caught(() => batchedNms(b, [0.5], [0.5], 0.5))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "batchedNms: classes[0] must be an integer; got 0.5",
    });
    expect(caught(() => batchedNms(b, [0.5], [], 0.5)).code).toBe("SHAPE_MISMATCH");
    expect(caught(() => batchedNms(b, [Number.NaN], [0], 0.5)).code).toBe("INVALID_ARGUMENT");
    expect(caught(() => batchedNms(b, [0.5], [0], -0.1)).code).toBe("INVALID_ARGUMENT");
  });
  test.prop([arbScene(0, 150), arbThr], { numRuns: 60 })(
    "equals per-class NMS merged by (score desc, index asc)",
    ({ boxes: b, scores, classes }, thr) => {
      const merged: number[] = [];
      for (const c of new Set(classes)) {
        const idx = Int32Array.from(
          Array.from({ length: b.length }, (_, i) => i).filter((i) => classes[i] === c),
        );
        const sub = nms(
          select(b, idx),
          Float32Array.from(idx, (i) => scores[i] as number),
          thr,
        );
        for (const k of sub) merged.push(idx[k] as number);
      }
      merged.sort(byScore(scores));
      expect(list(batchedNms(b, scores, classes, thr))).toEqual(merged);
      expect(list(batchedNms(b, scores, new Int32Array(b.length), thr))).toEqual(list(nms(b, scores, thr)));
    },
  );
});

describe("softNms (Bodla et al. 2017)", () => {
  // IoU(A, B) = 50 / (100 + 50 - 50) = 0.5; C is disjoint from both.
  const abc = xyxy([
    [0, 0, 10, 10],
    [0, 0, 10, 5],
    [20, 20, 30, 30],
  ]);
  const s = [0.9, 0.8, 0.6];
  test("linear: s_B = 0.8 · (1 − 0.5) = 0.4 < 0.6, so the order is A, C, B", () => {
    const r = softNms(abc, s, { method: "linear", iouThreshold: 0.3 });
    expect(list(r.indices)).toEqual([0, 2, 1]);
    expect(Array.from(r.scores)).toEqual([Math.fround(0.9), Math.fround(0.6), Math.fround(0.4)]);
    // IoU 0.5 is not > 0.5: no decay, B stays 0.8
    expect(Array.from(softNms(abc, s, { method: "linear", iouThreshold: 0.5 }).scores)).toEqual([
      Math.fround(0.9),
      Math.fround(0.8),
      Math.fround(0.6),
    ]);
    // dropped once not > scoreThreshold
    expect(
      list(softNms(abc, s, { method: "linear", iouThreshold: 0.3, scoreThreshold: 0.4 }).indices),
    ).toEqual([0, 2]);
  });
  test("gaussian: s_B = 0.8 · exp(−0.5² / 0.5) = 0.8 · e^−0.5 ≈ 0.48522", () => {
    const r = softNms(abc, s, { method: "gaussian", sigma: 0.5 });
    expect(list(r.indices)).toEqual([0, 2, 1]);
    expect(r.scores[2]).toBe(Math.fround(0.8 * Math.exp(-0.5)));
    // σ = 2: 0.8 · e^−0.125 ≈ 0.70598 > 0.6 → A, B, C
    const r2 = softNms(abc, s, { method: "gaussian", sigma: 2 });
    expect(list(r2.indices)).toEqual([0, 1, 2]);
    expect(r2.scores[1]).toBe(Math.fround(0.8 * Math.exp(-0.125)));
  });
  test("identical boxes: linear decays to 0 (hard suppression); ties pick the lower index; maxOutput", () => {
    const same = xyxy([
      [0, 0, 4, 4],
      [0, 0, 4, 4],
    ]);
    expect(list(softNms(same, [0.5, 0.5]).indices)).toEqual([0]);
    expect(list(softNms(abc, s, { maxOutput: 1 }).indices)).toEqual([0]);
    expect(softNms(emptyBoxes("xyxy", "px"), []).indices).toEqual(new Int32Array(0));
  });
  test("errors", () => {
    expect(caught(() => softNms(abc, [0.9, -0.1, 0.5]))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "softNms: scores[1] must be a finite number >= 0; got -0.1",
    });
    expect(caught(() => softNms(abc, [0.9, 0.1]))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "softNms: scores has 2 values but boxes has 3 boxes; they must match",
    });
    expect(caught(() => softNms(abc, s, { sigma: 0 })).code).toBe("INVALID_ARGUMENT");
    // @ts-expect-error not a method
    expect(caught(() => softNms(abc, s, { method: "cubic" })).code).toBe("INVALID_ARGUMENT");
  });
  test.prop([arbScene(0, 40), fc.constantFrom("linear" as const, "gaussian" as const)])(
    "selected scores never increase, never exceed the input scores, and indices are distinct",
    ({ boxes: b, scores }, method) => {
      const r = softNms(b, scores, { method });
      expect(new Set(r.indices).size).toBe(r.indices.length);
      for (let k = 0; k < r.indices.length; k++) {
        expect(r.scores[k]).toBeLessThanOrEqual(scores[r.indices[k] as number] as number);
        if (k > 0) expect(r.scores[k]).toBeLessThanOrEqual(r.scores[k - 1] as number);
      }
    },
  );
});
