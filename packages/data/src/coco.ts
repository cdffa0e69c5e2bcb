/**
 * COCO "instances" JSON (object detection part: `images`, `annotations` with `bbox` and `iscrowd`,
 * `categories`). COCO boxes are `[x, y, width, height]` in continuous pixels with the origin at the
 * image's top-left corner, so od reads `x1 = x, y1 = y, x2 = x + width, y2 = y + height` and writes
 * the inverse.
 * @module
 */
import { z } from "zod";
import { DatasetBuilder, type RawObject } from "./internal/builder.js";
import { fail } from "./internal/fail.js";
import { parseJson } from "./internal/json.js";
import type { DetectionDataset, ImageCheck, LoadOptions } from "./types.js";

const Id = z.union([z.number(), z.string()]);
const Coord = z.number().nullable();

/** zod schema of the parts of a COCO instances file that od reads (other fields are allowed and ignored). */
export const CocoSchema = z.looseObject({
  images: z.array(
    z.looseObject({
      id: Id,
      file_name: z.string(),
      /** Image width in px; 0 means unknown (the image's own size is used). */
      width: z.number().min(0).optional(),
      height: z.number().min(0).optional(),
    }),
  ),
  annotations: z
    .array(
      z.looseObject({
        id: Id.optional(),
        image_id: Id,
        category_id: z.number().int(),
        bbox: z.tuple([Coord, Coord, Coord, Coord]),
        iscrowd: z.number().int().min(0).max(1).optional(),
        difficult: z.number().int().min(0).max(1).optional(),
      }),
    )
    .default([]),
  categories: z.array(
    z.looseObject({
      id: z.number().int(),
      name: z.string().regex(/\S/, "a category name cannot be empty or blank"),
      supercategory: z.string().optional(),
    }),
  ),
});

/** A COCO instances file as od reads and writes it. */
export type CocoJson = z.infer<typeof CocoSchema>;

/** Fails when two categories share an id or a name (either would silently relabel boxes). */
function checkCategories(fn: string, file: string, categories: CocoJson["categories"]): void {
  const byId = new Map<number, number>();
  const byName = new Map<string, number>();
  categories.forEach((c, i) => {
    const j = byId.get(c.id);
    if (j !== undefined)
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}: categories[${j}] (${JSON.stringify(categories[j]?.name)}) and categories[${i}] (${JSON.stringify(c.name)}) both have id ${c.id}`,
        { file, field: `categories[${i}].id`, value: c.id },
      );
    const k = byName.get(c.name);
    if (k !== undefined)
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}: categories[${k}] (id ${categories[k]?.id}) and categories[${i}] (id ${c.id}) are both named ${JSON.stringify(c.name)}`,
        { file, field: `categories[${i}].name`, value: c.name },
      );
    byId.set(c.id, i);
    byName.set(c.name, i);
  });
}

/** Options of {@link cocoDataset}. */
export interface CocoOptions extends LoadOptions {
  /** Annotation file name used in messages and the report (default `"<coco>"`). */
  readonly file?: string;
  /** Folder prefixed to each `file_name`, relative to the dataset root (default `""`). */
  readonly imageDir?: string;
  /** Results of reading image headers, keyed by `ImageRecord.file`. */
  readonly imageChecks?: ReadonlyMap<string, ImageCheck>;
}

/**
 * Parses and validates a COCO instances file (text or an already parsed object).
 *
 * The JSON is checked against a zod schema of the fields {@link CocoJson} lists; category ids and
 * names must be unique. Class names: `options.classNames` when given (categories whose name is not in
 * it make their annotations `unknown-class` issues), else the category names ordered by category id. An image `width`/`height`
 * of 0 means unknown (the checked image's size is used). `iscrowd` becomes `crowd`; a non-standard `difficult` field
 * is read when present. Image ids become strings. Images without annotations are negatives.
 *
 * @returns the dataset, images in file order, boxes in annotation order.
 * @throws DataError `MALFORMED_ANNOTATION` for invalid JSON (file, line, column), a schema violation
 *   (naming the field path, e.g. `annotations[3].bbox`; a blank category name), duplicate image ids,
 *   duplicate annotation ids, two categories with one id or one name (naming both entries), or an annotation whose
 *   `image_id` is not an image; under policy `error` also `INVALID_BOX`, `UNKNOWN_CLASS`,
 *   `MISSING_IMAGE`, `UNREADABLE_IMAGE`, `SIZE_MISMATCH`.
 */
