import { fc, test } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { describe, expect } from "vitest";
import {
  configFromFeatureMaps,
  generatePriors,
  linearScales,
  type PriorConfig,
  priorCount,
  priorLayout,
  SSD300_VGG16,
  SSDLITE320_MOBILENET_V3,
} from "../src/index.js";
import { errorOf, f32, fixture, maxAbsDiff } from "./helpers.js";

interface PriorCase {
  name: string;
  image: { height: number; width: number };
  featureMaps: { height: number; width: number }[];
  aspectRatios: number[][];
  scales: number[];
  steps: number[] | null;
  clip: boolean;
  count: number;
  cxcywh: string;
}
const tv = fixture<{ cases: PriorCase[] }>("torchvision-priors.json");
const tvCase = (name: string): PriorCase => {
  const c = tv.cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(name);
  return c;
};

describe("generatePriors: torchvision DefaultBoxGenerator parity", () => {
  test("SSD300_VGG16 gives torchvision's 8,732 priors to 1e-6", () => {
    const c = tvCase("ssd300_vgg16");
    const p = generatePriors(SSD300_VGG16);
    expect(p.length).toBe(8732);
    expect(p.format).toBe("cxcywh");
    expect(p.units).toBe("rel");
    expect(maxAbsDiff(p.data, f32(c.cxcywh))).toBeLessThanOrEqual(1e-6);
  });

  test("SSDLITE320_MOBILENET_V3 gives torchvision's 3,234 priors to 1e-6 (taps measured on the real model)", () => {
    const c = tvCase("ssdlite320_mobilenet_v3");
    expect(SSDLITE320_MOBILENET_V3.featureMaps).toEqual(c.featureMaps);
    expect(SSDLITE320_MOBILENET_V3.scales).toEqual(c.scales);
    const p = generatePriors(SSDLITE320_MOBILENET_V3);
    expect(p.length).toBe(3234);
    expect(maxAbsDiff(p.data, f32(c.cxcywh))).toBeLessThanOrEqual(1e-6);
  });

  test("configFromFeatureMaps reproduces torchvision on the ssdlite taps of a non-square 480×320 input", () => {
    const c = tvCase("ssdlite_generator_320x480");
    const cfg = configFromFeatureMaps(
      c.featureMaps.map((m) => [m.height, m.width] as const),
      c.image,
      { minScale: 0.2, maxScale: 0.95 },
    );
    const p = generatePriors(cfg);
    expect(p.length).toBe(c.count);
    expect(maxAbsDiff(p.data, f32(c.cxcywh))).toBeLessThanOrEqual(1e-6);
  });

  test("steps on a non-square input without clipping match torchvision", () => {
    const c = tvCase("ssd300_generator_300x400_noclip");
    const cfg: PriorConfig = {
      imageSize: c.image,
      featureMaps: c.featureMaps,
      steps: c.steps ?? [],
      scales: c.scales,
      aspectRatios: c.aspectRatios,
      clip: false,
    };
    const p = generatePriors(cfg);
    expect(p.length).toBe(c.count);
    expect(maxAbsDiff(p.data, f32(c.cxcywh))).toBeLessThanOrEqual(1e-6);
    // Unclipped: the last level's ratio-2 box is wider than the image.
    expect(Math.max(...p.data.filter((_, i) => i % 4 === 2))).toBeGreaterThan(1);
  });

  test("configFromFeatureMaps of the ssdlite taps equals the preset", () => {
    const cfg = configFromFeatureMaps(
      [
        [20, 20],
        [10, 10],
        [5, 5],
        [3, 3],
        [2, 2],
        [1, 1],
      ],
      { width: 320, height: 320 },
      { minScale: 0.2, maxScale: 0.95 },
    );
    expect(Array.from(generatePriors(cfg).data)).toEqual(
      Array.from(generatePriors(SSDLITE320_MOBILENET_V3).data),
    );
  });
});

