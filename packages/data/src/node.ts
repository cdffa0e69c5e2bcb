/**
 * `@od/data/node`: file-system loaders and writers for VOC, COCO and YOLO, image header checks,
 * negatives folders, and image decoding (sharp when it loads, else jpeg-js / pngjs) for Node.
 * @packageDocumentation
 */
import { copyFile, mkdir, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describeValue, type InvalidBoxPolicy } from "@od/boxes";
import { type Uint8Image, uint8Image } from "@od/image";
import jpeg from "jpeg-js";
import ndarray from "ndarray";
import { PNG } from "pngjs";
import { cocoDataset, writeCoco as cocoJson } from "./coco.js";
import { negativeRecord } from "./dataset.js";
import { applyOrientation, type ImageHeader, pack } from "./image.js";
import { makeReport } from "./internal/builder.js";
import { fail } from "./internal/fail.js";
import { hasImageMagic, inspectHeader } from "./internal/image-header.js";
import { imageSetEntries } from "./internal/image-set.js";
import { parseJson } from "./internal/json.js";
import {
  type OpenedFile,
  openRegularFile,
  ReadFailure,
  readAt,
  readRegularFile,
} from "./internal/node-files.js";
import { stem } from "./internal/path.js";
import { decodeUtf8 } from "./internal/utf8.js";
import {
  MAX_ANNOTATION_FILE_BYTES,
  MAX_IMAGE_FILE_BYTES,
  MAX_IMAGE_HEADER_BYTES,
  MAX_IMAGE_PIXELS,
} from "./limits.js";
import { type SyntheticShapesOptions, syntheticShapes } from "./synthetic.js";
import type { DataIssue, DetectionDataset, ImageCheck, ImageRecord, LoadOptions } from "./types.js";
import { parseVocXml, type VocEntry, vocDataset, vocImageFile, writeVocXml } from "./voc.js";
import {
  parseNames,
  parseYoloLabels,
  writeNames,
  writeYoloLabels,
  type YoloEntry,
  type YoloOrphan,
  yoloDataset,
} from "./yolo.js";

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** Bytes read first to find an image's size marker. */
const HEADER_PREFIX_BYTES = 65536;

/** Images decoded at once by the loaders and {@link dropUndecodableImages} (bounds memory: one file and its pixels each). */
const DECODE_CONCURRENCY = 2;

/**
 * jpeg-js working-memory bound in MiB: enough for a {@link MAX_IMAGE_PIXELS} JPEG (jpeg-js keeps 256
 * bytes of coefficients per 8×8 block and component, ~1.2 GiB at the limit).
 */
const JPEG_JS_MAX_MEMORY_MB = 2048;

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
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Reads an annotation file as strict UTF-8: a regular file of at most {@link MAX_ANNOTATION_FILE_BYTES}.
 * @param shown the name used for UTF-8 errors (e.g. the path relative to the dataset root).
 * @throws DataError `IO_ERROR` (missing, not a regular file, too large, unreadable),
 *   `MALFORMED_ANNOTATION` (invalid UTF-8).
 */
async function readText(fn: string, file: string, what: string, shown = file): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_ANNOTATION_FILE_BYTES);
  } catch (e) {
    return fail(
      "IO_ERROR",
      fn,
      `cannot read ${what} ${JSON.stringify(file)}: ${(e as Error).message}`,
      { file, ...(e instanceof ReadFailure ? { kind: e.kind } : {}) },
      e,
    );
  }
  return decodeUtf8(fn, bytes, shown);
}

/** Fails with `EMPTY_DATASET` when a source lists no image. */
function requireImages(fn: string, n: number, what: string): void {
  if (n === 0) fail("EMPTY_DATASET", fn, `no images: ${what}`);
}

/** Options of {@link checkImageFile}. */
export interface CheckImageOptions {
  /** Decode the whole image too (default `false`: header only), finding truncated or corrupt data. */
  readonly decode?: boolean;
  /** Codec for `decode` (default `"auto"`). */
  readonly backend?: DecodeBackend;
}

function unreadable(file: string, message: string): ImageCheck {
  return { status: "unreadable", path: file, message };
}

function readFailureCheck(file: string, e: unknown): ImageCheck {
  if (e instanceof ReadFailure && e.kind === "missing") return { status: "missing", path: file };
  return unreadable(file, (e as Error).message);
}

