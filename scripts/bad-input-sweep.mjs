#!/usr/bin/env node
/**
 * Feeds hundreds of broken datasets (VOC, COCO, YOLO; annotations, images, split lists, names files)
 * to `odet data check` in-process and classifies what each one got:
 *
 * - `error`:    exit 2 with a one-line reason that names the broken file;
 * - `reported`: exit 1 (policy `error`) with every issue listed, one of them naming the broken file;
 * - `documented`: exit 0 under a documented reading (e.g. a VOC `<size>` of 0 means "unknown");
 * - `accepted`: exit 0 for an input that is valid after all (a BOM, CRLF, comments, CDATA, ...);
 * - `rejected-valid`: a valid input refused;
 * - `crash`:    exit 3, an exception, more than 30 s, or a reason that does not name the file;
 * - `silent`:   exit 0 with no issue, for an input that is broken.
 *
 * Usage: `node scripts/bad-input-sweep.mjs [--json] [--only <substring>]` after `npm run build`.
 * Prints one line per case that is `crash` or `silent` (and, with `--verbose`, every case), then a
 * table of counts per family; the JSON summary with `--json`. Exit 1 when any case is `crash` or
 * `silent`. Uses the BCCD slice shipped in `packages/cli/demo-data` (3 images).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@od/cli";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const demo = path.join(repo, "packages/cli/demo-data/bccd");
const IDS = ["BloodImage_00000", "BloodImage_00001", "BloodImage_00002"];
const TARGET = IDS[1];
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const verbose = args.includes("--verbose");

const work = mkdtempSync(path.join(tmpdir(), "od-sweep-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

const xmlOf = (id) => readFileSync(path.join(demo, "Annotations", `${id}.xml`), "utf8");
const jpgOf = (id) => readFileSync(path.join(demo, "JPEGImages", `${id}.jpg`));

/** A clean 3-image VOC folder; returns its path. */
function vocBase(name) {
  const root = path.join(work, name);
  mkdirSync(path.join(root, "Annotations"), { recursive: true });
  mkdirSync(path.join(root, "JPEGImages"), { recursive: true });
  mkdirSync(path.join(root, "ImageSets/Main"), { recursive: true });
  for (const id of IDS) {
    writeFileSync(path.join(root, "Annotations", `${id}.xml`), xmlOf(id));
    cpSync(path.join(demo, "JPEGImages", `${id}.jpg`), path.join(root, "JPEGImages", `${id}.jpg`));
  }
  writeFileSync(path.join(root, "ImageSets/Main/trainval.txt"), `${IDS.join("\n")}\n`);
  return root;
}

/** Boxes of the clean VOC annotations: `[{ name, box: [x1, y1, x2, y2] }]` per id. */
function objectsOf(id) {
  const xml = xmlOf(id);
  return [
    ...xml.matchAll(
      /<object>[\s\S]*?<name>(.*?)<\/name>[\s\S]*?<xmin>(\d+)<\/xmin>\s*<ymin>(\d+)<\/ymin>\s*<xmax>(\d+)<\/xmax>\s*<ymax>(\d+)<\/ymax>/g,
    ),
  ].map((m) => ({ name: m[1], box: [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])] }));
}
const CLASSES = ["Platelets", "RBC", "WBC"];

