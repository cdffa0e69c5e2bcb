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
import { imageSetEntries } from "./internal/image-set.js";
import { DECIMAL_HINT, parseDecimal } from "./internal/number.js";
import { baseName, stem } from "./internal/path.js";
import type { DetectionDataset, ImageCheck, ImageRecord, LoadOptions } from "./types.js";

/** One `<object>` of a VOC annotation, as written (coordinates NaN when absent, empty or `nan`). */
export interface VocObject {
  /** `<name>`, trimmed. */
  readonly name: string;
  /** `<bndbox>` corners as numbers, 1-based pixels; NaN when absent, empty or `nan`. */
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  /** `<difficult>` (0 when absent or empty). */
  readonly difficult: 0 | 1;
  /** `<truncated>` (0 when absent or empty). */
  readonly truncated: 0 | 1;
}

/** A parsed VOC annotation file. */
export interface VocAnnotation {
  /** `<filename>` (the image file name), if present. */
  readonly filename: string | undefined;
  /** `<size>` width and height in px; `undefined` when absent or 0 (unknown: the image's own size is used). */
  readonly size: ImageSize | undefined;
  /** The `<object>` elements, in file order. */
  readonly objects: readonly VocObject[];
}

/** Deepest element nesting accepted in a VOC file (a VOC annotation nests 4 deep). */
export const MAX_XML_DEPTH = 100;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MAX_XML_DEPTH,
  isArray: (_name, jpath) => jpath === "annotation.object",
});

type Node = Record<string, unknown>;

/** The five entities XML predefines: the only references accepted (nothing user-defined is expanded). */
const XML_ENTITIES = new Set(["amp", "lt", "gt", "quot", "apos"]);

/** A reference as XML writes it: `&name;`, `&#123;` or `&#x7b;`. */
const REFERENCE = /&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_:][\w.:-]*);/y;

/** A problem found by {@link scanXml}, at a character offset. */
interface XmlProblem {
  readonly at: number;
  readonly message: string;
}

/**
 * One linear pass over XML text that finds what od refuses before any parser sees it: a DOCTYPE
 * (where entities would be declared), an entity reference other than the five predefined ones
 * (outside comments and CDATA), and element nesting deeper than {@link MAX_XML_DEPTH}.
 */
function scanXml(xml: string): XmlProblem | undefined {
  const n = xml.length;
  let depth = 0;
  let i = 0;
  const skipTo = (end: string, from: number) => {
    const k = xml.indexOf(end, from);
    return k < 0 ? n : k + end.length;
  };
  while (i < n) {
    const c = xml.charCodeAt(i);
    if (c === 0x3c /* < */) {
      if (xml.startsWith("<!--", i)) i = skipTo("-->", i + 4);
      else if (xml.startsWith("<![CDATA[", i)) i = skipTo("]]>", i + 9);
      else if (xml.slice(i, i + 9).toUpperCase() === "<!DOCTYPE")
        return { at: i, message: "DOCTYPE declarations are not accepted (entities are never expanded)" };
      else if (xml.charCodeAt(i + 1) === 0x3f /* ? */) i = skipTo("?>", i + 2);
      else if (xml.charCodeAt(i + 1) === 0x2f /* / */) {
        depth--;
        i = skipTo(">", i + 2);
      } else {
        let j = i + 1;
        let quote = 0;
        for (; j < n; j++) {
          const d = xml.charCodeAt(j);
          if (quote !== 0) {
            if (d === quote) quote = 0;
          } else if (d === 0x22 || d === 0x27) quote = d;
          else if (d === 0x3e /* > */) break;
        }
        if (xml.charCodeAt(j - 1) !== 0x2f /* / */ && ++depth > MAX_XML_DEPTH)
          return { at: i, message: `XML nested deeper than ${MAX_XML_DEPTH} elements` };
        i = j + 1;
      }
      continue;
    }
    if (c === 0x26 /* & */) {
      REFERENCE.lastIndex = i;
      const m = REFERENCE.exec(xml);
      if (m === null) return { at: i, message: "a bare & that starts no entity reference (write &amp;)" };
      if (!XML_ENTITIES.has(m[1]!))
        return {
          at: i,
          message: `entity reference ${m[0]} is not accepted (only &amp; &lt; &gt; &quot; &apos;)`,
        };
      i += m[0].length;
      continue;
    }
    i++;
  }
  return undefined;
}

