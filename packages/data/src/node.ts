/**
 * `@od/data/node`: file-system loaders and writers for VOC, COCO and YOLO, image header checks,
 * negatives folders, and image decoding (sharp when it loads, else jpeg-js / pngjs) for Node.
 * @packageDocumentation
 */
import { copyFile, mkdir, open, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { InvalidBoxPolicy } from "@od/boxes";
import jpeg from "jpeg-js";
import ndarray from "ndarray";
import { PNG } from "pngjs";
import { cocoDataset, writeCoco as cocoJson } from "./coco.js";
import { negativeRecord } from "./dataset.js";
import { applyOrientation, pack, type RgbImage, readImageHeader } from "./image.js";
import { fail } from "./internal/fail.js";
import { parseJson } from "./internal/json.js";
import { stem } from "./internal/path.js";
import { type SyntheticShapesOptions, syntheticShapes } from "./synthetic.js";
import type { DetectionDataset, ImageCheck, ImageRecord, LoadOptions } from "./types.js";
import { parseImageSet, parseVocXml, type VocEntry, vocDataset, vocImageFile, writeVocXml } from "./voc.js";
import {
  parseNames,
  parseYoloLabels,
  writeNames,
  writeYoloLabels,
  type YoloEntry,
  yoloDataset,
} from "./yolo.js";

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/**
 * Whether a file name has an image extension that `decodeImageFile` and the folder loaders
 * (`loadYolo`, `loadNegatives`) read: `.jpg`, `.jpeg` or `.png`, in any case. Only the name is looked at.
 * @example isImageFile("a/B.JPG") // true
 */
export function isImageFile(name: string): boolean {
  return IMAGE_EXT.test(name);
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  f: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readText(fn: string, file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    return fail(
      "IO_ERROR",
      fn,
      `cannot read ${what} ${JSON.stringify(file)}: ${(e as Error).message}`,
      { file },
      e,
    );
  }
}

/**
 * Reads an image's header (JPEG SOF / PNG IHDR and EXIF orientation) without decoding it: the first
 * 64 KiB, then the whole file if the size marker lies further in.
 * @param file path of the image.
 * @returns `ok` with the displayed size (EXIF orientation applied), `missing`, or `unreadable`.
 */
export async function checkImageFile(file: string): Promise<ImageCheck> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "missing", path: file };
    return { status: "unreadable", path: file, message: (e as Error).message };
  }
  try {
    const buf = new Uint8Array(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let h = readImageHeader(buf.subarray(0, bytesRead));
    if (h === undefined && bytesRead === buf.length) h = readImageHeader(new Uint8Array(await fh.readFile()));
    if (h === undefined)
      return { status: "unreadable", path: file, message: "not a JPEG or PNG, or truncated before its size" };
    return { status: "ok", size: { width: h.displayWidth, height: h.displayHeight } };
  } catch (e) {
    return { status: "unreadable", path: file, message: (e as Error).message };
  } finally {
    await fh.close();
  }
}

async function checkAll(root: string, files: readonly string[]): Promise<Map<string, ImageCheck>> {
  const checks = await mapLimit(files, 16, (f) => checkImageFile(path.resolve(root, f)));
  const m = new Map<string, ImageCheck>();
  files.forEach((f, i) => {
    const c = checks[i] as ImageCheck;
    m.set(f, c.status === "ok" ? c : { ...c, path: f });
  });
  return m;
}

/** Options of the Node loaders. */
export interface NodeLoadOptions extends LoadOptions {
  /**
   * Read every image's header (default `true`): missing or unreadable images and annotation sizes
   * that differ from the image become issues handled by `policy`. Headers only: fast (no decoding).
   */
  readonly checkImages?: boolean;
}

/** Options of {@link loadVoc}. */
export interface LoadVocOptions extends NodeLoadOptions {
  /** Split name: reads `ImageSets/Main/<split>.txt` and loads those ids, in that order. Default: every `Annotations/*.xml`. */
  readonly split?: string;
  /** Annotation folder relative to root (default `"Annotations"`). */
  readonly annotationDir?: string;
  /** Image folder relative to root (default `"JPEGImages"`). */
  readonly imageDir?: string;
}

