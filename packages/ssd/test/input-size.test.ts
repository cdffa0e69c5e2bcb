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

  test("an explicit prior config (e.g. fitted) keeps its size: INVALID_ARGUMENT naming it", () => {
    const config = configFromFeatureMaps(
      [8, 16, 32].map((s) => ({ width: featureSize(64, s), height: featureSize(64, s) })),
      { width: 64, height: 64 },
      { minScale: 0.1, maxScale: 0.6, aspectRatios: [2] },
    );
    const d = new SsdDetector(tiny({ priors: { config } }));
    expect(canChangeInputSize(d)).toBe(false);
    expect(canChangeInputSize(new SsdDetector(tiny()))).toBe(true);
    expect(() => withInputSize(d, { width: 96, height: 96 })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message:
          "withInputSize: the detector's priors are an explicit prior config for its 64x64 input (e.g. fitted by fitPriors), so its input size cannot change; use 64x64",
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