/** 1-based line and column of a character offset. */
function lineCol(text: string, at: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf("\n"); k >= 0 && k < at; k = text.indexOf("\n", k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, col: at - start + 1 };
}

/** Reads the fields of one parsed XML element strictly, failing with the file and place. */
class Fields {
  constructor(
    private readonly fn: string,
    private readonly file: string,
  ) {}

  fail(where: string, message: string, details: Record<string, unknown> = {}): never {
    return fail("MALFORMED_ANNOTATION", this.fn, `${this.file}: ${where} ${message}`, {
      file: this.file,
      where,
      ...details,
    });
  }

  /** A child element that must be there at most once: its text (trimmed), or `undefined`. */
  text(node: Node, name: string, where: string): string | undefined {
    const v = node[name];
    if (v === undefined) return undefined;
    if (typeof v === "string") return v.trim();
    if (Array.isArray(v)) this.fail(where, `appears ${v.length} times; expected once`);
    return this.fail(where, `must hold text, not elements; got ${describeValue(v)}`);
  }

  /** A child element holding elements (e.g. `<size>`, `<bndbox>`), or an empty node when absent. */
  element(node: Node, name: string, where: string): Node {
    const v = node[name];
    if (v === undefined || v === "") return {};
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Node;
    if (Array.isArray(v)) this.fail(where, `appears ${v.length} times; expected once`);
    return this.fail(where, `must hold elements; got ${describeValue(v)}`);
  }

  /** A coordinate: a decimal, NaN when absent, empty or `nan`. */
  coordinate(node: Node, name: string, where: string): number {
    const t = this.text(node, name, where);
    if (t === undefined || t === "") return Number.NaN;
    const v = parseDecimal(t);
    if (v === undefined) this.fail(where, `must be ${DECIMAL_HINT}; got ${JSON.stringify(t)}`, { value: t });
    return v;
  }

  /** A size: a positive decimal; `undefined` when absent, empty or 0 (unknown). */
  size(node: Node, name: string, where: string): number | undefined {
    const t = this.text(node, name, where);
    if (t === undefined || t === "") return undefined;
    const v = parseDecimal(t);
    if (v === undefined || !(v >= 0))
      this.fail(where, `must be a positive decimal number (0 or absent: unknown); got ${JSON.stringify(t)}`, {
        value: t,
      });
    return v === 0 ? undefined : v;
  }

  /** A 0/1 flag; 0 when absent or empty. */
  flag(node: Node, name: string, where: string): 0 | 1 {
    const t = this.text(node, name, where);
    if (t === undefined || t === "" || t === "0") return 0;
    if (t === "1") return 1;
    return this.fail(where, `must be 0 or 1; got ${JSON.stringify(t)}`, { value: t });
  }
}

/**
 * Parses one VOC annotation (XML text) without validating boxes (see {@link vocDataset}).
 *
 * Strict: numbers are plain decimals (an optional sign, digits with an optional point, an optional
 * exponent; or `nan`): no hex, no `Infinity`; flags are 0 or 1, each field appears once. Nothing is
 * expanded: a DOCTYPE (where entities, external or not, are declared) and any entity reference other
 * than `&amp; &lt; &gt; &quot; &apos;` are refused, and so is nesting deeper than {@link MAX_XML_DEPTH}.
 * @param xml the file contents.
 * @param file the file name, used in error messages.
 * @throws DataError `MALFORMED_ANNOTATION` naming the file (and line:column, or `object[i]` and the
 *   field, and the value): XML that is not well-formed, a DOCTYPE, an entity reference, deep nesting,
 *   no `<annotation>` root, an object without `<name>`, a coordinate that is not a decimal, a size that
 *   is not a positive decimal, a `difficult` / `truncated` flag other than 0/1, a repeated field.
 */