/** A clean COCO dataset object for the 3 images. */
function cocoJson() {
  const images = IDS.map((id, i) => ({ id: i + 1, file_name: `${id}.jpg`, width: 640, height: 480 }));
  const annotations = [];
  let n = 1;
  IDS.forEach((id, i) => {
    for (const o of objectsOf(id)) {
      const [x1, y1, x2, y2] = o.box;
      annotations.push({
        id: n++,
        image_id: i + 1,
        category_id: CLASSES.indexOf(o.name) + 1,
        bbox: [x1, y1, x2 - x1, y2 - y1],
        area: (x2 - x1) * (y2 - y1),
        iscrowd: 0,
      });
    }
  });
  const categories = CLASSES.map((name, i) => ({ id: i + 1, name }));
  return { images, annotations, categories };
}
/** Writes a COCO folder (`instances.json` + images); `json` may be a string; returns the JSON path. */
function cocoBase(name, json = cocoJson()) {
  const root = path.join(work, name);
  mkdirSync(root, { recursive: true });
  for (const id of IDS) cpSync(path.join(demo, "JPEGImages", `${id}.jpg`), path.join(root, `${id}.jpg`));
  const file = path.join(root, "instances.json");
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}
/** YOLO label lines of an id. */
function yoloLines(id) {
  return objectsOf(id).map((o) => {
    const [x1, y1, x2, y2] = o.box;
    const f = (v) => v.toFixed(6);
    return `${CLASSES.indexOf(o.name)} ${f((x1 + x2) / 2 / 640)} ${f((y1 + y2) / 2 / 480)} ${f((x2 - x1) / 640)} ${f((y2 - y1) / 480)}`;
  });
}
/** A clean YOLO folder; returns its path. */
function yoloBase(name) {
  const root = path.join(work, name);
  mkdirSync(path.join(root, "images"), { recursive: true });
  mkdirSync(path.join(root, "labels"), { recursive: true });
  for (const id of IDS) {
    cpSync(path.join(demo, "JPEGImages", `${id}.jpg`), path.join(root, "images", `${id}.jpg`));
    writeFileSync(path.join(root, "labels", `${id}.txt`), `${yoloLines(id).join("\n")}\n`);
  }
  writeFileSync(path.join(root, "classes.txt"), `${CLASSES.join("\n")}\n`);
  return root;
}

/** @type {{ family: string, name: string, valid?: boolean, documented?: string, names?: string, build: (dir: string) => string, extra?: string[] }[]} */
const cases = [];
const add = (c) => cases.push(c);

// ---- VOC: one field of the target annotation replaced -------------------------------------------
const numberJunk = [
  "",
  "abc",
  "0x10",
  "0b11",
  "0o7",
  "1e30",
  "-1e30",
  "NaN",
  "Infinity",
  "-Infinity",
  "12abc",
  "1,5",
  "++3",
  "1e",
  ".",
  "9".repeat(400),
  "１２",
  "1_000",
  "12 34",
];
function replaceFirst(xml, tag, value) {
  return xml.replace(new RegExp(`<${tag}>[^<]*</${tag}>`), `<${tag}>${value}</${tag}>`);
}
function vocWith(_name, mutate) {
  return (d) => {
    const root = vocBase(d);
    const f = path.join(root, "Annotations", `${TARGET}.xml`);
    writeFileSync(f, mutate(readFileSync(f, "utf8")));
    return root;
  };
}
for (const tag of ["xmin", "ymin", "xmax", "ymax"]) {
  for (const v of [...numberJunk, "-5", "-100000", "700000"])
    add({
      family: "voc-box-number",
      name: `${tag}=${JSON.stringify(v).slice(0, 20)}`,
      build: vocWith("", (x) => replaceFirst(x, tag, v)),
    });
  add({
    family: "voc-box-number",
    name: `${tag} fractional`,
    valid: true,
    build: vocWith("", (x) =>
      x.replace(new RegExp(`<${tag}>(\\d+)</${tag}>`), (_, v) => `<${tag}>${Number(v) - 0.5}</${tag}>`),
    ),
  });
  add({
    family: "voc-box-number",
    name: `${tag} with spaces`,
    valid: true,
    build: vocWith("", (x) => x.replace(new RegExp(`<${tag}>([^<]*)</${tag}>`), `<${tag}> $1 </${tag}>`)),
  });
}
const SIZE_UNKNOWN = "VOC <size> 0 or empty means unknown: the image header gives the size (parseVocXml)";
for (const tag of ["width", "height"]) {
  for (const v of ["", "0"])
    add({
      family: "voc-size",
      name: `${tag}=${JSON.stringify(v)}`,
      documented: SIZE_UNKNOWN,
      build: vocWith("", (x) => replaceFirst(x, tag, v)),
    });
  for (const v of [...numberJunk.filter((n) => n !== ""), "-640", "99999999", "1"])
    add({
      family: "voc-size",
      name: `${tag}=${JSON.stringify(v).slice(0, 20)}`,
      build: vocWith("", (x) => replaceFirst(x, tag, v)),
    });
}
add({
  family: "voc-difficult",
  name: `difficult=""`,
  documented: "an empty <difficult> is absent: 0 (parseVocXml)",
  build: vocWith("", (x) => replaceFirst(x, "difficult", "")),
});
for (const v of ["yes", "no", "2", "-1", "true", "0.5", "1e0", " 1 x"])
  add({
    family: "voc-difficult",
    name: `difficult=${JSON.stringify(v)}`,
    build: vocWith("", (x) => replaceFirst(x, "difficult", v)),
  });
