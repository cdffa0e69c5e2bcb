/**
 * Pascal VOC XML annotations.
 *
 * Coordinates: VOC writes integer, 1-based pixel corners `xmin, ymin, xmax, ymax`. od reads them
 * as continuous xyxy px **unchanged** (`x1 = xmin, y1 = ymin, x2 = xmax, y2 = ymax`, so the width is
 * `xmax − xmin`), as mmdetection's `XMLDataset` and the TensorFlow Object Detection API's
 * `create_pascal_tf_record.py` do, and the writer writes them back unchanged, so VOC → VOC is exact.
 * (detectron2's `pascal_voc.py` instead subtracts 1 from xmin/ymin only, widening each box by one
 * pixel; under that reading a box with `xmin == xmax`, a single click of the annotation tool, would be
 * a 1 px box instead of the zero-area box it is in practice.) Non-integer coordinates, which some
 * tools write, are read and written as decimals.
 * @module
 */
import { describeValue, type ImageSize } from "@od/boxes";
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { DatasetBuilder, type RawObject } from "./internal/builder.js";
import { fail, fmt } from "./internal/fail.js";
import { baseName, stem } from "./internal/path.js";
import type { DetectionDataset, ImageCheck, ImageRecord, LoadOptions } from "./types.js";

/** One `<object>` of a VOC annotation, as written (coordinates NaN when missing or not numeric). */
export interface VocObject {
  /** `<name>`, trimmed. */
  readonly name: string;
  /** `<bndbox>` corners as numbers, 1-based pixels; NaN when absent or not a number. */
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  /** `<difficult>` (0 when absent). */
  readonly difficult: 0 | 1;
  /** `<truncated>` (0 when absent). */
  readonly truncated: 0 | 1;
}

/** A parsed VOC annotation file. */
export interface VocAnnotation {
  /** `<filename>` (the image file name), if present. */
  readonly filename: string | undefined;
  /** `<size>` width and height in px, if present and numeric (0 or negative counts as absent). */
  readonly size: ImageSize | undefined;
  /** The `<object>` elements, in file order. */
  readonly objects: readonly VocObject[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => jpath === "annotation.object",
});

type Node = Record<string, unknown>;

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number") return String(v);
  return undefined;
}

function num(v: unknown): number {
  const t = text(v);
  return t === undefined || t === "" ? Number.NaN : Number(t);
}

function flag(v: unknown): 0 | 1 {
  const t = text(v);
  return t === "1" || t === "true" ? 1 : 0;
}

/**
 * Parses one VOC annotation (XML text) without validating boxes (see {@link vocDataset}).
 * @param xml the file contents.
 * @param file the file name, used in error messages.
 * @throws DataError `MALFORMED_ANNOTATION` when the XML is not well-formed (message names the file,
 *   line and column) or has no `<annotation>` root.
 */
export function parseVocXml(xml: string, file = "<string>"): VocAnnotation {
  const fn = "parseVocXml";
  const ok = XMLValidator.validate(xml);
  if (ok !== true) {
    const { line, col, msg } = ok.err;
    fail("MALFORMED_ANNOTATION", fn, `${file}:${line}:${col}: XML is not well-formed: ${msg}`, {
      file,
      line,
      col,
    });
  }
  const doc = parser.parse(xml) as Node;
  const root = doc.annotation;
  if (typeof root !== "object" || root === null) {
    fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}: the root element must be <annotation>; got ${describeValue(Object.keys(doc))}`,
      { file },
    );
  }
  const a = root as Node;
  const sz = a.size as Node | undefined;
  const w = num(sz?.width);
  const h = num(sz?.height);
  const size =
    Number.isFinite(w) && Number.isFinite(h) && w > 0 && h > 0 ? { width: w, height: h } : undefined;
  const objs = (a.object as unknown[] | undefined) ?? [];
  const objects = objs.map((o, i): VocObject => {
    if (typeof o !== "object" || o === null) {
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}: object[${i}] must be an element with <name> and <bndbox>; got ${describeValue(o)}`,
        {
          file,
          index: i,
        },
      );
    }
    const on = o as Node;
    const name = text(on.name);
    if (name === undefined || name === "") {
      fail("MALFORMED_ANNOTATION", fn, `${file}: object[${i}] has no <name>`, { file, index: i });
    }
    const bb = (typeof on.bndbox === "object" && on.bndbox !== null ? on.bndbox : {}) as Node;
    return {
      name,
      xmin: num(bb.xmin),
      ymin: num(bb.ymin),
      xmax: num(bb.xmax),
      ymax: num(bb.ymax),
      difficult: flag(on.difficult),
      truncated: flag(on.truncated),
    };
  });
  return { filename: text(a.filename) || undefined, size, objects };
}

/** One annotation file for {@link vocDataset}. */
export interface VocEntry {
  /** Annotation path (e.g. `Annotations/000005.xml`); its stem becomes the image id. */
  readonly annotationFile: string;
  /** The parsed annotation. */
  readonly annotation: VocAnnotation;
}

/** Options of {@link vocDataset}. */
export interface VocOptions extends LoadOptions {
  /** Folder of the images, relative to the dataset root (default `"JPEGImages"`). */
  readonly imageDir?: string;
  /** Results of reading image headers, keyed by the image path {@link vocImageFile} returns. */
  readonly imageChecks?: ReadonlyMap<string, ImageCheck>;
}

