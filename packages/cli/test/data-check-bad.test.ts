import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errorLine, od, png } from "./helpers.js";

const W = 64;
const H = 48;
const PNG = png(W, H);
/** The PNG with its IHDR size replaced (nothing else). */
function pngClaiming(width: number, height: number): Buffer {
  const b = Buffer.from(PNG);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}
const unix = process.platform !== "win32";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "od-cli-bad-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Files under `dir/name`; returns the folder. */
async function tree(name: string, files: Record<string, Buffer | string>): Promise<string> {
  const root = path.join(dir, name);
  await mkdir(root, { recursive: true });
  for (const [f, b] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await writeFile(path.join(root, f), b);
  }
  return root;
}
const obj = (name: string, box: readonly (number | string)[] = [5, 5, 30, 30], extra = "") =>
  `<object><name>${name}</name>${extra}<bndbox><xmin>${box[0]}</xmin><ymin>${box[1]}</ymin><xmax>${box[2]}</xmax><ymax>${box[3]}</ymax></bndbox></object>`;
const ann = (file: string, objects: string, prolog = "") =>
  `${prolog}<annotation><filename>${file}</filename><size><width>${W}</width><height>${H}</height></size>${objects}</annotation>`;
/** A VOC folder: `a` (clean) plus the given `[id, xml, image | undefined]`. */
function voc(name: string, extra: [string, string, Buffer?][] = [], aObjects = obj("cell")): Promise<string> {
  const files: Record<string, Buffer | string> = {
    "Annotations/a.xml": ann("a.png", aObjects),
    "JPEGImages/a.png": PNG,
  };
  for (const [id, xml, img] of extra) {
    files[`Annotations/${id}.xml`] = xml;
    if (img !== undefined) files[`JPEGImages/${id}.png`] = img;
  }
  return tree(name, files);
}
const coco = (name: string, json: unknown, files: Record<string, Buffer | string> = { "a.png": PNG }) =>
  tree(name, { "instances.json": JSON.stringify(json), ...files }).then((r) =>
    path.join(r, "instances.json"),
  );
const cocoJson = (over: Record<string, unknown> = {}) => ({
  images: [{ id: 1, file_name: "a.png", width: W, height: H }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, 20, 20] }],
  categories: [{ id: 1, name: "cell" }],
  ...over,
});

describe("odet data check: images are decoded, never read unbounded", () => {
  test("a truncated PNG and a header over the pixel limit are listed (file + reason); drop handles them", async () => {
    const root = await voc("decode", [
      ["cut", ann("cut.png", obj("cell")), PNG.subarray(0, Math.floor(PNG.length / 2))],
      ["huge", ann("huge.png", obj("cell")), pngClaiming(30000, 30000)],
    ]);
    const r = await od(["data", "check", root, "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.issues.map((i: { file: string; reason: string }) => [i.file, i.reason])).toEqual([
      ["JPEGImages/cut.png", "unreadable-image"],
      ["JPEGImages/huge.png", "unreadable-image"],
    ]);
    const text = await od(["data", "check", root]);
    expect(text.stdout).toMatch(
      /JPEGImages\/cut\.png\s+image\s+"JPEGImages\/cut\.png"\s+unreadable-image\s+rejected\s+cannot decode png/,
    );
    expect(text.stdout).toMatch(
      /JPEGImages\/huge\.png .*header says 30000x30000 = 900000000 px, over the limit/,
    );
    const drop = await od(["data", "check", root, "--policy", "drop"]);
    expect(drop.code).toBe(0);
    expect(drop.stdout).toContain("images: 3 read, 1 kept");
  });

  test.skipIf(!unix || !existsSync("/dev/zero"))(
    "COCO file_name /dev/zero and a FIFO are refused at once",
    async () => {
      const file = await coco(
        "coco-dev",
        cocoJson({
          images: [
            { id: 1, file_name: "a.png", width: W, height: H },
            { id: 2, file_name: "/dev/zero", width: W, height: H },
            { id: 3, file_name: "fifo.png", width: W, height: H },
          ],
        }),
      );
      execFileSync("mkfifo", [path.join(path.dirname(file), "fifo.png")]);
      const r = await od(["data", "check", file, "--json"]);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.issues.map((i: { file: string; detail: string }) => [i.file, i.detail])).toEqual([
        ["/dev/zero", expect.stringMatching(/is a character device, not a regular file/)],
        ["fifo.png", expect.stringMatching(/is a FIFO, not a regular file/)],
      ]);
    },
  );

  test("--headers-only skips decoding (and so misses a truncated image)", async () => {
    const root = await voc("headers", [["cut", ann("cut.png", obj("cell")), PNG.subarray(0, 100)]]);
    expect((await od(["data", "check", root, "--headers-only"])).code).toBe(0);
    expect((await od(["data", "check", root])).code).toBe(1);
  });
});

