import { toArray } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { cocoDataset, writeCoco } from "../src/index.js";
import { expectOdError } from "./helpers.js";

const coco = {
  images: [
    { id: 7, file_name: "a.jpg", width: 100, height: 50 },
    { id: 9, file_name: "neg.jpg", width: 20, height: 20 },
  ],
  annotations: [
    { id: 1, image_id: 7, category_id: 3, bbox: [10, 5, 20, 10], iscrowd: 0 },
    { id: 2, image_id: 7, category_id: 1, bbox: [0.5, 0.25, 99.5, 49.75], iscrowd: 1 },
  ],
  categories: [
    { id: 3, name: "dog" },
    { id: 1, name: "cat" },
  ],
};

describe("cocoDataset", () => {
  test("xywh -> xyxy, categories by id, crowd, negatives", () => {
    const ds = cocoDataset(JSON.stringify(coco), { file: "instances.json", imageDir: "img" });
    expect(ds.classNames).toEqual(["cat", "dog"]);
    const [a, n] = ds.images;
    expect(a).toMatchObject({ id: "7", file: "img/a.jpg", size: { width: 100, height: 50 } });
    expect(toArray(a!.boxes)).toEqual([
      [10, 5, 30, 15],
      [0.5, 0.25, 100, 50],
    ]);
    expect(Array.from(a!.labels)).toEqual([1, 0]);
    expect(Array.from(a!.crowd)).toEqual([0, 1]);
    expect(n!.boxes.length).toBe(0);
  });
  test("invalid JSON names file, line and column", () => {
    expectOdError(
      () => cocoDataset('{\n  "images": [],\n}', { file: "bad.json" }),
      "MALFORMED_ANNOTATION",
      /^cocoDataset: bad\.json:3:1: invalid JSON/,
    );
  });
  test("schema violations name the field path", () => {
    const bad = { ...coco, annotations: [{ id: 1, image_id: 7, category_id: 3, bbox: [1, 2, 3] }] };
    expectOdError(
      () => cocoDataset(bad, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /x\.json: annotations\[0\]\.bbox: /,
    );
    expectOdError(
      () => cocoDataset({ images: [] }, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /x\.json: categories: /,
    );
    const orphan = { ...coco, annotations: [{ id: 1, image_id: 8, category_id: 3, bbox: [1, 2, 3, 4] }] };
    expectOdError(
      () => cocoDataset(orphan, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /annotations\[0\]\.image_id 8 is not the id of any image/,
    );
  });
  test("bad boxes and unknown categories are reported with their annotation", () => {
    const bad = {
      ...coco,
      annotations: [
        { id: 11, image_id: 7, category_id: 3, bbox: [10, 5, 0, 10] },
        { id: 12, image_id: 7, category_id: 5, bbox: [10, 5, 1, 10] },
        { id: 13, image_id: 7, category_id: 3, bbox: [null, 5, 1, 10] },
      ],
    };
    expectOdError(
      () => cocoDataset(bad, { file: "x.json" }),
      "UNKNOWN_CLASS",
      /x\.json annotations\[1\] \(id 12\): class 5 is not in classNames/,
    );
    const ds = cocoDataset(bad, { file: "x.json", policy: "drop" });
    expect(ds.report.issues.map((i) => [i.where, i.reason])).toEqual([
      ["annotations[1] (id 12)", "unknown-class"],
      ["annotations[0] (id 11)", "zero-area"],
      ["annotations[2] (id 13)", "non-finite"],
    ]);
    expect(ds.report.issues[1]?.value).toEqual([10, 5, 0, 10]);
  });
  test("duplicate category ids or names are malformed, naming both entries", () => {
    const ids = {
      ...coco,
      categories: [
        { id: 3, name: "dog" },
        { id: 1, name: "cat" },
        { id: 3, name: "bird" },
      ],
    };
    expectOdError(
      () => cocoDataset(ids, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /^cocoDataset: x\.json: categories\[0\] \("dog"\) and categories\[2\] \("bird"\) both have id 3/,
    );
    const names = {
      ...coco,
      categories: [
        { id: 3, name: "cat" },
        { id: 1, name: "cat" },
      ],
    };
    expectOdError(
      () => cocoDataset(names, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /^cocoDataset: x\.json: categories\[0\] \(id 3\) and categories\[1\] \(id 1\) are both named "cat"/,
    );
    expectOdError(
      () => cocoDataset(names, { file: "x.json", classNames: ["cat"] }),
      "MALFORMED_ANNOTATION",
      /both named "cat"/,
    );
  });
  test("duplicate annotation ids and blank category names are malformed, naming the entry", () => {
    // pycocotools' createIndex keeps anns[id] = the last annotation with that id, so a duplicate id
    // silently loses one box from evaluation.
    const dup = { ...coco, annotations: [coco.annotations[0]!, { ...coco.annotations[1]!, id: 1 }] };
    expectOdError(
      () => cocoDataset(dup, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /^cocoDataset: x\.json: annotations\[1\]\.id 1 is also the id of annotations\[0\]/,
    );
    for (const name of ["", "  "]) {
      const blank = { ...coco, categories: [{ id: 3, name }, coco.categories[1]!] };
      expectOdError(
        () => cocoDataset(blank, { file: "x.json" }),
        "MALFORMED_ANNOTATION",
        /x\.json: categories\[0\]\.name: a category name cannot be empty or blank/,
      );
    }
    // annotations without ids (allowed by the schema) are not duplicates of each other
    const noIds = { ...coco, annotations: coco.annotations.map(({ id: _, ...a }) => a) };
    expect(cocoDataset(noIds).images[0]!.labels.length).toBe(2);
  });
  test("image sizes: 0 means unknown, a negative size is malformed", () => {
    const neg = { ...coco, images: [{ id: 7, file_name: "a.jpg", width: -100, height: 50 }] };
    expectOdError(
      () => cocoDataset(neg, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /x\.json: images\[0\]\.width: /,
    );
    const zero = { ...coco, images: [{ id: 7, file_name: "a.jpg", width: 0, height: 0 }] };
    expectOdError(
      () => cocoDataset(zero, { file: "x.json" }),
      "MALFORMED_ANNOTATION",
      /gives no valid image size/,
    );
  });
  test("classNames option maps by category name", () => {
    const ds = cocoDataset(coco, { classNames: ["dog", "cat", "bird"] });
    expect(Array.from(ds.images[0]!.labels)).toEqual([0, 1]);
  });
});

describe("writeCoco", () => {
  test("COCO -> COCO keeps images, boxes, labels and crowd", () => {
    const ds = cocoDataset(coco);
    const json = writeCoco(ds);
    expect(json.categories.map((c) => [c.id, c.name])).toEqual([
      [1, "cat"],
      [2, "dog"],
    ]);
    expect(json.images.map((i) => i.id)).toEqual([7, 9]);
    expect(json.annotations[0]).toMatchObject({
      id: 1,
      image_id: 7,
      category_id: 2,
      bbox: [10, 5, 20, 10],
      area: 200,
      iscrowd: 0,
    });
    const back = cocoDataset(JSON.stringify(json));
    expect(back.images).toEqual(ds.images);
  });
  test("non-integer ids are renumbered; imageDir is stripped", () => {
    const ds = cocoDataset(coco, { imageDir: "img" });
    const renamed = { ...ds, images: ds.images.map((r, i) => ({ ...r, id: `x${i}` })) };
    const json = writeCoco(renamed, { imageDir: "img" });
    expect(json.images.map((i) => [i.id, i.file_name])).toEqual([
      [1, "a.jpg"],
      [2, "neg.jpg"],
    ]);
  });
});