/**
 * Loads a Pascal VOC dataset folder (`Annotations/*.xml`, `JPEGImages/`, `ImageSets/Main/*.txt`).
 * See {@link vocDataset} for classes, coordinates (read unchanged) and validation.
 * @param root dataset folder; the result's `root` is its absolute path and `file`s are relative to it.
 * @throws DataError `IO_ERROR` (unreadable folder, split list or annotation), `MALFORMED_ANNOTATION`
 *   (file:line:col), and under policy `error` every validation code of {@link vocDataset}.
 * @example const ds = await loadVoc("../shared/datasets/bccd", { split: "trainval", policy: "drop" });
 */
export async function loadVoc(root: string, options: LoadVocOptions = {}): Promise<DetectionDataset> {
  const fn = "loadVoc";
  const abs = path.resolve(root);
  const annDir = options.annotationDir ?? "Annotations";
  let ids: string[];
  if (options.split !== undefined) {
    const listFile = path.join(abs, "ImageSets", "Main", `${options.split}.txt`);
    ids = parseImageSet(await readText(fn, listFile, "split list"));
  } else {
    try {
      ids = (await readdir(path.join(abs, annDir)))
        .filter((f) => f.endsWith(".xml"))
        .sort()
        .map(stem);
    } catch (e) {
      return fail(
        "IO_ERROR",
        fn,
        `cannot list ${JSON.stringify(path.join(abs, annDir))}: ${(e as Error).message}`,
        {},
        e,
      );
    }
  }
  const entries = await mapLimit(ids, 16, async (id): Promise<VocEntry> => {
    const annotationFile = `${annDir}/${id}.xml`;
    const xml = await readText(fn, path.join(abs, annotationFile), "annotation");
    return { annotationFile, annotation: parseVocXml(xml, annotationFile) };
  });
  const imageDir = options.imageDir ?? "JPEGImages";
  const imageChecks =
    options.checkImages === false
      ? undefined
      : await checkAll(
          abs,
          entries.map((e) => vocImageFile(e, imageDir)),
        );
  const ds = vocDataset(entries, { ...options, imageDir, ...(imageChecks ? { imageChecks } : {}) });
  return { ...ds, root: abs };
}

/** Options of {@link loadCoco}. */
export interface LoadCocoOptions extends NodeLoadOptions {
  /** Folder the `file_name`s are relative to (default: the JSON file's folder). */
  readonly imageRoot?: string;
}

/**
 * Loads a COCO instances JSON file. See {@link cocoDataset}.
 * @returns the dataset with `root` = `imageRoot` (absolute) and `file` = `file_name`.
 * @throws DataError `IO_ERROR`, `MALFORMED_ANNOTATION` (JSON line/column or schema field path), and
 *   under policy `error` every validation code of {@link cocoDataset}.
 */
export async function loadCoco(file: string, options: LoadCocoOptions = {}): Promise<DetectionDataset> {
  const text = await readText("loadCoco", file, "COCO file");
  const root = path.resolve(options.imageRoot ?? path.dirname(file));
  const name = path.basename(file);
  const json = parseJson("loadCoco", text, name);
  let imageChecks: Map<string, ImageCheck> | undefined;
  if (options.checkImages !== false) {
    // Check the images the file lists (schema errors are reported by cocoDataset below).
    const images = (json as { images?: unknown } | null)?.images;
    const files = Array.isArray(images)
      ? images
          .map((im) => (im as { file_name?: unknown } | null)?.file_name)
          .filter((f): f is string => typeof f === "string")
      : [];
    imageChecks = await checkAll(root, [...new Set(files)]);
  }
  const ds = cocoDataset(json, { ...options, file: name, ...(imageChecks ? { imageChecks } : {}) });
  return { ...ds, root };
}

/** Options of {@link loadYolo}. */
export interface LoadYoloOptions extends NodeLoadOptions {
  /** Names file (default: the first of `classes.txt`, `obj.names`, `names.txt` in root). Ignored when `classNames` is given. */
  readonly names?: string;
  /** Split subfolder, e.g. `"train"` for `images/train` + `labels/train` (default: none). */
  readonly split?: string;
  /** Image folder relative to root (default `"images"`). */
  readonly imageDir?: string;
  /** Label folder relative to root (default `"labels"`). */
  readonly labelDir?: string;
}

/**
 * Loads a YOLO dataset folder (ultralytics layout): every JPEG/PNG in `images[/<split>]`, its label
 * file `labels[/<split>]/<stem>.txt` (missing = background-only image), class names from the names
 * file. Image sizes come from the image headers (YOLO stores none), so images are always read.
 * @throws DataError `IO_ERROR`, `MALFORMED_ANNOTATION` (`file:line`), and under policy `error` every
 *   validation code of {@link yoloDataset}.
 */
