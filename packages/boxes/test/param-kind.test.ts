import { describe, expect, test } from "vitest";
import { PARAM_KINDS, type ParamKind } from "../src/index.js";

describe("PARAM_KINDS", () => {
  test("the four layouts, in order, frozen", () => {
    const want: ParamKind[] = ["conv2d", "depthwise", "dense", "vector"];
    expect([...PARAM_KINDS]).toEqual(want);
    expect(Object.isFrozen(PARAM_KINDS)).toBe(true);
  });
});
