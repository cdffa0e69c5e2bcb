import { isOdError } from "@od/boxes";
import { tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { sigmoidFocalLoss, softmaxFocalLoss } from "../src/index.js";
import fixtures from "./fixtures/torchvision-losses.json" with { type: "json" };
import { useCpu } from "./setup.js";

beforeAll(useCpu);

describe("sigmoidFocalLoss", () => {
  test.each(fixtures.focal.map((c) => [c.alpha, c.gamma, c.reduction, c] as const))(
    "equals torchvision.ops.sigmoid_focal_loss (alpha %f, gamma %f, %s)",
    (alpha, gamma, reduction, c) => {
      const x = tf.tensor(c.logits, c.shape);
      const t = tf.tensor(c.targets, c.shape);
      const y = sigmoidFocalLoss(x, t, { alpha, gamma, reduction: reduction as "none" | "mean" | "sum" });
      const got = Array.from(y.dataSync());
      expect(got.length).toBe(c.loss.length);
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(c.loss[i] as number, 5);
      });
      tf.dispose([x, t, y]);
    },
  );

  test("worked example: x = 0, t = 1, alpha 0.25, gamma 2", () => {
    // p = 0.5, ce = log 2, p_t = 0.5, (1 - p_t)^2 = 0.25, alpha_t = 0.25 => 0.25 * 0.25 * log 2.
    const y = sigmoidFocalLoss(tf.scalar(0), tf.scalar(1));
    expect(y.dataSync()[0]).toBeCloseTo(0.0625 * Math.LN2, 6);
    y.dispose();
  });

  test("stable for large logits", () => {
    const y = sigmoidFocalLoss(tf.tensor1d([1e4, -1e4]), tf.tensor1d([0, 1]), { alpha: -1, gamma: 0 });
    // BCE = max(x,0) - x t + log(1 + e^{-|x|}) = 1e4 in both cases.
    expect(Array.from(y.dataSync())).toEqual([1e4, 1e4]);
    y.dispose();
  });

  test("shape mismatch", () => {
    let err: unknown;
    try {
      sigmoidFocalLoss(tf.zeros([2, 3]), tf.zeros([3, 2]));
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "SHAPE_MISMATCH")).toBe(true);
    expect((err as Error).message).toBe("sigmoidFocalLoss: targets must have shape [2, 3]; got [3, 2]");
  });
});

describe("softmaxFocalLoss", () => {
  test("gamma 0 is cross-entropy; ignored rows give 0", () => {
    // logits [0, 0, 0]: p_y = 1/3, CE = log 3.
    const y = softmaxFocalLoss(tf.zeros([2, 3]), tf.tensor1d([2, -1], "int32"), { gamma: 0 });
    const v = Array.from(y.dataSync());
    expect(v[0]).toBeCloseTo(Math.log(3), 6);
    expect(v[1]).toBe(0);
    y.dispose();
  });
  test("gamma 2 down-weights by (1 - p_y)^2; mean skips ignored rows", () => {
    const y = softmaxFocalLoss(tf.zeros([2, 3]), tf.tensor1d([2, -1], "int32"), {
      gamma: 2,
      reduction: "mean",
    });
    expect(y.dataSync()[0]).toBeCloseTo((4 / 9) * Math.log(3), 6);
    y.dispose();
  });
});
