/**
 * YOLO (darknet / ultralytics) label files: one `.txt` per image, one line per box,
 * `class cx cy w h` with the centre and size relative to the image (0..1), plus a names file (one
 * class name per line, line i is class i). YOLO stores no image size: the caller passes it, or the
 * Node loader reads it from the image header. Conversion: `x1 = (cx − w/2)·W`, `x2 = (cx + w/2)·W`,
 * likewise for y with H; the writer applies the exact inverse and prints up to 10 significant digits.
 * Decimal rounding can put a corner that lies on the image border a hair outside it (ultralytics prints
 * 6 significant digits, so `cx + w/2` of a box touching the border can exceed 1 by up to 7.5e-7);
 * corners less than {@link YOLO_BORDER_TOLERANCE} × the image side outside the border are read as on it
 * (at most 0.008 px on an 8192 px side).
 * @module
 */
import type { ImageSize } from "@od/boxes";
import { DatasetBuilder, type RawObject } from "./internal/builder.js";
import { fail, fmt } from "./internal/fail.js";
import { DECIMAL_HINT, parseDecimal } from "./internal/number.js";
import { stem } from "./internal/path.js";
import type { DetectionDataset, ImageCheck, ImageRecord, LoadOptions } from "./types.js";

/**
 * Corners less than this fraction of the image side outside the border are read as on the border:
 * the rounding of 6-significant-digit relative coordinates (at most 7.5e-7 of the side).
 */
export const YOLO_BORDER_TOLERANCE = 1e-6;

/** `v` (px on a side of `max` px), snapped onto the border when within the rounding tolerance. */
function snap(v: number, max: number): number {
  const eps = YOLO_BORDER_TOLERANCE * max;
  if (v < 0 && v > -eps) return 0;
  if (v > max && v < max + eps) return max;
  return v;
}

/** One line of a YOLO label file. */
export interface YoloRow {
  /** Class id (0-based, as written). */
  readonly cls: number;
  /** Centre x, centre y, width, height relative to the image (NaN where the file says `nan`). */
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
  /** 1-based line number in the file. */
  readonly line: number;
}

function field(fn: string, tok: string, file: string, line: number, what: string): number {
  const v = parseDecimal(tok);
  if (v === undefined) {
    fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}:${line}: ${what} must be ${DECIMAL_HINT}; got ${JSON.stringify(tok)}`,
      { file, line, value: tok },
    );
  }
  return v;
}

/**
 * Parses a YOLO label file. Blank lines and lines starting with `#` are skipped.
 * @param file name used in error messages.
 * @returns rows in file order (not validated: see {@link yoloDataset}).
 * @throws DataError `MALFORMED_ANNOTATION` naming `file:line` for a line without exactly 5 fields
 *   (e.g. a segmentation polygon), a class id that is not a non-negative integer (digits only), or a
 *   coordinate that is not a plain decimal (`0x10`, `Infinity`, `1e999` are refused; `nan` is accepted
 *   and reported later as a `non-finite` box).
 */
export function parseYoloLabels(text: string, file = "<string>"): YoloRow[] {
  const fn = "parseYoloLabels";
  const rows: YoloRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "" || t.startsWith("#")) continue;
    const line = i + 1;
    const f = t.split(/\s+/);
    if (f.length !== 5) {
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}:${line}: expected 5 fields "class cx cy w h"; got ${f.length} in ${JSON.stringify(t.slice(0, 80))}`,
        {
          file,
          line,
        },
      );
    }
    const c = Number(f[0]);
    if (!Number.isInteger(c) || c < 0 || !/^\d+$/.test(f[0]!)) {
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}:${line}: class must be a non-negative integer; got ${JSON.stringify(f[0])}`,
        { file, line, value: f[0] },
      );
    }
    rows.push({
      cls: c,
      cx: field(fn, f[1]!, file, line, "cx"),
      cy: field(fn, f[2]!, file, line, "cy"),
      w: field(fn, f[3]!, file, line, "w"),
      h: field(fn, f[4]!, file, line, "h"),
      line,
    });
  }
  return rows;
}

/**
 * Parses a names file (`classes.txt`, `obj.names`): one class name per non-blank line, trimmed.
 * @throws DataError `MALFORMED_ANNOTATION` when a name repeats (naming the line).
 */
export function parseNames(text: string, file = "<string>"): string[] {
  const names: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((l, i) => {
    const n = l.trim();
    if (n === "") return;
    const prev = seen.get(n);
    if (prev !== undefined)
      fail(
        "MALFORMED_ANNOTATION",
        "parseNames",
        `${file}:${i + 1}: class ${JSON.stringify(n)} repeats line ${prev}`,
        { file, line: i + 1 },
      );
    seen.set(n, i + 1);
    names.push(n);
  });
  return names;
}

