import { fc, test as ftest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  addGaussianNoise,
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  blur,
  brightness,
  colorJitter,
  compose,
  contrast,
  createRng,
  gaussianBlur,
  grayscale,
  hue,
  noise,
  saturation,
  toGrayscale,
  uint8Image,
  unitImage,
} from "../src/index.js";
import { arbSample, patternImage } from "./helpers.js";

const px = (...v: number[]) => uint8Image(Uint8Array.from(v), v.length / 3, 1);

describe("photometric kernels", () => {
  test("brightness adds delta·255 and clamps", () => {
    expect(Array.from(adjustBrightness(px(10, 250, 0), 0.1).data)).toEqual([36, 255, 26]);
  });
  test("contrast blends with the mean luma", () => {
    // two grey pixels 100 and 200: mean luma 150; factor 0.5 -> 125, 175
    expect(Array.from(adjustContrast(px(100, 100, 100, 200, 200, 200), 0.5).data)).toEqual([
      125, 125, 125, 175, 175, 175,
    ]);
  });
  test("saturation 0 is grey (BT.601 luma), 1 is the identity", () => {
    expect(Array.from(adjustSaturation(px(255, 0, 0), 0).data)).toEqual([76, 76, 76]);
    expect(Array.from(toGrayscale(px(0, 255, 0)).data)).toEqual([150, 150, 150]);
    const im = patternImage(5, 4);
    expect(Array.from(adjustSaturation(im, 1).data)).toEqual(Array.from(im.data));
  });
  test("hue: red shifted by 1/3 turn is green, by -1/3 is blue; greys unchanged", () => {
    expect(Array.from(adjustHue(px(255, 0, 0, 9, 9, 9), 1 / 3).data)).toEqual([0, 255, 0, 9, 9, 9]);
    expect(Array.from(adjustHue(px(255, 0, 0), -1 / 3).data)).toEqual([0, 0, 255]);
  });
  test("alpha and single-channel images", () => {
    const rgba = uint8Image(Uint8Array.of(255, 0, 0, 77), 1, 1, 4);
    expect(Array.from(adjustHue(rgba, 1 / 3).data)).toEqual([0, 255, 0, 77]);
    const g = uint8Image(Uint8Array.of(10, 20), 2, 1, 1);
    expect(Array.from(adjustSaturation(g, 0).data)).toEqual([10, 20]);
    expect(Array.from(adjustBrightness(g, 0.5).data)).toEqual([138, 148]);
  });
  test("float32 images use the [0, 1] range", () => {
    const f = unitImage(Float32Array.of(0.2, 0.9, 0.5), 1, 1);
    expect(Array.from(adjustBrightness(f, 0.2).data).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      0.4, 1, 0.7,
    ]);
  });
  test("blur of a constant image is constant; noise with std 0 is the identity", () => {
    const c = uint8Image(new Uint8Array(6 * 5 * 3).fill(42), 6, 5);
    expect(gaussianBlur(c, 1.2).data.every((v) => v === 42)).toBe(true);
    const im = patternImage(4, 4);
    expect(Array.from(addGaussianNoise(im, 0, createRng(1)).data)).toEqual(Array.from(im.data));
  });
  test("noise has roughly the requested standard deviation", () => {
    const c = unitImage(new Float32Array(64 * 64 * 3).fill(0.5), 64, 64);
    const d = addGaussianNoise(c, 0.05, createRng(3)).data;
    let s = 0;
    for (const v of d) s += (v - 0.5) ** 2;
    expect(Math.sqrt(s / d.length)).toBeCloseTo(0.05, 2);
  });
});

describe("photometric transforms", () => {
  const all = compose([
    brightness(),
    contrast(),
    saturation(),
    hue(),
    grayscale({ p: 0.5 }),
    noise(),
    blur({ p: 0.5 }),
    colorJitter(),
  ]);
  ftest.prop([arbSample({ channels: [1, 3, 4] }), fc.integer()], { numRuns: 40 })(
    "never touch boxes, labels, records or the image size; deterministic per seed",
    (s, seed) => {
      const a = all.apply(s, createRng(seed)).sample;
      const b = all.apply(s, createRng(seed)).sample;
      expect(Array.from(a.boxes.data)).toEqual(Array.from(s.boxes.data));
      expect(Array.from(a.labels)).toEqual(Array.from(s.labels));
      expect(a.records).toEqual(s.records);
      expect(a.image.shape).toEqual(s.image.shape);
      expect(Array.from(a.image.data)).toEqual(Array.from(b.image.data));
    },
  );
  ftest.prop([arbSample({ float: true }), fc.integer()], { numRuns: 30 })(
    "float32 values stay in [0, 1]",
    (s, seed) => {
      const d = all.apply(s, createRng(seed)).sample.image.data;
      for (const v of d) expect(v >= 0 && v <= 1).toBe(true);
    },
  );
});
