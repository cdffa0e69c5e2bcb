import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { toArray } from "@od/boxes";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addNegatives, readImageHeader } from "../src/index.js";
import {
  checkImageFile,
  decodeImage,
  decodeImageFile,
  loadCoco,
  loadNegatives,
  loadSharp,
  loadVoc,
  loadYolo,
  writeCocoFile,
  writeVoc,
  writeYolo,
} from "../src/node.js";
import { expectOdErrorAsync, vocXml } from "./helpers.js";

const BCCD = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));
const hasBccd = existsSync(path.join(BCCD, "Annotations"));

/** A W×H RGB test pattern: R = x, G = y, B = 7. */
function pattern(W: number, H: number): Uint8Array {
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgba.set([x * 10, y * 10, 7, 255], (y * W + x) * 4);
  return rgba;
}
function encodeJpeg(W: number, H: number, orientation?: number): Uint8Array {
  const j = jpeg.encode({ data: pattern(W, H), width: W, height: H }, 100).data;
  if (orientation === undefined) return new Uint8Array(j);
  // APP1 Exif, big-endian TIFF, IFD0 with one entry: Orientation (0x0112, SHORT, 1).
  const tiff = [
    0x4d,
    0x4d,
    0,
    42,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const len = body.length + 2;
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 255, ...body, ...j.subarray(2)]);
}
function encodePng(W: number, H: number): Uint8Array {
  const p = new PNG({ width: W, height: H });
  p.data.set(pattern(W, H));
  return new Uint8Array(PNG.sync.write(p));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "od-data-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readImageHeader / checkImageFile", () => {
  test("JPEG and PNG sizes, EXIF orientation swaps the displayed size", async () => {
    expect(readImageHeader(encodeJpeg(12, 5))).toMatchObject({
      format: "jpeg",
      width: 12,
      height: 5,
      orientation: 1,
    });
    expect(readImageHeader(encodeJpeg(12, 5, 6))).toMatchObject({
      width: 12,
      height: 5,
      orientation: 6,
      displayWidth: 5,
      displayHeight: 12,
    });
    expect(readImageHeader(encodePng(3, 4))).toMatchObject({ format: "png", width: 3, height: 4 });
    expect(readImageHeader(new Uint8Array([1, 2, 3, 4]))).toBeUndefined();
    await writeFile(path.join(dir, "x.jpg"), encodeJpeg(12, 5, 8));
    await writeFile(path.join(dir, "junk.jpg"), "hello");
    expect(await checkImageFile(path.join(dir, "x.jpg"))).toEqual({
      status: "ok",
      size: { width: 5, height: 12 },
    });
    expect((await checkImageFile(path.join(dir, "junk.jpg"))).status).toBe("unreadable");
    expect((await checkImageFile(path.join(dir, "nope.jpg"))).status).toBe("missing");
  });
});

describe("decodeImage", () => {
  const sharpOk = loadSharp().then((s) => s !== undefined);
  test("JPEG (jpeg-js) and PNG (pngjs) to HWC uint8 RGB", async () => {
    const j = await decodeImage(encodeJpeg(8, 6), { backend: "js" });
    expect(j.shape).toEqual([6, 8, 3]);
    expect(Math.abs(j.get(2, 3, 0) - 30)).toBeLessThanOrEqual(3);
    expect(Math.abs(j.get(2, 3, 1) - 20)).toBeLessThanOrEqual(3);
    const p = await decodeImage(encodePng(8, 6), { backend: "js" });
    expect(p.shape).toEqual([6, 8, 3]);
    expect([j.range, p.range]).toEqual(["0-255", "0-255"]);
    expect([p.get(2, 3, 0), p.get(2, 3, 1), p.get(2, 3, 2)]).toEqual([30, 20, 7]);
  });
  test.each([1, 2, 3, 4, 5, 6, 7, 8])("EXIF orientation %i: JS path matches sharp", async (o) => {
    const bytes = encodeJpeg(8, 6, o);
    const js = await decodeImage(bytes, { backend: "js" });
    expect(js.shape).toEqual(o >= 5 ? [8, 6, 3] : [6, 8, 3]);
    if (!(await sharpOk)) return;
    const sh = await decodeImage(bytes, { backend: "sharp" });
    expect(sh.shape).toEqual(js.shape);
    expect([js.range, sh.range]).toEqual(["0-255", "0-255"]);
    let maxDiff = 0;
    for (let i = 0; i < js.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((js.data[i] as number) - (sh.data[i] as number)));
    expect(maxDiff).toBeLessThanOrEqual(8);
  });
  test("unreadable and missing files are typed errors", async () => {
    await expectOdErrorAsync(
      () => decodeImage(new Uint8Array([1, 2, 3, 4]), { backend: "js", file: "a.jpg" }),
      "UNREADABLE_IMAGE",
      /^decodeImage: a\.jpg: not a JPEG or PNG/,
    );
    await expectOdErrorAsync(() => decodeImageFile(path.join(dir, "nope.jpg")), "MISSING_IMAGE", /nope\.jpg/);
  });
});

