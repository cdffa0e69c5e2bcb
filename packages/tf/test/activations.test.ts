import { fc, test as propTest } from "@fast-check/vitest";
import { hardSigmoid, hardSwish, recordingGradients, tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { maxRelErr, seeded, useBackend } from "./helpers.js";

/** PyTorch's formulas (aten `hardsigmoid`, `hardswish` and `hardswish_backward`), in float64. */
const torchHardSigmoid = (x: number): number => Math.min(Math.max(x + 3, 0), 6) / 6;
const torchHardSwish = (x: number): number => x * torchHardSigmoid(x);
const torchHardSwishGrad = (x: number): number => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1);
const torchHardSigmoidGrad = (x: number): number => (x > -3 && x < 3 ? 1 / 6 : 0);

function run(f: (t: tf.Tensor) => tf.Tensor, x: number[]): Float32Array {
  return tf.tidy(() => f(tf.tensor1d(x)).dataSync<"float32">().slice());
}

function gradOf(f: (t: tf.Tensor) => tf.Tensor, x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => tf.grad(f)(tf.tensor(x), tf.tensor(dy)).dataSync<"float32">().slice());
}

/** Values in [-6, 6] away from the kinks ±3 (where PyTorch's one-sided choice may differ). */
function offKinks(n: number, seed: number): Float32Array {
  return seeded([n], seed).map((u) => {
    const v = u * 6;
    return Math.abs(Math.abs(v) - 3) < 1e-3 ? v + 0.01 : v;
  });
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("hardSigmoid / hardSwish", () => {
  const table: [number, number, number][] = [
    // x, hardsigmoid, hardswish (by hand from relu6(x + 3) / 6)
    [-4, 0, -0],
    [-3, 0, -0],
    [-1.5, 0.25, -0.375],
    [0, 0.5, 0],
    [1.5, 0.75, 1.125],
    [3, 1, 3],
    [4, 1, 4],
  ];
  for (const backend of ["cpu", "wasm"] as const) {
    test(`example values on ${backend}`, async () => {
      await useBackend(backend);
      const xs = table.map((r) => r[0]);
      expect(Array.from(run(hardSigmoid, xs))).toEqual(table.map((r) => r[1]));
      expect(Array.from(run(hardSwish, xs)).map((v) => v + 0)).toEqual(table.map((r) => r[2] + 0));
      expect(Array.from(run(hardSwish, [Number.NaN]))).toEqual([Number.NaN]);
    });

    test(`gradients equal PyTorch's away from ±3 on ${backend}`, async () => {
      await useBackend(backend);
      const x = offKinks(1001, 3);
      const dy = seeded([1001], 4);
      const gs = gradOf(hardSwish, x, dy);
      const gg = gradOf(hardSigmoid, x, dy);
      for (let i = 0; i < x.length; i++) {
        expect(gs[i]).toBeCloseTo(torchHardSwishGrad(x[i]!) * dy[i]!, 6);
        expect(gg[i]).toBeCloseTo(torchHardSigmoidGrad(x[i]!) * dy[i]!, 6);
      }
    });
  }

  test("recordingGradients: false outside a gradient, true inside tf.grad", () => {
    expect(recordingGradients()).toBe(false);
    let inside: boolean | undefined;
    tf.grad((t: tf.Tensor) => {
      inside = recordingGradients();
      return tf.mul(t, 2);
    })(tf.scalar(1)).dispose();
    expect(inside).toBe(true);
    expect(recordingGradients()).toBe(false);
  });

  test("wasm has a kernel for every op of the forward and backward passes", () => {
    for (const k of ["Add", "ClipByValue", "Multiply", "Mean", "Relu", "Sum", "RealDiv", "Step"])
      expect(tf.getKernel(k, "wasm"), k).toBeDefined();
  });

  test("no tensor leaks", async () => {
    await useBackend("wasm");
    const x = tf.tensor1d([-4, 0, 4]);
    const before = tf.memory().numTensors;
    tf.dispose([hardSwish(x), hardSigmoid(x)]);
    tf.grad((t: tf.Tensor) => hardSwish(t))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test("inference on wasm: one OdHardSwish kernel with the composite's float32 values bit for bit (SIMD blocks and tail)", async () => {
    const special = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      -3,
      3,
      -3.5,
      1e-40,
    ];
    const x = Float32Array.from([...special, ...seeded([1003], 7).map((u) => u * 8)]);
    await useBackend("cpu");
    const want = run((t) => tf.mul(t, hardSigmoid(t)), Array.from(x));
    const wantCpu = run(hardSwish, Array.from(x));
    await useBackend("wasm");
    const got = run(hardSwish, Array.from(x));
    for (let i = 0; i < x.length; i++) {
      expect(Object.is(got[i], want[i]), `x = ${x[i]}: ${got[i]} vs ${want[i]}`).toBe(true);
      expect(Object.is(wantCpu[i], want[i])).toBe(true);
    }
    for (const n of [1, 3, 4, 5]) {
      const part = run(hardSwish, Array.from(x.subarray(0, n)));
      for (let i = 0; i < n; i++) expect(Object.is(part[i], want[i])).toBe(true);
    }
    const t = tf.tensor1d(Array.from(x));
    const prof = await tf.profile(() => hardSwish(t));
    expect(prof.kernels.map((k) => k.name)).toEqual(["OdHardSwish"]);
    tf.dispose(prof.result as tf.Tensor);
    // under a gradient the composite runs (the kernel has none), and the gradient is PyTorch's
    const g = gradOf(hardSwish, Float32Array.from([-4, -1.5, 2, 5]), Float32Array.from([1, 1, 1, 1]));
    for (const [i, v] of [-4, -1.5, 2, 5].entries()) expect(g[i]).toBeCloseTo(torchHardSwishGrad(v), 6);
    t.dispose();
  });

  propTest.prop([fc.double({ min: -1e4, max: 1e4, noNaN: true })])(
    "values equal PyTorch's formulas (float32 rounding)",
    async (v) => {
      await useBackend("wasm");
      const x = Math.fround(v);
      const [hs] = run(hardSwish, [x]);
      const [hg] = run(hardSigmoid, [x]);
      expect(hg).toBeCloseTo(torchHardSigmoid(x), 6);
      expect(Math.abs(hs! - torchHardSwish(x))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(x)));
    },
  );
});

describe("squeeze-excitation (mean over H, W; 1×1 convs; relu; hardSigmoid gate; multiply)", () => {
  /** MobileNetV3's SE block, NHWC: `x · hardSigmoid(fc2(relu(fc1(mean_hw(x)))))`. */
  function se(x: tf.Tensor4D, w1: tf.Tensor4D, b1: tf.Tensor1D, w2: tf.Tensor4D, b2: tf.Tensor1D): tf.Tensor {
    const s = tf.mean(x, [1, 2], true) as tf.Tensor4D;
    const h = tf.relu(tf.add(tf.conv2d(s, w1, 1, "valid"), b1)) as tf.Tensor4D;
    return tf.mul(x, hardSigmoid(tf.add(tf.conv2d(h, w2, 1, "valid"), b2)));
  }
  const shapes = { x: [2, 5, 6, 16], w1: [1, 1, 16, 8], b1: [8], w2: [1, 1, 8, 16], b2: [16] };

  async function grads(backend: "cpu" | "wasm"): Promise<Float32Array[]> {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const ins = Object.values(shapes).map((s, i) =>
        tf.tensor(
          seeded(s, 20 + i).map((v) => v * 2),
          s,
        ),
      );
      const dy = tf.tensor(seeded(shapes.x, 30), shapes.x);
      const g = tf.grads((x, w1, b1, w2, b2) =>
        se(x as tf.Tensor4D, w1 as tf.Tensor4D, b1 as tf.Tensor1D, w2 as tf.Tensor4D, b2 as tf.Tensor1D),
      )(ins, dy);
      return g.map((t) => t.dataSync<"float32">().slice());
    });
    expect(tf.memory().numTensors).toBe(before);
    return out;
  }

  test("gradients on wasm equal the cpu backend's (relative error ≤ 1e-5)", async () => {
    const c = await grads("cpu");
    const w = await grads("wasm");
    expect(w.length).toBe(5);
    w.forEach((g, i) => {
      expect(maxRelErr(g, c[i]!), `input ${i}`).toBeLessThanOrEqual(1e-5);
      expect(g.some((v) => v !== 0)).toBe(true);
    });
  });
});