export async function loadYolo(root: string, options: LoadYoloOptions = {}): Promise<DetectionDataset> {
  const fn = "loadYolo";
  const abs = path.resolve(root);
  let classNames = options.classNames;
  if (classNames === undefined) {
    let namesFile = options.names;
    if (namesFile === undefined) {
      for (const c of ["classes.txt", "obj.names", "names.txt"]) {
        if (
          await stat(path.join(abs, c)).then(
            () => true,
            () => false,
          )
        ) {
          namesFile = path.join(abs, c);
          break;
        }
      }
    }
    if (namesFile === undefined)
      fail(
        "IO_ERROR",
        fn,
        `no names file (classes.txt, obj.names, names.txt) in ${JSON.stringify(abs)}; pass options.names or options.classNames`,
      );
    classNames = parseNames(
      await readText(fn, path.resolve(abs, namesFile), "names file"),
      path.basename(namesFile),
    );
  }
  const sub = options.split === undefined ? "" : `/${options.split}`;
  const imgDir = `${options.imageDir ?? "images"}${sub}`;
  const lblDir = `${options.labelDir ?? "labels"}${sub}`;
  let files: string[];
  try {
    files = (await readdir(path.join(abs, imgDir))).filter((f) => IMAGE_EXT.test(f)).sort();
  } catch (e) {
    return fail(
      "IO_ERROR",
      fn,
      `cannot list ${JSON.stringify(path.join(abs, imgDir))}: ${(e as Error).message}`,
      {},
      e,
    );
  }
  const imageFiles = files.map((f) => `${imgDir}/${f}`);
  const imageChecks = await checkAll(abs, imageFiles);
  const entries = await mapLimit(files, 16, async (f, i): Promise<YoloEntry> => {
    const labelFile = `${lblDir}/${stem(f)}.txt`;
    let text = "";
    try {
      text = await readFile(path.join(abs, labelFile), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        fail("IO_ERROR", fn, `cannot read ${labelFile}: ${(e as Error).message}`, {}, e);
    }
    return { labelFile, imageFile: imageFiles[i] as string, rows: parseYoloLabels(text, labelFile) };
  });
  const ds = yoloDataset(entries, { ...options, classNames, imageChecks });
  return { ...ds, root: abs };
}

/**
 * Background-only records for every JPEG/PNG in a folder (not recursive), sizes from their headers;
 * combine with `addNegatives`. Files are absolute paths; ids are `<idPrefix><stem>`.
 * @throws DataError `IO_ERROR` when the folder cannot be listed; unreadable images are reported by
 *   `policy` (`error` throws `UNREADABLE_IMAGE`; `drop`/`clip` skip them and list them in `skipped`).
 */
export async function loadNegatives(
  dir: string,
  options: { readonly idPrefix?: string; readonly policy?: InvalidBoxPolicy } = {},
): Promise<{ readonly records: ImageRecord[]; readonly skipped: readonly ImageCheck[] }> {
  const abs = path.resolve(dir);
  let files: string[];
  try {
    files = (await readdir(abs)).filter((f) => IMAGE_EXT.test(f)).sort();
  } catch (e) {
    return fail(
      "IO_ERROR",
      "loadNegatives",
      `cannot list ${JSON.stringify(abs)}: ${(e as Error).message}`,
      {},
      e,
    );
  }
  const checks = await mapLimit(files, 16, (f) => checkImageFile(path.join(abs, f)));
  const records: ImageRecord[] = [];
  const skipped: ImageCheck[] = [];
  files.forEach((f, i) => {
    const c = checks[i] as ImageCheck;
    if (c.status === "ok")
      records.push(negativeRecord(path.join(abs, f), c.size, `${options.idPrefix ?? "neg/"}${stem(f)}`));
    else if ((options.policy ?? "error") === "error")
      fail("UNREADABLE_IMAGE", "loadNegatives", `${JSON.stringify(c.path)} is ${c.status}`, { file: c.path });
    else skipped.push(c);
  });
  return { records, skipped };
}

/** A record id usable as a VOC file stem: path separators become `_`. */
function vocId(id: string): string {
  return id.replace(/[/\\]/g, "_");
}

/** Options of the writers. */
export interface WriteOptions {
  /** Copy each image from `dataset.root` into the output's image folder (default `false`: annotations only). */
  readonly copyImages?: boolean;
}

async function copyImages(
  ds: DetectionDataset,
  outDir: string,
  name: (r: ImageRecord) => string,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await mapLimit(ds.images, 8, async (r) => {
    const dest = path.join(outDir, name(r));
    await mkdir(path.dirname(dest), { recursive: true });
    await copyFile(path.resolve(ds.root ?? ".", r.file), dest);
  });
}

/**
 * Writes a dataset as a VOC folder: `Annotations/<id>.xml` (see {@link writeVocXml}; `/` and `\\`
 * in ids become `_`), `ImageSets/Main/<split>.txt` listing the ids (split default `"all"`), and with
 * `copyImages` the images as `JPEGImages/<base name>` (where the XML's `<filename>` points).
 */
export async function writeVoc(
  dataset: DetectionDataset,
  dir: string,
  options: WriteOptions & { readonly split?: string } = {},
): Promise<void> {
  const abs = path.resolve(dir);
  await mkdir(path.join(abs, "Annotations"), { recursive: true });
  await mkdir(path.join(abs, "ImageSets", "Main"), { recursive: true });
  await mapLimit(dataset.images, 16, (r) =>
    writeFile(path.join(abs, "Annotations", `${vocId(r.id)}.xml`), writeVocXml(r, dataset.classNames)),
  );
  await writeFile(
    path.join(abs, "ImageSets", "Main", `${options.split ?? "all"}.txt`),
    dataset.images.map((r) => `${vocId(r.id)}\n`).join(""),
  );
  if (options.copyImages)
    await copyImages(dataset, path.join(abs, "JPEGImages"), (r) => path.basename(r.file));
}

/** Writes a dataset as one COCO instances JSON file (see {@link cocoJson writeCoco}). */
export async function writeCocoFile(
  dataset: DetectionDataset,
  file: string,
  options: WriteOptions & { readonly imageDir?: string } = {},
): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(
    file,
    JSON.stringify(cocoJson(dataset, options.imageDir === undefined ? {} : { imageDir: options.imageDir })),
  );
  if (options.copyImages) await copyImages(dataset, path.dirname(path.resolve(file)), (r) => r.file);
}

