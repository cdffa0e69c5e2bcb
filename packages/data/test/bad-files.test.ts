import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createDataset,
  MAX_IMAGE_FILE_BYTES,
  MAX_IMAGE_HEADER_BYTES,
  MAX_IMAGE_PIXELS,
} from "../src/index.js";
import {
  checkImageFile,
  decodeImage,
  decodeImageFile,
  dropUndecodableImages,
  loadCoco,
  loadSharp,
  loadVoc,
  loadYolo,
} from "../src/node.js";
import { record } from "./fixtures.js";
import { expectOdErrorAsync, vocXml } from "./helpers.js";

const W = 24;
const H = 16;
function rgba(): Uint8Array {
  const d = new Uint8Array(W * H * 4);
  for (let i = 0; i < d.length; i += 4) d.set([(i * 3) & 255, (i * 7) & 255, 40, 255], i);
  return d;
}
const JPG = new Uint8Array(jpeg.encode({ data: rgba(), width: W, height: H }, 90).data);
const PNGB = (() => {
  const p = new PNG({ width: W, height: H });
  p.data.set(rgba());
  return new Uint8Array(PNG.sync.write(p));
})();
/** The JPEG with its SOF0 size replaced (the rest unchanged). */
function withSofSize(width: number, height: number): Uint8Array {
  const b = Uint8Array.from(JPG);
  for (let i = 2; i + 8 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] === 0xc0) {
      b.set([height >> 8, height & 255, width >> 8, width & 255], i + 5);
      return b;
    }
  }
  throw new Error("no SOF0");
}
/** Truncated: the first half of the file (header intact, entropy-coded data cut). */
const half = (b: Uint8Array) => b.subarray(0, Math.floor(b.length / 2));
const GIF = new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;");
const unix = process.platform !== "win32";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "od-data-bad-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const f = path.join(dir, name);
  await mkdir(path.dirname(f), { recursive: true });
  await writeFile(f, bytes);
  return f;
}
const message = (c: { status: string; message?: string }) => (c.status === "unreadable" ? c.message : "");

