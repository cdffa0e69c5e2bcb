import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { textSvg, textWidth, wrapText } from "../src/index.js";

describe("textWidth", () => {
  test.each([
    ["", 10, 0],
    ["abc", 10, 18],
    ["漢字", 10, 20],
    ["🩸", 10, 10],
  ])("%j at %d px is %d px", (t, size, w) => {
    expect(textWidth(t, size)).toBeCloseTo(w, 10);
  });
});

describe("wrapText", () => {
  test.each([
    ["", 100, [""]],
    ["short", 100, ["short"]],
    ["one two three", 6 * 8, ["one two", "three"]],
    ["abcdefghij", 6 * 4, ["abcd", "efgh", "ij"]],
    ["a\nb", 100, ["a", "b"]],
    ["  spaced   out  ", 100, ["spaced out"]],
  ])("%j in %d px", (t, w, lines) => {
    expect(wrapText(t, w, 10)).toEqual(lines);
  });

  ftest.prop([fc.string({ maxLength: 200 }), fc.integer({ min: 10, max: 400 })])(
    "every line fits, and the words survive in order",
    (t, maxWidth) => {
      const lines = wrapText(t, maxWidth, 10);
      for (const l of lines) expect(textWidth(l, 10)).toBeLessThanOrEqual(maxWidth);
      expect(lines.join("").replace(/\s/g, "")).toBe(t.replace(/\s/g, ""));
    },
  );
});

describe("textSvg", () => {
  test("one line: escaped text; several lines: one tspan each, a line height apart", () => {
    expect(textSvg(["a<b"], 1, 2)).toBe('<text x="1" y="2" font-size="11" fill="#222222">a&lt;b</text>');
    const t = textSvg(["x", "y"], 5, 10, { size: 10, anchor: "middle", bold: true });
    expect(t).toBe(
      '<text x="5" y="10" font-size="10" fill="#222222" text-anchor="middle" font-weight="bold"><tspan x="5">x</tspan><tspan x="5" dy="12.5">y</tspan></text>',
    );
  });
});
