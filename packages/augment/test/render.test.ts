import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { describe, expect, test } from "vitest";
import {
  augmentationGrid,
  compose,
  createRng,
  drawSample,
  letterbox,
  makeSample,
  occlusion,
  rotate90,
  sideBySide,
  ssdPipeline,
} from "../src/index.js";
import { encodePng, renderGrid, renderSample } from "../src/node.js";
import { BCCD_CLASSES, bccdDir, fnv1a, loadBccd, patternImage, pxBoxes } from "./helpers.js";

describe("drawSample / encodePng", () => {
  test("draws outlines in the label colour and leaves other pixels alone", () => {
    const s = makeSample(patternImage(40, 30, 1), pxBoxes([[10, 15, 30, 28]]), [1]);
    const img = drawSample(s, { labelNames: ["a", "wbc"] });
    expect(img.shape).toEqual([30, 40, 3]);
    expect([img.get(20, 10, 0), img.get(20, 10, 1), img.get(20, 10, 2)]).toEqual([60, 180, 75]);
    expect(img.get(22, 20, 0)).toBe(s.image.get(22, 20, 0));
  });
  test("PNG round trip", () => {
    const s = makeSample(patternImage(9, 7), pxBoxes([]), []);
    const png = PNG.sync.read(encodePng(s.image));
    expect([png.width, png.height]).toEqual([9, 7]);
    expect(png.data[4 * 10 + 1]).toBe(s.image.data[3 * 10 + 1]);
    expect(png.data[3]).toBe(255);
  });
  test("grid size", () => {
    const s = makeSample(patternImage(20, 10), pxBoxes([[1, 1, 5, 5]]), [0]);
    const g = augmentationGrid(s, rotate90(), { n: 5, cols: 3, cellWidth: 16, cellHeight: 12 });
    expect(g.shape).toEqual([2 * 14 + 2, 3 * 18 + 2, 3]);
  });
});

// Golden checks on real BCCD images: hashes of bytes produced by this package, eyeballed once as PNGs.
describe.skipIf(bccdDir === undefined)("BCCD golden images", () => {
  const dir = bccdDir as string;
  const ids = ["BloodImage_00000", "BloodImage_00001", "BloodImage_00002"];
  test("letterbox 640x480 -> 300x300 and the default pipeline are byte-stable", () => {
    const got: Record<string, string> = {};
    for (const [k, id] of ids.entries()) {
      const s = loadBccd(dir, id);
      const lb = letterbox({ width: 300, height: 300 }).apply(s, createRng(0)).sample;
      const aug = ssdPipeline().apply(s, createRng(40 + k)).sample;
      const occ = compose([occlusion({ perBox: 1 }), letterbox({ width: 300, height: 300 })]).apply(
        s,
        createRng(1),
      ).sample;
      got[id] = [
        fnv1a(lb.image.data),
        fnv1a(new Uint8Array(lb.boxes.data.buffer)),
        fnv1a(aug.image.data),
        fnv1a(new Uint8Array(aug.boxes.data.buffer)),
        fnv1a(occ.image.data),
      ].join(" ");
      if (process.env.OD_WRITE_GOLDEN) {
        const names = { labelNames: BCCD_CLASSES };
        for (const [name, v] of Object.entries({ lb, aug, occ })) {
          writeFileSync(`/tmp/${id}-${name}.png`, renderSample(v, names));
        }
        writeFileSync(
          `/tmp/${id}-grid.png`,
          renderGrid(s, ssdPipeline(), { n: 9, cellWidth: 200, cellHeight: 200, ...names }),
        );
      }
    }
    expect(got).toMatchInlineSnapshot(`
      {
        "BloodImage_00000": "5f091c6a 1d54237b a8be121d 1d54237b a9464328",
        "BloodImage_00001": "16e123c1 936940b5 e93d15f1 cd4e5c84 7ed504ba",
        "BloodImage_00002": "41463ecf fdb6e87f 218dbba3 8e5fa943 544818be",
      }
    `);
  });
});

describe("drawSample: scores", () => {
  test("the tag reads name and score: wider than the name alone, and only then", () => {
    const s = makeSample(patternImage(80, 40, 1), pxBoxes([[10, 20, 30, 38]]), [1]);
    const tagWidth = (img: ReturnType<typeof drawSample>) => {
      // the tag is filled in the label colour (60, 180, 75) on the row just above the box top edge
      let w = 0;
      while (img.get(11, 10 + w, 0) === 60 && img.get(11, 10 + w, 1) === 180) w++;
      return w;
    };
    const named = drawSample(s, { labelNames: ["a", "wbc"] });
    const scored = drawSample(s, { labelNames: ["a", "wbc"], scores: [0.8712] });
    // 6 px per glyph + 1: "WBC" = 19 px, "WBC 0.87" = 49 px
    expect(tagWidth(named)).toBe(3 * 6 + 1);
    expect(tagWidth(scored)).toBe(8 * 6 + 1);
  });
  test("one score per box, else SHAPE_MISMATCH", () => {
    const s = makeSample(patternImage(40, 30, 1), pxBoxes([[10, 15, 30, 28]]), [1]);
    expect(() => drawSample(s, { scores: [0.5, 0.4] })).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "drawSample: options.scores has 2 values but the sample has 1 boxes",
      }),
    );
  });
});

describe("sideBySide", () => {
  test("left to right, top-aligned, grey gap, title strips", () => {
    const a = patternImage(10, 6, 1);
    const b = patternImage(7, 9, 3, 2);
    const plain = sideBySide([a, b], { gap: 3 });
    expect(plain.shape).toEqual([9, 10 + 3 + 7, 3]);
    expect(plain.get(0, 0, 0)).toBe(a.get(0, 0, 0));
    expect(plain.get(8, 13 + 6, 2)).toBe(b.get(8, 6, 2));
    expect(plain.get(7, 2, 0)).toBe(96); // below the shorter image
    expect(plain.get(0, 11, 0)).toBe(96); // the gap
    const titled = sideBySide([a, b], { titles: ["ground truth", "prediction"] });
    expect(titled.shape).toEqual([9 + 9, 10 + 4 + 7, 3]);
    expect(titled.get(9, 0, 1)).toBe(a.get(0, 0, 0));
    expect(titled.get(0, 0, 0)).toBe(255); // white strip
  });
  test("bad arguments are typed errors", () => {
    const a = patternImage(4, 4);
    expect(() => sideBySide([])).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => sideBySide([a], { titles: ["x", "y"] })).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "sideBySide: options.titles has 2 entries but there are 1 images",
      }),
    );
    expect(() => sideBySide([a], { gap: -1 })).toThrow(
      expect.objectContaining({ message: "sideBySide: options.gap must be an integer >= 0; got -1" }),
    );
  });
});
