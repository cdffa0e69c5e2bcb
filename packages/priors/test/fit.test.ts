import { boxes } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { bccdRoot, loadBccd } from "../examples/bccd.js";
import {
  analyzeCoverage,
  type CoverageImage,
  fitPriors,
  generatePriors,
  type PriorConfig,
  priorCount,
} from "../src/index.js";
import { errorOf } from "./helpers.js";

// 100×100 input, a 4×4 grid and a 1×1 grid; base shapes deliberately wrong (tall boxes for wide objects).
const base: PriorConfig = {
  imageSize: { width: 100, height: 100 },
  featureMaps: [
    { height: 4, width: 4 },
    { height: 1, width: 1 },
  ],
  scales: [0.2, 0.9, 1],
  aspectRatios: [[], []],
  extraBox: false,
};
// every image: one 30×10 box centred in an inner cell of the 4×4 grid, and one 80×60 box in the middle
const cell = (i: number) => [25 * (1 + (i % 2)) + 12.5, 25 * (1 + (Math.floor(i / 2) % 2)) + 12.5] as const;
const dataset: CoverageImage[] = Array.from({ length: 8 }, (_, i) => {
  const [cx, cy] = cell(i);
  return {
    size: { width: 100, height: 100 },
    boxes: boxes(
      [
        [cx - 15, cy - 5, cx + 15, cy + 5],
        [10, 20, 90, 80],
      ],
      "xyxy",
      "px",
    ),
    labels: [1, 2],
  };
});

describe("fitPriors: hand-built dataset", () => {
  test("one shape per level finds both object shapes: recall 0.5 -> 1", () => {
    const r = fitPriors(dataset, base, { budget: { shapesPerLevel: [1, 1] }, seed: 3 });
    expect(r.before.recall).toBe(0.5);
    expect(r.after.recall).toBe(1);
    expect(r.numPriors).toBe(17);
    const [small, large] = r.config.shapes;
    expect(small?.[0]?.ratio).toBeCloseTo(3, 1);
    expect(large?.[0]?.ratio).toBeCloseTo(80 / 60, 1);
    expect(r.after.meanBestIou).toBeGreaterThan(0.95);
  });

  test("same seed, same config", () => {
    const a = fitPriors(dataset, base, { budget: { priors: 40 }, seed: 7 });
    const b = fitPriors(dataset, base, { budget: { priors: 40 }, seed: 7 });
    expect(a.config).toEqual(b.config);
    expect(a.numPriors).toBeLessThanOrEqual(40);
    expect(priorCount(a.config)).toBe(a.numPriors);
    expect(a.after.recall).toBe(1);
  });

  test("addPriors keeps the base shapes and adds what the orphans need", () => {
    const r = fitPriors(dataset, base, { budget: { addPriors: 16 }, seed: 1 });
    expect(r.numPriors).toBeLessThanOrEqual(priorCount(base) + 16);
    expect(r.config.shapes[0]?.[0]?.scale).toBeCloseTo(0.2, 6);
    expect(r.after.recall).toBeGreaterThan(r.before.recall);
  });

  test("after equals a fresh analysis of the returned config", () => {
    const r = fitPriors(dataset, base, { budget: { shapes: 3 }, seed: 2 });
    expect(analyzeCoverage(dataset, generatePriors(r.config), base.imageSize).recall).toBe(r.after.recall);
  });

  test("budget errors name the field and value", () => {
    expect(errorOf(() => fitPriors(dataset, base, { budget: { shapes: 1 } }))).toEqual({
      code: "BUDGET_TOO_SMALL",
      message:
        "fitPriors: options.budget.shapes (1) is smaller than the number of levels (2); every level needs a shape",
    });
    expect(errorOf(() => fitPriors(dataset, base, { budget: { priors: 10 } }))).toEqual({
      code: "BUDGET_TOO_SMALL",
      message:
        "fitPriors: options.budget.priors (10) is smaller than one shape per cell on every level (17 = 16 + 1)",
    });
    expect(errorOf(() => fitPriors(dataset, base, { budget: { shapesPerLevel: [1, 0] } })).code).toBe(
      "BUDGET_TOO_SMALL",
    );
    expect(errorOf(() => fitPriors(dataset, base, { budget: { shapesPerLevel: [1] } })).code).toBe(
      "INVALID_ARGUMENT",
    );
  });
});

const root = bccdRoot();
describe.skipIf(root === undefined)(
  "fitPriors on BCCD (skipped when ../shared/datasets/bccd is absent)",
  () => {
    test("a fitted config with a third of SSD300's priors covers the test split at least as well", async () => {
      const { SSD300_VGG16 } = await import("../src/index.js");
      const trainval = loadBccd(root as string, "trainval");
      const testSplit = loadBccd(root as string, "test");
      const fit = fitPriors(trainval, SSD300_VGG16, {
        budget: { priors: 3000 },
        invalid: "clip",
        seed: 1,
        iterations: 150,
      });
      expect(fit.numPriors).toBeLessThanOrEqual(3000);
      const preset = analyzeCoverage(testSplit, generatePriors(SSD300_VGG16), SSD300_VGG16.imageSize, {
        invalid: "clip",
      });
      const fitted = analyzeCoverage(testSplit, generatePriors(fit.config), SSD300_VGG16.imageSize, {
        invalid: "clip",
      });
      expect(fitted.recall).toBeGreaterThanOrEqual(preset.recall - 0.005);
      expect(fitted.meanBestIou).toBeGreaterThan(preset.meanBestIou);
    });
  },
);