/** A row as a raw object of an image W × H px (NaN when unknown). */
function rawObject(r: YoloRow, W: number, H: number): RawObject {
  return {
    cls: r.cls,
    value: [r.cx, r.cy, r.w, r.h],
    x1: snap((r.cx - r.w / 2) * W, W),
    y1: snap((r.cy - r.h / 2) * H, H),
    x2: snap((r.cx + r.w / 2) * W, W),
    y2: snap((r.cy + r.h / 2) * H, H),
    where: `line ${r.line}`,
    difficult: 0,
    crowd: 0,
    truncated: 0,
  };
}

/** One image for {@link yoloDataset}. */
export interface YoloEntry {
  /** Label file path (its stem becomes the image id); used in messages. */
  readonly labelFile: string;
  /** Image path, relative to the dataset root. */
  readonly imageFile: string;
  /** Parsed rows (empty for a negative, including a missing label file). */
  readonly rows: readonly YoloRow[];
  /** Image size (required unless `imageChecks` has it). */
  readonly size?: ImageSize;
}

/** A label file without an image, for {@link YoloOptions.orphans}. */
export interface YoloOrphan {
  /** Label file path (its stem becomes the image id). */
  readonly labelFile: string;
  /** Where the image was looked for, e.g. `images/a.{jpg,jpeg,png}` (the value). */
  readonly lookedFor: string;
  /** Its parsed rows (counted in `boxesRead`). */
  readonly rows: readonly YoloRow[];
}

/** Options of {@link yoloDataset}: `classNames` is required (the names file). */
export interface YoloOptions extends LoadOptions {
  /**
   * Label files without an image: each is a `missing-image` issue naming the label file (under
   * policy `error` a `MISSING_IMAGE` error), reported after the images.
   */
  readonly orphans?: readonly YoloOrphan[];
  /** Class names, line i of the names file is class i. Class ids ≥ its length are `unknown-class` issues. */
  readonly classNames: readonly string[];
  /** Results of reading image headers, keyed by `imageFile`. */
  readonly imageChecks?: ReadonlyMap<string, ImageCheck>;
}

/**
 * Builds a validated dataset from parsed YOLO labels: relative cxcywh rows become xyxy px of each
 * image's size; every box is validated with the caller's policy (a row whose box leaves [0, 1] is
 * `out-of-image` or `outside-image`).
 * @throws DataError under policy `error`: `INVALID_BOX`, `UNKNOWN_CLASS`, `MISSING_IMAGE` (also for
 *   an orphan label file), `UNREADABLE_IMAGE`, or `MALFORMED_ANNOTATION` when an image has no size.
 */
export function yoloDataset(entries: readonly YoloEntry[], options: YoloOptions): DetectionDataset {
  const C = options.classNames.length;
  const b = new DatasetBuilder(
    "yoloDataset",
    options.policy ?? "error",
    options.allowEmpty ?? false,
    "YOLO cx,cy,w,h rel",
    (c) => (typeof c === "number" && c < C ? c : -1),
  );
  for (const e of entries) {
    const check = options.imageChecks?.get(e.imageFile);
    const size = e.size ?? (check?.status === "ok" ? check.size : undefined);
    const W = size?.width ?? Number.NaN;
    const H = size?.height ?? Number.NaN;
    const objects = e.rows.map((r) => rawObject(r, W, H));
    b.add({ id: stem(e.labelFile), file: e.imageFile, annotationFile: e.labelFile, size, objects }, check);
  }
  for (const o of options.orphans ?? []) {
    b.addWithoutImage(
      {
        id: stem(o.labelFile),
        file: o.lookedFor,
        annotationFile: o.labelFile,
        size: undefined,
        objects: o.rows.map((r) => rawObject(r, Number.NaN, Number.NaN)),
      },
      o.lookedFor,
      `label file ${o.labelFile} has no image (looked for ${o.lookedFor})`,
    );
  }
  return b.build(options.classNames);
}

/**
 * Writes one image's boxes as YOLO label text: `class cx cy w h` per line, relative to
 * `record.size`, up to 10 significant digits; empty string for a negative. Flags are not representable.
 */
export function writeYoloLabels(record: ImageRecord): string {
  const d = record.boxes.data;
  const { width: W, height: H } = record.size;
  let out = "";
  for (let i = 0; i < record.boxes.length; i++) {
    const x1 = d[i * 4]!;
    const y1 = d[i * 4 + 1]!;
    const x2 = d[i * 4 + 2]!;
    const y2 = d[i * 4 + 3]!;
    out += `${record.labels[i]} ${fmt((x1 + x2) / 2 / W)} ${fmt((y1 + y2) / 2 / H)} ${fmt((x2 - x1) / W)} ${fmt((y2 - y1) / H)}\n`;
  }
  return out;
}

/** Writes a names file: one class name per line. */
export function writeNames(classNames: readonly string[]): string {
  return classNames.map((n) => `${n}\n`).join("");
}