/**
 * Image path of a VOC annotation, relative to the dataset root: `<imageDir>/<filename>`, or
 * `<imageDir>/<annotation stem>.jpg` when `<filename>` is absent.
 */
export function vocImageFile(entry: VocEntry, imageDir = "JPEGImages"): string {
  const name = entry.annotation.filename ?? `${stem(entry.annotationFile)}.jpg`;
  return imageDir === "" ? name : `${imageDir}/${baseName(name)}`;
}

/**
 * Builds a validated {@link DetectionDataset} from parsed VOC annotations.
 *
 * Class names: `options.classNames` when given (other names are `unknown-class` issues), else every
 * name found, sorted (code-point order). Boxes: `[xmin, ymin, xmax, ymax]` read unchanged as xyxy px
 * (see the module note). Every box is validated against the annotated size (or the actual size when
 * `imageChecks` has one) with the caller's policy; `difficult` and `truncated` are kept per box.
 * Images with no `<object>` are kept as negatives.
 *
 * @returns the dataset; `report` lists every dropped or clipped box and dropped image.
 * @throws DataError under policy `error`: `INVALID_BOX`, `UNKNOWN_CLASS`, `MISSING_IMAGE`,
 *   `UNREADABLE_IMAGE`, `SIZE_MISMATCH`, or `MALFORMED_ANNOTATION` (no size and no image check),
 *   each naming the annotation file, `object[i]` and the value.
 */
export function vocDataset(entries: readonly VocEntry[], options: VocOptions = {}): DetectionDataset {
  const classNames =
    options.classNames ??
    [...new Set(entries.flatMap((e) => e.annotation.objects.map((o) => o.name)))].sort();
  const index = new Map(classNames.map((n, i) => [n, i]));
  const b = new DatasetBuilder(
    "vocDataset",
    options.policy ?? "error",
    options.allowEmpty ?? false,
    "VOC xmin,ymin,xmax,ymax",
    (c) => index.get(String(c)) ?? -1,
  );
  for (const e of entries) {
    const file = vocImageFile(e, options.imageDir);
    const objects = e.annotation.objects.map(
      (o, i): RawObject => ({
        cls: o.name,
        value: [o.xmin, o.ymin, o.xmax, o.ymax],
        x1: o.xmin,
        y1: o.ymin,
        x2: o.xmax,
        y2: o.ymax,
        where: `object[${i}]`,
        difficult: o.difficult,
        crowd: 0,
        truncated: o.truncated,
      }),
    );
    b.add(
      {
        id: stem(e.annotationFile),
        file,
        annotationFile: e.annotationFile,
        size: e.annotation.size,
        objects,
      },
      options.imageChecks?.get(file),
    );
  }
  return b.build(classNames);
}

const builder = new XMLBuilder({ format: true, indentBy: "\t", suppressEmptyNode: false });

/**
 * Writes one image's annotation as VOC XML: `<filename>` is the base name of `record.file`,
 * `<size>` its width/height (depth 3), one `<object>` per box with `<name>`, `<pose>Unspecified`,
 * `<truncated>`, `<difficult>` and `<bndbox>` corners written unchanged (integers as integers,
 * others with up to 10 significant digits). The inverse of {@link parseVocXml} + {@link vocDataset}.
 * @param classNames names that `record.labels` index.
 * @throws DataError `INVALID_ARGUMENT` when a label is outside `classNames`.
 */
export function writeVocXml(
  record: ImageRecord,
  classNames: readonly string[],
  folder = "JPEGImages",
): string {
  const d = record.boxes.data;
  const object = [];
  for (let i = 0; i < record.boxes.length; i++) {
    const label = record.labels[i] as number;
    const name = classNames[label];
    if (name === undefined) {
      fail(
        "INVALID_ARGUMENT",
        "writeVocXml",
        `record ${JSON.stringify(record.id)} labels[${i}] = ${label} is outside classNames (${classNames.length})`,
      );
    }
    object.push({
      name,
      pose: "Unspecified",
      truncated: record.truncated[i] ?? 0,
      difficult: record.difficult[i] ?? 0,
      bndbox: {
        xmin: fmt(d[i * 4] as number),
        ymin: fmt(d[i * 4 + 1] as number),
        xmax: fmt(d[i * 4 + 2] as number),
        ymax: fmt(d[i * 4 + 3] as number),
      },
    });
  }
  const annotation = {
    folder,
    filename: baseName(record.file),
    size: { width: record.size.width, height: record.size.height, depth: 3 },
    segmented: 0,
    ...(object.length > 0 ? { object } : {}),
  };
  return `${builder.build({ annotation }) as string}`;
}

/**
 * Parses an `ImageSets/Main/<split>.txt` list: one image id per line (the first whitespace-separated
 * field; a second field, as in the per-class lists `<class>_<split>.txt`, is ignored), blank lines skipped.
 * @returns image ids in file order.
 */
export function parseImageSet(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const id = line.trim().split(/\s+/)[0];
    if (id) ids.push(id);
  }
  return ids;
}