describe("loadVoc / writers on disk", () => {
  test("a tiny VOC folder: split list, image checks, negatives, report", async () => {
    const root = path.join(dir, "voc");
    await mkdir(path.join(root, "Annotations"), { recursive: true });
    await mkdir(path.join(root, "JPEGImages"), { recursive: true });
    await mkdir(path.join(root, "ImageSets", "Main"), { recursive: true });
    await writeFile(
      path.join(root, "Annotations", "a.xml"),
      vocXml("a.jpg", 20, 10, [
        ["cat", 1, 1, 5, 5],
        ["dog", 2, 2, 30, 8],
      ]),
    );
    await writeFile(path.join(root, "Annotations", "b.xml"), vocXml("b.jpg", 20, 10, []));
    await writeFile(path.join(root, "Annotations", "c.xml"), vocXml("c.jpg", 20, 10, [["cat", 1, 1, 5, 5]]));
    await writeFile(path.join(root, "JPEGImages", "a.jpg"), encodeJpeg(20, 10));
    await writeFile(path.join(root, "JPEGImages", "b.jpg"), encodeJpeg(20, 10));
    await writeFile(path.join(root, "ImageSets", "Main", "train.txt"), "b\na\n");
    const train = await loadVoc(root, { split: "train", policy: "clip" });
    expect(train.images.map((r) => r.id)).toEqual(["b", "a"]);
    expect(train.root).toBe(root);
    expect(toArray(train.images[1]!.boxes)).toEqual([
      [1, 1, 5, 5],
      [2, 2, 20, 8],
    ]);
    await expectOdErrorAsync(
      () => loadVoc(root),
      "INVALID_BOX",
      /Annotations\/a\.xml object\[1\]: box \[2, 2, 30, 8\]/,
    );
    await writeFile(path.join(root, "ImageSets", "Main", "c.txt"), "c\n");
    await expectOdErrorAsync(
      () => loadVoc(root, { split: "c" }),
      "MISSING_IMAGE",
      /image "JPEGImages\/c\.jpg" of Annotations\/c\.xml does not exist/,
    );
    const all = await loadVoc(root, { policy: "drop" });
    expect(all.report.summary).toEqual({ "out-of-image": 1, "missing-image": 1 });
    expect((await loadVoc(root, { policy: "drop", checkImages: false })).images.length).toBe(3);
    await expectOdErrorAsync(() => loadVoc(root, { split: "val" }), "IO_ERROR", /cannot read split list/);

    // VOC -> COCO -> YOLO -> VOC through files, with images copied along.
    await writeCocoFile(train, path.join(dir, "coco", "instances.json"), { copyImages: true });
    const coco = await loadCoco(path.join(dir, "coco", "instances.json"));
    expect(coco.report.issues).toEqual([]);
    await writeYolo(coco, path.join(dir, "yolo"), { copyImages: true });
    const yolo = await loadYolo(path.join(dir, "yolo"));
    expect(yolo.classNames).toEqual(["cat", "dog"]);
    await writeVoc(yolo, path.join(dir, "voc2"), { copyImages: true, split: "train" });
    const back = await loadVoc(path.join(dir, "voc2"), { split: "train" });
    expect(back.images.map((r) => r.id)).toEqual(["a", "b"]); // YOLO lists image files sorted
    back.images.forEach((r) => {
      const o = train.images.find((t) => t.id === r.id)!;
      expect(Array.from(r.labels)).toEqual(Array.from(o.labels));
      r.boxes.data.forEach((v, k) => {
        expect(Math.abs(v - (o.boxes.data[k] as number))).toBeLessThanOrEqual(1e-3);
      });
    });

    // A folder of extra negatives.
    await mkdir(path.join(dir, "neg"), { recursive: true });
    await writeFile(path.join(dir, "neg", "n1.png"), encodePng(7, 3));
    await writeFile(path.join(dir, "neg", "n2.jpg"), "broken");
    await expectOdErrorAsync(() => loadNegatives(path.join(dir, "neg")), "UNREADABLE_IMAGE", /n2\.jpg/);
    const neg = await loadNegatives(path.join(dir, "neg"), { policy: "drop" });
    expect(neg.records.map((r) => [r.id, r.size])).toEqual([["neg/n1", { width: 7, height: 3 }]]);
    expect(neg.skipped.length).toBe(1);
    const withNeg = addNegatives(train, neg.records);
    expect(withNeg.images.length).toBe(3);
    expect(withNeg.report.imagesKept).toBe(3);
  });
  test("YOLO folder with a malformed label names file and line", async () => {
    const root = path.join(dir, "yolo-bad");
    await mkdir(path.join(root, "images"), { recursive: true });
    await mkdir(path.join(root, "labels"), { recursive: true });
    await writeFile(path.join(root, "classes.txt"), "cat\n");
    await writeFile(path.join(root, "images", "a.jpg"), encodeJpeg(10, 10));
    await writeFile(path.join(root, "labels", "a.txt"), "0 0.5 0.5 0.2 0.2\n0 0.5\n");
    await expectOdErrorAsync(
      () => loadYolo(root),
      "MALFORMED_ANNOTATION",
      /labels\/a\.txt:2: expected 5 fields/,
    );
  });
  test("COCO folder: missing image and size mismatch are reported per policy", async () => {
    const root = path.join(dir, "coco-bad");
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, "ok.jpg"), encodeJpeg(10, 8));
    const json = {
      images: [
        { id: 1, file_name: "ok.jpg", width: 12, height: 8 },
        { id: 2, file_name: "gone.jpg", width: 10, height: 8 },
      ],
      annotations: [{ id: 5, image_id: 1, category_id: 1, bbox: [1, 1, 10, 2] }],
      categories: [{ id: 1, name: "cat" }],
    };
    await writeFile(path.join(root, "instances.json"), JSON.stringify(json));
    const file = path.join(root, "instances.json");
    await expectOdErrorAsync(
      () => loadCoco(file),
      "SIZE_MISMATCH",
      /instances\.json says the image is 12x8 but ok\.jpg is 10x8/,
    );
    const dropped = await loadCoco(file, { policy: "drop" });
    expect(dropped.images).toEqual([]);
    expect(dropped.report.summary).toEqual({ "size-mismatch": 1, "missing-image": 1 });
    const clipped = await loadCoco(file, { policy: "clip" });
    expect(clipped.images.map((r) => [r.id, r.size.width])).toEqual([["1", 10]]);
    expect(toArray(clipped.images[0]!.boxes)).toEqual([[1, 1, 10, 3]]);
    expect(clipped.report.issues.map((i) => [i.reason, i.action])).toEqual([
      ["size-mismatch", "size-corrected"],
      ["out-of-image", "clipped"],
      ["missing-image", "image-dropped"],
    ]);
  });
  test("COCO file missing", async () => {
    await expectOdErrorAsync(
      () => loadCoco(path.join(dir, "none.json")),
      "IO_ERROR",
      /cannot read COCO file/,
    );
  });
});

