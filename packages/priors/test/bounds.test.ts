import { fc, test } from "@fast-check/vitest";
import { boxes, emptyBoxes } from "@od/boxes";
import { describe, expect } from "vitest";
import {
  fitPriors,
  generatePriors,
  linearScales,
  MAX_PRIORS,
  type PriorConfig,
  priorCount,
  SSD300_VGG16,
} from "../src/index.js";
import { errorOf } from "./helpers.js";

/** One shape per cell on each map (scale 0.2, no extra box). */
const grid = (...maps: [number, number][]): PriorConfig => ({
  imageSize: { width: 300, height: 300 },
  featureMaps: maps.map(([height, width]) => ({ height, width })),
  scales: [...maps.map(() => 0.2), 0.3],
  aspectRatios: maps.map(() => []),
  extraBox: false,
});

describe("a documented bound on the prior count", () => {
  test("example table: refused with INVALID_CONFIG before anything is allocated", () => {
    expect(MAX_PRIORS).toBe(2 ** 22);
    // SSD300: 4 + 6 + 6 + 6 + 4 + 4 = 30 shapes per cell on six 100000 × 100000 maps
    const huge = {
      ...SSD300_VGG16,
      featureMaps: SSD300_VGG16.featureMaps.map(() => ({ height: 100000, width: 100000 })),
    };
    for (const f of [() => generatePriors(huge), () => priorCount(huge)]) {
      expect(errorOf(f)).toEqual({
        code: "INVALID_CONFIG",
        message:
          "priorLayout: the config describes 300000000000 priors, over the limit of 4194304 (MAX_PRIORS); use fewer or smaller feature maps or fewer shapes per cell",
      });
    }
    expect(errorOf(() => generatePriors(grid([2048, 2048], [1, 1]))).code).toBe("INVALID_CONFIG");
    expect(generatePriors(grid([2048, 2048])).length).toBe(MAX_PRIORS);
  });
  test.prop([fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 })], { numRuns: 30 })(
    "priorCount either returns the count within the bound or throws, never a RangeError",
    (h, w) => {
      const c = grid([h, w], [h, w]);
      if (2 * h * w <= MAX_PRIORS) expect(priorCount(c)).toBe(2 * h * w);
      else expect(errorOf(() => priorCount(c)).code).toBe("INVALID_CONFIG");
    },
  );
});

describe("linearScales rejects what has no scale", () => {
  test.each([
    [0, 0.2, 0.9, /levels must be an integer >= 1; got 0/],
    [Number.NaN, 0.2, 0.9, /levels must be an integer >= 1; got NaN/],
    [1.5, 0.2, 0.9, /levels must be an integer >= 1; got 1\.5/],
    [6, 0, 0.9, /minScale must be a finite number > 0; got 0/],
    [6, Number.NaN, 0.9, /minScale must be a finite number > 0; got NaN/],
    [6, 0.2, Number.POSITIVE_INFINITY, /maxScale must be a finite number > 0; got Infinity/],
    [6, 0.2, -1, /maxScale must be a finite number > 0; got -1/],
  ])("linearScales(%s, %s, %s)", (levels, lo, hi, why) => {
    const e = errorOf(() => linearScales(levels, lo, hi));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(new RegExp(`^linearScales: ${why.source}`));
  });
  test("valid calls are unchanged", () => {
    expect(linearScales(1, 0.2, 0.9)).toEqual([0.2, 0.9]);
    expect(linearScales(3, 0.2, 0.8)).toEqual([0.2, 0.5, 0.8, 1]);
  });
});

describe("fitPriors needs ground truth to fit", () => {
  const base = grid([4, 4], [1, 1]);
  test("an empty dataset, or one without boxes, is INVALID_ARGUMENT", () => {
    expect(errorOf(() => fitPriors([], base, { budget: { shapes: 2 } }))).toEqual({
      code: "INVALID_ARGUMENT",
      message: "fitPriors: dataset is empty; priors are fitted to ground-truth boxes",
    });
    const negatives = [{ size: { width: 100, height: 100 }, boxes: emptyBoxes("xyxy", "px"), labels: [] }];
    expect(errorOf(() => fitPriors(negatives, base, { budget: { shapes: 2 } }))).toEqual({
      code: "INVALID_ARGUMENT",
      message:
        "fitPriors: dataset has no usable ground-truth box (1 image, 0 boxes); priors are fitted to ground-truth boxes",
    });
    const one = [
      { size: { width: 100, height: 100 }, boxes: boxes([[10, 10, 40, 30]], "xyxy", "px"), labels: [1] },
    ];
    expect(fitPriors(one, base, { budget: { shapes: 2 } }).after.numGt).toBe(1);
  });
});
