import { RANGE_MASK_GRAD, tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { seeded, useBackend } from "./helpers.js";

/** x with values in [-8, 8] plus the exact boundaries 0, 6, lo and hi, size not a multiple of 4. */
function xValues(n: number, lo: number, hi: number): Float32Array {
  const v = seeded([n], 7).map((u) => u * 8);
  v.set([0, 6, lo, hi, -0, Math.fround(lo) - 1e-6, Math.fround(hi) + 1e-6], 0);
  return v;
}

async function gradOn(
  backend: "cpu" | "wasm",
  f: (x: tf.Tensor) => tf.Tensor,
  x: Float32Array,
  dy: Float32Array,
) {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const g = tf.grad(f)(tf.tensor(x, [x.length]), tf.tensor(dy, [dy.length]));
    return g.dataSync<"float32">().slice();
  });
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("one-pass clipByValue / relu6 gradients", () => {
  test("the kernel is registered on wasm only", () => {
    expect(tf.getKernel(RANGE_MASK_GRAD, "wasm")).toBeDefined();
    expect(tf.getKernel(RANGE_MASK_GRAD, "cpu")).toBeUndefined();
  });

  for (const n of [1, 3, 4, 1003]) {
    test.each([
      [-1.5, 2.25],
      [0, 6],
      [0.1, 0.3],
    ])(`clipByValue(x, %f, %f) gradient on wasm equals cpu exactly (n=${n})`, async (lo, hi) => {
      const x = xValues(Math.max(n, 7), lo, hi).slice(0, n);
      const dy = seeded([n], 8);
      const f = (t: tf.Tensor) => tf.clipByValue(t, lo, hi);
      expect(await gradOn("wasm", f, x, dy)).toEqual(await gradOn("cpu", f, x, dy));
    });

    test(`relu6 gradient on wasm equals cpu exactly (n=${n})`, async () => {
      const x = xValues(Math.max(n, 7), 0, 6).slice(0, n);
      const dy = seeded([n], 9);
      const f = (t: tf.Tensor) => tf.relu6(t);
      expect(await gradOn("wasm", f, x, dy)).toEqual(await gradOn("cpu", f, x, dy));
    });
  }

  test("second-order gradient through the kernel (d/dx of Σ g(x)·x where g = d clip/dx · dy)", async () => {
    const x = xValues(37, -1, 1);
    const dy = seeded([37], 10);
    const run = async (backend: "cpu" | "wasm") => {
      await useBackend(backend);
      return tf.tidy(() => {
        const xt = tf.tensor(x);
        const dyt = tf.tensor(dy);
        // the gradient w.r.t. dy of <clip'(x)·dy, r> is clip'(x)·r
        const r = tf.tensor(seeded([37], 11));
        const h = tf.grad((d: tf.Tensor) =>
          tf.sum(tf.mul(tf.grad((t: tf.Tensor) => tf.clipByValue(t, -1, 1))(xt, d), r)),
        );
        return h(dyt).dataSync<"float32">().slice();
      });
    };
    expect(await run("wasm")).toEqual(await run("cpu"));
  });

  test("on wasm the gradient is one kernel (no GreaterEqual / LogicalAnd / Select passes)", async () => {
    await useBackend("wasm");
    const x = tf.randomNormal([2, 8, 8, 4], 3, 4);
    const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu6(tf.clipByValue(t, -1, 5)))(x));
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === RANGE_MASK_GRAD)).toHaveLength(2);
    for (const n of ["GreaterEqual", "LessEqual", "LogicalAnd", "Select", "Step"])
      expect(names).not.toContain(n);
    tf.dispose([x, info.result as tf.Tensor]);
  });

  test("rank-4 input, boundaries included", async () => {
    await useBackend("wasm");
    const g = tf.tidy(() => {
      const x = tf.tensor4d([-1, 0.5, 3, 7, 6, 0, 2, 9], [1, 2, 2, 2]);
      return tf
        .grad((t: tf.Tensor) => tf.sum(tf.clipByValue(t, 0, 6)))(x)
        .dataSync<"float32">()
        .slice();
    });
    expect(Array.from(g)).toEqual([0, 1, 1, 0, 1, 1, 1, 0]);
  });
});
