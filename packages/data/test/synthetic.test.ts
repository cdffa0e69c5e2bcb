import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { SYNTHETIC_CLASSES, syntheticShapes } from "../src/index.js";
import { decodeImageFile, loadVoc, writeSyntheticVoc } from "../src/node.js";

describe("syntheticShapes", () => {
  test("boxes sit exactly on the drawn squares, same seed same bytes", () => {
    const a = syntheticShapes({ count: 5, size: 48, seed: 3 });
    const b = syntheticShapes({ count: 5, size: 48, seed: 3 });
    expect(a.dataset.classNames).toEqual([...SYNTHETIC_CLASSES]);
    for (const r of a.dataset.images) {
      const img = a.images.get(r.file)!;
      expect(img.range).toBe("0-255");
      expect(Array.from(img.data)).toEqual(Array.from(b.images.get(r.file)!.data));
      for (let k = 0; k < r.boxes.length; k++) {
        const [x1, y1, x2, y2] = Array.from(r.boxes.data.subarray(k * 4, k * 4 + 4));
        // Inside the box's top-left pixel: a saturated colour, not the grey 100..140 background.
        const o = ((y1 as number) * 48 + (x1 as number)) * 3;
        const px = [img.data[o], img.data[o + 1], img.data[o + 2]];
        expect(px.some((v) => (v as number) > 190)).toBe(true);
        expect((x2 as number) - (x1 as number)).toBeGreaterThan(0);
        expect((y2 as number) - (y1 as number)).toBeGreaterThan(0);
      }
    }
  });
  test("negatives and bad options", () => {
    const { dataset } = syntheticShapes({ count: 40, negativeShare: 0.5, seed: 1 });
    const negs = dataset.images.filter((r) => r.boxes.length === 0).length;
    expect(negs).toBeGreaterThan(5);
    expect(negs).toBeLessThan(35);
    expect(() => syntheticShapes({ count: 0 })).toThrow(/count must be an integer >= 1; got 0/);
    expect(() => syntheticShapes({ size: 16, side: [2, 40] })).toThrow(/side must be integers/);
  });
  test("writeSyntheticVoc round trips through loadVoc and the decoder", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "od-syn-"));
    await writeSyntheticVoc(dir, { count: 6, size: 40, seed: 2, trainCount: 4 });
    const tv = await loadVoc(dir, { split: "trainval", classNames: [...SYNTHETIC_CLASSES] });
    const te = await loadVoc(dir, { split: "test", classNames: [...SYNTHETIC_CLASSES] });
    expect(tv.images).toHaveLength(4);
    expect(te.images).toHaveLength(2);
    const { dataset, images } = syntheticShapes({ count: 6, size: 40, seed: 2 });
    expect(Array.from(tv.images[1]!.boxes.data)).toEqual(Array.from(dataset.images[1]!.boxes.data));
    const img = await decodeImageFile(path.join(dir, "JPEGImages", tv.images[0]!.file.split("/").pop()!));
    expect(Array.from(img.data)).toEqual(Array.from(images.get(dataset.images[0]!.file)!.data));
    await rm(dir, { recursive: true, force: true });
  });
});
