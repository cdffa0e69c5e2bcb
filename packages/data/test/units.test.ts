import { describe, expect, test } from "vitest";
import { computeStats, createDataset, IMAGE_PX_UNITS, statsSvg } from "../src/index.js";
import { isImageFile } from "../src/node.js";
import { record } from "./fixtures.js";

describe("computeStats: units", () => {
  test("px histograms say they are px of the original image, in their label and their plot", () => {
    expect(IMAGE_PX_UNITS).toBe("px of the original image");
    const s = computeStats(
      createDataset({
        classNames: ["a"],
        images: [record("a", { width: 100, height: 80 }, [[0, 0, 10, 10]], [0])],
      }),
    );
    for (const h of [s.sizePx, s.widthPx, s.heightPx]) expect(h.label).toContain(IMAGE_PX_UNITS);
    expect(s.sizePx.label).toBe("box size sqrt(w*h), px of the original image");
    expect(s.sizeRel.label).toBe("box size sqrt(w*h / (W*H)), relative to the image");
    const svg = statsSvg(s);
    for (const k of ["sizePx", "widthPx", "heightPx"]) expect(svg[k]).toContain(IMAGE_PX_UNITS);
  });
});

describe("isImageFile", () => {
  test.each([
    ["a.jpg", true],
    ["a.JPEG", true],
    ["dir/b.Png", true],
    ["a.jpg.txt", false],
    ["a.gif", false],
    ["jpg", false],
    ["", false],
  ])("%s -> %s", (name, expected) => {
    expect(isImageFile(name)).toBe(expected);
  });
});