/**
 * Writes a dataset as a YOLO folder: `labels/<stem>.txt` per image (empty for negatives; the stem
 * of `ImageRecord.file`, so base names must be unique), `classes.txt`, and with `copyImages` the
 * images under `images/`. `difficult`, `crowd` and `truncated` are not representable in YOLO.
 */
export async function writeYolo(
  dataset: DetectionDataset,
  dir: string,
  options: WriteOptions = {},
): Promise<void> {
  const abs = path.resolve(dir);
  await mkdir(path.join(abs, "labels"), { recursive: true });
  await writeFile(path.join(abs, "classes.txt"), writeNames(dataset.classNames));
  await mapLimit(dataset.images, 16, (r) =>
    writeFile(path.join(abs, "labels", `${stem(r.file)}.txt`), writeYoloLabels(r)),
  );
  if (options.copyImages) await copyImages(dataset, path.join(abs, "images"), (r) => path.basename(r.file));
}

type SharpModule = typeof import("sharp");
let sharpPromise: Promise<SharpModule["default"] | undefined> | undefined;

/** sharp when it loads on this machine, else `undefined` (cached). */
export function loadSharp(): Promise<SharpModule["default"] | undefined> {
  sharpPromise ??= import("sharp").then(
    (m) => m.default,
    () => undefined,
  );
  return sharpPromise;
}

/** Which codec {@link decodeImage} uses: `auto` (sharp if it loads, else JS), `sharp`, or `js` (jpeg-js / pngjs). */
export type DecodeBackend = "auto" | "sharp" | "js";

