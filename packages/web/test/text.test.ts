import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { oneLine } from "../src/page/text.js";

describe("oneLine", () => {
  test.each([
    ["", ""],
    ["a.png: not an image", "a.png: not an image"],
    ["first\nsecond", "first"],
    ["first\r\nsecond", "first"],
    ["abcdef", "abcd…", 5],
  ])("%j -> %j", (input, want, max?: number) => {
    expect(oneLine(input, max)).toBe(want);
  });

  propTest.prop([fc.string(), fc.integer({ min: 1, max: 50 })])(
    "no line break, at most max characters",
    (s, max) => {
      const out = oneLine(s, max);
      expect(out).not.toMatch(/[\r\n]/);
      expect(out.length).toBeLessThanOrEqual(max);
    },
  );
});
