import { GRADIENT_KERNELS, registerGradients, tf } from "@od/tf";
import { describe, expect, test } from "vitest";
import { maxRelErr, seeded, useBackend } from "./helpers.js";

describe("registerGradients", () => {
  test("every tfjs-core gradient is registered by the import; calling again registers nothing", () => {
    expect(GRADIENT_KERNELS.length).toBeGreaterThanOrEqual(100);
    const missing = GRADIENT_KERNELS.filter((k) => tf.getGradient(k) === undefined);
    expect(missing).toEqual([]);
    expect(registerGradients()).toEqual({ registered: 0, kernelsWithGradients: GRADIENT_KERNELS.length });
  });

  test("the kernels a detector trains through all have gradients", () => {
    for (const k of [
      "Add",
      "Sub",
      "Multiply",
      "RealDiv",
      "Conv2D",
      "DepthwiseConv2dNative",
      "FusedBatchNorm",
    ]) {
      expect(tf.getGradient(k), k).toBeDefined();
    }
    for (const k of [
      "Relu6",
      "Sigmoid",
      "LogSoftmax",
      "Softmax",
      "GatherV2",
      "Concat",
      "Reshape",
      "Transpose",
    ]) {
      expect(tf.getGradient(k), k).toBeDefined();
    }
  });

  test("chained tensor methods work (the Node bundle of tfjs-core lacks them)", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor1d([1, -2, 3]);
      // tfjs-core's typings do not declare the chained methods, so reach them untyped (as JS callers do).
      const square: unknown = Reflect.get(x, "square");
      expect(typeof square).toBe("function");
      const y: unknown = Reflect.apply(square as () => unknown, x, []);
      expect(y instanceof tf.Tensor && Array.from(y.dataSync())).toEqual([1, 4, 9]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  test("one tfjs-core engine: the wasm and cpu backends register into the engine @od/tf exposes", async () => {
    await useBackend("wasm");
    expect(tf.engine().registryFactory.wasm).toBeDefined();
    expect(tf.engine().registryFactory.cpu).toBeDefined();
    const g = globalThis as { _tfengine?: unknown };
    expect(g._tfengine).toBe(tf.engine());
  });
});

/**
 * Central finite differences in float32 (step 1e-2) vs `tf.grad`, per backend. This checks the
 * wiring of the vendored gradients (their maths is tfjs-core's own), so the tolerance is loose.
 */
const cases: { name: string; shape: number[]; f: (x: tf.Tensor) => tf.Scalar }[] = [
  {
    name: "add/mul/sub/div broadcast",
    shape: [2, 3],
    f: (x) =>
      tf.sum(tf.div(tf.sub(tf.mul(tf.add(x, tf.tensor1d([1, 2, 3])), x), 0.5), tf.tensor1d([2, 3, 4]))),
  },
  { name: "exp/log/sqrt", shape: [5], f: (x) => tf.sum(tf.add(tf.exp(x), tf.log(tf.add(tf.square(x), 1)))) },
  { name: "sigmoid/tanh", shape: [4, 2], f: (x) => tf.mean(tf.mul(tf.sigmoid(x), tf.tanh(x))) },
  {
    name: "logSoftmax",
    shape: [3, 4],
    f: (x) => tf.sum(tf.mul(tf.logSoftmax(x), tf.tensor2d(seeded([3, 4], 9), [3, 4]))),
  },
  {
    name: "softmax",
    shape: [2, 5],
    f: (x) => tf.sum(tf.mul(tf.softmax(x), tf.tensor2d(seeded([2, 5], 8), [2, 5]))),
  },
  {
    name: "matMul",
    shape: [3, 4],
    f: (x) => tf.sum(tf.square(tf.matMul(x, tf.tensor2d(seeded([4, 2], 7), [4, 2])))),
  },
  {
    name: "concat/slice/transpose/reshape",
    shape: [2, 3],
    f: (x) =>
      tf.sum(
        tf.mul(
          tf.reshape(tf.transpose(tf.slice(tf.concat([x, tf.square(x)], 1), [0, 1], [2, 4])), [8]),
          tf.range(0, 8),
        ),
      ),
  },
  {
    name: "gather",
    shape: [4, 3],
    f: (x) => tf.sum(tf.square(tf.gather(x, tf.tensor1d([3, 0, 3, 1], "int32")))),
  },
  {
    name: "conv2d + relu6 (smooth region)",
    shape: [1, 5, 5, 2],
    f: (x) =>
      tf.sum(
        tf.square(
          tf.relu6(
            tf.add(
              tf.conv2d(x as tf.Tensor4D, tf.tensor4d(seeded([3, 3, 2, 3], 6), [3, 3, 2, 3]), 2, "same"),
              3,
            ),
          ),
        ),
      ),
  },
  {
    name: "depthwise + avgPool",
    shape: [1, 6, 6, 2],
    f: (x) =>
      tf.sum(
        tf.square(
          tf.avgPool(
            tf.depthwiseConv2d(
              x as tf.Tensor4D,
              tf.tensor4d(seeded([3, 3, 2, 2], 5), [3, 3, 2, 2]),
              1,
              "same",
            ),
            2,
            2,
            "valid",
          ),
        ),
      ),
  },
  {
    name: "resizeBilinear + pad",
    shape: [1, 3, 3, 1],
    f: (x) =>
      tf.sum(
        tf.square(
          tf.pad(
            tf.image.resizeBilinear(x as tf.Tensor4D, [5, 5]),
            [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ],
            1,
          ),
        ),
      ),
  },
  {
    name: "batchNorm",
    shape: [2, 3],
    f: (x) => {
      const m = tf.moments(x, 0);
      return tf.sum(
        tf.square(
          tf.batchNorm(x, m.mean, m.variance, tf.tensor1d([0.1, 0.2, 0.3]), tf.tensor1d([1, 2, 3]), 1e-3),
        ),
      );
    },
  },
];

for (const backend of ["cpu", "wasm"] as const) {
  describe(`vendored gradients vs finite differences on ${backend}`, () => {
    for (const c of cases) {
      test(c.name, async () => {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        const x0 = seeded(c.shape, c.name.length);
        const analytic = tf.tidy(() => tf.grad(c.f)(tf.tensor(x0, c.shape)).dataSync<"float32">().slice());
        const eps = 1e-2;
        const numeric = new Float32Array(x0.length);
        for (let i = 0; i < x0.length; i++) {
          const xp = x0.slice();
          const xm = x0.slice();
          xp[i] = (xp[i] ?? 0) + eps;
          xm[i] = (xm[i] ?? 0) - eps;
          const fp = tf.tidy(() => c.f(tf.tensor(xp, c.shape)).dataSync()[0] ?? 0);
          const fm = tf.tidy(() => c.f(tf.tensor(xm, c.shape)).dataSync()[0] ?? 0);
          numeric[i] = (fp - fm) / (2 * eps);
        }
        expect(maxRelErr(analytic, numeric)).toBeLessThan(2e-2);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
