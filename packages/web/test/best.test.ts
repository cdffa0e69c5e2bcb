import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { keptEpochOf, replacesKeptEpoch } from "../src/page/best.js";

describe("replacesKeptEpoch", () => {
  test.each([
    ["nothing kept, a finite mAP", undefined, 0, true],
    ["nothing kept, no validation images", undefined, null, false],
    ["nothing kept, NaN", undefined, Number.NaN, false],
    ["strictly better", 0.4, 0.41, true],
    ["a tie keeps the earlier epoch", 0.4, 0.4, false],
    ["worse", 0.4, 0.1, false],
    ["no validation images", 0.4, null, false],
    ["Infinity is not an mAP", 0.4, Number.POSITIVE_INFINITY, false],
  ])("%s", (_name, kept, map, want) => {
    expect(replacesKeptEpoch(kept, map)).toBe(want);
  });
});

describe("keptEpochOf", () => {
  test.each([
    [[], -1],
    [[null, null], -1],
    [[0, 0, 0], 1],
    [[0.1, 0.3, 0.2], 2],
    [[0.1, 0.3, 0.3, 0.2], 2],
    [[Number.NaN, 0.05, null, 0.5, 0.49], 4],
  ])("%j -> epoch %d", (maps, want) => {
    expect(keptEpochOf(maps)).toBe(want);
  });

  const maps = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), {
    maxLength: 30,
  });
  propTest.prop([maps])("keeps the first epoch with the highest mAP (the first arg max)", (ms) => {
    const finite = ms.filter((m): m is number => m !== null);
    const kept = keptEpochOf(ms);
    if (finite.length === 0) expect(kept).toBe(-1);
    else expect(kept).toBe(ms.indexOf(Math.max(...finite)) + 1);
  });
  propTest.prop([maps, fc.double({ min: 0, max: 1, noNaN: true })])(
    "appending an epoch no better than the kept one changes nothing",
    (ms, x) => {
      const kept = keptEpochOf(ms);
      const keptMap = kept > 0 ? ms[kept - 1]! : undefined;
      fc.pre(keptMap !== undefined && keptMap !== null && x <= keptMap);
      expect(keptEpochOf([...ms, x])).toBe(kept);
    },
  );
});