/** The header of an opened image file: the first 64 KiB, then up to {@link MAX_IMAGE_HEADER_BYTES} for a JPEG or PNG. */
async function readHeader(
  f: OpenedFile,
): Promise<{ readonly bytes: Uint8Array; readonly header?: ImageHeader; readonly problem?: string }> {
  let bytes = await readAt(f, 0, HEADER_PREFIX_BYTES);
  let r = inspectHeader(bytes);
  if ("problem" in r && hasImageMagic(bytes) && f.size > bytes.length) {
    bytes = await readAt(f, 0, MAX_IMAGE_HEADER_BYTES);
    r = inspectHeader(bytes);
  }
  return "problem" in r ? { bytes, problem: r.problem } : { bytes, header: r.header };
}

/**
 * Checks an image file without trusting it. Never blocks and never reads unbounded: the file is
 * opened non-blocking and must be a regular file (a FIFO, a device such as `/dev/zero`, a directory
 * are refused, also behind symlinks) of at most {@link MAX_IMAGE_FILE_BYTES}; its magic bytes must be
 * JPEG or PNG before anything else is read; the size marker is looked for in the first 64 KiB, then in
 * at most {@link MAX_IMAGE_HEADER_BYTES}; the size must be within {@link MAX_IMAGE_PIXELS}. With
 * `decode`, the whole image is decoded too (see {@link decodeImage}).
 * @param file path of the image.
 * @returns `ok` with the displayed size (EXIF orientation applied), `missing`, or `unreadable` with a
 *   one-line reason.
 */
export async function checkImageFile(file: string, options: CheckImageOptions = {}): Promise<ImageCheck> {
  let f: OpenedFile;
  try {
    f = await openRegularFile(file, MAX_IMAGE_FILE_BYTES);
  } catch (e) {
    return readFailureCheck(file, e);
  }
  try {
    const { bytes, header, problem } = await readHeader(f);
    if (header === undefined) return unreadable(file, problem ?? "unreadable header");
    const size = { width: header.displayWidth, height: header.displayHeight };
    if (options.decode !== true) return { status: "ok", size };
    const all = bytes.length < f.size ? await readAt(f, 0, f.size) : bytes;
    const r = await decodeChecked(all, options.backend ?? "auto");
    if ("problem" in r) return unreadable(file, r.problem);
    const [h = 0, w = 0] = r.image.shape;
    if (w !== size.width || h !== size.height)
      return unreadable(file, `decodes to ${w}x${h} but its header says ${size.width}x${size.height}`);
    return { status: "ok", size };
  } catch (e) {
    return unreadable(file, (e as Error).message);
  } finally {
    await f.handle.close();
  }
}

async function checkAll(
  root: string,
  files: readonly string[],
  decode = false,
): Promise<Map<string, ImageCheck>> {
  const checks = await mapLimit(files, decode ? DECODE_CONCURRENCY : 16, (f) =>
    checkImageFile(path.resolve(root, f), { decode }),
  );
  const m = new Map<string, ImageCheck>();
  files.forEach((f, i) => {
    const c = checks[i]!;
    m.set(f, c.status === "ok" ? c : { ...c, path: f });
  });
  return m;
}

/** Options of the Node loaders. */
export interface NodeLoadOptions extends LoadOptions {
  /**
   * Read every image's header (default `true`, bounded, see {@link checkImageFile}): missing or
   * unreadable images and annotation sizes that differ from the image become issues handled by
   * `policy`. Headers only: fast (no decoding).
   */
  readonly checkImages?: boolean;
  /**
   * Decode every image fully (default `false`; implies `checkImages`): images whose data is truncated
   * or corrupt become `unreadable-image` issues too. About one decode per image of extra time.
   */
  readonly decodeImages?: boolean;
}