describe("generatePriors: details", () => {
  test("SSD300 first level: 37.5 cells for a 38×38 map, centres (j + 0.5) · 8 / 300", () => {
    const p = generatePriors(SSD300_VGG16).data;
    expect(p[0]).toBeCloseTo(4 / 300, 7);
    expect(p[1]).toBeCloseTo(4 / 300, 7);
    // Last column of the first level: prior index (37 * 4) at row 0, centre (37.5 * 8) / 300 = 1.0
    expect(p[37 * 4 * 4]).toBeCloseTo(1.0, 6);
    // shapes at one location: s, sqrt(s s'), (s√2, s/√2), (s/√2, s√2)
    expect(Array.from(p.subarray(0, 16)).filter((_, i) => i % 4 >= 2)).toEqual(
      [
        0.07,
        0.07,
        Math.sqrt(0.07 * 0.15),
        Math.sqrt(0.07 * 0.15),
        0.07 * Math.SQRT2,
        0.07 / Math.SQRT2,
        0.07 / Math.SQRT2,
        0.07 * Math.SQRT2,
      ].map(Math.fround),
    );
  });

  test("clipping clamps sizes only, centres stay", () => {
    const cfg: PriorConfig = {
      imageSize: { width: 100, height: 100 },
      featureMaps: [{ height: 1, width: 2 }],
      scales: [1.5, 2],
      aspectRatios: [[]],
    };
    const p = generatePriors(cfg).data;
    expect(Array.from(p)).toEqual([0.25, 0.5, 1, 1, 0.25, 0.5, 1, 1, 0.75, 0.5, 1, 1, 0.75, 0.5, 1, 1]);
  });

  test("layout: order is (level, row, column, shape)", () => {
    const cfg: PriorConfig = {
      imageSize: { width: 40, height: 20 },
      featureMaps: [
        { height: 2, width: 4 },
        { height: 1, width: 1 },
      ],
      shapes: [
        [
          { scale: 0.1, ratio: 1 },
          { scale: 0.2, ratio: 4 },
        ],
        [{ scale: 0.5, ratio: 1 }],
      ],
    };
    const lay = priorLayout(cfg);
    expect(lay.total).toBe(17);
    expect(lay.levels.map((l) => [l.start, l.count, l.boxesPerCell])).toEqual([
      [0, 16, 2],
      [16, 1, 1],
    ]);
    const p = generatePriors(cfg).data;
    // row 1, column 2, shape 1 of level 0 -> index (1 * 4 + 2) * 2 + 1 = 13
    expect(Array.from(p.subarray(13 * 4, 14 * 4))).toEqual([0.625, 0.75, 0.4, 0.1].map(Math.fround));
  });

  test("scaleBase short-side makes ratio-1 priors square in pixels", () => {
    const cfg = configFromFeatureMaps(
      [[2, 3]],
      { width: 300, height: 200 },
      { scales: [0.5, 0.5], aspectRatios: [], scaleBase: "short-side" },
    );
    const p = generatePriors(cfg).data;
    expect(p[2]! * 300).toBeCloseTo(p[3]! * 200, 4);
  });

  test("steps 'stride' infers powers of two", () => {
    const cfg = configFromFeatureMaps(
      [
        [38, 38],
        [19, 19],
        [10, 10],
        [5, 5],
      ],
      { width: 300, height: 300 },
      { steps: "stride" },
    );
    expect(cfg.steps).toEqual([8, 16, 32, 64]);
  });

  test("writes into out", () => {
    const out = new Float32Array(8732 * 4);
    expect(generatePriors(SSD300_VGG16, out).data).toBe(out);
    expect(errorOf(() => generatePriors(SSD300_VGG16, new Float32Array(3)))).toEqual({
      code: "INVALID_ARGUMENT",
      message: "generatePriors: out must be a Float32Array of length 34928 ([8732, 4]); got length 3",
    });
  });

  test("linearScales as torchvision", () => {
    expect(linearScales(6, 0.2, 0.95)).toEqual([0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1]);
    expect(linearScales(1, 0.2, 0.9)).toEqual([0.2, 0.9]);
  });
});

