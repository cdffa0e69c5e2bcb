import { describe, expect, test } from "vitest";
import { initBackend, tf } from "../src/index.js";

/** Runs `f` on cpu and on wasm (with the fast paths) and returns both results. */
async function both(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await initBackend({ prefer: ["cpu"] });
  const a = f();
  const va = (await a.data()) as Float32Array;
  a.dispose();
  await initBackend({ prefer: ["wasm"] });
  const before = tf.memory().numTensors;
  const b = f();
  const vb = (await b.data()) as Float32Array;
  b.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return [va, vb];
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
    s = Math.max(s, Math.abs(a[i] as number));
  }
  return m / Math.max(s, 1e-12);
}

describe("wasm fast paths", () => {
  test.each([
    [false, true],
    [true, false],
    [true, true],
  ])("matMul with transposeA=%s transposeB=%s equals cpu", async (ta, tb) => {
    const [a, b] = await both(() =>
      tf.tidy(() => {
        const x = tf.randomNormal(ta ? [2, 37, 65] : [2, 65, 37], 0, 1, "float32", 1);
        const y = tf.randomNormal(tb ? [2, 29, 37] : [2, 37, 29], 0, 1, "float32", 2);
        return tf.matMul(x, y, ta, tb);
      }),
    );
    expect(a.length).toBe(2 * 65 * 29);
    expect(maxRel(a, b)).toBeLessThan(1e-5);
  });

  test.each([
    [false, true, [68, 36], [20, 36]],
    [true, false, [68, 36], [68, 20]],
    [true, true, [1, 68, 36], [1, 20, 68]],
    [true, false, [4, 8], [4, 12]],
  ])(
    "matMul transposeA=%s transposeB=%s with sizes multiple of 4 (SIMD transpose): %j · %j equals cpu",
    async (ta, tb, sa, sb) => {
      const [a, b] = await both(() =>
        tf.tidy(() => {
          const x = tf.randomNormal(sa, 0, 1, "float32", 4);
          const y = tf.randomNormal(sb, 0, 1, "float32", 5);
          return tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb);
        }),
      );
      expect(maxRel(a, b)).toBeLessThan(1e-5);
    },
  );

  test.each([
    ["sum", [0, 1, 2], false],
    ["sum", [0, 1], true],
    ["mean", [0, 1, 2], true],
    ["mean", [0], false],
    ["sum", [1, 2], false],
    ["mean", [-4, -3, -2], false],
  ] as const)("%s over axes %j (keepDims %s) equals cpu", async (op, axes, keepDims) => {
    const [a, b] = await both(() =>
      tf.tidy(() => {
        const x = tf.randomNormal([3, 11, 13, 5], 0, 1, "float32", 3);
        return op === "sum" ? tf.sum(x, [...axes], keepDims) : tf.mean(x, [...axes], keepDims);
      }),
    );
    expect(maxRel(a, b)).toBeLessThan(1e-5);
  });

  test("gradients of a matMul chain agree with cpu", async () => {
    const [a, b] = await both(() =>
      tf.tidy(() => {
        const x = tf.randomNormal([70, 9], 0, 1, "float32", 4);
        const w = tf.randomNormal([9, 6], 0, 1, "float32", 5);
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q))));
        const [gx, gw] = g([x, w]) as [tf.Tensor, tf.Tensor];
        return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
      }),
    );
    expect(maxRel(a, b)).toBeLessThan(1e-5);
  });
});

describe("wasm Identity shares memory", () => {
  test("clone returns equal values, survives disposing the source, and leaks nothing", async () => {
    await initBackend({ prefer: ["wasm"] });
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const a = tf.tensor([1, 2, 3, 4, 5]);
    const b = tf.clone(a);
    const c = tf.engine().runKernel("Identity", { x: b }) as tf.Tensor;
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4, 5]);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    const s = tf.tensor(["a", "b"]);
    const s2 = tf.clone(s);
    expect(s2.dataSync()).toEqual(["a", "b"]);
    tf.dispose([s, s2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
