import { tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { clipByGlobalNorm, Optimizer } from "../src/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("Optimizer", () => {
  test("SGD with momentum follows PyTorch's update, decay only on kernels", () => {
    // PyTorch SGD(momentum=0.9, weight_decay=0.1): v1 = g + λw = 1 + 0.1·2 = 1.2, w1 = 2 − 0.5·1.2 = 1.4;
    // v2 = 0.9·1.2 + (1 + 0.1·1.4) = 2.22, w2 = 1.4 − 0.5·2.22 = 0.29. The bias (".b") gets no decay.
    const w = tf.variable(tf.scalar(2));
    const b = tf.variable(tf.scalar(2));
    const opt = new Optimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0.1 }, [
      { name: "layer.w", variable: w },
      { name: "layer.b", variable: b },
    ]);
    const g = { "layer.w": tf.scalar(1), "layer.b": tf.scalar(1) };
    opt.apply(g, 0.5);
    expect(w.dataSync()[0]).toBeCloseTo(1.4, 6);
    expect(b.dataSync()[0]).toBeCloseTo(1.5, 6);
    opt.apply(g, 0.5);
    expect(w.dataSync()[0]).toBeCloseTo(0.29, 5);
    tf.dispose([w, b, ...Object.values(g)]);
    opt.dispose();
  });

  test("AdamW first step moves every weight by lr (bias-corrected), plus decoupled decay", () => {
    // Step 1: m̂ = g, v̂ = g², update = lr · g / (|g| + ε) ≈ lr · sign(g); decay w ← w − lr·λ·w.
    const w = tf.variable(tf.tensor1d([1, -1]));
    const opt = new Optimizer({ kind: "adamw", weightDecay: 0.01 }, [{ name: "k.w", variable: w }]);
    const g = { "k.w": tf.tensor1d([3, -0.5]) };
    opt.apply(g, 0.1);
    const v = w.dataSync();
    expect(v[0]).toBeCloseTo(1 - 0.1 - 0.1 * 0.01 * 1, 6);
    expect(v[1]).toBeCloseTo(-1 + 0.1 - 0.1 * 0.01 * -1, 6);
    tf.dispose([w, g["k.w"]]);
    opt.dispose();
  });

  test("state round trip continues identically; no tensors leak", async () => {
    const mk = () => tf.variable(tf.tensor1d([0.5, -0.25, 2]));
    const grads = [tf.tensor1d([1, 2, 3]), tf.tensor1d([-1, 0.5, 0]), tf.tensor1d([0.1, 0.1, -4])];
    const a = mk();
    const oa = new Optimizer({ kind: "adamw" }, [{ name: "p.w", variable: a }]);
    const before = tf.memory().numTensors;
    for (const g of grads) oa.apply({ "p.w": g }, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    const b = mk();
    const ob = new Optimizer({ kind: "adamw" }, [{ name: "p.w", variable: b }]);
    ob.apply({ "p.w": grads[0]! }, 0.01);
    const saved = await ob.getState();
    const c = tf.variable(b.clone());
    const oc = new Optimizer({ kind: "adamw" }, [{ name: "p.w", variable: c }]);
    oc.setState(saved);
    for (const g of grads.slice(1)) oc.apply({ "p.w": g }, 0.01);
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => oc.setState({ step: 1, slots: {} })).toThrow(/optimizer state lacks slots for p.w/);
    tf.dispose([a, b, c, ...grads]);
    for (const o of [oa, ob, oc]) o.dispose();
  });
});

describe("clipByGlobalNorm", () => {
  test("scales to the max norm and reports the norm before clipping", () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
    const r = clipByGlobalNorm(g, 1);
    expect(r.norm).toBeCloseTo(5, 6);
    expect(Array.from(r.grads.a!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(r.grads.b!.dataSync())[1]).toBeCloseTo(0.8, 5);
    const same = clipByGlobalNorm(g, 10);
    expect(Array.from(same.grads.b!.dataSync())).toEqual([0, 4]);
    tf.dispose([...Object.values(g), ...Object.values(r.grads), ...Object.values(same.grads)]);
  });
});