describe("checkImageFile: bounded, never blocks", () => {
  test("example table: what is refused, and why", async () => {
    const cases: [string, Uint8Array | string, RegExp][] = [
      ["empty.jpg", new Uint8Array(0), /empty file/],
      ["text.jpg", "hello, not an image", /not a JPEG or PNG \(starts with 68 65 6c 6c\)/],
      ["gif.jpg", GIF, /not a JPEG or PNG \(starts with 47 49 46 38\)/],
      ["cut.png", PNGB.subarray(0, 12), /no size marker/],
      ["huge.jpg", withSofSize(30000, 30000), /30000x30000 = 900000000 px, over the limit of 67108864 px/],
      ["zero.jpg", withSofSize(0, 16), /0x16/],
    ];
    for (const [name, bytes, why] of cases) {
      const c = await checkImageFile(await file(name, bytes));
      expect(c.status, name).toBe("unreadable");
      expect(message(c), name).toMatch(why);
    }
    expect(await checkImageFile(await file("ok.jpg", JPG))).toEqual({
      status: "ok",
      size: { width: W, height: H },
    });
    expect((await checkImageFile(path.join(dir, "none.jpg"))).status).toBe("missing");
    expect((await checkImageFile(path.join(dir, "ok.jpg", "below"))).status).toBe("missing");
  });

  test("a directory is not an image", async () => {
    await mkdir(path.join(dir, "d.jpg"), { recursive: true });
    expect(message(await checkImageFile(path.join(dir, "d.jpg")))).toMatch(/is a directory/);
  });

  test.skipIf(!unix)("a FIFO is refused at once (no writer needed)", async () => {
    const f = path.join(dir, "fifo.jpg");
    execFileSync("mkfifo", [f]);
    expect(message(await checkImageFile(f))).toMatch(/is a FIFO, not a regular file/);
    expect(message(await checkImageFile(f, { decode: true }))).toMatch(/is a FIFO/);
  });

  test.skipIf(!existsSync("/dev/zero"))("/dev/zero and a symlink to it are refused unread", async () => {
    expect(message(await checkImageFile("/dev/zero"))).toMatch(/is a character device/);
    const link = path.join(dir, "zero-link.jpg");
    await symlink("/dev/zero", link);
    expect(message(await checkImageFile(link, { decode: true }))).toMatch(/is a character device/);
  });

  test("a file over MAX_IMAGE_FILE_BYTES is refused from its size (sparse, nothing read)", async () => {
    const f = await file("big.jpg", JPG);
    await truncate(f, MAX_IMAGE_FILE_BYTES + 1);
    const rss = process.memoryUsage().rss;
    const c = await checkImageFile(f, { decode: true });
    expect(message(c)).toMatch(new RegExp(`is ${MAX_IMAGE_FILE_BYTES + 1} bytes, over the limit`));
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
  });

  test("a large file with JPEG magic and no size marker: at most MAX_IMAGE_HEADER_BYTES read", async () => {
    const f = await file("magic.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    await truncate(f, 300 * 2 ** 20);
    const rss = process.memoryUsage().rss;
    const c = await checkImageFile(f);
    expect(message(c)).toMatch(new RegExp(`no size marker in the first ${MAX_IMAGE_HEADER_BYTES} bytes`));
    expect(process.memoryUsage().rss - rss).toBeLessThan(128 * 2 ** 20);
  });

  test("a large non-image file: only its first bytes are read", async () => {
    const f = await file("big.txt.jpg", "plain text");
    await truncate(f, 300 * 2 ** 20);
    const rss = process.memoryUsage().rss;
    expect(message(await checkImageFile(f, { decode: true }))).toMatch(/not a JPEG or PNG/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
  });

  test("decode: true finds what the header alone does not", async () => {
    for (const [name, bytes] of [
      ["half.jpg", half(JPG)],
      ["half.png", half(PNGB)],
    ] as const) {
      const f = await file(name, bytes);
      expect(await checkImageFile(f), name).toEqual({ status: "ok", size: { width: W, height: H } });
      const c = await checkImageFile(f, { decode: true });
      expect(c.status, name).toBe("unreadable");
      expect(message(c), name).toMatch(/cannot decode|sharp/);
    }
    expect(await checkImageFile(await file("ok.png", PNGB), { decode: true })).toEqual({
      status: "ok",
      size: { width: W, height: H },
    });
  });
});

describe("decodeImage: the pixel limit and formats, for every backend", () => {
  const backends = async () => ((await loadSharp()) ? (["js", "sharp"] as const) : (["js"] as const));
  test("a header over MAX_IMAGE_PIXELS is refused before decoding", async () => {
    for (const backend of await backends()) {
      await expectOdErrorAsync(
        () => decodeImage(withSofSize(30000, 30000), { backend, file: "huge.jpg" }),
        "UNREADABLE_IMAGE",
        new RegExp(
          `^decodeImage: huge\\.jpg: header says 30000x30000 = 900000000 px, over the limit of ${MAX_IMAGE_PIXELS} px`,
        ),
      );
    }
  });
  test("only JPEG and PNG, whichever backend", async () => {
    for (const backend of await backends())
      await expectOdErrorAsync(
        () => decodeImage(GIF, { backend, file: "a.gif" }),
        "UNREADABLE_IMAGE",
        /a\.gif: not a JPEG or PNG \(starts with 47 49 46 38\)/,
      );
  });
  test("truncated files are UNREADABLE_IMAGE on every backend", async () => {
    for (const backend of await backends()) {
      await expectOdErrorAsync(() => decodeImage(half(JPG), { backend }), "UNREADABLE_IMAGE", /<bytes>/);
      await expectOdErrorAsync(() => decodeImage(half(PNGB), { backend }), "UNREADABLE_IMAGE", /<bytes>/);
    }
  });
  test.skipIf(!unix)("decodeImageFile refuses a FIFO and /dev/zero without reading", async () => {
    const f = path.join(dir, "fifo2.png");
    execFileSync("mkfifo", [f]);
    await expectOdErrorAsync(() => decodeImageFile(f), "UNREADABLE_IMAGE", /fifo2\.png.*is a FIFO/);
    if (existsSync("/dev/zero"))
      await expectOdErrorAsync(() => decodeImageFile("/dev/zero"), "UNREADABLE_IMAGE", /character device/);
  });
});

describe("dropUndecodableImages", () => {
  async function twoImages(): Promise<string> {
    const root = path.join(dir, "drop");
    await file("drop/good.jpg", JPG);
    await file("drop/cut.jpg", half(JPG));
    return root;
  }
  const rec = (id: string) => ({
    ...record(id, { width: W, height: H }, [[1, 1, 5, 5]], [0]),
    file: `${id}.jpg`,
  });
  test("drops the images that do not decode under the dataset's policy, with a report", async () => {
    const root = await twoImages();
    const ds = {
      ...createDataset({ classNames: ["cell"], images: [rec("good"), rec("cut"), rec("gone")], root }),
    };
    const drop = { ...ds, report: { ...ds.report, policy: "drop" as const } };
    const out = await dropUndecodableImages(drop);
    expect(out.images.map((r) => r.id)).toEqual(["good"]);
    expect(out.report.issues.map((i) => [i.file, i.image, i.index, i.where, i.reason, i.action])).toEqual([
      ["cut.jpg", "cut", -1, "image", "unreadable-image", "image-dropped"],
      ["gone.jpg", "gone", -1, "image", "missing-image", "image-dropped"],
    ]);
    expect(out.report).toMatchObject({
      policy: "drop",
      imagesRead: 3,
      imagesKept: 1,
      boxesKept: 1,
      summary: { "unreadable-image": 1, "missing-image": 1 },
    });
    expect(out.report.issues[0]?.value).toBe("cut.jpg");
    expect(out.report.issues[0]?.detail).toMatch(/^cannot decode jpeg \(/);
    expect(out.report.issues[1]?.detail).toBeUndefined();
    expect(out.root).toBe(root);
  });
  test("policy error (the dataset's, or the option) throws naming the file", async () => {
    const root = await twoImages();
    const ds = createDataset({ classNames: ["cell"], images: [rec("good"), rec("cut")], root });
    await expectOdErrorAsync(
      () => dropUndecodableImages(ds),
      "UNREADABLE_IMAGE",
      /^dropUndecodableImages: image "cut\.jpg" cannot be decoded \(.*\); pass policy "drop" or "clip"/,
    );
    const kept = await dropUndecodableImages(ds, { policy: "clip" });
    expect(kept.images.map((r) => r.id)).toEqual(["good"]);
    expect(kept.report.policy).toBe("clip");
  });
  test("a clean dataset comes back unchanged", async () => {
    const root = await twoImages();
    const ds = createDataset({ classNames: ["cell"], images: [rec("good")], root });
    const out = await dropUndecodableImages(ds);
    expect(out.images).toEqual(ds.images);
    expect(out.report).toEqual(ds.report);
  });
});

describe("loaders with decodeImages", () => {
  test("VOC: a truncated JPEG passes the header check but not the decode", async () => {
    const root = path.join(dir, "voc-decode");
    await file("voc-decode/Annotations/a.xml", vocXml("a.jpg", W, H, [["cell", 1, 1, 5, 5]]));
    await file("voc-decode/Annotations/b.xml", vocXml("b.jpg", W, H, [["cell", 1, 1, 5, 5]]));
    await file("voc-decode/JPEGImages/a.jpg", JPG);
    await file("voc-decode/JPEGImages/b.jpg", half(JPG));
    expect((await loadVoc(root)).images.length).toBe(2);
    await expectOdErrorAsync(
      () => loadVoc(root, { decodeImages: true }),
      "UNREADABLE_IMAGE",
      /image "JPEGImages\/b\.jpg" of Annotations\/b\.xml cannot be read \(.*decode/,
    );
    const ds = await loadVoc(root, { decodeImages: true, policy: "drop" });
    expect(ds.images.map((r) => r.id)).toEqual(["a"]);
    expect(ds.report.summary).toEqual({ "unreadable-image": 1 });
  });
  test("COCO: file_name /dev/zero and a FIFO end as unreadable-image issues", async () => {
    if (!unix || !existsSync("/dev/zero")) return;
    const root = path.join(dir, "coco-dev");
    await file("coco-dev/a.jpg", JPG);
    execFileSync("mkfifo", [path.join(root, "f.jpg")]);
    const json = {
      images: [
        { id: 1, file_name: "a.jpg", width: W, height: H },
        { id: 2, file_name: "/dev/zero", width: W, height: H },
        { id: 3, file_name: "f.jpg", width: W, height: H },
      ],
      annotations: [],
      categories: [{ id: 1, name: "cell" }],
    };
    const f = await file("coco-dev/instances.json", JSON.stringify(json));
    for (const decodeImages of [false, true]) {
      const ds = await loadCoco(f, { policy: "drop", decodeImages });
      expect(ds.images.map((r) => r.id)).toEqual(["1"]);
      expect(ds.report.issues.map((i) => [i.file, i.reason])).toEqual([
        ["/dev/zero", "unreadable-image"],
        ["f.jpg", "unreadable-image"],
      ]);
    }
  });
  test("YOLO: decodeImages drops a truncated PNG", async () => {
    const root = path.join(dir, "yolo-decode");
    await file("yolo-decode/classes.txt", "cell\n");
    await file("yolo-decode/images/a.png", PNGB);
    await file("yolo-decode/images/b.png", half(PNGB));
    const ds = await loadYolo(root, { decodeImages: true, policy: "drop" });
    expect(ds.images.map((r) => r.id)).toEqual(["a"]);
    expect(ds.report.issues.map((i) => i.file)).toEqual(["images/b.png"]);
  });
});
