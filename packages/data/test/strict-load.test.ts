import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseImageSet } from "../src/index.js";
import { loadCoco, loadVoc, loadYolo } from "../src/node.js";
import { expectOdError, expectOdErrorAsync, vocXml } from "./helpers.js";

const JPG = new Uint8Array(
  jpeg.encode({ data: new Uint8Array(16 * 8 * 4).fill(90), width: 16, height: 8 }, 90).data,
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "od-data-strict-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
/** Writes files under a fresh folder `dir/name`; returns its path. */
async function tree(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const root = path.join(dir, name);
  await mkdir(root, { recursive: true });
  for (const [f, b] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await writeFile(path.join(root, f), b);
  }
  return root;
}
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

describe("empty datasets are errors", () => {
  test("VOC: no annotation, or an empty split list", async () => {
    const root = await tree("voc-empty", { "ImageSets/Main/all.txt": "\n\n" });
    await mkdir(path.join(root, "Annotations"));
    await expectOdErrorAsync(
      () => loadVoc(root),
      "EMPTY_DATASET",
      /^loadVoc: no images: ".*Annotations" has no \.xml file/,
    );
    await expectOdErrorAsync(
      () => loadVoc(root, { split: "all" }),
      "EMPTY_DATASET",
      /^loadVoc: no images: ".*all\.txt" lists no image id/,
    );
  });
  test("COCO: an empty images list", async () => {
    const root = await tree("coco-empty", {
      "i.json": JSON.stringify({ images: [], annotations: [], categories: [{ id: 1, name: "a" }] }),
    });
    await expectOdErrorAsync(
      () => loadCoco(path.join(root, "i.json")),
      "EMPTY_DATASET",
      /^loadCoco: no images: i\.json lists no image/,
    );
  });
  test("YOLO: no JPEG or PNG in images/", async () => {
    const root = await tree("yolo-empty", { "classes.txt": "a\n", "images/readme.txt": "x" });
    await expectOdErrorAsync(
      () => loadYolo(root),
      "EMPTY_DATASET",
      /^loadYolo: no images: ".*images" has no JPEG or PNG file/,
    );
  });
});

describe("YOLO label files without an image", () => {
  test("are missing-image issues naming the label file; LabelImg's labels/classes.txt is not one", async () => {
    const root = await tree("yolo-orphan", {
      "classes.txt": "a\n",
      "images/x.jpg": JPG,
      "labels/x.txt": "0 0.5 0.5 0.2 0.2\n",
      "labels/ghost.txt": "0 0.5 0.5 0.2 0.2\n0 0.1 0.1 0.1 0.1\n",
      "labels/classes.txt": "a\n",
      "labels/notes.md": "not a label file",
    });
    await expectOdErrorAsync(
      () => loadYolo(root),
      "MISSING_IMAGE",
      /label file labels\/ghost\.txt has no image \(looked for images\/ghost\.\{jpg,jpeg,png\}\)/,
    );
    const ds = await loadYolo(root, { policy: "drop" });
    expect(ds.images.map((r) => r.id)).toEqual(["x"]);
    expect(ds.report.issues).toEqual([
      {
        file: "labels/ghost.txt",
        image: "ghost",
        index: -1,
        where: "image",
        value: "images/ghost.{jpg,jpeg,png}",
        reason: "missing-image",
        action: "image-dropped",
      },
    ]);
    expect(ds.report).toMatchObject({ imagesRead: 2, boxesRead: 3, imagesKept: 1, boxesKept: 1 });
  });
});

describe("ImageSets lists", () => {
  test("an id with spaces is malformed, naming file, line and value", () => {
    expectOdError(
      () => parseImageSet("a\nBlood Image 1\n", "ImageSets/Main/trainval.txt"),
      "MALFORMED_ANNOTATION",
      /^parseImageSet: ImageSets\/Main\/trainval\.txt:2: "Blood Image 1" is not an image id: ids cannot contain spaces/,
    );
    expect(parseImageSet("a  1\nb -1\nc 0\n")).toEqual(["a", "b", "c"]);
    expectOdError(
      () => parseImageSet("a\nb\n\na\n", "ImageSets/Main/trainval.txt"),
      "MALFORMED_ANNOTATION",
      /^parseImageSet: ImageSets\/Main\/trainval\.txt:4: image id "a" is listed twice \(first on line 1\)/,
    );
  });
  test("an id without an annotation names the list and line", async () => {
    const root = await tree("voc-ids", {
      "Annotations/a.xml": vocXml("a.jpg", 16, 8, []),
      "JPEGImages/a.jpg": JPG,
      "ImageSets/Main/all.txt": "a\nzzz\n",
    });
    await expectOdErrorAsync(
      () => loadVoc(root, { split: "all" }),
      "IO_ERROR",
      /^loadVoc: ImageSets\/Main\/all\.txt:2: image id "zzz" has no annotation Annotations\/zzz\.xml/,
    );
  });
});

describe("annotation files are UTF-8, regular and bounded", () => {
  test("VOC: an invalid byte names file, line and offset", async () => {
    const root = await tree("voc-utf8", {
      "Annotations/a.xml": bytes(
        "<annotation>\n<object><name>R",
        [0xc3, 0x28],
        "BC</name></object></annotation>",
      ),
    });
    await expectOdErrorAsync(
      () => loadVoc(root, { checkImages: false }),
      "MALFORMED_ANNOTATION",
      /Annotations\/a\.xml:2: not valid UTF-8 \(byte 28 is 0xc3\)/,
    );
  });
  test("a UTF-8 BOM is fine", async () => {
    const root = await tree("voc-bom", {
      "Annotations/a.xml": bytes([0xef, 0xbb, 0xbf], vocXml("a.jpg", 16, 8, [["é", 1, 1, 5, 5]])),
      "JPEGImages/a.jpg": JPG,
    });
    expect((await loadVoc(root)).classNames).toEqual(["é"]);
  });
  test("YOLO names file and COCO JSON", async () => {
    const y = await tree("yolo-utf8", { "classes.txt": bytes("R", [0xff], "B\n"), "images/a.jpg": JPG });
    await expectOdErrorAsync(() => loadYolo(y), "MALFORMED_ANNOTATION", /classes\.txt:1: not valid UTF-8/);
    const c = await tree("coco-utf8", {
      "i.json": bytes('{"images":[],"annotations":[],"categories":[{"id":1,"name":"R', [0xfe], 'B"}]}'),
    });
    await expectOdErrorAsync(
      () => loadCoco(path.join(c, "i.json")),
      "MALFORMED_ANNOTATION",
      /i\.json:1: not valid UTF-8/,
    );
  });
  test.skipIf(!existsSync("/dev/zero"))("a COCO file that is /dev/zero is refused unread", async () => {
    await expectOdErrorAsync(
      () => loadCoco("/dev/zero"),
      "IO_ERROR",
      /is a character device, not a regular file/,
    );
  });
});
