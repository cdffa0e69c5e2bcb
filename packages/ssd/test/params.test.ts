import { fc, test as propTest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  CropClassifier,
  defaultParamKind,
  defaultSsdConfig,
  PARAM_KINDS,
  ParamStore,
  SsdDetector,
} from "../src/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

describe("ParamStore layout and snapshot", () => {
  test("layout: name, kind and shape in creation order; snapshot adds a copy of the values", async () => {
    const s = new ParamStore();
    s.add("b.w", tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]), true);
    s.add("a.dw", tf.tensor4d([7, 8], [1, 1, 2, 1]), true, "depthwise");
    s.add("a.mean", tf.tensor1d([9, 10]), false);
    expect(s.layout()).toEqual([
      { key: "b.w", kind: "conv2d", shape: [1, 1, 2, 3] },
      { key: "a.dw", kind: "depthwise", shape: [1, 1, 2, 1] },
      { key: "a.mean", kind: "vector", shape: [2] },
    ]);
    const before = tf.memory().numTensors;
    const snap = await s.snapshot();
    expect(tf.memory().numTensors).toBe(before);
    expect(snap.map((p) => [p.key, Array.from(p.data)])).toEqual([
      ["b.w", [1, 2, 3, 4, 5, 6]],
      ["a.dw", [7, 8]],
      ["a.mean", [9, 10]],
    ]);
    snap[0]!.data[0] = 100; // a copy: the variable keeps its value
    expect(s.get("b.w").dataSync()[0]).toBe(1);
    s.dispose();
  });
});

describe("ParamStore kinds", () => {
  test.each([
    [[], "vector"],
    [[7], "vector"],
    [[3, 5], "dense"],
    [[3, 3, 4, 8], "conv2d"],
    [[3, 3, 4, 1], "conv2d"],
  ] as const)("default kind of shape %j is %s", (shape, kind) => {
    expect(defaultParamKind(shape, "p")).toBe(kind);
    const s = new ParamStore();
    s.add("p", tf.zeros([...shape]), true);
    expect(s.kind("p")).toBe(kind);
    s.dispose();
  });

  test("rank 3 and rank 5 have no default: typed error naming the parameter", () => {
    for (const shape of [
      [2, 2, 2],
      [1, 1, 1, 1, 1],
    ]) {
      expect(() => defaultParamKind(shape, "x.w")).toThrow(/parameter x\.w has shape \[.*\]: pass its kind/);
    }
  });

  test("an explicit kind is kept; one that does not fit the shape is refused", () => {
    const s = new ParamStore();
    s.add("dw", tf.zeros([3, 3, 4, 1]), true, "depthwise");
    expect(s.kind("dw")).toBe("depthwise");
    s.add("dw2", tf.zeros([3, 3, 4, 2]), true, "depthwise"); // channel multiplier 2
    expect(s.kind("dw2")).toBe("depthwise");
    const cases: [number[], (typeof PARAM_KINDS)[number]][] = [
      [[3, 3, 4], "depthwise"],
      [[4], "conv2d"],
      [[3, 3], "vector"],
      [[3, 3, 1, 1], "dense"],
    ];
    for (const [shape, kind] of cases) {
      let err: unknown;
      const t = tf.zeros(shape);
      try {
        s.add(`bad.${kind}`, t, true, kind);
      } catch (e) {
        err = e;
      }
      t.dispose();
      expect(isOdError(err, "INVALID_CONFIG")).toBe(true);
      expect((err as Error).message).toContain(`parameter bad.${kind} of shape [${shape.join(", ")}]`);
    }
    expect(() => s.kind("absent")).toThrow(/ParamStore\.kind: no parameter named absent/);
    s.dispose();
    expect(() => s.kind("dw")).toThrow(/no parameter named dw/);
  });

  test("every parameter of the existing models has a kind: depthwise filters, convs, vectors", () => {
    const d = new SsdDetector(
      defaultSsdConfig({
        classNames: ["a"],
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25 },
      }),
    );
    const c = new CropClassifier({ classNames: ["a", "b"], cropSize: 32, width: 8, seed: 0 });
    for (const store of [d.params, c.params]) {
      for (const n of store.names()) {
        const k = store.kind(n);
        const rank = store.get(n).rank;
        if (/\.dw\.w$/.test(n)) expect(k, n).toBe("depthwise");
        else if (n.endsWith(".w")) expect(k, n).toBe(rank === 2 ? "dense" : "conv2d");
        else expect(k, n).toBe("vector");
      }
    }
    d.dispose();
    c.dispose();
  });

  propTest.prop([fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })])(
    "the default kind always fits the shape it was derived from",
    (shape) => {
      if (shape.length === 3) return;
      const s = new ParamStore();
      s.add("p", tf.zeros(shape), false);
      expect(PARAM_KINDS).toContain(s.kind("p"));
      s.dispose();
    },
  );
});