describe.skipIf(!hasBccd)("BCCD (../shared/datasets/bccd)", () => {
  test("the report finds the dirty boxes", async () => {
    await expectOdErrorAsync(
      () => loadVoc(BCCD),
      "INVALID_BOX",
      /Annotations\/BloodImage_00338\.xml object\[12\]: box \[504, 337, 504, 337\].* is zero-area in image 640x480/,
    );
    const ds = await loadVoc(BCCD, { policy: "drop" });
    expect(ds.classNames).toEqual(["Platelets", "RBC", "WBC"]);
    expect(ds.report).toMatchObject({
      imagesRead: 364,
      boxesRead: 4888,
      imagesKept: 364,
      boxesKept: 4886,
      summary: { "zero-area": 2 },
    });
    expect(ds.report.issues.map((i) => [i.file, i.index, i.value, i.reason, i.action])).toEqual([
      ["Annotations/BloodImage_00338.xml", 12, [504, 337, 504, 337], "zero-area", "dropped"],
      ["Annotations/BloodImage_00343.xml", 3, [181, 329, 181, 329], "zero-area", "dropped"],
    ]);
    const trainval = await loadVoc(BCCD, { split: "trainval", policy: "drop" });
    const test = await loadVoc(BCCD, { split: "test", policy: "drop" });
    expect([trainval.images.length, test.images.length]).toEqual([292, 72]);
  });
  test("decodes a BCCD JPEG to 480x640x3", async () => {
    const img = await decodeImageFile(path.join(BCCD, "JPEGImages", "BloodImage_00000.jpg"));
    expect(img.shape).toEqual([480, 640, 3]);
    expect((await readFile(path.join(BCCD, "README.md"), "utf8")).length).toBeGreaterThan(0);
  });
});
