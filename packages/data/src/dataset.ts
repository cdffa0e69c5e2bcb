import { emptyBoxes, type ImageSize, type InvalidBoxPolicy } from "@od/boxes";
import { makeReport } from "./internal/builder.js";
import { checkBoxesLike } from "./internal/check.js";
import { fail } from "./internal/fail.js";
import { stem } from "./internal/path.js";
import type { DetectionDataset, ImageRecord } from "./types.js";

/**
 * A dataset built in code (no source file): checks that every record's arrays have the same length
 * N as its boxes, that boxes are xyxy px, that labels index `classNames` and that ids are unique.
 * The report is empty (policy `error`, nothing affected).
 * @throws DataError `INVALID_ARGUMENT` naming the record and field.
 */
export function createDataset(parts: {
  readonly classNames: readonly string[];
  readonly images: readonly ImageRecord[];
  readonly root?: string;
}): DetectionDataset {
  const fn = "createDataset";
  const ids = new Set<string>();
  parts.images.forEach((r, i) => {
    checkRecord(fn, r, i, parts.classNames.length);
    if (ids.has(r.id))
      fail("INVALID_ARGUMENT", fn, `images[${i}].id ${JSON.stringify(r.id)} is a duplicate`, { index: i });
    ids.add(r.id);
  });
  const ds = {
    classNames: [...parts.classNames],
    images: [...parts.images],
    report: emptyReport("error", parts.images),
  };
  return parts.root === undefined ? ds : { ...ds, root: parts.root };
}

function checkRecord(fn: string, r: ImageRecord, i: number, C: number): void {
  checkBoxesLike(fn, `images[${i}].boxes`, r.boxes);
  const n = r.boxes.length;
  for (const k of ["labels", "difficult", "crowd", "truncated"] as const) {
    if (r[k]?.length !== n)
      fail(
        "INVALID_ARGUMENT",
        fn,
        `images[${i}].${k} has length ${r[k]?.length}; expected ${n} (one per box)`,
        { index: i, field: k },
      );
  }
  for (let k = 0; k < n; k++) {
    const l = r.labels[k]!;
    if (l < 0 || l >= C)
      fail("INVALID_ARGUMENT", fn, `images[${i}].labels[${k}] = ${l} is outside [0, ${C})`, {
        index: i,
        box: k,
        value: l,
      });
  }
  const { width, height } = r.size;
  if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
    fail("INVALID_ARGUMENT", fn, `images[${i}].size must be positive and finite; got ${width}x${height}`, {
      index: i,
    });
  }
}

function emptyReport(policy: InvalidBoxPolicy, images: readonly ImageRecord[]) {
  let boxes = 0;
  for (const r of images) boxes += r.boxes.length;
  return makeReport(policy, images.length, boxes, images, []);
}

/**
 * A background-only record (no boxes) for an image file: a negative example.
 * @param file image path (relative to the dataset root, or absolute).
 * @param size image size in px.
 * @param id defaults to the file's stem.
 */
export function negativeRecord(file: string, size: ImageSize, id: string = stem(file)): ImageRecord {
  return {
    id,
    file,
    size: { width: size.width, height: size.height },
    boxes: emptyBoxes("xyxy", "px"),
    labels: new Int32Array(0),
    difficult: new Uint8Array(0),
    crowd: new Uint8Array(0),
    truncated: new Uint8Array(0),
  };
}

/**
 * Appends background-only images (see {@link negativeRecord}) to a dataset. The report's counts grow
 * by the added images; its issues are kept.
 * @throws DataError `INVALID_ARGUMENT` when a negative has boxes or its id is already in the dataset.
 */
export function addNegatives(dataset: DetectionDataset, negatives: readonly ImageRecord[]): DetectionDataset {
  const ids = new Set(dataset.images.map((r) => r.id));
  negatives.forEach((r, i) => {
    if (r.boxes.length !== 0)
      fail(
        "INVALID_ARGUMENT",
        "addNegatives",
        `negatives[${i}] (${JSON.stringify(r.id)}) has ${r.boxes.length} boxes; negatives have none`,
        { index: i },
      );
    if (ids.has(r.id))
      fail(
        "INVALID_ARGUMENT",
        "addNegatives",
        `negatives[${i}].id ${JSON.stringify(r.id)} is already in the dataset`,
        { index: i },
      );
    ids.add(r.id);
  });
  const images = [...dataset.images, ...negatives];
  const rep = dataset.report;
  const report = makeReport(rep.policy, rep.imagesRead + negatives.length, rep.boxesRead, images, rep.issues);
  return { ...dataset, images, report };
}

/**
 * The images whose ids are in `ids`, in the order of `ids` (e.g. a VOC `ImageSets/Main/val.txt`).
 * The report is kept as is (it describes the load).
 * @throws DataError `INVALID_ARGUMENT` naming the first id that is not in the dataset.
 */
export function subset(dataset: DetectionDataset, ids: readonly string[]): DetectionDataset {
  const byId = new Map(dataset.images.map((r) => [r.id, r]));
  const images = ids.map((id, i) => {
    const r = byId.get(id);
    if (r === undefined)
      fail("INVALID_ARGUMENT", "subset", `ids[${i}] ${JSON.stringify(id)} is not an image of the dataset`, {
        index: i,
        value: id,
      });
    return r;
  });
  return { ...dataset, images };
}

/** True when the record has no boxes (a background-only image). */
export function isNegative(record: ImageRecord): boolean {
  return record.boxes.length === 0;
}
