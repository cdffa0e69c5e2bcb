import { fc, test } from "@fast-check/vitest";
import { boxes, isOdError } from "@od/boxes";
import { tf } from "@od/tf";
import { beforeAll, describe, expect } from "vitest";
import { hardNegativeMask, multiboxLoss } from "../src/index.js";
import fixtures from "./fixtures/torchvision-losses.json" with { type: "json" };
import { useCpu } from "./setup.js";

beforeAll(useCpu);

interface Case {
  B: number;
  P: number;
  C: number;
  locPred: number[];
  clsLogits: number[];
  locTargets: number[];
  labels: number[];
  bbox_regression: number;
  classification: number;
}

function inputs(c: Case) {
  return {
    locPred: tf.tensor3d(c.locPred, [c.B, c.P, 4]),
    clsLogits: tf.tensor3d(c.clsLogits, [c.B, c.P, c.C]),
    locTargets: tf.tensor3d(c.locTargets, [c.B, c.P, 4]),
    labels: tf.tensor2d(c.labels, [c.B, c.P], "int32"),
  };
}

function values(l: ReturnType<typeof multiboxLoss>) {
  const v = {
    total: l.total.dataSync()[0] as number,
    loc: l.loc.dataSync()[0] as number,
    cls: l.cls.dataSync()[0] as number,
    pos: l.numPositives.dataSync()[0] as number,
    neg: l.numNegatives.dataSync()[0] as number,
  };
  tf.dispose([l.total, l.loc, l.cls, l.numPositives, l.numNegatives]);
  return v;
}

