import { BN_AFFINE_ACT, BN_GRAD_DX, BN_GRAD_SUMS, BN_STATS, batchNormTrain, tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { maxRelErr, seeded, useBackend } from "./helpers.js";

/** The elementwise formula (what `@od/ssd` used before the fused op), run with tfjs's own gradients. */
function reference(x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, relu6: boolean): tf.Tensor {
  const { mean, variance } = tf.moments(
    x,
    Array.from({ length: x.rank - 1 }, (_, i) => i),
  );
  const z = tf.add(tf.mul(tf.sub(x, mean), tf.mul(g, tf.rsqrt(tf.add(variance, 1e-3)))), b);
  return relu6 ? tf.clipByValue(z, 0, 6) : z;
}

interface Run {
  y: Float32Array;
  dx: Float32Array;
  dg: Float32Array;
  db: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
}

/** y, gradients of Σ y·w, and the statistics, for one implementation on one backend; checks no leaks. */
async function run(
  backend: "wasm" | "cpu",
  fused: boolean,
  shape: number[],
  relu6: boolean,
  offset = 0,
): Promise<Run> {
  await useBackend(backend);
  const C = shape[shape.length - 1] as number;
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = tf.add(tf.mul(tf.tensor(seeded(shape, 1), shape), 3), 1 + offset);
    const g = tf.add(tf.tensor1d(seeded([C], 2)), 1.2) as tf.Tensor1D;
    const b = tf.add(tf.mul(tf.tensor1d(seeded([C], 3)), 2), 2) as tf.Tensor1D;
    const w = tf.tensor(seeded(shape, 4), shape);
    const stats: Float32Array[] = [];
    const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const y = fused
        ? batchNormTrain(xi, gi as tf.Tensor1D, bi as tf.Tensor1D, {
            relu6,
            onStatistics: (m, v) => {
              stats.push(m.dataSync<"float32">().slice(), v.dataSync<"float32">().slice());
            },
          })
        : reference(xi, gi as tf.Tensor1D, bi as tf.Tensor1D, relu6);
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    };
    const [dx, dg, db] = tf.grads(f)([x, g, b]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const y = fused ? batchNormTrain(x, g, b, { relu6 }) : reference(x, g, b, relu6);
    const m = tf.moments(
      x,
      Array.from({ length: shape.length - 1 }, (_, i) => i),
    );
    return {
      y: y.dataSync<"float32">().slice(),
      dx: dx.dataSync<"float32">().slice(),
      dg: dg.dataSync<"float32">().slice(),
      db: db.dataSync<"float32">().slice(),
      mean: stats[0] ?? m.mean.dataSync<"float32">().slice(),
      variance: stats[1] ?? m.variance.dataSync<"float32">().slice(),
    };
  });
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("batchNormTrain (fused batch norm + relu6)", () => {
  test("the kernels are registered on wasm only", () => {
    for (const k of [BN_STATS, BN_AFFINE_ACT, BN_GRAD_SUMS, BN_GRAD_DX]) {
      expect(tf.getKernel(k, "wasm")).toBeDefined();
      expect(tf.getKernel(k, "cpu")).toBeUndefined();
    }
  });

  // C % 4 = 0 runs the SIMD module; other C the plain loops. 1·70 rows spans several 32-row chunks.
  const shapes = [
    [2, 5, 6, 16],
    [3, 4, 4, 6],
    [70, 8],
    [1, 1, 1, 4],
    [2, 9, 7, 36],
  ];
  for (const shape of shapes) {
    for (const relu6 of [true, false]) {
      test(`wasm fused equals the cpu elementwise formula to 1e-5: ${JSON.stringify(shape)} relu6=${relu6}`, async () => {
        const f = await run("wasm", true, shape, relu6);
        const r = await run("cpu", false, shape, relu6);
        expect(maxRelErr(f.y, r.y)).toBeLessThan(1e-5);
        expect(maxRelErr(f.dx, r.dx)).toBeLessThan(1e-5);
        expect(maxRelErr(f.dg, r.dg)).toBeLessThan(1e-5);
        expect(maxRelErr(f.db, r.db)).toBeLessThan(1e-5);
        expect(maxRelErr(f.mean, r.mean)).toBeLessThan(1e-5);
        expect(maxRelErr(f.variance, r.variance)).toBeLessThan(1e-5);
      });
    }
  }

  test("relu6 clips the output to [0, 6]; dβ of Σ y counts the unclipped elements per channel", async () => {
    await useBackend("wasm");
    const shape = [4, 4, 4, 8];
    const { y, db } = tf.tidy(() => {
      const x = tf.tensor(seeded(shape, 5), shape);
      const g = tf.fill([8], 4) as tf.Tensor1D; // z = 4·x̂ + 3: below 0 and above 6 for |x̂| > 0.75
      const b = tf.fill([8], 3) as tf.Tensor1D;
      const f = (bi: tf.Tensor) =>
        tf.sum(batchNormTrain(x, g, bi as tf.Tensor1D, { relu6: true })) as tf.Scalar;
      return {
        y: batchNormTrain(x, g, b, { relu6: true }).dataSync<"float32">().slice(),
        db: tf.grad(f)(b).dataSync<"float32">().slice(),
      };
    });
    expect(Math.min(...y)).toBe(0);
    expect(Math.max(...y)).toBe(6);
    for (let c = 0; c < 8; c++) {
      let inside = 0;
      for (let i = c; i < y.length; i += 8) if ((y[i] as number) > 0 && (y[i] as number) < 6) inside++;
      expect(db[c]).toBe(inside);
    }
  });

  test("statistics stay accurate for activations far from zero (shifted sums)", async () => {
    const shape = [2, 8, 8, 8];
    const f = await run("wasm", true, shape, false, 1000);
    // float64 reference on the same float32 inputs
    const x = await (async () => {
      await useBackend("cpu");
      return tf.tidy(() =>
        tf
          .add(tf.mul(tf.tensor(seeded(shape, 1), shape), 3), 1001)
          .dataSync<"float32">()
          .slice(),
      );
    })();
    const C = 8;
    const n = x.length / C;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = c; i < x.length; i += C) s += x[i] as number;
      const m = s / n;
      let v = 0;
      for (let i = c; i < x.length; i += C) v += ((x[i] as number) - m) ** 2;
      expect(Math.abs((f.mean[c] as number) - m)).toBeLessThan(1e-3);
      expect(Math.abs((f.variance[c] as number) - v / n) / (v / n)).toBeLessThan(1e-5);
    }
  });

  test("the same inputs give the same bytes", async () => {
    const a = await run("wasm", true, [2, 5, 6, 16], true);
    const b = await run("wasm", true, [2, 5, 6, 16], true);
    expect(a.dx).toEqual(b.dx);
    expect(a.y).toEqual(b.y);
  });

  test("on cpu (no kernels) it is the elementwise formula exactly", async () => {
    const f = await run("cpu", true, [2, 5, 6, 16], true);
    const r = await run("cpu", false, [2, 5, 6, 16], true);
    expect(f.y).toEqual(r.y);
    expect(f.dx).toEqual(r.dx);
  });

  test("bad input: typed errors naming the argument and the value", async () => {
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    const cases: [() => unknown, string][] = [
      [
        () => batchNormTrain(tf.zeros([4]), tf.ones([4]), tf.zeros([4])),
        "batchNormTrain: x must be [..., C] with rank ≥ 2; got shape [4]",
      ],
      [
        () => batchNormTrain(tf.zeros([0, 4]), tf.ones([4]), tf.zeros([4])),
        "batchNormTrain: x is empty (shape [0, 4]); a batch needs at least one row",
      ],
      [
        () => batchNormTrain(tf.zeros([2, 4], "int32"), tf.ones([4]), tf.zeros([4])),
        "batchNormTrain: x must be float32; got int32",
      ],
      [
        () => batchNormTrain(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4])),
        "batchNormTrain: gamma must be [4] (the channels of x); got [3]",
      ],
      [
        () => batchNormTrain(tf.zeros([2, 4]), tf.ones([4]), tf.zeros([2, 2]) as unknown as tf.Tensor1D),
        "batchNormTrain: beta must be [4] (the channels of x); got [2, 2]",
      ],
      [
        () => batchNormTrain(tf.zeros([2, 4]), tf.ones([4]), tf.zeros([4]), { epsilon: Number.NaN }),
        "batchNormTrain: options.epsilon must be finite and > 0; got NaN",
      ],
    ];
    for (const [f, message] of cases) {
      let caught: unknown;
      tf.tidy(() => {
        try {
          f();
        } catch (e) {
          caught = e;
        }
      });
      expect(caught).toMatchObject({ name: "TfError", code: "INVALID_ARGUMENT", message });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