/** The image checks a loader makes for these options: none, headers, or full decodes. */
function imageChecksFor(
  options: NodeLoadOptions,
  root: string,
  files: readonly string[],
): Promise<Map<string, ImageCheck>> | undefined {
  if (options.decodeImages === true) return checkAll(root, files, true);
  return options.checkImages === false ? undefined : checkAll(root, files);
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
  let ids: { readonly id: string; readonly line: number }[];
  let listRel: string | undefined;
  if (options.split !== undefined) {
    listRel = `ImageSets/Main/${options.split}.txt`;
    const listFile = path.join(abs, listRel);
    ids = imageSetEntries(await readText(fn, listFile, "split list", listRel), listRel);
    requireImages(fn, ids.length, `${JSON.stringify(listFile)} lists no image id`);
  } else {
    let names: string[];
    try {
      names = (await readdir(path.join(abs, annDir))).filter((f) => f.endsWith(".xml")).sort();
    } catch (e) {
      return fail(
        "IO_ERROR",
        fn,
        `cannot list ${JSON.stringify(path.join(abs, annDir))}: ${(e as Error).message}`,
        {},
        e,
      );
    }
    requireImages(fn, names.length, `${JSON.stringify(path.join(abs, annDir))} has no .xml file`);
    ids = names.map((f) => ({ id: stem(f), line: 0 }));
  }
  const entries = await mapLimit(ids, 16, async ({ id, line }): Promise<VocEntry> => {
    const annotationFile = `${annDir}/${id}.xml`;
    const file = path.join(abs, annotationFile);
    if (
      listRel !== undefined &&
      (await stat(file).then(
        () => false,
        () => true,
      ))
    )
      fail(
        "IO_ERROR",
        fn,
        `${listRel}:${line}: image id ${JSON.stringify(id)} has no annotation ${annotationFile}`,
        {
          file: listRel,
          line,
          value: id,
        },
      );
    const xml = await readText(fn, file, "annotation", annotationFile);
    return { annotationFile, annotation: parseVocXml(xml, annotationFile) };
  });
  const imageDir = options.imageDir ?? "JPEGImages";
  const imageChecks = await imageChecksFor(
    options,
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
 * @throws DataError `IO_ERROR`, `MALFORMED_ANNOTATION` (JSON line/column, schema field path, invalid
 *   UTF-8), `EMPTY_DATASET` (no image), and under policy `error` every validation code of {@link cocoDataset}.
 */
export async function loadCoco(file: string, options: LoadCocoOptions = {}): Promise<DetectionDataset> {
  const name = path.basename(file);
  const text = await readText("loadCoco", file, "COCO file", name);
  const root = path.resolve(options.imageRoot ?? path.dirname(file));
  const json = parseJson("loadCoco", text, name);
  // Check the images the file lists (schema errors are reported by cocoDataset below).
  const images = (json as { images?: unknown } | null)?.images;
  const files = Array.isArray(images)
    ? images
        .map((im) => (im as { file_name?: unknown } | null)?.file_name)
        .filter((f): f is string => typeof f === "string")
    : [];
  const imageChecks = await imageChecksFor(options, root, [...new Set(files)]);
  const ds = cocoDataset(json, { ...options, file: name, ...(imageChecks ? { imageChecks } : {}) });
  requireImages("loadCoco", ds.report.imagesRead, `${name} lists no image`);
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
 * file. Image sizes come from the image headers (YOLO stores none), so images are always read. A label
 * file without an image is a `missing-image` issue naming it (`classes.txt` / `names.txt` among the
 * labels, as LabelImg writes them, are not label files).
 * @throws DataError `IO_ERROR`, `MALFORMED_ANNOTATION` (`file:line`, invalid UTF-8), `EMPTY_DATASET`
 *   (no image), and under policy `error` every validation code of {@link yoloDataset}.
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
      await readText(fn, path.resolve(abs, namesFile), "names file", path.basename(namesFile)),
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
  requireImages(fn, files.length, `${JSON.stringify(path.join(abs, imgDir))} has no JPEG or PNG file`);
  const imageFiles = files.map((f) => `${imgDir}/${f}`);
  const imageChecks = await checkAll(abs, imageFiles, options.decodeImages === true);
  const readLabels = async (labelFile: string, optional: boolean) => {
    let text = "";
    try {
      text = decodeUtf8(
        fn,
        await readRegularFile(path.join(abs, labelFile), MAX_ANNOTATION_FILE_BYTES),
        labelFile,
      );
    } catch (e) {
      if (!(optional && e instanceof ReadFailure && e.kind === "missing")) {
        if (!(e instanceof ReadFailure)) throw e;
        fail("IO_ERROR", fn, `cannot read ${labelFile}: ${e.message}`, { file: labelFile }, e);
      }
    }
    return parseYoloLabels(text, labelFile);
  };
  const entries = await mapLimit(files, 16, async (f, i): Promise<YoloEntry> => {
    const labelFile = `${lblDir}/${stem(f)}.txt`;
    return { labelFile, imageFile: imageFiles[i]!, rows: await readLabels(labelFile, true) };
  });
  const orphans = await mapLimit(
    await orphanLabels(abs, lblDir, new Set(files.map(stem))),
    16,
    async (f): Promise<YoloOrphan> => ({
      labelFile: `${lblDir}/${f}`,
      lookedFor: `${imgDir}/${stem(f)}.{jpg,jpeg,png}`,
      rows: await readLabels(`${lblDir}/${f}`, false),
    }),
  );
  const ds = yoloDataset(entries, { ...options, classNames, imageChecks, orphans });
  return { ...ds, root: abs };
}

/** Names files that sit among label files (LabelImg writes `classes.txt` there); never orphans. */
const NAMES_FILES = new Set(["classes.txt", "names.txt"]);

/** `.txt` files of a label folder whose stem is no image's stem, sorted (none when the folder is absent). */
async function orphanLabels(abs: string, lblDir: string, imageStems: ReadonlySet<string>): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(abs, lblDir));
  } catch {
    return [];
  }
  return names.filter((f) => f.endsWith(".txt") && !NAMES_FILES.has(f) && !imageStems.has(stem(f))).sort();
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
    const c = checks[i]!;
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

