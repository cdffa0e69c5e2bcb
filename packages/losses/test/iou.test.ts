import { fc, test } from "@fast-check/vitest";
import { boxes, ciouPairs, diouPairs, giouPairs, iouPairs, isOdError } from "@od/boxes";
import { boxTensor, convertT } from "@od/boxes/tf";
import { tf } from "@od/tf";
import { beforeAll, describe, expect } from "vitest";
import { type IouLossKind, iouLoss } from "../src/index.js";
import fixtures from "./fixtures/torchvision-losses.json" with { type: "json" };
import { useCpu } from "./setup.js";

beforeAll(useCpu);

const KINDS: readonly IouLossKind[] = ["iou", "giou", "diou", "ciou"];
const fx = fixtures.iou;

const xyxy = (data: number[], shape: [number, number] = [data.length / 4, 4]) =>
  boxTensor(tf.tensor2d(data, shape), "xyxy", "px");

function lossValues(a: number[], b: number[], kind: IouLossKind): number[] {
  return tf.tidy(() => Array.from(iouLoss(xyxy(a), xyxy(b), { kind }).dataSync()));
}

function expectError(f: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isOdError(err, code)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

/**
 * `[n, 4]` valid xyxy px boxes from draws (x, y, w, h): sizes in [0.5, 40], or exactly 0 when
 * `degenerate` (zero width, zero height, points).
 */
const boxArb = (n: number, degenerate: boolean) => {
  const size = fc.double({ min: 0.5, max: 40, noNaN: true });
  const side = degenerate ? fc.oneof(fc.constant(0), size) : size;
  return fc.array(
    fc.tuple(
      fc.double({ min: 0, max: 100, noNaN: true }),
      fc.double({ min: 0, max: 100, noNaN: true }),
      side,
      side,
    ),
    { minLength: n, maxLength: n },
  );
};
/** Flattened xyxy rows, coordinates on a 1/64 grid (exact in float32, no denormals). */
const flat = (bs: [number, number, number, number][]) => {
  const q = (v: number) => Math.round(v * 64) / 64;
  return bs.flatMap(([x, y, w, h]) => [q(x), q(y), q(x) + q(w), q(y) + q(h)]);
};

describe("iouLoss", () => {
  test("worked examples: identical boxes give 0, disjoint boxes 1 − penalty", () => {
    // a = [0,0,10,10], b = [20,0,30,10]: IoU 0; enclosing 30×10 = 300, union 200 => GIoU = −1/3;
    // centres 20 apart, enclosing diagonal² = 900 + 100 => DIoU = −400/1000; same aspect => CIoU = DIoU.
    const a = [0, 0, 10, 10];
    const b = [20, 0, 30, 10];
    expect(lossValues(a, b, "iou")[0]).toBeCloseTo(1, 6);
    expect(lossValues(a, b, "giou")[0]).toBeCloseTo(1 + 1 / 3, 6);
    expect(lossValues(a, b, "diou")[0]).toBeCloseTo(1.4, 6);
    expect(lossValues(a, b, "ciou")[0]).toBeCloseTo(1.4, 6);
    for (const kind of KINDS) expect(lossValues(a, a, kind)[0]).toBeCloseTo(0, 6);
  });

  test("empty input: [0] losses, mean 0 and sum 0 (no NaN)", () => {
    tf.tidy(() => {
      const e = boxTensor(tf.zeros([0, 4]), "xyxy", "px");
      expect(iouLoss(e, e).shape).toEqual([0]);
      expect(iouLoss(e, e, { reduction: "mean" }).dataSync()[0]).toBe(0);
      expect(iouLoss(e, e, { reduction: "sum" }).dataSync()[0]).toBe(0);
    });
  });

  test.each(KINDS.map((k) => [k] as const))(
    "equals torchvision (%s; 1 − box_iou for iou, *_box_iou_loss otherwise)",
    (kind) => {
      const got = lossValues(fx.pred, fx.target, kind);
      const want = fx[kind];
      expect(got.length).toBe(want.length);
      // torchvision adds eps = 1e-7 to its denominators; on px boxes that moves the 6th decimal at most.
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i] as number, 5);
      });
    },
  );

  test("reductions equal torchvision's mean and sum", () => {
    tf.tidy(() => {
      const a = xyxy(fx.pred);
      const b = xyxy(fx.target);
      expect(iouLoss(a, b, { reduction: "mean" }).dataSync()[0]).toBeCloseTo(fx.giou_mean, 5);
      expect(iouLoss(a, b, { kind: "ciou", reduction: "sum" }).dataSync()[0]).toBeCloseTo(fx.ciou_sum, 4);
    });
  });

  test("weights: none multiplies, sum is Σ w·l, mean is Σ w·l / Σ w, and 0 when Σ w = 0", () => {
    tf.tidy(() => {
      const a = xyxy([0, 0, 10, 10, 0, 0, 10, 10]);
      const b = xyxy([0, 0, 10, 10, 20, 0, 30, 10]); // losses [0, 4/3] (giou)
      const w = tf.tensor1d([3, 2]);
      expect(Array.from(iouLoss(a, b, { weights: w }).dataSync())).toEqual([0, expect.closeTo(8 / 3, 5)]);
      expect(iouLoss(a, b, { weights: w, reduction: "sum" }).dataSync()[0]).toBeCloseTo(8 / 3, 5);
      expect(iouLoss(a, b, { weights: w, reduction: "mean" }).dataSync()[0]).toBeCloseTo(8 / 15, 5);
      const z = iouLoss(a, b, { weights: tf.zeros([2]), reduction: "mean" }).dataSync()[0];
      expect(z).toBe(0);
    });
  });

  test("degenerate boxes: finite values and finite gradients", () => {
    // zero width, zero height, a point, two identical points, a point inside a box, far-apart points.
    const pred = [5, 5, 5, 9, 0, 0, 4, 0, 3, 3, 3, 3, 7, 7, 7, 7, 2, 2, 2, 2, 0, 0, 0, 0];
    const target = [4, 4, 6, 8, 0, 0, 4, 0, 3, 3, 3, 3, 7, 7, 7, 7, 0, 0, 5, 5, 100, 100, 100, 100];
    for (const kind of KINDS) {
      tf.tidy(() => {
        const t = xyxy(target);
        const f = (p: tf.Tensor) =>
          iouLoss(boxTensor(p, "xyxy", "px"), t, { kind, reduction: "sum" }) as tf.Scalar;
        const p = tf.tensor2d(pred, [6, 4]);
        const v = Array.from(iouLoss(boxTensor(p, "xyxy", "px"), t, { kind }).dataSync());
        const g = Array.from(tf.grad(f)(p).dataSync());
        expect(v.every(Number.isFinite), `${kind} values ${v}`).toBe(true);
        expect(g.every(Number.isFinite), `${kind} gradients ${g}`).toBe(true);
      });
    }
  });

  test.prop([fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(boxArb(n, true), boxArb(n, true)))], {
    numRuns: 40,
  })("1 − iouPairs / giouPairs / diouPairs / ciouPairs of @od/boxes (typed arrays)", ([ra, rb]) => {
    const a = flat(ra);
    const b = flat(rb);
    const ta = boxes(a, "xyxy", "px");
    const tb = boxes(b, "xyxy", "px");
    const ref = {
      iou: iouPairs(ta, tb),
      giou: giouPairs(ta, tb),
      diou: diouPairs(ta, tb),
      ciou: ciouPairs(ta, tb),
    };
    for (const kind of KINDS) {
      const got = lossValues(a, b, kind);
      got.forEach((v, i) => {
        expect(Math.abs(v - (1 - (ref[kind][i] as number)))).toBeLessThan(2e-4);
      });
    }
  });

  test.prop([fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(boxArb(n, false), boxArb(n, false)))], {
    numRuns: 30,
  })(
    "identities (boxes of positive area): l(a, a) = 0; iou ≤ giou, iou ≤ diou ≤ 2; symmetric; format invariant",
    ([ra, rb]) => {
      const a = flat(ra);
      const b = flat(rb);
      const l = Object.fromEntries(KINDS.map((k) => [k, lossValues(a, b, k)])) as Record<
        IouLossKind,
        number[]
      >;
      l.iou.forEach((iou, i) => {
        expect(iou).toBeGreaterThanOrEqual(-1e-6);
        expect(iou).toBeLessThanOrEqual(1 + 1e-6);
        expect(l.giou[i] as number).toBeGreaterThanOrEqual(iou - 1e-5);
        expect(l.diou[i] as number).toBeGreaterThanOrEqual(iou - 1e-5);
        expect(l.diou[i] as number).toBeLessThanOrEqual(2 + 1e-6);
        expect(l.ciou[i] as number).toBeGreaterThanOrEqual((l.diou[i] as number) - 1e-5);
      });
      for (const kind of KINDS) {
        for (const v of lossValues(a, a, kind)) expect(Math.abs(v)).toBeLessThan(1e-5);
        if (kind !== "ciou") {
          lossValues(b, a, kind).forEach((v, i) => {
            expect(v).toBeCloseTo(l[kind][i] as number, 4);
          });
        }
        tf.tidy(() => {
          const ca = convertT(xyxy(a), "cxcywh");
          const cb = convertT(xyxy(b), "cxcywh");
          Array.from(iouLoss(ca, cb, { kind }).dataSync()).forEach((v, i) => {
            expect(Math.abs(v - (l[kind][i] as number))).toBeLessThan(2e-4);
          });
        });
      }
    },
  );

  test("does not leak tensors, inside or outside tf.tidy", () => {
    const a = xyxy(fx.pred);
    const b = xyxy(fx.target);
    const w = tf.ones([fx.giou.length]);
    const before = tf.memory().numTensors;
    for (const kind of KINDS) iouLoss(a, b, { kind, weights: w, reduction: "mean" }).dispose();
    tf.tidy(() => {
      iouLoss(a, b, { kind: "ciou" });
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a.tensor, b.tensor, w]);
  });

  describe("bad input", () => {
    test("format or units differ (plain-JS callers; a compile error in TypeScript)", () => {
      tf.tidy(() => {
        const a = xyxy([0, 0, 1, 1]);
        const c = boxTensor(tf.tensor2d([[0.5, 0.5, 1, 1]]), "cxcywh", "px");
        const r = boxTensor(tf.tensor2d([[0, 0, 1, 1]]), "xyxy", "rel");
        const loose: (p: unknown, t: unknown) => unknown = (p, t) =>
          Reflect.apply(iouLoss, undefined, [p, t]);
        expectError(
          () => loose(a, c),
          "INVALID_ARGUMENT",
          /^iouLoss: pred is xyxy but target is cxcywh; convertT\(\) one of them first$/,
        );
        expectError(() => loose(a, r), "INVALID_ARGUMENT", /^iouLoss: pred is in px but target in rel/);
        expectError(
          () => loose(tf.zeros([1, 4]), a),
          "INVALID_ARGUMENT",
          /^iouLoss: pred must be a BoxTensor/,
        );
      });
    });
    test("shapes differ, weights do not broadcast, unknown kind", () => {
      tf.tidy(() => {
        const a = xyxy([0, 0, 1, 1, 0, 0, 2, 2]);
        const b = xyxy([0, 0, 1, 1]);
        expectError(
          () => iouLoss(a, b),
          "SHAPE_MISMATCH",
          /^iouLoss: target must have shape \[2, 4\] like pred; got \[1, 4\]$/,
        );
        expectError(
          () => iouLoss(a, a, { weights: tf.ones([3]) }),
          "SHAPE_MISMATCH",
          /options.weights must broadcast to the loss shape \[2\]; got \[3\]/,
        );
        const kind = "l1" as IouLossKind;
        expectError(() => iouLoss(a, a, { kind }), "INVALID_ARGUMENT", /options.kind must be one of/);
      });
    });
  });
});
