/**
 * Gradient checks: analytic gradients from tfjs (`tf.grad` / `tf.variableGrads`) against central
 * finite differences `(f(x + h·e_i) − f(x − h·e_i)) / 2h` on small inputs.
 *
 * Everything runs in float32, so the step and tolerances are float32-sized: h = 1e-2 on inputs of
 * order 1 (rounding error of a difference quotient ≈ 6e-8·|f| / h ≈ 1e-5; truncation error
 * ≈ h²·|f'''| / 6 ≈ 1e-5), and each component must satisfy |analytic − numeric| ≤ 2e-3 + 1e-2·|numeric|.
 * Inputs are chosen away from kinks (|d| ≠ β in smooth-L1, no exact box-edge coincidences, a stable
 * mined set) so the function is smooth within ±h of the point.
 */
import { boxes, ciouPairs, decode, diouPairs, giouPairs } from "@od/boxes";
import { boxTensor } from "@od/boxes/tf";
import { tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import {
  hardNegativeMask,
  iouLoss,
  type MultiboxOptions,
  multiboxLoss,
  sigmoidFocalLoss,
  smoothL1,
  softmaxFocalLoss,
} from "../src/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

const H = 1e-2;
const ATOL = 2e-3;
const RTOL = 1e-2;

/** Central finite differences of a scalar function of one tensor, one component at a time. */
function numericGrad(f: (x: tf.Tensor) => tf.Tensor, x0: Float32Array, shape: number[]): Float32Array {
  const g = new Float32Array(x0.length);
  const at = (x: Float32Array) => tf.tidy(() => f(tf.tensor(x, shape)).dataSync()[0] as number);
  for (let i = 0; i < x0.length; i++) {
    const xp = x0.slice();
    const xm = x0.slice();
    xp[i] = (xp[i] as number) + H;
    xm[i] = (xm[i] as number) - H;
    g[i] = (at(xp) - at(xm)) / (2 * H);
  }
  return g;
}

/** Asserts the analytic gradient of `f` at `x0` matches central differences. */
function checkGrad(f: (x: tf.Tensor) => tf.Tensor, x0: Float32Array, shape: number[]): Float32Array {
  const analytic = Float32Array.from(
    tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => f(x) as tf.Scalar)(tf.tensor(x0, shape))
        .dataSync(),
    ),
  );
  const numeric = numericGrad(f, x0, shape);
  for (let i = 0; i < x0.length; i++) {
    const a = analytic[i] as number;
    const n = numeric[i] as number;
    expect(Number.isFinite(a)).toBe(true);
    expect(Math.abs(a - n), `component ${i}: analytic ${a}, numeric ${n}`).toBeLessThanOrEqual(
      ATOL + RTOL * Math.abs(n),
    );
  }
  return analytic;
}

/** Deterministic values in [lo, hi): a fixed low-discrepancy sequence (no Math.random). */
function seq(n: number, lo: number, hi: number, offset = 0): Float32Array {
  const phi = 0.6180339887498949;
  return Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * (((i + 1 + offset) * phi) % 1));
}

describe("smoothL1 gradient", () => {
  test("matches finite differences on both sides of β (sum over elements)", () => {
    const target = tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 0]);
    // |d| in {0.1, 0.4, 0.7, 0.9} (quadratic) and {1.3, 1.8, 2.5, 3.1} (linear), β = 1.
    const x0 = Float32Array.from([0.1, -0.4, 0.7, -0.9, 1.3, -1.8, 2.5, -3.1]);
    const g = checkGrad((x) => tf.sum(smoothL1(x, target, 1)), x0, [8]);
    Array.from(x0, (d) => (Math.abs(d) < 1 ? d : Math.sign(d))).forEach((want, i) => {
      expect(g[i]).toBeCloseTo(want, 6); // d/β inside, sign(d) outside
    });
    target.dispose();
  });
  test("β = 0.5 and β = 0 (L1)", () => {
    const target = tf.tensor1d([0.2, -0.3, 0.1, 0.4, 0, 0]);
    const x0 = Float32Array.from([0.5, -0.1, 1.4, 0.2, -2, 0.05]);
    checkGrad((x) => tf.sum(smoothL1(x, target, 0.5)), x0, [6]);
    checkGrad((x) => tf.sum(smoothL1(x, target, 0)), x0, [6]);
    target.dispose();
  });
});