/** A decoder's message on one line: its lines joined by "; ", repeated lines once. */
function oneLine(message: string): string {
  const lines = message.split(/\s*\n\s*/).filter((l) => l !== "");
  return [...new Set(lines)].join("; ");
}

/** A decoded image, or why the bytes do not decode (one line, no file name), with the underlying error. */
type DecodeResult = { readonly image: Uint8Image } | { readonly problem: string; readonly cause?: unknown };

/** Decodes JPEG/PNG bytes after {@link inspectHeader} accepted them (magic bytes, size marker, pixel limit). */
async function decodeChecked(bytes: Uint8Array, backend: DecodeBackend): Promise<DecodeResult> {
  const r = inspectHeader(bytes);
  if ("problem" in r) return r;
  const h = r.header;
  const sharp = backend === "js" ? undefined : await loadSharp();
  if (backend === "sharp" && sharp === undefined)
    fail(
      "INVALID_ARGUMENT",
      "decodeImage",
      'backend "sharp" requested but sharp does not load here; use "auto" or "js"',
    );
  if (sharp !== undefined) {
    try {
      const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
        .rotate()
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const raw = new Uint8Array(data.buffer, data.byteOffset, data.length);
      return {
        image:
          info.channels === 3
            ? uint8Image(raw, info.width, info.height, 3)
            : pack(ndarray(raw, [info.height, info.width, info.channels])),
      };
    } catch (e) {
      return { problem: `cannot decode ${h.format} (sharp: ${oneLine((e as Error).message)})`, cause: e };
    }
  }
  try {
    let img: Uint8Image;
    if (h.format === "jpeg") {
      const d = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
        maxMemoryUsageInMB: JPEG_JS_MAX_MEMORY_MB,
      });
      img = uint8Image(new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), d.width, d.height, 3);
    } else {
      const p = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      img = pack(
        ndarray(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length), [p.height, p.width, 4]),
      );
    }
    return { image: h.orientation === 1 ? img : applyOrientation(img, h.orientation) };
  } catch (e) {
    return { problem: `cannot decode ${h.format} (${oneLine((e as Error).message)})`, cause: e };
  }
}

/**
 * Decodes a JPEG or PNG to a packed `[H, W, 3]` uint8 RGB image, EXIF orientation applied
 * (sharp: `.rotate()`; JS: {@link applyOrientation} from the header's orientation). Grey images are
 * expanded to RGB; alpha is dropped. Every backend accepts the same inputs: JPEG or PNG by their
 * magic bytes, with a header within {@link MAX_IMAGE_PIXELS} (checked before any pixel is decoded).
 * @throws DataError `UNREADABLE_IMAGE` naming `options.file` when the bytes are not JPEG/PNG, have no
 *   readable size, are over the pixel limit, or do not decode (truncated, corrupt; cause kept);
 *   `INVALID_ARGUMENT` when backend `sharp` is asked for but sharp does not load.
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: { readonly backend?: DecodeBackend; readonly file?: string } = {},
): Promise<Uint8Image> {
  const file = options.file ?? "<bytes>";
  const r = await decodeChecked(bytes, options.backend ?? "auto");
  if ("problem" in r)
    return fail("UNREADABLE_IMAGE", "decodeImage", `${file}: ${r.problem}`, { file }, r.cause);
  return r.image;
}

/**
 * Reads and decodes an image file (see {@link decodeImage}); reads only a regular file of at most
 * {@link MAX_IMAGE_FILE_BYTES} (never a FIFO or a device, never blocking).
 * @throws DataError `MISSING_IMAGE` when the file does not exist, `UNREADABLE_IMAGE` otherwise.
 */
