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
    (a.model.backbone.taps as number[]).push(64);
    const b = resolveTrainConfig({ data: { root: "ds" } });
    expect(b.model.inputSize.width).toBe(320);
    expect(b.model.backbone.taps).toEqual([8, 16, 32]);
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
