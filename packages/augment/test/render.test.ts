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
        "BloodImage_00000": "5f091c6a 1d54237b 2fdfee86 060b9da2 905cb324",
        "BloodImage_00001": "16e123c1 936940b5 16e123c1 936940b5 8097f989",
        "BloodImage_00002": "41463ecf fdb6e87f c22739e5 fdb6e87f 9db37814",
      }
    `);
  });
});
