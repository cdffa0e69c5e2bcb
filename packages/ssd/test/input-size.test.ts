import { configFromFeatureMaps } from "@od/priors";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  canChangeInputSize,
  defaultSsdConfig,
  deserializeDetector,
  featureSize,
  SsdDetector,
  serializeDetector,
  withInputSize,
} from "../src/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

const tiny = (over: Partial<Parameters<typeof defaultSsdConfig>[0]> = {}) =>
  defaultSsdConfig({
    classNames: ["cell", "platelet"],
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
    seed: 3,
    ...over,
  });

/** A detector whose weights are not the seeded initial ones (so a copy can be told from a fresh init). */
function trainedLike(): SsdDetector {
  const d = new SsdDetector(tiny());
  for (const n of d.params.names()) {
    const v = d.params.get(n);
    tf.tidy(() => v.assign(tf.add(tf.mul(v, 1.5), 0.01)));
  }
  return d;
}

const image = (w: number, h: number) => {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return { data, shape: [h, w, 3] as [number, number, number] };
};

describe("withInputSize", () => {
  test("same weights, new priors: predicts as a detector built at that size with those weights", async () => {
    const d = trainedLike();
    const r = withInputSize(d, { width: 96, height: 64 });
    expect(r.config).toEqual({ ...d.config, inputSize: { width: 96, height: 64 } });
    const P = [8, 16, 32].reduce((s, st) => s + featureSize(64, st) * featureSize(96, st) * 4, 0);
    expect(r.priors.length).toBe(P);
    expect(r.priors.length).not.toBe(d.priors.length);
    const { json, weights } = await serializeDetector(d);
    const ref = deserializeDetector(
      { ...json, config: { ...json.config, inputSize: { width: 96, height: 64 } } },
      weights,
    );
    const img = image(120, 70);
    const [a] = await r.predict([img], { scoreThreshold: 0 });
    const [b] = await ref.predict([img], { scoreThreshold: 0 });
    expect(Array.from(a!.scores)).toEqual(Array.from(b!.scores));
    expect(Array.from(a!.boxes.data)).toEqual(Array.from(b!.boxes.data));
    // a fresh detector at that size (seeded initial weights) predicts differently: the weights were copied
    const fresh = new SsdDetector(r.config);
    const [c] = await fresh.predict([img], { scoreThreshold: 0 });
    expect(Array.from(c!.scores)).not.toEqual(Array.from(a!.scores));
    fresh.dispose();
    ref.dispose();
    // the original still works after the copy is disposed, and the copy after the original is
    d.dispose();
    const [again] = await r.predict([img], { scoreThreshold: 0 });
    expect(Array.from(again!.scores)).toEqual(Array.from(a!.scores));
    r.dispose();
  });

  test("no tensor stays behind once both detectors are disposed", () => {
    const before = tf.memory().numTensors;
    const d = new SsdDetector(tiny());
    const r = withInputSize(d, { width: 128, height: 128 });
    d.dispose();
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  const explicit = (steps?: "fit" | "stride" | number[]) =>
    configFromFeatureMaps(
      [8, 16, 32].map((s) => ({ width: featureSize(64, s), height: featureSize(64, s) })),
      { width: 64, height: 64 },
      { minScale: 0.1, maxScale: 0.6, aspectRatios: [2], ...(steps === undefined ? {} : { steps }) },
    );

  test("an explicit prior config is laid out again: the same priors as the derived config at that size", () => {
    const derived = new SsdDetector(tiny());
    const fixed = new SsdDetector(tiny({ priors: { config: explicit() } }));
    expect(Array.from(fixed.priors.data)).toEqual(Array.from(derived.priors.data));
    for (const size of [
      { width: 96, height: 96 },
      { width: 128, height: 64 },
      { width: 100, height: 75 },
    ]) {
      const a = withInputSize(derived, size);
      const b = withInputSize(fixed, size);
      expect(b.priors.length).toBe(a.priors.length);
      const pa = a.priors.data;
      const pb = b.priors.data;
      for (let i = 0; i < pa.length; i++) expect(pb[i]).toBeCloseTo(pa[i] as number, 6);
      a.dispose();
      b.dispose();
    }
    derived.dispose();
    fixed.dispose();
  });

  test("stride spacing stays the stride (as fitPriors writes steps in px)", () => {
    const d = new SsdDetector(tiny({ priors: { config: { ...explicit(), steps: [8, 16, 32] } } }));
    expect(canChangeInputSize(d)).toBe(true);
    const r = withInputSize(d, { width: 100, height: 100 });
    const cfg = (r.config.priors as { config: { steps: number[]; featureMaps: unknown[] } }).config;
    // ceil(100 / 8) = 13 cells: 8 px is both a stride and (at 64 px) the input / cells spacing, read as the latter
    expect(cfg.featureMaps).toEqual([
      { height: 13, width: 13 },
      { height: 7, width: 7 },
      { height: 4, width: 4 },
    ]);
    expect(cfg.steps).toEqual([100 / 13, 100 / 7, 100 / 4]);
    r.dispose();
    d.dispose();
  });

  test("a power-of-two stride that is not input / cells stays that stride", () => {
    const at300 = configFromFeatureMaps(
      [8, 16, 32].map((s) => ({ width: featureSize(300, s), height: featureSize(300, s) })),
      { width: 300, height: 300 },
      { minScale: 0.1, maxScale: 0.6, aspectRatios: [2], steps: "stride" },
    );
    expect(at300.steps).toEqual([8, 16, 32]); // 38, 19, 10 cells: 300 / 38 is not 8
    const d = new SsdDetector(tiny({ inputSize: { width: 300, height: 300 }, priors: { config: at300 } }));
    // 330 px: 42, 21, 11 cells; the stride stays 8, 16, 32 px (input / cells would be 330 / 42 = 7.86)
    const r = withInputSize(d, { width: 330, height: 300 });
    const cfg = (r.config.priors as { config: { steps: unknown[]; featureMaps: unknown[] } }).config;
    expect(cfg.featureMaps).toEqual([
      { height: 38, width: 42 },
      { height: 19, width: 21 },
      { height: 10, width: 11 },
    ]);
    expect(cfg.steps).toEqual([8, 16, 32]);
    r.dispose();
    d.dispose();
  });

  test("a centre spacing with no counterpart at another size: INVALID_ARGUMENT naming the level", () => {
    const d = new SsdDetector(tiny({ priors: { config: explicit([7, 16, 32]) } }));
    expect(canChangeInputSize(d)).toBe(false);
    const derived = new SsdDetector(tiny());
    expect(canChangeInputSize(derived)).toBe(true);
    derived.dispose();
    expect(() => withInputSize(d, { width: 96, height: 96 })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message:
          "withInputSize: the detector cannot change its 64x64 input size: level 0 of its prior config has centre spacing 7 px, which is neither input / cells nor a power-of-two stride",
      }),
    );
    d.dispose();
  });

  test("a size below 32 px is INVALID_CONFIG naming the field", () => {
    const d = new SsdDetector(tiny());
    expect(() => withInputSize(d, { width: 16, height: 64 })).toThrow(
      expect.objectContaining({
        code: "INVALID_CONFIG",
        message: expect.stringMatching(/config\.inputSize/),
      }),
    );
    d.dispose();
  });
});