export async function decodeImageFile(
  file: string,
  options: { readonly backend?: DecodeBackend } = {},
): Promise<Uint8Image> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_IMAGE_FILE_BYTES);
  } catch (e) {
    const missing = e instanceof ReadFailure && e.kind === "missing";
    return fail(
      missing ? "MISSING_IMAGE" : "UNREADABLE_IMAGE",
      "decodeImageFile",
      `${JSON.stringify(file)} ${(e as Error).message}`,
      { file },
      e,
    );
  }
  return decodeImage(bytes, { ...options, file });
}

/** Options of {@link dropUndecodableImages}. */
export interface DropUndecodableOptions {
  /** What to do with an image that does not decode (default: the policy the dataset was loaded with, `dataset.report.policy`). */
  readonly policy?: InvalidBoxPolicy;
  /** Codec (default `"auto"`, as {@link decodeImageFile}). */
  readonly backend?: DecodeBackend;
}

/**
 * Decodes every image of a dataset (resolved against `dataset.root`, bounded as {@link checkImageFile}
 * with `decode`) and drops those that do not decode, under the caller's policy: `error` throws at the
 * first one; `drop` and `clip` remove it and append a `missing-image` / `unreadable-image` issue
 * (action `image-dropped`, file and value the record's `file`) to the report. For training: a
 * truncated JPEG is found before the first epoch, not in the middle of one.
 * @returns the dataset without the undecodable images (the same object when every image decodes and
 *   the policy is unchanged); `report.imagesKept` / `boxesKept` recounted, `imagesRead` kept.
 * @throws DataError `MISSING_IMAGE` / `UNREADABLE_IMAGE` under policy `error` naming the file and the
 *   reason; `INVALID_ARGUMENT` for an unknown policy.
 */
export async function dropUndecodableImages(
  dataset: DetectionDataset,
  options: DropUndecodableOptions = {},
): Promise<DetectionDataset> {
  const fn = "dropUndecodableImages";
  const policy = options.policy ?? dataset.report.policy;
  if (policy !== "error" && policy !== "drop" && policy !== "clip")
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.policy must be "error", "drop" or "clip"; got ${describeValue(policy)}`,
    );
  const root = dataset.root ?? ".";
  const backend = options.backend ?? "auto";
  const checks = await mapLimit(dataset.images, DECODE_CONCURRENCY, (r) =>
    checkImageFile(path.resolve(root, r.file), { decode: true, backend }),
  );
  const kept: ImageRecord[] = [];
  const issues: DataIssue[] = [];
  dataset.images.forEach((r, i) => {
    const c = checks[i]!;
    if (c.status === "ok") {
      kept.push(r);
      return;
    }
    const missing = c.status === "missing";
    if (policy === "error")
      fail(
        missing ? "MISSING_IMAGE" : "UNREADABLE_IMAGE",
        fn,
        `image ${JSON.stringify(r.file)} ${missing ? "does not exist" : `cannot be decoded (${c.message})`}; pass policy "drop" or "clip" to drop it and get a report`,
        { file: r.file, image: r.id },
      );
    issues.push({
      file: r.file,
      image: r.id,
      index: -1,
      where: "image",
      value: r.file,
      reason: missing ? "missing-image" : "unreadable-image",
      action: "image-dropped",
      ...(c.status === "unreadable" ? { detail: c.message } : {}),
    });
  });
  const rep = dataset.report;
  if (issues.length === 0 && policy === rep.policy) return dataset;
  const report = makeReport(policy, rep.imagesRead, rep.boxesRead, kept, [...rep.issues, ...issues]);
  return { ...dataset, images: kept, report };
}

/**
 * A `decode` function for `createPipeline`: decodes `record.file` resolved against `dataset.root`.
 */
export function fileDecoder(
  dataset: DetectionDataset,
  options: { readonly backend?: DecodeBackend } = {},
): (record: ImageRecord) => Promise<Uint8Image> {
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
    const img = images.get(r.file) as Uint8Image;
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