add({
  family: "voc-class-name",
  name: "name with surrounding spaces",
  valid: true,
  names: "Platelets,RBC,WBC",
  build: vocWith("", (x) => replaceFirst(x, "name", " RBC ")),
});
for (const v of [
  "",
  "rbc",
  "R B C",
  "Rbc",
  "RBCs",
  "WBC\u200b",
  "Ｒ BC",
  "Platelet",
  "dog",
  "&lol9;",
  "RB\uFFFDC",
])
  add({
    family: "voc-class-name",
    name: `name=${JSON.stringify(v)}`,
    names: "Platelets,RBC,WBC",
    build: vocWith("", (x) => replaceFirst(x, "name", v)),
  });
// structure
const structure = {
  "no bndbox": (x) => x.replace(/<bndbox>[\s\S]*?<\/bndbox>/, ""),
  "no name": (x) => x.replace(/<name>[^<]*<\/name>/, ""),
  "no xmin": (x) => x.replace(/<xmin>[^<]*<\/xmin>/, ""),
  "two xmin": (x) => x.replace(/(<xmin>[^<]*<\/xmin>)/, "$1<xmin>3</xmin>"),
  "two names": (x) => x.replace(/(<name>[^<]*<\/name>)/, "$1<name>RBC</name>"),
  "empty object": (x) => x.replace("</annotation>", "<object></object></annotation>"),
  "swapped x": (x) =>
    x.replace(/<xmin>(\d+)<\/xmin>([\s\S]*?)<xmax>(\d+)<\/xmax>/, "<xmin>$3</xmin>$2<xmax>$1</xmax>"),
  "zero-width box": (x) =>
    x.replace(/<xmin>(\d+)<\/xmin>([\s\S]*?)<xmax>(\d+)<\/xmax>/, "<xmin>$1</xmin>$2<xmax>$1</xmax>"),
  "box outside the image": (x) =>
    x.replace(/<xmin>\d+<\/xmin>([\s\S]*?)<xmax>\d+<\/xmax>/, "<xmin>700</xmin>$1<xmax>800</xmax>"),
  "box partly outside": (x) => x.replace(/<xmax>\d+<\/xmax>/, "<xmax>660</xmax>"),
  "empty file": () => "",
  "not xml": () => "hello, world",
  binary: () => "\u0000\u0001\u0002\u00ff",
  "unclosed tag": (x) => x.replace("</annotation>", ""),
  "mismatched tag": (x) => x.replace("</size>", "</sise>"),
  "two roots": (x) => `${x}<annotation></annotation>`,
  "billion laughs": () =>
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><annotation><filename>${TARGET}.jpg</filename><object><name>&lol9;</name></object></annotation>`,
  "external entity": (x) =>
    x
      .replace("<annotation>", `<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><annotation>`)
      .replace(/<name>[^<]*<\/name>/, "<name>&xxe;</name>"),
  "undefined entity": (x) => x.replace(/<name>[^<]*<\/name>/, "<name>&lol9;</name>"),
  "10k-char entity": (x) =>
    x
      .replace("<annotation>", `<!DOCTYPE a [<!ENTITY big "${"A".repeat(20000)}">]><annotation>`)
      .replace(/<name>[^<]*<\/name>/, "<name>&big;</name>"),
  "50k-deep nesting": (x) =>
    x.replace("</annotation>", `${"<a>".repeat(50000)}${"</a>".repeat(50000)}</annotation>`),
  "invalid UTF-8 name": (x) =>
    Buffer.concat([
      Buffer.from(x.split("<name>WBC</name>")[0]),
      Buffer.from("<name>"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("</name>"),
      Buffer.from(x.split("<name>WBC</name>").slice(1).join("<name>WBC</name>")),
    ]),
  "UTF-16 file": (x) => Buffer.from(`\ufeff${x}`, "utf16le"),
  "filename ../ traversal": (x) => replaceFirst(x, "filename", "../../../../etc/passwd"),
  "filename /dev/zero": (x) => replaceFirst(x, "filename", "/dev/zero"),
  "filename missing image": (x) => replaceFirst(x, "filename", "nothere.jpg"),
};
add({
  family: "voc-structure",
  name: "no size",
  documented: SIZE_UNKNOWN,
  build: vocWith("", (x) => x.replace(/<size>[\s\S]*?<\/size>/, "")),
});
add({
  family: "voc-structure",
  name: "filename empty",
  documented: "an empty <filename> is absent: <id>.jpg (vocImageFile)",
  build: vocWith("", (x) => replaceFirst(x, "filename", "")),
});
add({
  family: "voc-structure",
  name: "object in object",
  documented: "unknown child elements are ignored (the outer object is read)",
  build: vocWith("", (x) => x.replace(/<object>/, "<object><object><name>RBC</name></object>")),
});
for (const [name, f] of Object.entries(structure))
  add({ family: "voc-structure", name, build: vocWith("", f) });
const benign = {
  BOM: (x) => `\ufeff${x}`,
  CRLF: (x) => x.replace(/\n/g, "\r\n"),
  comments: (x) => x.replace("<object>", "<!-- a comment --><object>"),
  "CDATA name": (x) => x.replace(/<name>WBC<\/name>/, "<name><![CDATA[WBC]]></name>"),
  "xml declaration": (x) => `<?xml version="1.0" encoding="UTF-8"?>\n${x}`,
  attributes: (x) => x.replace("<annotation>", `<annotation verified="yes">`),
  "unknown extra elements": (x) => x.replace("<object>", "<object><color>red</color>"),
  "no difficult element": (x) => x.replace(/<difficult>[^<]*<\/difficult>/g, ""),
};
for (const [name, f] of Object.entries(benign))
  add({ family: "voc-benign", name, valid: true, build: vocWith("", f) });
// annotations truncated at k bytes
for (const k of [1, 10, 50, 100, 200, 400, 800])
  add({ family: "voc-structure", name: `truncated at ${k} bytes`, build: vocWith("", (x) => x.slice(0, k)) });

// ---- images (VOC target image) ------------------------------------------------------------------
function vocImage(f) {
  return (d) => {
    const root = vocBase(d);
    const img = path.join(root, "JPEGImages", `${TARGET}.jpg`);
    f(img, jpgOf(TARGET));
    return root;
  };
}
const jpg = jpgOf(TARGET);
for (const k of [0, 1, 2, 10, 100, 1000, Math.floor(jpg.length / 2), jpg.length - 2])
  add({
    family: "image",
    name: `JPEG truncated at ${k} bytes`,
    build: vocImage((p, b) => writeFileSync(p, b.subarray(0, k))),
  });
for (const at of [0.1, 0.3, 0.5, 0.7, 0.9])
  add({
    family: "image",
    name: `JPEG with garbage from ${at * 100}%`,
    build: vocImage((p, b) => {
      const c = Buffer.from(b);
      c.fill(0x55, Math.floor(c.length * at));
      writeFileSync(p, c);
    }),
  });
add({
  family: "image",
  name: "random bytes",
  build: vocImage((p, b) => {
    const c = Buffer.alloc(b.length);
    for (let i = 0; i < c.length; i++) c[i] = (i * 2654435761) >>> 24;
    writeFileSync(p, c);
  }),
});
add({ family: "image", name: "text file", build: vocImage((p) => writeFileSync(p, "not an image")) });
/** The JPEG with the size in its start-of-frame header replaced by `side` x `side`. */
function jpegClaiming(side) {
  return vocImage((p, b) => {
    const c = Buffer.from(b);
    for (let i = 2; i < c.length - 9; i++)
      if (c[i] === 0xff && (c[i + 1] === 0xc0 || c[i + 1] === 0xc2)) {
        c.writeUInt16BE(side, i + 5);
        c.writeUInt16BE(side, i + 7);
        break;
      }
    writeFileSync(p, c);
  });
}
for (const side of [65535, 30000, 0])
  add({ family: "image", name: `SOF claims ${side}x${side}`, build: jpegClaiming(side) });
add({
  family: "image",
  name: "a directory",
  build: vocImage((p) => {
    rmSync(p);
    mkdirSync(p);
  }),
});
add({
  family: "image",
  name: "symlink to /dev/zero",
  build: vocImage((p) => {
    rmSync(p);
    symlinkSync("/dev/zero", p);
  }),
});
add({
  family: "image",
  name: "symlink to /dev/urandom",
  build: vocImage((p) => {
    rmSync(p);
    symlinkSync("/dev/urandom", p);
  }),
});
add({
  family: "image",
  name: "dangling symlink",
  build: vocImage((p) => {
    rmSync(p);
    symlinkSync("/nonexistent/x.jpg", p);
  }),
});
add({
  family: "image",
  name: "symlink loop",
  build: vocImage((p) => {
    rmSync(p);
    symlinkSync(p, p);
  }),
});
add({
  family: "image",
  name: "FIFO",
  build: vocImage((p) => {
    rmSync(p);
    execFileSync("mkfifo", [p]);
  }),
});
add({ family: "image", name: "missing", build: vocImage((p) => rmSync(p)) });
add({
  family: "image",
  name: "image size differs from the XML",
  build: vocWith("", (x) => replaceFirst(replaceFirst(x, "width", "320"), "height", "240")),
});

// ---- VOC split lists --------------------------------------------------------------------------------
function vocList(text) {
  return (d) => {
    const root = vocBase(d);
    writeFileSync(path.join(root, "ImageSets/Main/trainval.txt"), text);
    return root;
  };
}
const SPLIT = ["--split", "trainval"];
add({
  family: "voc-split",
  extra: SPLIT,
  name: "id with spaces",
  build: vocList(`${IDS[0]}\nBlood Image 1\n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "id without annotation",
  build: vocList(`${IDS.join("\n")}\nBloodImage_99999\n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "duplicate id",
  build: vocList(`${IDS.join("\n")}\n${IDS[0]}\n`),
});
add({ family: "voc-split", extra: SPLIT, name: "empty list", build: vocList("") });
add({
  family: "voc-split",
  extra: SPLIT,
  name: "path traversal id",
  build: vocList(`${IDS[0]}\n../../etc/passwd\n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "invalid UTF-8",
  build: vocList(Buffer.from([0x42, 0xc3, 0x28, 0x0a])),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "CRLF",
  valid: true,
  build: vocList(`${IDS.join("\r\n")}\r\n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "blank lines",
  valid: true,
  build: vocList(`\n${IDS.join("\n\n")}\n\n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "trailing spaces",
  valid: true,
  build: vocList(`${IDS.join("  \n")}  \n`),
});
add({
  family: "voc-split",
  extra: SPLIT,
  name: "VOC '<id> 1' form",
  valid: true,
  build: vocList(`${IDS.map((i) => `${i}  1`).join("\n")}\n`),
});

// ---- COCO -------------------------------------------------------------------------------------
const cocoWith = (f) => (d) => {
  const j = cocoJson();
  const r = f(j);
  return cocoBase(d, r === undefined ? j : r);
};
const coco = {
  "duplicate category id": (j) => {
    j.categories[1].id = 1;
  },
  "duplicate category name": (j) => {
    j.categories[1].name = "Platelets";
  },
  "category name case variant": (j) => {
    j.categories.push({ id: 4, name: "rbc" });
  },
  "unknown category_id": (j) => {
    j.annotations[0].category_id = 99;
  },
  "category_id as string": (j) => {
    j.annotations[0].category_id = "1";
  },
  "unknown image_id": (j) => {
    j.annotations[0].image_id = 99;
  },
  "duplicate image id": (j) => {
    j.images[1].id = 1;
  },
  "duplicate annotation id": (j) => {
    j.annotations[1].id = j.annotations[0].id;
  },
  "bbox negative width": (j) => {
    j.annotations[0].bbox[2] = -10;
  },
  "bbox zero height": (j) => {
    j.annotations[0].bbox[3] = 0;
  },
  "bbox strings": (j) => {
    j.annotations[0].bbox = j.annotations[0].bbox.map(String);
  },
  "bbox length 3": (j) => {
    j.annotations[0].bbox = j.annotations[0].bbox.slice(0, 3);
  },
  "bbox null": (j) => {
    j.annotations[0].bbox = null;
  },
  "bbox missing": (j) => {
    delete j.annotations[0].bbox;
  },
  "bbox 1e30": (j) => {
    j.annotations[0].bbox[0] = 1e30;
  },
  "bbox -1e30": (j) => {
    j.annotations[0].bbox[1] = -1e30;
  },
  "bbox 1e308 size": (j) => {
    j.annotations[0].bbox[2] = 1e308;
  },
  "bbox far outside": (j) => {
    j.annotations[0].bbox = [5000, 5000, 10, 10];
  },
  "file_name traversal": (j) => {
    j.images[0].file_name = "../../../../etc/passwd";
  },
  "file_name /dev/zero": (j) => {
    j.images[0].file_name = "/dev/zero";
  },
  "file_name missing": (j) => {
    j.images[0].file_name = "nothere.jpg";
  },
  "file_name empty": (j) => {
    j.images[0].file_name = "";
  },
  "file_name number": (j) => {
    j.images[0].file_name = 7;
  },
  "width string": (j) => {
    j.images[0].width = "640";
  },
  "width negative": (j) => {
    j.images[0].width = -640;
  },
  "width huge": (j) => {
    j.images[0].width = 1e9;
  },
  "width differs from image": (j) => {
    j.images[0].width = 320;
  },
  "images missing": (j) => {
    delete j.images;
  },
  "images not array": (j) => {
    j.images = {};
  },
  "annotations not array": (j) => {
    j.annotations = "x";
  },
  "categories missing": (j) => {
    delete j.categories;
  },
  "empty images list": (j) => {
    j.images = [];
    j.annotations = [];
  },
  "iscrowd 2": (j) => {
    j.annotations[0].iscrowd = 2;
  },
  "iscrowd string": (j) => {
    j.annotations[0].iscrowd = "no";
  },
  "category name empty": (j) => {
    j.categories[0].name = "";
  },
  "category name not a string": (j) => {
    j.categories[0].name = 5;
  },
  "annotation not an object": (j) => {
    j.annotations[0] = 5;
  },
  "top level array": () => [],
  "top level null": () => null,
};
add({
  family: "coco",
  name: "width 0",
  documented: "COCO width 0 means unknown: the image header gives it (CocoSchema)",
  build: cocoWith((j) => {
    j.images[0].width = 0;
  }),
});
add({
  family: "coco",
  name: "annotations missing",
  documented:
    "an instances file without annotations (image_info) is all negatives; data check prints 0 boxes",
  build: cocoWith((j) => {
    delete j.annotations;
  }),
});
for (const [name, f] of Object.entries(coco)) add({ family: "coco", name, build: cocoWith(f) });
add({
  family: "coco",
  name: "category id 0 is fine in COCO",
  valid: true,
  build: cocoWith((j) => {
    for (const c of j.categories) c.id -= 1;
    for (const a of j.annotations) a.category_id -= 1;
  }),
});
add({
  family: "coco",
  name: "extra fields",
  valid: true,
  build: cocoWith((j) => {
    j.info = { year: 2024 };
    j.annotations[0].segmentation = [[1, 2, 3, 4]];
  }),
});
add({
  family: "coco",
  name: "image without annotations",
  valid: true,
  build: cocoWith((j) => {
    j.annotations = j.annotations.filter((a) => a.image_id !== 2);
  }),
});
for (const [name, text] of Object.entries({
  "truncated JSON": JSON.stringify(cocoJson()).slice(0, 300),
  "empty file": "",
  "not JSON": "images: []",
  "NaN literal": JSON.stringify(cocoJson()).replace(/"bbox":\[\d+/, '"bbox":[NaN'),
  "deeply nested": `${"[".repeat(100000)}${"]".repeat(100000)}`,
  "huge number literal": JSON.stringify(cocoJson()).replace(/"bbox":\[\d+/, `"bbox":[${"9".repeat(400)}`),
  BOM: `\ufeff${JSON.stringify(cocoJson())}`,
}))
  add({ family: "coco", name, valid: name === "BOM", build: (d) => cocoBase(d, text) });

// ---- YOLO ---------------------------------------------------------------------------------------
function yoloWith(mutate) {
  return (d) => {
    const root = yoloBase(d);
    const f = path.join(root, "labels", `${TARGET}.txt`);
    const lines = readFileSync(f, "utf8").trimEnd().split("\n");
    const out = mutate(lines, root);
    if (out !== undefined) writeFileSync(f, out);
    return root;
  };
}
const setField = (k, v) => (lines) => {
  const p = lines[0].split(" ");
  p[k] = v;
  lines[0] = p.join(" ");
  return `${lines.join("\n")}\n`;
};
for (const [k, label] of [
  [0, "class"],
  [1, "cx"],
  [2, "cy"],
  [3, "w"],
  [4, "h"],
])
  for (const v of ["abc", "0x1", "NaN", "inf", "-1", "1e30", "", "1,5"])
    add({ family: "yolo", name: `${label}=${JSON.stringify(v)}`, build: yoloWith(setField(k, v)) });
for (const v of ["3", "99", "1.5", "-0.5"])
  add({ family: "yolo", name: `class=${v}`, build: yoloWith(setField(0, v)) });
for (const v of ["1.2", "0"]) add({ family: "yolo", name: `w=${v}`, build: yoloWith(setField(3, v)) });
add({
  family: "yolo",
  name: "4 columns",
  build: yoloWith((l) => {
    l[0] = l[0].split(" ").slice(0, 4).join(" ");
    return l.join("\n");
  }),
});
add({
  family: "yolo",
  name: "6 columns",
  build: yoloWith((l) => {
    l[0] = `${l[0]} 0.5`;
    return l.join("\n");
  }),
});
add({ family: "yolo", name: "invalid UTF-8", build: yoloWith(() => Buffer.from([0x30, 0x20, 0xc3, 0x28])) });
add({
  family: "yolo",
  name: "orphan label file",
  build: yoloWith((_l, root) => {
    writeFileSync(path.join(root, "labels", "orphan.txt"), "0 0.5 0.5 0.1 0.1\n");
  }),
});
add({
  family: "yolo",
  name: "no names file",
  build: yoloWith((_l, root) => {
    rmSync(path.join(root, "classes.txt"));
  }),
});
add({
  family: "yolo",
  name: "names file with a duplicate",
  build: yoloWith((_l, root) => {
    writeFileSync(path.join(root, "classes.txt"), "Platelets\nRBC\nRBC\n");
  }),
});
add({
  family: "yolo",
  name: "names file case variant",
  build: yoloWith((_l, root) => {
    writeFileSync(path.join(root, "classes.txt"), "Platelets\nRBC\nWBC\nrbc\n");
  }),
});
add({
  family: "yolo",
  name: "empty image folder",
  build: (d) => {
    const r = yoloBase(d);
    for (const id of IDS) rmSync(path.join(r, "images", `${id}.jpg`));
    return r;
  },
});
add({ family: "yolo", name: "blank lines", valid: true, build: yoloWith((l) => `\n${l.join("\n\n")}\n\n`) });
add({ family: "yolo", name: "CRLF", valid: true, build: yoloWith((l) => `${l.join("\r\n")}\r\n`) });
add({ family: "yolo", name: "empty label file (background)", valid: true, build: yoloWith(() => "") });

// ---- run ----------------------------------------------------------------------------------------
/** In-memory stream. */
function sink() {
  let text = "";
  return {
    write: (s) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}
async function runCase(c, i) {
  const dir = `case-${i}`;
  const target = c.build(dir);
  const out = sink();
  const err = sink();
  const argv = [
    "data",
    "check",
    target,
    "--json",
    ...(c.names ? ["--classes", c.names] : []),
    ...(c.extra ?? []),
  ];
  let code;
  let thrown;
  const timer = new Promise((resolve) => setTimeout(() => resolve("timeout"), 30_000).unref());
  try {
    code = await Promise.race([runCli(argv, { stdout: out, stderr: err, cwd: work }), timer]);
  } catch (e) {
    thrown = e;
  }
  rmSync(path.join(work, dir), { recursive: true, force: true });
  const stderr = err.text.trim();
  let report;
  try {
    report = JSON.parse(out.text);
  } catch {
    report = undefined;
  }
  const issues = report?.issues ?? [];
  const similar = report?.similarClassNames ?? [];
  const text = `${stderr}\n${JSON.stringify(issues)}\n${JSON.stringify(similar)}`;
  const named =
    /BloodImage_00001|instances\.json|trainval\.txt|classes\.txt|orphan|images|nothere|passwd|dev\/zero/.test(
      text,
    );
  let outcome;
  if (thrown !== undefined || code === "timeout" || code === 3) outcome = "crash";
  else if (code === 2) outcome = named ? "error" : "crash";
  else if (code === 1) outcome = issues.length + similar.length > 0 ? "reported" : "crash";
  else if (code === 0)
    outcome = c.valid ? "accepted" : c.documented ? "documented" : issues.length > 0 ? "reported" : "silent";
  else outcome = "crash";
  if (c.valid && outcome !== "accepted") outcome = outcome === "crash" ? "crash" : "rejected-valid";
  return {
    family: c.family,
    name: c.name,
    code: thrown ? String(thrown) : code,
    outcome,
    stderr: stderr.split("\n")[0]?.slice(0, 200),
    issue: issues[0] ? JSON.stringify(issues[0]).slice(0, 200) : undefined,
  };
}

const results = [];
for (const [i, c] of cases.entries()) {
  if (only !== undefined && !`${c.family} ${c.name}`.includes(only)) continue;
  const r = await runCase(c, i);
  results.push(r);
  if (verbose || r.outcome === "crash" || r.outcome === "silent" || r.outcome === "rejected-valid")
    console.log(
      `${r.outcome.padEnd(14)} ${r.family.padEnd(16)} ${r.name.padEnd(34)} exit ${r.code}  ${r.stderr || r.issue || ""}`,
    );
}
const families = [...new Set(results.map((r) => r.family))];
const outcomes = ["error", "reported", "documented", "accepted", "rejected-valid", "crash", "silent"];
const table = families.map((f) => ({
  family: f,
  ...Object.fromEntries(
    outcomes.map((o) => [o, results.filter((r) => r.family === f && r.outcome === o).length]),
  ),
}));
const total = Object.fromEntries(outcomes.map((o) => [o, results.filter((r) => r.outcome === o).length]));
if (args.includes("--json")) console.log(JSON.stringify({ cases: results.length, total, table }, null, 1));
else {
  console.log(`\n| family | ${outcomes.join(" | ")} |\n|---|${outcomes.map(() => "---").join("|")}|`);
  for (const row of [...table, { family: `all (${results.length})`, ...total }])
    console.log(`| ${row.family} | ${outcomes.map((o) => row[o]).join(" | ")} |`);
}
process.exitCode = total.crash + total.silent + total["rejected-valid"] > 0 ? 1 : 0;