describe("multiboxLoss", () => {
  test.each((fixtures.multibox as Case[]).map((c, i) => [i, c] as const))(
    "equals torchvision SSD.compute_loss (fixture %i, minNegativesPerImage 0)",
    (_, c) => {
      const x = inputs(c);
      const v = values(multiboxLoss(x, { minNegativesPerImage: 0 }));
      tf.dispose(Object.values(x));
      expect(v.loc).toBeCloseTo(c.bbox_regression, 4);
      expect(v.cls).toBeCloseTo(c.classification, 4);
      expect(v.total).toBeCloseTo(c.bbox_regression + c.classification, 4);
    },
  );

  test("worked example: one positive, three negatives, ratio 3", () => {
    // P = 4 priors, C = 2. Logits [0, 0] give CE = log 2 for every prior.
    // Positive prior 0 (label 1): CE = log 2; loc diff [1, 0, 0, 0] gives smooth-L1 = 0.5 * 1^2 / 1 = 0.5.
    // Mined negatives: min(3 * 1, 3 available) = 3, each CE = log 2. N = 1.
    // cls = 4 log 2 = 2.7726, loc = 0.5, total = 3.2726.
    const l = multiboxLoss({
      locPred: tf.tensor3d([
        [
          [1, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
      ]),
      clsLogits: tf.zeros([1, 4, 2]),
      locTargets: tf.zeros([1, 4, 4]),
      labels: tf.tensor2d([[1, 0, 0, 0]], [1, 4], "int32"),
    });
    const v = values(l);
    expect(v.loc).toBeCloseTo(0.5, 6);
    expect(v.cls).toBeCloseTo(4 * Math.LN2, 5);
    expect(v.pos).toBe(1);
    expect(v.neg).toBe(3);
  });

  test("hard negatives are the highest-loss background priors", () => {
    // Background CE of prior j is log(1 + e^{z_j}) for logits [0, z_j]: increasing in z_j.
    // One positive (prior 0), ratio 1 => exactly one negative: the prior with the largest z (prior 3).
    const mask = hardNegativeMask(
      tf.tensor2d([[9, 0.1, 0.5, 2.0, 0.2]]),
      tf.tensor2d([[1, 0, 0, 0, 0]], [1, 5], "int32"),
      1,
      0,
    );
    expect(Array.from(mask.dataSync())).toEqual([0, 0, 0, 1, 0]);
    mask.dispose();
  });

  test("a fractional ratio mines ceil(ratio · positives), as torchvision's rank < ratio · positives", () => {
    const mask = hardNegativeMask(
      tf.tensor2d([[9, 5, 4, 3, 2, 1]]),
      tf.tensor2d([[1, 0, 0, 0, 0, 0]], [1, 6], "int32"),
      1.5,
      0,
    );
    expect(Array.from(mask.dataSync())).toEqual([0, 1, 1, 0, 0, 0]);
    mask.dispose();
  });

  test("ties in loss go to the lower prior index", () => {
    const mask = hardNegativeMask(
      tf.tensor2d([[1, 1, 1, 1, 1]]),
      tf.tensor2d([[1, 0, 0, 0, 0]], [1, 5], "int32"),
      2,
      0,
    );
    expect(Array.from(mask.dataSync())).toEqual([0, 1, 1, 0, 0]);
    mask.dispose();
  });

  test("background-only image: torchvision mines nothing, ours mines minNegativesPerImage", () => {
    const make = () => ({
      locPred: tf.zeros([1, 10, 4]),
      clsLogits: tf.randomNormal([1, 10, 3], 0, 1, "float32", 7),
      locTargets: tf.zeros([1, 10, 4]),
      labels: tf.zeros([1, 10], "int32"),
    });
    const a = make();
    const tv = values(multiboxLoss(a, { minNegativesPerImage: 0 }));
    expect(tv).toMatchObject({ loc: 0, cls: 0, pos: 0, neg: 0 });
    const b = make();
    const ours = values(multiboxLoss(b, { minNegativesPerImage: 4 }));
    expect(ours.pos).toBe(0);
    expect(ours.neg).toBe(4);
    expect(ours.cls).toBeGreaterThan(0);
    expect(Number.isFinite(ours.total)).toBe(true);
    tf.dispose([...Object.values(a), ...Object.values(b)]);
  });

  test("a batch with no positives at all is finite (N = max(1, 0))", () => {
    const v = values(
      multiboxLoss({
        locPred: tf.fill([2, 6, 4], 1e3),
        clsLogits: tf.fill([2, 6, 4], 50),
        locTargets: tf.zeros([2, 6, 4]),
        labels: tf.tensor2d(
          [
            [0, 0, 0, -1, -1, 0],
            [-1, -1, -1, -1, -1, -1],
          ],
          [2, 6],
          "int32",
        ),
      }),
    );
    expect(Number.isFinite(v.total)).toBe(true);
    expect(v.loc).toBe(0);
    expect(v.neg).toBe(4); // default floor of 8, but only 4 candidates exist (ignored priors are never mined)
  });

  test("label smoothing and class weights follow their formulas", () => {
    // One positive prior (label 1) with logits [0, 0]: CE = log 2 regardless of smoothing.
    // With class weight 2 on class 1, the positive's CE doubles; no negatives (ratio 0, floor 0).
    const x = {
      locPred: tf.zeros([1, 2, 4]),
      clsLogits: tf.tensor3d([
        [
          [0, 0],
          [5, -5],
        ],
      ]),
      locTargets: tf.zeros([1, 2, 4]),
      labels: tf.tensor2d([[1, -1]], [1, 2], "int32"),
    };
    const v = values(
      multiboxLoss(x, { negPosRatio: 0, minNegativesPerImage: 0, classWeights: [1, 2], labelSmoothing: 0.2 }),
    );
    expect(v.cls).toBeCloseTo(2 * Math.LN2, 5);
    tf.dispose(Object.values(x));
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 4, max: 40 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 5 }),
    ],
    { numRuns: 25 },
  )(
    "mined negatives: never positive or ignored, count = min(max(ratio·pos, floor), available)",
    (B, P, seed, ratio, floor) => {
      const labels = tf.tidy(() =>
        tf.cast(tf.sub(tf.floor(tf.randomUniform([B, P], 0, 3.5, "float32", seed)), 1), "int32"),
      );
      const loss = tf.randomUniform([B, P], 0, 5, "float32", seed + 1);
      const mask = hardNegativeMask(loss, labels, ratio, floor);
      const L = labels.arraySync() as number[][];
      const M = mask.arraySync() as number[][];
      for (let b = 0; b < B; b++) {
        const row = L[b] as number[];
        const m = M[b] as number[];
        const pos = row.filter((v) => v > 0).length;
        const avail = row.filter((v) => v === 0).length;
        expect(m.reduce((s, v) => s + v, 0)).toBe(Math.min(Math.max(ratio * pos, floor), avail));
        row.forEach((v, j) => {
          if (v !== 0) expect(m[j]).toBe(0);
        });
      }
      tf.dispose([labels, loss, mask]);
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 10 })(
    "invariant to a permutation of the priors",
    (seed) => {
      const B = 2;
      const P = 24;
      const C = 4;
      tf.tidy(() => {
        const x = {
          locPred: tf.randomNormal([B, P, 4], 0, 1, "float32", seed),
          clsLogits: tf.randomNormal([B, P, C], 0, 2, "float32", seed + 1),
          locTargets: tf.randomNormal([B, P, 4], 0, 1, "float32", seed + 2),
          labels: tf.cast(
            tf.sub(tf.floor(tf.randomUniform([B, P], 0, C + 0.99, "float32", seed + 3)), 1),
            "int32",
          ),
        };
        const perm = tf.tensor1d(
          Array.from({ length: P }, (_, i) => (i * 7 + seed) % P),
          "int32",
        );
        const y = {
          locPred: tf.gather(x.locPred, perm, 1),
          clsLogits: tf.gather(x.clsLogits, perm, 1),
          locTargets: tf.gather(x.locTargets, perm, 1),
          labels: tf.gather(x.labels, perm, 1),
        };
        const a = multiboxLoss(x);
        const b = multiboxLoss(y);
        expect(b.total.dataSync()[0]).toBeCloseTo(a.total.dataSync()[0] as number, 4);
        expect(b.numNegatives.dataSync()[0]).toBe(a.numNegatives.dataSync()[0]);
      });
    },
  );

  test("does not leak tensors, inside or outside tf.tidy", () => {
    const c = (fixtures.multibox as Case[])[0] as Case;
    const x = inputs(c);
    const before = tf.memory().numTensors;
    const l = multiboxLoss(x);
    tf.dispose([l.total, l.loc, l.cls, l.numPositives, l.numNegatives]);
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      multiboxLoss(x);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(x));
  });

  describe("bad input", () => {
    const ok = () => ({
      locPred: tf.zeros([1, 3, 4]),
      clsLogits: tf.zeros([1, 3, 2]),
      locTargets: tf.zeros([1, 3, 4]),
      labels: tf.zeros([1, 3], "int32"),
    });
    const expectError = (f: () => unknown, code: string, message: RegExp) => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isOdError(err, code)).toBe(true);
      expect((err as Error).message).toMatch(message);
    };
    test("shape mismatch names the argument and the shapes", () => {
      expectError(
        () => multiboxLoss({ ...ok(), locPred: tf.zeros([1, 4, 4]) }),
        "SHAPE_MISMATCH",
        /multiboxLoss: locPred must have shape \[1, 3, 4\]; got \[1, 4, 4\]/,
      );
      expectError(
        () => multiboxLoss({ ...ok(), labels: tf.zeros([1, 3]) }),
        "SHAPE_MISMATCH",
        /labels must be int32; got float32/,
      );
      expectError(
        () => multiboxLoss({ ...ok(), clsLogits: tf.zeros([1, 3, 1]) }),
        "SHAPE_MISMATCH",
        /C >= 2/,
      );
    });
    test("labels out of range", () => {
      expectError(
        () => multiboxLoss({ ...ok(), labels: tf.tensor2d([[0, 2, 0]], [1, 3], "int32") }),
        "LABEL_OUT_OF_RANGE",
        /labels must be in \[-1, 1\] for 2 classes; got values in \[0, 2\]/,
      );
      expectError(
        () => multiboxLoss({ ...ok(), labels: tf.tensor2d([[0, -2, 0]], [1, 3], "int32") }),
        "LABEL_OUT_OF_RANGE",
        /\[-2, 0\]/,
      );
    });
    test("NaN in targets", () => {
      expectError(
        () =>
          multiboxLoss({
            ...ok(),
            locTargets: tf.tensor3d([
              [
                [0, 0, 0, 0],
                [Number.NaN, 0, 0, 0],
                [0, 0, 0, 0],
              ],
            ]),
          }),
        "NON_FINITE",
        /locTargets contains NaN/,
      );
    });
    test("IoU localisation needs cxcywh rel priors of P boxes", () => {
      const loose = (o: unknown) => Reflect.apply(multiboxLoss, undefined, [ok(), o]);
      expectError(
        () => loose({ locLoss: "giou" }),
        "INVALID_ARGUMENT",
        /^multiboxLoss: options.priors must be Boxes<"cxcywh", "rel"> or a BoxTensor of them when locLoss is "giou"; got undefined$/,
      );
      expectError(
        () => loose({ locLoss: "ciou", priors: boxes([[0, 0, 1, 1]], "xyxy", "rel") }),
        "INVALID_ARGUMENT",
        /options.priors must be cxcywh rel boxes; got xyxy rel/,
      );
      expectError(
        () => multiboxLoss(ok(), { locLoss: "diou", priors: boxes([[0.5, 0.5, 0.2, 0.2]], "cxcywh", "rel") }),
        "SHAPE_MISMATCH",
        /^multiboxLoss: options.priors must have shape \[3, 4\]; got \[1, 4\]$/,
      );
      expectError(() => loose({ locLoss: "l2" }), "INVALID_ARGUMENT", /options.locLoss must be/);
    });
    test("options out of range", () => {
      expectError(() => multiboxLoss(ok(), { negPosRatio: -1 }), "INVALID_ARGUMENT", /options.negPosRatio/);
      expectError(
        () => multiboxLoss(ok(), { classWeights: [1] }),
        "INVALID_ARGUMENT",
        /classWeights must be 2/,
      );
    });
  });
});
