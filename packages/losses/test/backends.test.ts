/**
 * The same multibox forward + backward on the wasm and cpu backends: values and gradients agree to
 * ~1e-4 relative (float32 kernels that sum in different orders).
 */
import { boxes } from "@od/boxes";
import { initBackend, tf } from "@od/tf";
import { describe, expect, test } from "vitest";
import { hardNegativeMask, type MultiboxOptions, multiboxLoss } from "../src/index.js";
import fixtures from "./fixtures/torchvision-losses.json" with { type: "json" };

const c = fixtures.multibox[1] as (typeof fixtures.multibox)[number];
const priors = boxes(
  Float32Array.from(
    { length: c.P * 4 },
    (_, i) => [0.2 + ((i >> 2) % 7) * 0.1, 0.3 + ((i >> 2) % 5) * 0.1, 0.2, 0.25][i % 4] as number,
  ),
  "cxcywh",
  "rel",
);

interface Run {
  readonly values: number[];
  readonly gLoc: Float32Array;
  readonly gCls: Float32Array;
}

function run(options: MultiboxOptions): Run {
  return tf.tidy(() => {
    const locPred = tf.tensor3d(c.locPred, [c.B, c.P, 4]);
    const clsLogits = tf.tensor3d(c.clsLogits, [c.B, c.P, c.C]);
    const x = {
      locTargets: tf.tensor3d(c.locTargets, [c.B, c.P, 4]),
      labels: tf.tensor2d(c.labels, [c.B, c.P], "int32"),
    };
    const f = (lp: tf.Tensor, cl: tf.Tensor) => multiboxLoss({ ...x, locPred: lp, clsLogits: cl }, options);
    const l = f(locPred, clsLogits);
    const values = [l.total, l.loc, l.cls, l.numPositives, l.numNegatives].map(
      (t) => t.dataSync()[0] as number,
    );
    const [gLoc, gCls] = tf.grads((lp: tf.Tensor, cl: tf.Tensor) => f(lp, cl).total)([locPred, clsLogits]);
    return {
      values,
      gLoc: (gLoc as tf.Tensor).dataSync<"float32">(),
      gCls: (gCls as tf.Tensor).dataSync<"float32">(),
    };
  });
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  for (let i = 0; i < b.length; i++) {
    expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(1e-4 * Math.max(scale, 1e-3));
  }
}

describe("multiboxLoss on wasm vs cpu", () => {
  test.each([
    ["smooth-l1, floor 8", { minNegativesPerImage: 8 } as MultiboxOptions],
    [
      "giou on decoded boxes, label smoothing",
      { locLoss: "giou", priors, labelSmoothing: 0.1 } as MultiboxOptions,
    ],
  ])("%s: forward values and gradients agree to 1e-4 relative", async (_, options) => {
    await initBackend({ prefer: ["wasm"] });
    expect(tf.getBackend()).toBe("wasm");
    const wasm = run(options);
    await initBackend({ prefer: ["cpu"] });
    const cpu = run(options);
    expectClose(wasm.values, cpu.values);
    expectClose(wasm.gLoc, cpu.gLoc);
    expectClose(wasm.gCls, cpu.gCls);
  });

  test("the mining mask on wasm equals cpu's (distinct losses), and leaks nothing", async () => {
    await initBackend({ prefer: ["wasm"] });
    const masks = [] as string[];
    for (const backend of ["wasm", "cpu"] as const) {
      await initBackend({ prefer: [backend] });
      const loss = tf.tensor2d(c.clsLogits.slice(0, c.B * c.P), [c.B, c.P]);
      const labels = tf.tensor2d(c.labels, [c.B, c.P], "int32");
      const before = tf.memory().numTensors;
      const m = hardNegativeMask(loss, labels, 3, 4);
      masks.push(Array.from(m.dataSync()).join(""));
      m.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([loss, labels]);
    }
    expect(masks[0]).toBe(masks[1]);
  });

  test("ties in loss go to the lower prior index on wasm too", async () => {
    await initBackend({ prefer: ["wasm"] });
    const loss = tf.ones([1, 40]);
    const labels = tf.tensor2d([[1, ...Array.from({ length: 39 }, () => 0)]], [1, 40], "int32");
    const m = hardNegativeMask(loss, labels, 3, 0);
    expect(Array.from(m.dataSync()).join("")).toBe(`0111${"0".repeat(36)}`);
    tf.dispose([loss, labels, m]);
  });
});