export function cocoDataset(json: string | unknown, options: CocoOptions = {}): DetectionDataset {
  const fn = "cocoDataset";
  const file = options.file ?? "<coco>";
  const raw = typeof json === "string" ? parseJson(fn, json, file) : json;
  const parsed = CocoSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const path = first.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
    fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}: ${path || "(root)"}: ${first.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more schema issue(s))` : ""}`,
      {
        file,
        field: path,
      },
    );
  }
  const coco = parsed.data;
  checkCategories(fn, file, coco.categories);
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  const classNames = options.classNames ?? cats.map((c) => c.name);
  const nameIndex = new Map(classNames.map((n, i) => [n, i]));
  const catLabel = new Map(cats.map((c) => [c.id, nameIndex.get(c.name) ?? -1]));
  const byImage = new Map<string, RawObject[]>();
  coco.images.forEach((im, i) => {
    const id = String(im.id);
    if (byImage.has(id))
      fail("MALFORMED_ANNOTATION", fn, `${file}: images[${i}].id ${JSON.stringify(im.id)} is a duplicate`, {
        file,
        field: `images[${i}].id`,
      });
    byImage.set(id, []);
  });
  const annotationIds = new Map<string, number>();
  coco.annotations.forEach((a, k) => {
    if (a.id !== undefined) {
      const first = annotationIds.get(String(a.id));
      if (first !== undefined)
        fail(
          "MALFORMED_ANNOTATION",
          fn,
          `${file}: annotations[${k}].id ${JSON.stringify(a.id)} is also the id of annotations[${first}] (pycocotools would keep only one of them)`,
          { file, field: `annotations[${k}].id`, value: a.id },
        );
      annotationIds.set(String(a.id), k);
    }
    const list = byImage.get(String(a.image_id));
    if (list === undefined) {
      fail(
        "MALFORMED_ANNOTATION",
        fn,
        `${file}: annotations[${k}].image_id ${JSON.stringify(a.image_id)} is not the id of any image`,
        {
          file,
          field: `annotations[${k}].image_id`,
        },
      );
    }
    const [x, y, w, h] = a.bbox.map((v) => (v === null ? Number.NaN : v)) as [number, number, number, number];
    list.push({
      cls: a.category_id,
      value: [x, y, w, h],
      x1: x,
      y1: y,
      x2: x + w,
      y2: y + h,
      where: `annotations[${k}]${a.id === undefined ? "" : ` (id ${a.id})`}`,
      difficult: a.difficult ?? 0,
      crowd: a.iscrowd ?? 0,
      truncated: 0,
    });
  });
  const b = new DatasetBuilder(
    fn,
    options.policy ?? "error",
    options.allowEmpty ?? false,
    "COCO x,y,w,h",
    (c) => (typeof c === "number" ? (catLabel.get(c) ?? -1) : -1),
    classNames,
  );
  const dir = options.imageDir ?? "";
  for (const im of coco.images) {
    const id = String(im.id);
    const imageFile = dir === "" ? im.file_name : `${dir}/${im.file_name}`;
    const size =
      im.width !== undefined && im.height !== undefined ? { width: im.width, height: im.height } : undefined;
    b.add(
      { id, file: imageFile, annotationFile: file, size, objects: byImage.get(id) ?? [] },
      options.imageChecks?.get(imageFile),
    );
  }
  return b.build(classNames);
}

/** Options of {@link writeCoco}. */
export interface WriteCocoOptions {
  /** Folder prefix removed from each `ImageRecord.file` to form `file_name` (default `""`: none). */
  readonly imageDir?: string;
}

/**
 * Writes a dataset as a COCO instances object (serialise with `JSON.stringify`).
 *
 * Categories get ids `1..C` in `classNames` order. Image ids are the record ids when all of them are
 * distinct non-negative integers, else `1..N` in order. Each box becomes `bbox: [x1, y1, x2 − x1,
 * y2 − y1]` (px), `area` its width × height, `iscrowd` the crowd flag; a `difficult` field is added
 * for difficult boxes (pycocotools ignores unknown fields). `truncated` is not representable.
 * Annotation ids are `1..M` in order.
 */
export function writeCoco(dataset: DetectionDataset, options: WriteCocoOptions = {}): CocoJson {
  const ints = dataset.images.every((r) => /^\d+$/.test(r.id) && Number.isSafeInteger(Number(r.id)));
  const unique = new Set(dataset.images.map((r) => r.id)).size === dataset.images.length;
  const prefix = options.imageDir ? `${options.imageDir.replace(/\/$/, "")}/` : "";
  const images: CocoJson["images"] = [];
  const annotations: CocoJson["annotations"] = [];
  dataset.images.forEach((r, i) => {
    const id = ints && unique ? Number(r.id) : i + 1;
    const fileName = prefix !== "" && r.file.startsWith(prefix) ? r.file.slice(prefix.length) : r.file;
    images.push({ id, file_name: fileName, width: r.size.width, height: r.size.height });
    const d = r.boxes.data;
    for (let k = 0; k < r.boxes.length; k++) {
      const x1 = d[k * 4]!;
      const y1 = d[k * 4 + 1]!;
      const w = d[k * 4 + 2]! - x1;
      const h = d[k * 4 + 3]! - y1;
      annotations.push({
        id: annotations.length + 1,
        image_id: id,
        category_id: r.labels[k]! + 1,
        bbox: [x1, y1, w, h],
        area: w * h,
        iscrowd: r.crowd[k] ? 1 : 0,
        ...(r.difficult[k] ? { difficult: 1 } : {}),
      });
    }
  });
  const categories = dataset.classNames.map((name, i) => ({ id: i + 1, name, supercategory: "" }));
  return { images, annotations, categories };
}
