import { isOdError } from "@od/boxes";
import { defaultSsdConfig, PRIOR_FIT_DEFAULTS, SSD_DEFAULTS } from "@od/ssd";
import { describe, expect, test } from "vitest";
import { mergeConfig, resolveTrainConfig } from "../src/index.js";

describe("resolveTrainConfig", () => {
  test("fills every default from data.root alone", () => {
    const c = resolveTrainConfig({ data: { root: "ds" } });
    expect(c.data.format).toBe("voc");
    expect(c.model.inputSize).toEqual({ width: 320, height: 320 });
    expect(c.train.batchSize).toBe(8);
    expect(c.train.minNegativesPerImage).toBeGreaterThan(0);
    expect(c.eval.everyEpochs).toBe(5);
  });
  test("model defaults are @od/ssd's (one home), whether model is omitted or given partly", () => {
    const ssd = defaultSsdConfig({ classNames: ["a"] });
    for (const c of [
      resolveTrainConfig({ data: { root: "ds" } }),
      resolveTrainConfig({ data: { root: "ds" }, model: { classAgnostic: true } }),
    ]) {
      expect(c.model.inputSize).toEqual(ssd.inputSize);
      expect(c.model.backbone).toEqual(ssd.backbone);
      expect(c.model.head).toBe(ssd.head);
      expect(c.model.inputFit).toBe(ssd.inputFit);
      expect(c.model.inputFit).toBe("letterbox");
      expect(c.model.priors).toEqual({
        fit: {
          shapesPerLevel: PRIOR_FIT_DEFAULTS.shapesPerLevel,
          minScale: PRIOR_FIT_DEFAULTS.minScale,
          maxScale: PRIOR_FIT_DEFAULTS.maxScale,
        },
      });
    }
    expect(ssd.inputSize).toEqual(SSD_DEFAULTS.inputSize);
    // defaults are copies: changing one resolved config does not change the next
    const a = resolveTrainConfig({ data: { root: "ds" } });
    (a.model.inputSize as { width: number }).width = 1;
    (a.model.backbone as { taps: number[] }).taps.push(64);
    const b = resolveTrainConfig({ data: { root: "ds" } });
    expect(b.model.inputSize.width).toBe(320);
    expect(b.model.backbone).toMatchObject({ taps: [8, 16, 32] });
  });
  test("model.inputFit takes letterbox or resize", () => {
    expect(resolveTrainConfig({ data: { root: "ds" }, model: { inputFit: "resize" } }).model.inputFit).toBe(
      "resize",
    );
    expect(() => resolveTrainConfig({ data: { root: "ds" }, model: { inputFit: "crop" } })).toThrow(
      /model\.inputFit/,
    );
  });
  test("every problem is listed with its field path", () => {
    let err: unknown;
    try {
      resolveTrainConfig({ data: { root: "" }, train: { batchSize: 0, optimizer: "rmsprop" }, extra: 1 });
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "INVALID_CONFIG")).toBe(true);
    const m = (err as Error).message;
    expect(m).toMatch(/data\.root/);
    expect(m).toMatch(/train\.batchSize/);
    expect(m).toMatch(/train\.optimizer/);
    expect(m).toMatch(/extra|Unrecognized key/);
  });
  test("mergeConfig: later values win, objects merge, arrays replace", () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
  });
});

describe("model.priors as a file", () => {
  const priors = (p: unknown) =>
    resolveTrainConfig({ data: { root: "ds" }, model: { priors: p } }).model.priors;
  test.each([
    ["a path", "priors.json", { file: "priors.json" }],
    ["{ file }", { file: "fitted/p.json" }, { file: "fitted/p.json" }],
  ])("%s resolves to { file } (read by train())", (_n, given, want) => {
    expect(priors(given)).toEqual(want);
  });
  test("{ file, config } (a run's saved config) keeps both; the config is checked against the input size", () => {
    const config = {
      imageSize: { width: 320, height: 320 },
      featureMaps: [{ width: 40, height: 40 }],
      shapes: [[{ w: 0.1, h: 0.1 }]],
    };
    expect(priors({ file: "/p.json", config })).toEqual({ file: "/p.json", config });
    expect(() =>
      resolveTrainConfig({
        data: { root: "ds" },
        model: { inputSize: { width: 256, height: 256 }, priors: { file: "/p.json", config } },
      }),
    ).toThrow(/model\.priors\.config\.imageSize: is 320x320 but model\.inputSize is 256x256/);
  });
  test("empty paths and unknown keys are refused; a path under config says where a path goes", () => {
    for (const bad of ["", { file: "" }, { file: "p.json", extra: 1 }])
      expect(() => priors(bad)).toThrow(/model\.priors/);
    let e: unknown;
    try {
      priors({ config: "priors.json" });
    } catch (x) {
      e = x;
    }
    expect(isOdError(e, "INVALID_CONFIG")).toBe(true);
    expect((e as Error).message).toBe(
      'resolveTrainConfig: invalid training config:\n  model.priors.config: holds a prior config, not a path; for a file write model.priors: "priors.json" (or model.priors.file)',
    );
  });
});
