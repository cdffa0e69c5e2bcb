import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { computeStats, createDataset, histogramSvg, statsSvg } from "../src/index.js";
import { record } from "./fixtures.js";

describe("computeStats", () => {
  test("empty dataset", () => {
    const s = computeStats(createDataset({ classNames: ["a"], images: [] }));
    expect(s).toMatchObject({ images: 0, negatives: 0, boxes: 0, imageSizes: {} });
    expect(s.classes).toEqual([{ name: "a", boxes: 0, images: 0, difficult: 0, crowd: 0, medianSizePx: 0 }]);
    expect(s.sizePx.counts.reduce((a, b) => a + b, 0)).toBe(0);
  });
  test("counts and histograms worked out by hand", () => {
    const ds = createDataset({
      classNames: ["cat", "dog"],
      images: [
        // 10x10 (size 10, aspect 0), 40x10 (size 20, aspect log2 4 = 2), 0-area box counts in the first bins
        record(
          "a",
          { width: 100, height: 100 },
          [
            [0, 0, 10, 10],
            [0, 0, 40, 10],
            [5, 5, 5, 9],
          ],
          [0, 0, 1],
        ),
        record("n", { width: 100, height: 100 }, [], []),
        record("b", { width: 640, height: 480 }, [[0, 0, 100, 100]], [1]),
      ],
    });
    const s = computeStats(ds);
    expect(s).toMatchObject({
      images: 3,
      negatives: 1,
      boxes: 4,
      imageSizes: { "100x100": 2, "640x480": 1 },
    });
    expect(s.classes.map((c) => [c.name, c.boxes, c.images, c.medianSizePx])).toEqual([
      ["cat", 2, 1, 15],
      ["dog", 2, 2, 50],
    ]);
    expect(s.boxesPerImage.edges).toEqual([0, 1, 2, 3, 4]);
    expect(s.boxesPerImage.counts).toEqual([1, 1, 0, 1]);
    // px edges 0,8,16,32,64,96,...: sizes 10, 20, 0, 100
    expect(s.sizePx.counts.slice(0, 6)).toEqual([1, 1, 1, 0, 0, 1]);
    // aspect bins of 0.5 from -3: 0 -> bin 6 (twice, zero-area counts as 0), 2 -> bin 10
    expect(s.aspectLog2.counts[6]).toBe(3);
    expect(s.aspectLog2.counts[10]).toBe(1);
    expect(s.sizeRel.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe("statsSvg", () => {
  test("one well-formed SVG per plot, labels escaped", () => {
    const ds = createDataset({
      classNames: ["<cat&>"],
      images: [record("a", { width: 10, height: 10 }, [[0, 0, 5, 5]], [0])],
    });
    const svgs = statsSvg(computeStats(ds));
    expect(Object.keys(svgs).sort()).toEqual([
      "aspectLog2",
      "boxesPerImage",
      "classes",
      "heightPx",
      "sizePx",
      "sizeRel",
      "widthPx",
    ]);
    for (const svg of Object.values(svgs))
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    expect(svgs.classes).toContain("&lt;cat&amp;&gt;");
    expect(histogramSvg({ label: "x", edges: [0, 1, 2], counts: [3, 4] })).toContain("≥1");
  });

  test("hostile class names are escaped; axes are titled with their units", () => {
    const names = [`<script>alert("x")</script>`, "a & b", "it's"];
    const ds = createDataset({
      classNames: names,
      images: [record("a", { width: 10, height: 10 }, [[0, 0, 5, 5]], [0])],
    });
    const svgs = statsSvg(computeStats(ds));
    for (const svg of Object.values(svgs)) {
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).not.toContain("<script");
    }
    expect(svgs.classes).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(svgs.classes).toContain("a &amp; b");
    expect(svgs.classes).toContain("it&#39;s");
    expect(svgs.classes).toContain(">boxes</text>");
    expect(svgs.sizePx).toContain(">box size sqrt(w*h), px of the original image</text>");
    expect(svgs.sizePx).toContain(">count</text>");
  });

  test("an empty dataset still gives a well-formed plot per statistic", () => {
    const svgs = statsSvg(computeStats(createDataset({ classNames: [], images: [] })));
    for (const svg of Object.values(svgs)) expect(XMLValidator.validate(svg)).toBe(true);
    expect(svgs.classes).toContain(">no data</text>");
  });
});
