import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { datasetFromFiles, type PickedFile } from "../src/page/picked.js";
import { DEMO_DIR } from "../src/server.js";

const demo = (rel: string): PickedFile => ({
  name: rel.slice(rel.lastIndexOf("/") + 1),
  data: new Uint8Array(readFileSync(`${DEMO_DIR}${rel}`)),
});
const textFile = (name: string, s: string): PickedFile => ({ name, data: new TextEncoder().encode(s) });
const ids = ["BloodImage_00000", "BloodImage_00001"];
const jpgs = ids.map((id) => demo(`JPEGImages/${id}.jpg`));
const xmls = ids.map((id) => demo(`Annotations/${id}.xml`));

describe("datasetFromFiles", () => {
  test("VOC: images and their XML become a dataset; images keyed by record file", () => {
    const { dataset, images } = datasetFromFiles([...jpgs, ...xmls]);
    expect(dataset.images.map((r) => r.id)).toEqual(ids);
    expect(dataset.classNames).toEqual(expect.arrayContaining(["RBC"]));
    for (const r of dataset.images) expect(images.get(r.file)?.name).toBe(`${r.id}.jpg`);
  });

  test("COCO: one JSON with its images", () => {
    const coco = {
      images: [{ id: 1, file_name: jpgs[0]!.name, width: 640, height: 480 }],
      annotations: [{ id: 1, image_id: 1, category_id: 7, bbox: [10, 20, 30, 40], iscrowd: 0, area: 1200 }],
      categories: [{ id: 7, name: "cell" }],
    };
    const { dataset } = datasetFromFiles([jpgs[0]!, textFile("ann.json", JSON.stringify(coco))]);
    expect(dataset.classNames).toEqual(["cell"]);
    expect(Array.from(dataset.images[0]!.boxes.data)).toEqual([10, 20, 40, 60]);
  });

  test("YOLO: labels, classes.txt and images (sizes from the image headers)", () => {
    const { dataset } = datasetFromFiles([
      jpgs[0]!,
      textFile(`${ids[0]}.txt`, "1 0.5 0.5 0.25 0.5\n"),
      textFile("classes.txt", "a\nb\n"),
    ]);
    expect(dataset.classNames).toEqual(["a", "b"]);
    expect(Array.from(dataset.images[0]!.boxes.data)).toEqual([240, 120, 400, 360]);
  });

  test.each([
    [
      () => [jpgs[0]!, ...xmls],
      "BloodImage_00001.xml: names image BloodImage_00001.jpg, which was not picked",
    ],
    [() => [...jpgs, textFile("bad.xml", "<annotation><size>")], "bad.xml"],
    [() => [...xmls], "no image (.jpg, .jpeg, .png)"],
    [() => [...jpgs], "no annotation file"],
    [() => [jpgs[0]!, textFile("x.json", "{ nope")], "x.json"],
    [() => [jpgs[0]!, textFile("a.json", "{}"), textFile("b.json", "{}")], "pick one COCO annotation file"],
    [
      () => [jpgs[0]!, textFile(`${ids[0]}.txt`, "0 0.5 0.5 0.1 0.1")],
      "BloodImage_00000.txt: YOLO labels need their names file",
    ],
    [
      () => [jpgs[0]!, textFile("other.txt", "0 0.5 0.5 0.1 0.1"), textFile("classes.txt", "a")],
      "other.txt: labels image other",
    ],
  ])("%#: refused with a one-line message naming the file (%s)", (files, want) => {
    let message = "";
    try {
      datasetFromFiles(files());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(want);
    expect(message).not.toMatch(/\n/);
  });
});
