import { fc, test } from "@fast-check/vitest";
import { unsafeBoxes } from "@od/boxes";
import { describe, expect } from "vitest";
import {
  cocoDataset,
  createDataset,
  type DetectionDataset,
  type ImageRecord,
  parseVocXml,
  parseYoloLabels,
  vocDataset,
  writeCoco,
  writeVocXml,
  writeYoloLabels,
  yoloDataset,
} from "../src/index.js";

/** Datasets of 0..6 images (some negatives), valid boxes with float32 corners inside the image. */
const arbDataset: fc.Arbitrary<DetectionDataset> = fc
  .uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 })
  .chain((classNames) =>
    fc
      .array(
        fc
          .record({ w: fc.integer({ min: 2, max: 4000 }), h: fc.integer({ min: 2, max: 4000 }) })
          .chain(({ w, h }) =>
            fc.record({
              size: fc.constant({ width: w, height: h }),
              boxes: fc.array(
                fc.record({
                  a: fc.double({ min: 0, max: 1, noNaN: true }),
                  b: fc.double({ min: 0, max: 1, noNaN: true }),
                  c: fc.double({ min: 0, max: 1, noNaN: true }),
                  d: fc.double({ min: 0, max: 1, noNaN: true }),
                  label: fc.integer({ min: 0, max: classNames.length - 1 }),
                  integral: fc.boolean(),
                }),
                { maxLength: 5 },
              ),
            }),
          ),
        { maxLength: 6 },
      )
      .map((imgs) => {
        const images: ImageRecord[] = imgs.map((im, i) => {
          const rows: number[] = [];
          const labels: number[] = [];
          for (const b of im.boxes) {
            const W = im.size.width;
            const H = im.size.height;
            let [x1, x2] = [Math.min(b.a, b.c) * W, Math.max(b.a, b.c) * W];
            let [y1, y2] = [Math.min(b.b, b.d) * H, Math.max(b.b, b.d) * H];
            if (b.integral) [x1, y1, x2, y2] = [Math.floor(x1), Math.floor(y1), Math.ceil(x2), Math.ceil(y2)];
            const f = new Float32Array([x1, y1, x2, y2]);
            if (f[2]! - f[0]! < 0.01 || f[3]! - f[1]! < 0.01) continue; // keep clearly positive-area boxes
            rows.push(...f);
            labels.push(b.label);
          }
          const n = labels.length;
          return {
            id: `img${i}`,
            file: `JPEGImages/img${i}.jpg`,
            size: im.size,
            boxes: unsafeBoxes(new Float32Array(rows), "xyxy", "px"),
            labels: Int32Array.from(labels),
            difficult: new Uint8Array(n),
            crowd: new Uint8Array(n),
            truncated: new Uint8Array(n),
          };
        });
        return createDataset({ classNames, images });
      }),
  );

function voc(ds: DetectionDataset): DetectionDataset {
  const entries = ds.images.map((r) => ({
    annotationFile: `Annotations/${r.id}.xml`,
    annotation: parseVocXml(writeVocXml(r, ds.classNames)),
  }));
  return vocDataset(entries, { classNames: ds.classNames });
}
function coco(ds: DetectionDataset): DetectionDataset {
  return cocoDataset(JSON.stringify(writeCoco(ds)));
}
function yolo(ds: DetectionDataset): DetectionDataset {
  return yoloDataset(
    ds.images.map((r) => ({
      labelFile: `labels/${r.id}.txt`,
      imageFile: r.file,
      size: r.size,
      rows: parseYoloLabels(writeYoloLabels(r)),
    })),
    { classNames: ds.classNames },
  );
}

function expectSame(a: DetectionDataset, b: DetectionDataset, tol: number): void {
  expect(b.classNames).toEqual(a.classNames);
  expect(b.images.length).toBe(a.images.length);
  a.images.forEach((r, i) => {
    const s = b.images[i]!;
    expect(s.file).toBe(r.file);
    expect(s.size).toEqual(r.size);
    expect(Array.from(s.labels)).toEqual(Array.from(r.labels));
    expect(s.boxes.length).toBe(r.boxes.length);
    r.boxes.data.forEach((v, k) => {
      expect(Math.abs((s.boxes.data[k] as number) - v)).toBeLessThanOrEqual(tol);
    });
  });
  expect(b.report.issues).toEqual([]);
}

describe("format round trip", () => {
  test.prop([arbDataset], { numRuns: 60 })("VOC -> COCO -> YOLO -> VOC keeps every box to 1e-3 px", (ds) => {
    const v = voc(ds);
    expectSame(ds, v, 0);
    const c = coco(v);
    const y = yolo({ ...c, images: c.images.map((r, i) => ({ ...r, id: v.images[i]!.id })) });
    const back = voc(y);
    expectSame(ds, back, 1e-3);
  });
  test.prop([arbDataset], { numRuns: 60 })("VOC -> VOC and COCO -> COCO are exact", (ds) => {
    expectSame(ds, voc(voc(ds)), 0);
    expectSame(ds, coco(coco(ds)), 0);
  });
});