/**
 * Decodes a JPEG or PNG to a packed `[H, W, 3]` uint8 RGB image, EXIF orientation applied
 * (sharp: `.rotate()`; JS: {@link applyOrientation} from the header's orientation). Grey images are
 * expanded to RGB; alpha is dropped.
 * @throws DataError `UNREADABLE_IMAGE` when the bytes are not a decodable JPEG/PNG (cause kept);
 *   `INVALID_ARGUMENT` when backend `sharp` is asked for but sharp does not load.
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: { readonly backend?: DecodeBackend; readonly file?: string } = {},
): Promise<RgbImage> {
  const fn = "decodeImage";
  const file = options.file ?? "<bytes>";
  const backend = options.backend ?? "auto";
  const sharp = backend === "js" ? undefined : await loadSharp();
  if (backend === "sharp" && sharp === undefined)
    fail(
      "INVALID_ARGUMENT",
      fn,
      'backend "sharp" requested but sharp does not load here; use "auto" or "js"',
    );
  if (sharp !== undefined) {
    try {
      const { data, info } = await sharp(bytes)
        .rotate()
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const img = ndarray(new Uint8Array(data.buffer, data.byteOffset, data.length), [
        info.height,
        info.width,
        info.channels,
      ]);
      return info.channels === 3 ? img : pack(img);
    } catch (e) {
      return fail(
        "UNREADABLE_IMAGE",
        fn,
        `${file}: sharp cannot decode it: ${(e as Error).message}`,
        { file },
        e,
      );
    }
  }
  const h = readImageHeader(bytes);
  if (h === undefined)
    fail(
      "UNREADABLE_IMAGE",
      fn,
      `${file}: not a JPEG or PNG (first bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16)).join(" ")})`,
      { file },
    );
  try {
    let img: RgbImage;
    if (h.format === "jpeg") {
      const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      img = ndarray(new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), [d.height, d.width, 3]);
    } else {
      const p = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      img = pack(
        ndarray(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length), [p.height, p.width, 4]),
      );
    }
    return h.orientation === 1 ? img : applyOrientation(img, h.orientation);
  } catch (e) {
    return fail(
      "UNREADABLE_IMAGE",
      fn,
      `${file}: cannot decode ${h.format}: ${(e as Error).message}`,
      { file },
      e,
    );
  }
}

/**
 * Reads and decodes an image file (see {@link decodeImage}).
 * @throws DataError `MISSING_IMAGE` when the file does not exist, `UNREADABLE_IMAGE` otherwise.
 */
export async function decodeImageFile(
  file: string,
  options: { readonly backend?: DecodeBackend } = {},
): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return fail(
      missing ? "MISSING_IMAGE" : "UNREADABLE_IMAGE",
      "decodeImageFile",
      `${JSON.stringify(file)}: ${(e as Error).message}`,
      { file },
      e,
    );
  }
  return decodeImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { ...options, file });
}

/**
 * A `decode` function for `createPipeline`: decodes `record.file` resolved against `dataset.root`.
 */
export function fileDecoder(
  dataset: DetectionDataset,
  options: { readonly backend?: DecodeBackend } = {},
): (record: ImageRecord) => Promise<RgbImage> {
  return (r) => decodeImageFile(path.resolve(dataset.root ?? ".", r.file), options);
}

/**
 * Writes a {@link syntheticShapes} dataset as a VOC folder on disk (`JPEGImages/*.png`,
 * `Annotations/*.xml`, `ImageSets/Main/{trainval,test}.txt`), the first `trainCount` images in
 * `trainval` and the rest in `test`. For tests and demos that need a real folder.
 * @returns the absolute folder.
 */
export async function writeSyntheticVoc(
  dir: string,
  options: SyntheticShapesOptions & { readonly trainCount?: number } = {},
): Promise<string> {
  const abs = path.resolve(dir);
  const { dataset, images } = syntheticShapes(options);
  const nTrain = options.trainCount ?? Math.ceil(dataset.images.length * 0.75);
  await mkdir(path.join(abs, "JPEGImages"), { recursive: true });
  await mkdir(path.join(abs, "Annotations"), { recursive: true });
  await mkdir(path.join(abs, "ImageSets", "Main"), { recursive: true });
  for (const r of dataset.images) {
    const img = images.get(r.file) as RgbImage;
    const png = new PNG({
      width: r.size.width,
      height: r.size.height,
      colorType: 2,
      inputColorType: 2,
      inputHasAlpha: false,
    });
    png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    await writeFile(
      path.join(abs, "JPEGImages", r.file),
      PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }),
    );
    await writeFile(path.join(abs, "Annotations", `${r.id}.xml`), writeVocXml(r, dataset.classNames));
  }
  const ids = dataset.images.map((r) => r.id);
  await writeFile(
    path.join(abs, "ImageSets", "Main", "trainval.txt"),
    ids
      .slice(0, nTrain)
      .map((i) => `${i}\n`)
      .join(""),
  );
  await writeFile(
    path.join(abs, "ImageSets", "Main", "test.txt"),
    ids
      .slice(nTrain)
      .map((i) => `${i}\n`)
      .join(""),
  );
  return abs;
}
