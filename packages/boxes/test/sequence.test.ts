import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { sameSequence } from "../src/index.js";

describe("sameSequence", () => {
  test("same elements in the same order only", () => {
    expect(sameSequence([2, 3], [2, 3])).toBe(true);
    expect(sameSequence([], [])).toBe(true);
    expect(sameSequence([2, 3], [3, 2])).toBe(false);
    expect(sameSequence([2, 3], [2, 3, 1])).toBe(false);
    expect(sameSequence(["RBC", "WBC", "Platelets"], ["Platelets", "RBC", "WBC"])).toBe(false);
    expect(sameSequence([Number.NaN], [Number.NaN])).toBe(false); // === element by element
  });

  propTest.prop([fc.array(fc.string()), fc.array(fc.string())])(
    "equals comparing the JSON of both lists",
    (a, b) => {
      expect(sameSequence(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      expect(sameSequence(a, [...a])).toBe(true);
    },
  );
});