describe("focal loss gradients", () => {
  test.each([
    [0.25, 2],
    [-1, 0],
    [0.75, 1.5],
  ])("sigmoidFocalLoss (alpha %f, gamma %f), soft and hard targets", (alpha, gamma) => {
    const t = tf.tensor2d([1, 0, 0, 1, 0.3, 0, 1, 0.8, 0, 0, 1, 0], [3, 4]);
    const x0 = seq(12, -3, 3);
    checkGrad((x) => sigmoidFocalLoss(x, t, { alpha, gamma, reduction: "sum" }), x0, [3, 4]);
    t.dispose();
  });
  test("softmaxFocalLoss (gamma 2, class weights, an ignored row, mean)", () => {
    const labels = tf.tensor1d([0, 2, 1, -1, 3], "int32");
    const x0 = seq(20, -2, 2, 3);
    const g = checkGrad(
      (x) => softmaxFocalLoss(x, labels, { gamma: 2, alpha: [0.5, 1, 2, 1], reduction: "mean" }),
      x0,
      [5, 4],
    );
    expect(Array.from(g.slice(12, 16), Math.abs)).toEqual([0, 0, 0, 0]); // the ignored row
    labels.dispose();
  });
});

describe("iouLoss gradients", () => {
  // Overlapping, disjoint and nested pairs with distinct edges (no max/min ties within ±h).
  const pred = Float32Array.from([1, 1, 5, 4, 10, 10, 12, 15, 0, 0, 8, 8, 3.3, 2.2, 6.1, 9.4]);
  const target = [2, 0.5, 6, 3.5, 14, 11, 17, 13, 1, 2, 5.5, 6.5, 2.1, 4.4, 7.7, 5.3];

  test.each(["iou", "giou", "diou"] as const)("%s loss matches finite differences", (kind) => {
    const t = boxTensor(tf.tensor2d(target, [4, 4]), "xyxy", "px");
    checkGrad((x) => iouLoss(boxTensor(x, "xyxy", "px"), t, { kind, reduction: "sum" }), pred, [4, 4]);
    t.tensor.dispose();
  });

  test("ciou loss matches finite differences with α held constant (as torchvision's no_grad α)", () => {
    const t = boxTensor(tf.tensor2d(target, [4, 4]), "xyxy", "px");
    const v = (x: tf.Tensor) =>
      tf.tidy(() => {
        const [x1, y1, x2, y2] = tf.unstack(x, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const [u1, v1, u2, v2] = tf.unstack(t.tensor, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const d = tf.sub(tf.atan2(tf.sub(x2, x1), tf.sub(y2, y1)), tf.atan2(tf.sub(u2, u1), tf.sub(v2, v1)));
        return tf.mul(tf.square(d), 4 / Math.PI ** 2);
      });
    // α = v / (1 − IoU + v) at the point, then f(x) = (1 − DIoU(x)) + α·v(x): the function whose
    // gradient CIoU's backward pass computes.
    const alpha = tf.tidy(() => {
      const x = tf.tensor2d(pred, [4, 4]);
      const iou = tf.sub(1, iouLoss(boxTensor(x, "xyxy", "px"), t, { kind: "iou" }));
      const vv = v(x);
      return tf.div(vv, tf.add(tf.sub(1, iou), vv));
    });
    const frozen = (x: tf.Tensor) =>
      tf.add(tf.sum(iouLoss(boxTensor(x, "xyxy", "px"), t, { kind: "diou" })), tf.sum(tf.mul(alpha, v(x))));
    const analytic = tf.tidy(() =>
      tf
        .grad(
          (x: tf.Tensor) =>
            iouLoss(boxTensor(x, "xyxy", "px"), t, { kind: "ciou", reduction: "sum" }) as tf.Scalar,
        )(tf.tensor2d(pred, [4, 4]))
        .dataSync(),
    );
    const numeric = numericGrad(frozen, pred, [4, 4]);
    analytic.forEach((a, i) => {
      expect(Math.abs(a - (numeric[i] as number))).toBeLessThanOrEqual(
        ATOL + RTOL * Math.abs(numeric[i] as number),
      );
    });
    tf.dispose([t.tensor, alpha]);
  });
});

describe("multiboxLoss gradients", () => {
  // B = 2 images, P = 8 priors, C = 3 classes. Image 0: positives at priors 0, 1; prior 7 ignored;
  // image 1: one positive (prior 3). With ratio 1 and floor 0, image 0 mines 2 of its 5 background
  // priors and image 1 mines 1 of 7, so most background priors are NOT mined.
  const B = 2;
  const P = 8;
  const C = 3;
  const labelsData = [1, 2, 0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0, 0, 0, 0];
  // Background logits [0, z, 0] with z spaced 0.6 apart: background CEs differ by >= 0.1, while a ±h
  // step changes a CE by at most h·|∂CE/∂z| < 1e-2, so the mined set is the same at every probe point.
  const z = [0.2, 0.8, 1.4, 2.0, 2.6, 3.2, 3.8, -0.4, -1.0, 0.5, 1.1, 1.7, 2.3, 2.9, 3.5, 4.1];
  const logits0 = Float32Array.from(
    z.flatMap((zj, i) => (labelsData[i] === 0 ? [0, zj, 0] : [zj * 0.3, 0.5, -0.2 + (i % 3) * 0.4])),
  );
  // |locPred − locTargets| in [0.15, 0.85] ∪ [1.25, 1.9]: away from β = 1 by more than h.
  const locTargets0 = seq(B * P * 4, -1, 1, 7);
  const offsets = seq(B * P * 4, 0.15, 0.85, 11).map(
    (d, i) => (i % 3 === 0 ? d + 1.1 : d) * (i % 2 ? 1 : -1),
  );
  const locPred0 = locTargets0.map((t, i) => t + (offsets[i] as number));
  const opts: MultiboxOptions = { negPosRatio: 1, minNegativesPerImage: 0 };

  function loss(locPred: tf.Tensor, clsLogits: tf.Tensor, o: MultiboxOptions = opts): tf.Scalar {
    const l = multiboxLoss(
      {
        locPred,
        clsLogits,
        locTargets: tf.tensor3d(locTargets0, [B, P, 4]),
        labels: tf.tensor2d(labelsData, [B, P], "int32"),
      },
      o,
    );
    return l.total;
  }

  test("the mined set is the same at every finite-difference probe point", () => {
    const labels = tf.tensor2d(labelsData, [B, P], "int32");
    const mask = (x: Float32Array) =>
      tf.tidy(() => {
        const ce = tf.neg(tf.gather(tf.reshape(tf.logSoftmax(tf.tensor3d(x, [B, P, C])), [B, P, C]), 0, 2));
        return Array.from(hardNegativeMask(ce, labels, 1, 0).dataSync()).join("");
      });
    const base = mask(logits0);
    expect(base).toBe("0000011000000001"); // image 0: the 2 largest-z background priors (5, 6); image 1: prior 15
    for (let i = 0; i < logits0.length; i++) {
      for (const s of [H, -H]) {
        const x = logits0.slice();
        x[i] = (x[i] as number) + s;
        expect(mask(x)).toBe(base);
      }
    }
    labels.dispose();
  });

  test("d total / d clsLogits matches finite differences; zero on non-mined and ignored priors", () => {
    const lp = tf.tensor3d(locPred0, [B, P, 4]);
    const g = checkGrad((x) => loss(lp, x), logits0, [B, P, C]);
    // not mined (image 0: priors 2, 3, 4; image 1: priors 8..10, 12..14) and ignored (7): no gradient.
    for (const prior of [2, 3, 4, 7, 8, 9, 10, 12, 13, 14]) {
      expect(Array.from(g.slice(prior * C, prior * C + C), Math.abs)).toEqual([0, 0, 0]);
    }
    for (const prior of [0, 1, 5, 6, 11, 15]) {
      expect(Math.max(...Array.from(g.slice(prior * C, prior * C + C), Math.abs))).toBeGreaterThan(1e-3);
    }
    lp.dispose();
  });

  test("d total / d locPred matches finite differences (smooth-L1 on positives only)", () => {
    const cl = tf.tensor3d(logits0, [B, P, C]);
    const g = checkGrad((x) => loss(x, cl), locPred0, [B, P, 4]);
    const positives = new Set([0, 1, 11]);
    for (let j = 0; j < B * P; j++) {
      if (!positives.has(j)) expect(Array.from(g.slice(j * 4, j * 4 + 4), Math.abs)).toEqual([0, 0, 0, 0]);
    }
    cl.dispose();
  });

  test("label smoothing and class weights (custom cross-entropy gradient with ε > 0)", () => {
    const lp = tf.tensor3d(locPred0, [B, P, 4]);
    checkGrad((x) => loss(lp, x, { ...opts, labelSmoothing: 0.1, classWeights: [0.7, 1.5, 2] }), logits0, [
      B,
      P,
      C,
    ]);
    lp.dispose();
  });

  test("tf.variableGrads: the same gradients as tf.grad, and no tensors left behind", () => {
    const lp = tf.variable(tf.tensor3d(locPred0, [B, P, 4]));
    const cl = tf.variable(tf.tensor3d(logits0, [B, P, C]));
    const expected = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => loss(lp, x))(cl)
        .dataSync(),
    );
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => loss(lp, cl), [lp, cl]);
    expect(Array.from((grads[cl.name] as tf.Tensor).dataSync())).toEqual(Array.from(expected));
    tf.dispose([value, grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([lp, cl]);
  });

  describe("IoU-family localisation on decoded boxes", () => {
    // priors [P, 4] cxcywh rel; targets encoded near them (deltas in [-1, 1]).
    const priorsData = Float32Array.from(
      Array.from({ length: P }, (_, j) => [
        0.1 + 0.1 * j,
        0.2 + 0.07 * j,
        0.15 + 0.02 * j,
        0.2 - 0.01 * j,
      ]).flat(),
    );
    const priors = boxes(priorsData, "cxcywh", "rel");
    // predictions: targets plus offsets in ±[0.15, 0.85]: decoded boxes overlap their targets with distinct edges.
    const locPredIou = locTargets0.map((t, i) => t + (offsets[i] as number) * 0.5);

    test.each(["giou", "diou"] as const)("%s: d total / d locPred matches finite differences", (kind) => {
      const cl = tf.tensor3d(logits0, [B, P, C]);
      checkGrad((x) => loss(x, cl, { ...opts, locLoss: kind, priors }), locPredIou, [B, P, 4]);
      cl.dispose();
    });

    test.each(["giou", "diou", "ciou"] as const)(
      "%s: loc equals Σ (1 − IoU-family) of @od/boxes decode + *Pairs over positives / N",
      (kind) => {
        const got = tf.tidy(() => {
          const l = multiboxLoss(
            {
              locPred: tf.tensor3d(locPredIou, [B, P, 4]),
              clsLogits: tf.tensor3d(logits0, [B, P, C]),
              locTargets: tf.tensor3d(locTargets0, [B, P, 4]),
              labels: tf.tensor2d(labelsData, [B, P], "int32"),
            },
            { ...opts, locLoss: kind, priors },
          );
          return l.loc.dataSync()[0] as number;
        });
        let sum = 0;
        for (let b = 0; b < B; b++) {
          const pb = decode(locPredIou.slice(b * P * 4, (b + 1) * P * 4), priors);
          const tb = decode(locTargets0.slice(b * P * 4, (b + 1) * P * 4), priors);
          const pairs =
            kind === "giou" ? giouPairs(pb, tb) : kind === "diou" ? diouPairs(pb, tb) : ciouPairs(pb, tb);
          for (let j = 0; j < P; j++)
            if ((labelsData[b * P + j] as number) > 0) sum += 1 - (pairs[j] as number);
        }
        expect(got).toBeCloseTo(sum / 3, 4); // N = 3 positives
      },
    );
  });
});