export function parseVocXml(xml: string, file = "<string>"): VocAnnotation {
  const fn = "parseVocXml";
  const problem = scanXml(xml);
  if (problem !== undefined) {
    const { line, col } = lineCol(xml, problem.at);
    fail("MALFORMED_ANNOTATION", fn, `${file}:${line}:${col}: ${problem.message}`, { file, line, col });
  }
  const ok = XMLValidator.validate(xml);
  if (ok !== true) {
    const { line, col, msg } = ok.err;
    fail("MALFORMED_ANNOTATION", fn, `${file}:${line}:${col}: XML is not well-formed: ${msg}`, {
      file,
      line,
      col,
    });
  }
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    return fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}: XML cannot be read: ${(e as Error).message}`,
      { file },
      e,
    );
  }
  const root = doc.annotation;
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}: the root element must be <annotation>; got ${describeValue(Object.keys(doc))}`,
      { file },
    );
  }
  const f = new Fields(fn, file);
  const a = root as Node;
  const sz = f.element(a, "size", "<size>");
  const w = f.size(sz, "width", "<size><width>");
  const h = f.size(sz, "height", "<size><height>");
  const size = w !== undefined && h !== undefined ? { width: w, height: h } : undefined;
  const objs = (a.object as unknown[] | undefined) ?? [];
  const objects = objs.map((o, i): VocObject => {
    const at = `object[${i}]`;
    if (typeof o !== "object" || o === null) {
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}: ${at} must be an element with <name> and <bndbox>; got ${describeValue(o)}`,
        { file, index: i },
      );
    }
    const on = o as Node;
    const name = f.text(on, "name", `${at} <name>`);
    if (name === undefined || name === "") {
      fail("MALFORMED_ANNOTATION", fn, `${file}: ${at} has no <name>`, { file, index: i });
    }
    const bb = f.element(on, "bndbox", `${at} <bndbox>`);
    return {
      name,
      xmin: f.coordinate(bb, "xmin", `${at} <bndbox><xmin>`),
      ymin: f.coordinate(bb, "ymin", `${at} <bndbox><ymin>`),
      xmax: f.coordinate(bb, "xmax", `${at} <bndbox><xmax>`),
      ymax: f.coordinate(bb, "ymax", `${at} <bndbox><ymax>`),
      difficult: f.flag(on, "difficult", `${at} <difficult>`),
      truncated: f.flag(on, "truncated", `${at} <truncated>`),
    };
  });
  return { filename: f.text(a, "filename", "<filename>") || undefined, size, objects };
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
 * Class names: `options.classNames` when given (other names are `unknown-class` issues, with a "did you
 * mean" hint for a near match, see `closestClassName`), else every name found, sorted (code-point
 * order); `similarClassNames` finds near-duplicates among them. Boxes: `[xmin, ymin, xmax, ymax]` read unchanged as xyxy px
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
    classNames,
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
    const label = record.labels[i]!;
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
        xmin: fmt(d[i * 4]!),
        ymin: fmt(d[i * 4 + 1]!),
        xmax: fmt(d[i * 4 + 2]!),
        ymax: fmt(d[i * 4 + 3]!),
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
 * Parses an `ImageSets/Main/<split>.txt` list: one image id per line, blank lines skipped. A per-class
 * list (`<class>_<split>.txt`) has a second column `1`, `-1` or `0`, which is ignored.
 * @param file the list's name, used in error messages.
 * @returns image ids in file order.
 * @throws DataError `MALFORMED_ANNOTATION` naming `file:line` and the line for any other second
 *   column (VOC image ids cannot contain spaces), and for an id listed twice (it would be loaded twice).
 */
export function parseImageSet(text: string, file = "<string>"): string[] {
  return imageSetEntries(text, file).map((e) => e.id);
}
