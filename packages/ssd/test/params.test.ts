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
