import { isOdError } from "@od/boxes";
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