describe("priorLayout: bad configs name the field and value", () => {
  const good = SSD300_VGG16;
  const cases: [string, PriorConfig, string][] = [
    [
      "zero scale",
      { ...good, scales: [0.07, 0, 0.33, 0.51, 0.69, 0.87, 1.05] },
      "priorLayout: config.scales[1] must be a finite number > 0; got 0",
    ],
    [
      "negative ratio",
      { ...good, aspectRatios: [[2], [2, -3], [2, 3], [2, 3], [2], [2]] },
      "priorLayout: config.aspectRatios[1][1] must be a finite number > 0; got -3",
    ],
    [
      "scales length",
      { ...good, scales: [0.1, 0.2] },
      "priorLayout: config.scales must have 7 entries for 6 levels (the last feeds the extra box); got 2",
    ],
    [
      "ratios length",
      { ...good, aspectRatios: [[2]] },
      "priorLayout: config.aspectRatios must have one list per level (6); got [[2]]",
    ],
    [
      "steps length",
      { ...good, steps: [8] },
      "priorLayout: config.steps must have one entry per level (6); got [8]",
    ],
    [
      "zero step",
      { ...good, steps: [8, 16, 0, 64, 100, 300] },
      "priorLayout: config.steps[2] must be a finite number > 0; got 0",
    ],
    [
      "map size",
      { ...good, featureMaps: [{ height: 0, width: 3 }] },
      "priorLayout: config.featureMaps[0].height must be an integer >= 1; got 0",
    ],
    [
      "image size",
      { ...good, imageSize: { width: -1, height: 3 } },
      "priorLayout: config.imageSize.width must be a finite number > 0; got -1",
    ],
    [
      "NaN scale",
      { ...good, scales: [Number.NaN, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05] },
      "priorLayout: config.scales[0] must be a finite number > 0; got NaN",
    ],
  ];
  test.each(cases)("%s", (_, cfg, msg) => {
    const e = errorOf(() => priorCount(cfg));
    expect(e).toEqual({ code: "INVALID_CONFIG", message: msg });
  });
  test("explicit shapes: empty level", () => {
    const e = errorOf(() =>
      priorCount({
        imageSize: { width: 1, height: 1 },
        featureMaps: [{ height: 1, width: 1 }],
        shapes: [[]],
      }),
    );
    expect(e.code).toBe("INVALID_CONFIG");
    expect(e.message).toBe(
      "priorLayout: config.shapes[0] must be a non-empty list of { scale, ratio }; got []",
    );
  });
  test("isOdError matches", () => {
    try {
      priorCount({ ...good, scales: [] });
    } catch (e) {
      expect(isOdError(e, "INVALID_CONFIG")).toBe(true);
    }
  });
});

const smallConfig = fc.record({
  maps: fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })), {
    minLength: 1,
    maxLength: 4,
  }),
  scales: fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: 5, maxLength: 5 }),
  ratios: fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { maxLength: 3 }),
  extra: fc.boolean(),
  clip: fc.boolean(),
  w: fc.integer({ min: 16, max: 640 }),
  h: fc.integer({ min: 16, max: 640 }),
});

describe("generatePriors: properties", () => {
  test.prop([smallConfig], { numRuns: 60 })("count formula Σ rows·cols·(1 + extra + 2·|ratios|)", (c) => {
    const L = c.maps.length;
    const cfg = configFromFeatureMaps(
      c.maps,
      { width: c.w, height: c.h },
      {
        scales: c.scales.slice(0, L + 1),
        aspectRatios: c.ratios,
        clip: c.clip,
      },
    );
    const perCell = 1 + 1 + 2 * c.ratios.length;
    const expected = c.maps.reduce((s, [r, q]) => s + r * q * perCell, 0);
    expect(priorCount(cfg)).toBe(expected);
    const p = generatePriors(cfg);
    expect(p.length).toBe(expected);
    void c.extra;
  });

  test.prop([smallConfig], { numRuns: 60 })(
    "clipped widths and heights lie in [0, 1]; centres inside the image",
    (c) => {
      const L = c.maps.length;
      const cfg = configFromFeatureMaps(
        c.maps,
        { width: c.w, height: c.h },
        { scales: c.scales.slice(0, L + 1), aspectRatios: c.ratios, clip: true },
      );
      const d = generatePriors(cfg).data;
      for (let i = 0; i < d.length; i += 4) {
        expect(d[i]! > 0 && d[i]! < 1 && d[i + 1]! > 0 && d[i + 1]! < 1).toBe(true);
        expect(d[i + 2]! > 0 && d[i + 2]! <= 1 && d[i + 3]! > 0 && d[i + 3]! <= 1).toBe(true);
      }
    },
  );
});
