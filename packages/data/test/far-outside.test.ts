import { fc, test as ftest } from "@fast-check/vitest";
import { toArray } from "@od/boxes";
import { describe, expect, test } from "vitest";
import {
  cocoDataset,
  MAX_BOX_OVERHANG,
  parseVocXml,
  parseYoloLabels,
  vocDataset,
  yoloDataset,
} from "../src/index.js";
import { expectOdError, vocXml } from "./helpers.js";

const voc = (rows: readonly (readonly [string, ...(number | string)[]])[], w = 32, h = 24) => [
  { annotationFile: "Annotations/a.xml", annotation: parseVocXml(vocXml("a.jpg", w, h, rows)) },
];

describe("boxes far outside their image are refused, not clipped", () => {
  test("example table (32x24 image; the bound is one image size outside)", () => {
    expect(MAX_BOX_OVERHANG).toBe(1);
    const rows: [string, ...number[]][] = [
      ["c", 2, 2, 1e30, 20], // far right
      ["c", -1000, 2, 20, 20], // far left
      ["c", 2, -25, 20, 20], // just beyond −H
      ["c", 100, 100, 1e30, 1e30], // entirely outside: outside-image, as before
      ["c", 2, 2, 64, 48], // exactly 2W, 2H: clipped
      ["c", -32, -24, 20, 20], // exactly −W, −H: clipped
      ["c", 2, 2, 20, 20], // fine
    ];
    const ds = vocDataset(voc(rows), { policy: "clip" });
    expect(ds.report.issues.map((i) => [i.index, i.reason, i.action])).toEqual([
      [0, "far-outside-image", "dropped"],
      [1, "far-outside-image", "dropped"],
      [2, "far-outside-image", "dropped"],
      [3, "outside-image", "dropped"],
      [4, "out-of-image", "clipped"],
      [5, "out-of-image", "clipped"],
    ]);
    expect(toArray(ds.images[0]!.boxes)).toEqual([
      [2, 2, 32, 24],
      [0, 0, 20, 20],
      [2, 2, 20, 20],
    ]);
    expect(ds.report.summary).toEqual({ "far-outside-image": 3, "outside-image": 1, "out-of-image": 2 });
    expect(vocDataset(voc(rows), { policy: "drop" }).report.summary).toEqual({
      "far-outside-image": 3,
      "outside-image": 1,
      "out-of-image": 2,
    });
  });
  test("policy error names file, object, value and the bound", () => {
    expectOdError(
      () => vocDataset(voc([["c", 2, 2, 1e30, 20]])),
      "INVALID_BOX",
      /^vocDataset: Annotations\/a\.xml object\[0\]: box \[2, 2, 1e\+30, 20\] \(VOC xmin,ymin,xmax,ymax\) is far-outside-image in image 32x24 \(a corner more than one image size outside\)/,
    );
  });
  test("COCO and YOLO alike", () => {
    const coco = {
      images: [{ id: 1, file_name: "a.jpg", width: 32, height: 24 }],
      annotations: [{ id: 4, image_id: 1, category_id: 1, bbox: [1, 1, 1e30, 1e30] }],
      categories: [{ id: 1, name: "c" }],
    };
    expect(cocoDataset(coco, { policy: "clip" }).report.issues[0]).toMatchObject({
      where: "annotations[0] (id 4)",
      value: [1, 1, 1e30, 1e30],
      reason: "far-outside-image",
      action: "dropped",
    });
    const rows = parseYoloLabels("0 0.5 0.5 1e30 0.2\n0 0.5 0.5 2.9 0.2\n0 0.5 0.5 3.1 0.2\n");
    const y = yoloDataset(
      [{ labelFile: "l.txt", imageFile: "i.jpg", size: { width: 10, height: 10 }, rows }],
      {
        classNames: ["c"],
        policy: "clip",
      },
    );
    // per image: class and far-outside issues first, then the box checks (as for unknown classes)
    expect(y.report.issues.map((i) => [i.where, i.reason, i.action])).toEqual([
      ["line 1", "far-outside-image", "dropped"],
      ["line 3", "far-outside-image", "dropped"],
      ["line 2", "out-of-image", "clipped"],
    ]);
  });
  ftest.prop([
    fc.integer({ min: 1, max: 4000 }),
    fc.integer({ min: 1, max: 4000 }),
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 4, maxLength: 4 }),
    fc.constantFrom("drop" as const, "clip" as const),
  ])(
    "no kept box has a corner beyond the bound; an overlapping box is far-outside iff it has one",
    (w, h, c, policy) => {
      const [a, b, x, y] = c as [number, number, number, number];
      const rows: [string, ...number[]][] = [
        ["c", Math.min(a, x), Math.min(b, y), Math.max(a, x), Math.max(b, y)],
      ];
      const ds = vocDataset(voc(rows, w, h), { policy });
      const [x1, y1, x2, y2] = rows[0]!.slice(1) as number[];
      const far =
        x1! < -MAX_BOX_OVERHANG * w ||
        y1! < -MAX_BOX_OVERHANG * h ||
        x2! > (1 + MAX_BOX_OVERHANG) * w ||
        y2! > (1 + MAX_BOX_OVERHANG) * h;
      const overlaps = x1! < w && x2! > 0 && y1! < h && y2! > 0;
      expect(ds.report.issues.some((i) => i.reason === "far-outside-image")).toBe(far && overlaps);
      if (far) expect(ds.images[0]!.boxes.length).toBe(0);
    },
  );
});