describe("odet data check: malformed files are exit 2 naming the file", () => {
  const laughs = `<!DOCTYPE annotation [<!ENTITY lol "lol">${Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 2} "${`&lol${i === 0 ? "" : i + 1};`.repeat(10)}">`).join("")}]>`;
  test.each([
    [
      "an external entity",
      ann("b.png", obj("&xxe;"), '<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
      /Annotations\/b\.xml:1:1: DOCTYPE declarations are not accepted/,
    ],
    [
      "an entity over 10k characters",
      ann("b.png", obj("&big;"), `<!DOCTYPE annotation [<!ENTITY big "${"x".repeat(20000)}">]>`),
      /Annotations\/b\.xml:1:1: DOCTYPE/,
    ],
    ["billion laughs", ann("b.png", obj("&lol9;"), laughs), /Annotations\/b\.xml:1:1: DOCTYPE/],
    [
      "50k-deep nesting",
      ann("b.png", `${"<x>".repeat(50000)}${"</x>".repeat(50000)}${obj("cell")}`),
      /Annotations\/b\.xml:1:\d+: XML nested deeper than 100 elements/,
    ],
    [
      "an undeclared &lol9;",
      ann("b.png", obj("&lol9;")),
      /Annotations\/b\.xml:1:\d+: entity reference &lol9; is not accepted/,
    ],
    [
      "a hex coordinate",
      ann("b.png", obj("cell", ["0x10", 5, 30, 30])),
      /Annotations\/b\.xml: object\[0\] <bndbox><xmin> must be a decimal number .*; got "0x10"/,
    ],
    [
      "a non-numeric width",
      ann("b.png", obj("cell")).replace(`<width>${W}</width>`, "<width>abc</width>"),
      /Annotations\/b\.xml: <size><width> must be a positive decimal number .*; got "abc"/,
    ],
    [
      "a negative width",
      ann("b.png", obj("cell")).replace(`<width>${W}</width>`, "<width>-64</width>"),
      /<size><width> must be a positive decimal number .*; got "-64"/,
    ],
    [
      "difficult yes",
      ann("b.png", obj("cell", undefined, "<difficult>yes</difficult>")),
      /Annotations\/b\.xml: object\[0\] <difficult> must be 0 or 1; got "yes"/,
    ],
    [
      "truncated 2",
      ann("b.png", obj("cell", undefined, "<truncated>2</truncated>")),
      /object\[0\] <truncated> must be 0 or 1; got "2"/,
    ],
  ])("%s", async (name, xml, why) => {
    const root = await voc(`xml-${name.replace(/\W+/g, "-")}`, [["b", xml, PNG]]);
    const r = await od(["data", "check", root]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data check")).toMatch(why);
  });

  test("invalid UTF-8 in a class name", async () => {
    const root = await voc("utf8", [["b", "written below", PNG]]);
    await writeFile(
      path.join(root, "Annotations", "b.xml"),
      Buffer.concat([
        Buffer.from(ann("b.png", "").replace("</annotation>", "<object><name>R")),
        Buffer.from([0xc3, 0x28]),
        Buffer.from("BC</name></object></annotation>"),
      ]),
    );
    const r = await od(["data", "check", root]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data check")).toMatch(
      /Annotations\/b\.xml:1: not valid UTF-8 \(byte \d+ is 0xc3\)/,
    );
  });

  test("COCO: duplicate category ids or names name both entries", async () => {
    const ids = await coco(
      "coco-ids",
      cocoJson({
        categories: [
          { id: 1, name: "RBC" },
          { id: 1, name: "Platelets" },
        ],
      }),
    );
    const r = await od(["data", "check", ids]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data check")).toMatch(
      /instances\.json: categories\[0\] \("RBC"\) and categories\[1\] \("Platelets"\) both have id 1/,
    );
    const names = await coco(
      "coco-names",
      cocoJson({
        categories: [
          { id: 1, name: "RBC" },
          { id: 2, name: "RBC" },
        ],
      }),
    );
    expect(errorLine((await od(["data", "check", names])).stderr, "data check")).toMatch(
      /categories\[0\] \(id 1\) and categories\[1\] \(id 2\) are both named "RBC"/,
    );
  });

  test("ImageSets: an id with spaces, an id without annotation", async () => {
    const root = await voc("sets");
    await mkdir(path.join(root, "ImageSets", "Main"), { recursive: true });
    await writeFile(path.join(root, "ImageSets", "Main", "s.txt"), "a\nBlood Image 1\n");
    await writeFile(path.join(root, "ImageSets", "Main", "t.txt"), "a\nzzz\n");
    expect(errorLine((await od(["data", "check", root, "--split", "s"])).stderr, "data check")).toMatch(
      /ImageSets\/Main\/s\.txt:2: "Blood Image 1" is not an image id: ids cannot contain spaces/,
    );
    expect(errorLine((await od(["data", "check", root, "--split", "t"])).stderr, "data check")).toMatch(
      /ImageSets\/Main\/t\.txt:2: image id "zzz" has no annotation Annotations\/zzz\.xml/,
    );
  });
});

describe("odet data check: empty datasets and what policies leave", () => {
  test("an empty dataset is exit 2 (VOC, COCO, YOLO)", async () => {
    const v = await tree("empty-voc", { "Annotations/readme.txt": "" });
    expect(errorLine((await od(["data", "check", v])).stderr, "data check")).toMatch(
      /no images: .*has no \.xml file/,
    );
    const c = await coco(
      "empty-coco",
      { images: [], annotations: [], categories: [{ id: 1, name: "a" }] },
      {},
    );
    expect((await od(["data", "check", c])).code).toBe(2);
    const y = await tree("empty-yolo", { "classes.txt": "a\n", "images/x.txt": "" });
    const r = await od(["data", "check", y]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data check")).toMatch(/no images: .*has no JPEG or PNG file/);
  });
  test("every image dropped by the policy is exit 2 after the report", async () => {
    const root = await voc("all-dropped", [], obj("cell", [5, 5, 30, 30]));
    await writeFile(path.join(root, "JPEGImages", "a.png"), "not an image");
    const r = await od(["data", "check", root, "--policy", "drop"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("unreadable-image");
    expect(errorLine(r.stderr, "data check")).toMatch(
      /no image is left under policy drop \(1 read, all dropped\)/,
    );
  });
});

describe("odet data check: boxes and classes", () => {
  test("a 1e30 coordinate is far-outside-image under clip, not a full-image box", async () => {
    const root = await voc("far", [], obj("cell", [5, 5, "1e30", 30]) + obj("cell"));
    const r = await od(["data", "check", root, "--policy", "clip", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.issues).toEqual([
      expect.objectContaining({
        where: "object[0]",
        value: [5, 5, 1e30, 30],
        reason: "far-outside-image",
        action: "dropped",
      }),
    ]);
    expect(j.boxesKept).toBe(1);
    const coco1 = await coco(
      "far-coco",
      cocoJson({ annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 1e30, 1e30] }] }),
    );
    expect(
      JSON.parse((await od(["data", "check", coco1, "--policy", "clip", "--json"])).stdout).summary,
    ).toEqual({
      "far-outside-image": 1,
    });
  });

  test("case variants and typos of class names are reported; policy error fails the check", async () => {
    const root = await voc(
      "variants",
      [
        ["b", ann("b.png", obj("rbc")), PNG],
        ["c", ann("c.png", obj("Plateletts")), PNG],
      ],
      obj("RBC") + obj("RBC") + obj("Platelets"),
    );
    const r = await od(["data", "check", root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'similar class names: "Platelets" (1 box) and "Plateletts" (1 box) differ by one edit',
    );
    expect(r.stdout).toContain('"RBC" (2 boxes) and "rbc" (1 box) differ in case');
    const drop = await od(["data", "check", root, "--policy", "drop", "--json"]);
    expect(drop.code).toBe(0);
    expect(JSON.parse(drop.stdout).similarClassNames).toEqual([
      { names: ["Platelets", "Plateletts"], similarity: "one-edit", boxes: [1, 1] },
      { names: ["RBC", "rbc"], similarity: "case", boxes: [2, 1] },
    ]);
  });

  test("--classes: names outside the list are unknown-class issues with a suggestion", async () => {
    const root = await voc("classes", [["b", ann("b.png", obj("Platelet")), PNG]], obj("RBC"));
    const r = await od(["data", "check", root, "--classes", "RBC,Platelets,WBC"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /Annotations\/b\.xml\s+object\[0\]\s+"Platelet"\s+unknown-class\s+rejected\s+did you mean "Platelets"\?/,
    );
    const ok = await od(["data", "check", root, "--classes", "RBC,Platelet", "--json"]);
    expect(JSON.parse(ok.stdout).classNames).toEqual(["RBC", "Platelet"]);
    const bad = await od(["data", "check", root, "--classes", "RBC,,RBC"]);
    expect(bad.code).toBe(2);
  });

  test("YOLO: a label file without an image is listed", async () => {
    const root = await tree("yolo-orphan", {
      "classes.txt": "cell\n",
      "images/a.png": PNG,
      "labels/a.txt": "0 0.5 0.5 0.2 0.2\n",
      "labels/ghost.txt": "0 0.5 0.5 0.2 0.2\n",
    });
    const r = await od(["data", "check", root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /labels\/ghost\.txt\s+image\s+"images\/ghost\.\{jpg,jpeg,png\}"\s+missing-image\s+rejected/,
    );
  });
});
