import { fc, test as propTest } from "@fast-check/vitest";
import { uint8Image } from "@od/image";
import { defaultSsdConfig, SsdDetector } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { median, profileInference } from "../src/speed.js";

describe("median", () => {
  test.each([
    [[], 0],
    [[3], 3],
    [[5, 1], 3],
    [[9, 1, 5], 5],
    [[4, 1, 3, 2], 2.5],
  ])("%j -> %d", (xs, want) => {
    expect(median(xs)).toBe(want);
  });

  propTest.prop([fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1 })])(
    "as many values at or below it as at or above it; the input is not reordered",
    (xs) => {
      const before = [...xs];
      const m = median(xs);
      expect(xs).toEqual(before);
      expect(xs.filter((x) => x <= m).length).toBeGreaterThanOrEqual(xs.length / 2);
      expect(xs.filter((x) => x >= m).length).toBeGreaterThanOrEqual(xs.length / 2);
    },
  );
});

describe("profileInference", () => {
  beforeAll(async () => {
    await initBackend({ prefer: ["cpu"] });
  });

  test("every stage is timed (>= 0 ms), n = 0 gives zeros, and no tensor is left beyond predict's own cache", async () => {
    const model = new SsdDetector(
      defaultSsdConfig({
        classNames: ["a", "b"],
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
      }),
    );
    try {
      const image = uint8Image(new Uint8Array(40 * 30 * 3).fill(90), 40, 30, 3);
      await model.predict([image]); // fills the detector's cache of folded batch-norm weights
      const before = tf.memory().numTensors;
      const stages = await profileInference(model, [image], 2);
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(stages).sort()).toEqual(["forward", "postprocess", "preprocess", "readback"]);
      for (const v of Object.values(stages)) expect(v).toBeGreaterThanOrEqual(0);
      expect(stages.forward).toBeGreaterThan(0);
      expect(await profileInference(model, [image], 0)).toEqual({
        preprocess: 0,
        forward: 0,
        readback: 0,
        postprocess: 0,
      });
    } finally {
      model.dispose();
    }
  });
});
