import { describeValue, type ImageSize, type InvalidBoxPolicy, unsafeBoxes, validateBoxes } from "@od/boxes";
import { closestClassName } from "../classes.js";
import type { DataErrorCode } from "../errors.js";
import { MAX_BOX_OVERHANG } from "../limits.js";
import type {
  DataIssue,
  DataIssueReason,
  DetectionDataset,
  ImageCheck,
  ImageRecord,
  ValidationReport,
} from "../types.js";
import { fail } from "./fail.js";

/** One object as read from a source, before validation. */
export interface RawObject {
  /** Class name (VOC) or raw class id (COCO category id, YOLO class id). */
  readonly cls: string | number;
  /** Coordinates as written in the source. */
  readonly value: readonly number[];
  /** The same box as continuous xyxy px (may be invalid). */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Location in the source, e.g. `object[3]`, `line 5`. */
  readonly where: string;
  readonly difficult: number;
  readonly crowd: number;
  readonly truncated: number;
}

/** One image as read from a source, before validation. */
export interface RawImage {
  readonly id: string;
  readonly file: string;
  readonly annotationFile: string;
  /** Size written in the annotation, if any (non-positive or non-finite counts as absent). */
  readonly size: ImageSize | undefined;
  readonly objects: readonly RawObject[];
}

const CODE: Record<DataIssueReason, DataErrorCode> = {
  "non-finite": "INVALID_BOX",
  inverted: "INVALID_BOX",
  "zero-area": "INVALID_BOX",
  "out-of-image": "INVALID_BOX",
  "outside-image": "INVALID_BOX",
  "far-outside-image": "INVALID_BOX",
  "unknown-class": "UNKNOWN_CLASS",
  "missing-image": "MISSING_IMAGE",
  "unreadable-image": "UNREADABLE_IMAGE",
  "size-mismatch": "SIZE_MISMATCH",
  "missing-size": "MALFORMED_ANNOTATION",
};

const HINT = '; pass policy "drop" or "clip" to load anyway and get a report';

/** True when `v` is finite and outside `[−m·L, (1 + m)·L]` with m = {@link MAX_BOX_OVERHANG}. */
function beyond(v: number, L: number): boolean {
  return Number.isFinite(v) && (v < -MAX_BOX_OVERHANG * L || v > (1 + MAX_BOX_OVERHANG) * L);
}

/**
 * True when a box that overlaps the image (so `clip` would keep it) has a corner beyond
 * {@link MAX_BOX_OVERHANG} image sizes outside it. Boxes entirely outside, inverted or non-finite are
 * left to `validateBoxes` (dropped under every policy anyway).
 */
function isFarOutside(o: RawObject, size: ImageSize): boolean {
  const { width: W, height: H } = size;
  const overlaps = o.x1 <= o.x2 && o.y1 <= o.y2 && o.x1 < W && o.x2 > 0 && o.y1 < H && o.y2 > 0;
  return overlaps && (beyond(o.x1, W) || beyond(o.x2, W) || beyond(o.y1, H) || beyond(o.y2, H));
}

function validSize(s: ImageSize | undefined): s is ImageSize {
  return (
    s !== undefined && Number.isFinite(s.width) && Number.isFinite(s.height) && s.width > 0 && s.height > 0
  );
}

/**
 * Turns raw images into validated {@link ImageRecord}s, applying the caller's policy and recording
 * every affected box or image. Under `error` it throws at the first problem, naming file, place and value.
 */
export class DatasetBuilder {
  private readonly images: ImageRecord[] = [];
  private readonly issues: DataIssue[] = [];
  private imagesRead = 0;
  private boxesRead = 0;

  constructor(
    private readonly fn: string,
    private readonly policy: InvalidBoxPolicy,
    private readonly allowEmpty: boolean,
    /** Source description of `RawObject.value`, for messages (e.g. `"VOC xmin,ymin,xmax,ymax"`). */
    private readonly valueFormat: string,
    /** Label of a raw class, or -1 when unknown. */
    private readonly resolveClass: (cls: string | number) => number,
    /** The class list, for "did you mean" hints on unknown names. */
    private readonly classNames: readonly string[] = [],
  ) {
    if (policy !== "error" && policy !== "drop" && policy !== "clip") {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.policy must be "error", "drop" or "clip"; got ${describeValue(policy)}`,
      );
    }
  }

  private issue(i: DataIssue, message: string): void {
    if (this.policy === "error") {
      fail(CODE[i.reason], this.fn, `${message}${HINT}`, {
        file: i.file,
        index: i.index,
        where: i.where,
        value: i.value,
        reason: i.reason,
      });
    }
    this.issues.push(i);
  }

  /**
   * Records an annotation whose image does not exist at all (e.g. a YOLO label file without an image):
   * counted as read, reported as `missing-image` naming the annotation file, nothing kept.
   * @param looked where the image was looked for (the issue's value).
   */
  addWithoutImage(raw: RawImage, looked: string, message: string): void {
    this.imagesRead++;
    this.boxesRead += raw.objects.length;
    this.issue(
      {
        file: raw.annotationFile,
        image: raw.id,
        index: -1,
        where: "image",
        value: looked,
        reason: "missing-image",
        action: "image-dropped",
      },
      message,
    );
  }

  /** Validates one image and appends it (unless dropped). */
  add(raw: RawImage, check?: ImageCheck): void {
    this.imagesRead++;
    this.boxesRead += raw.objects.length;
    const base = { file: raw.annotationFile, image: raw.id, index: -1 };
    if (check !== undefined && check.status !== "ok") {
      const reason = check.status === "missing" ? "missing-image" : "unreadable-image";
      const what = check.status === "missing" ? "does not exist" : `cannot be read (${check.message})`;
      const detail = check.status === "unreadable" ? { detail: check.message } : {};
      this.issue(
        {
          ...base,
          file: check.path,
          where: "image",
          value: check.path,
          reason,
          action: "image-dropped",
          ...detail,
        },
        `image ${JSON.stringify(check.path)} of ${raw.annotationFile} ${what}`,
      );
      return;
    }
    let size = validSize(raw.size) ? raw.size : undefined;
    const actual = check?.size;
    if (
      size !== undefined &&
      actual !== undefined &&
      (size.width !== actual.width || size.height !== actual.height)
    ) {
      const clip = this.policy === "clip";
      this.issue(
        {
          ...base,
          where: "size",
          value: [size.width, size.height, actual.width, actual.height],
          reason: "size-mismatch",
          action: clip ? "size-corrected" : "image-dropped",
        },
        `${raw.annotationFile} says the image is ${size.width}x${size.height} but ${raw.file} is ${actual.width}x${actual.height}`,
      );
      if (!clip) return;
      size = actual;
    }
    size ??= actual;
    if (size === undefined) {
      this.issue(
        {
          ...base,
          where: "size",
          value: describeValue(raw.size),
          reason: "missing-size",
          action: "image-dropped",
        },
        `${raw.annotationFile} gives no valid image size (got ${describeValue(raw.size)}) and the image was not read; pass checkImages`,
      );
      return;
    }
    const objs = raw.objects;
    const known: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < objs.length; i++) {
      const o = objs[i]!;
      const label = this.resolveClass(o.cls);
      if (label < 0) {
        const guess = typeof o.cls === "string" ? closestClassName(o.cls, this.classNames) : undefined;
        const hint = guess === undefined ? undefined : `did you mean ${JSON.stringify(guess)}?`;
        this.issue(
          {
            ...base,
            index: i,
            where: o.where,
            value: o.cls,
            reason: "unknown-class",
            action: "dropped",
            ...(hint === undefined ? {} : { detail: hint }),
          },
          `${raw.annotationFile} ${o.where}: class ${describeValue(o.cls)} is not in classNames` +
            (hint === undefined ? "" : ` (${hint})`),
        );
        continue;
      }
      if (isFarOutside(o, size)) {
        this.issue(
          {
            ...base,
            index: i,
            where: o.where,
            value: o.value,
            reason: "far-outside-image",
            action: "dropped",
          },
          `${raw.annotationFile} ${o.where}: box ${describeValue(o.value)} (${this.valueFormat}) is far-outside-image in image ${size.width}x${size.height} (a corner more than ${MAX_BOX_OVERHANG === 1 ? "one image size" : `${MAX_BOX_OVERHANG} image sizes`} outside)`,
        );
        continue;
      }
      known.push(i);
      labels.push(label);
    }
    const flat = new Float64Array(known.length * 4);
    known.forEach((i, k) => {
      const o = objs[i]!;
      flat[k * 4] = o.x1;
      flat[k * 4 + 1] = o.y1;
      flat[k * 4 + 2] = o.x2;
      flat[k * 4 + 3] = o.y2;
    });
    const v = validateBoxes(flat, "xyxy", "px", {
      image: size,
      allowEmpty: this.allowEmpty,
      policy: this.policy === "error" ? "drop" : this.policy,
    });
    const byIssue = v.issues;
    for (let q = 0; q < byIssue.length; q++) {
      const bi = byIssue[q]!;
      const i = known[bi.index]!;
      const o = objs[i]!;
      const more = byIssue.length - q - 1;
      this.issue(
        {
          ...base,
          index: i,
          where: o.where,
          value: o.value,
          reason: bi.reason,
          action: bi.action === "clipped" ? "clipped" : "dropped",
        },
        `${raw.annotationFile} ${o.where}: box ${describeValue(o.value)} (${this.valueFormat}) is ${bi.reason} in image ${size.width}x${size.height}` +
          (more > 0 ? `; ${more} more invalid box(es) in this file` : ""),
      );
    }
    const n = v.kept.length;
    const lab = new Int32Array(n);
    const difficult = new Uint8Array(n);
    const crowd = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const ki = v.kept[k]!;
      const o = objs[known[ki]!]!;
      lab[k] = labels[ki]!;
      difficult[k] = o.difficult ? 1 : 0;
      crowd[k] = o.crowd ? 1 : 0;
      truncated[k] = o.truncated ? 1 : 0;
    }
    this.images.push({
      id: raw.id,
      file: raw.file,
      size: { width: size.width, height: size.height },
      boxes: unsafeBoxes(v.boxes.data, "xyxy", "px"),
      labels: lab,
      difficult,
      crowd,
      truncated,
    });
  }

  /** The dataset with its report. */
  build(classNames: readonly string[], root?: string): DetectionDataset {
    const report = makeReport(this.policy, this.imagesRead, this.boxesRead, this.images, this.issues);
    const ds = { classNames: [...classNames], images: this.images, report };
    return root === undefined ? ds : { ...ds, root };
  }
}

/** Builds a report, counting kept images/boxes and summarising issues by reason. */
export function makeReport(
  policy: InvalidBoxPolicy,
  imagesRead: number,
  boxesRead: number,
  images: readonly ImageRecord[],
  issues: readonly DataIssue[],
): ValidationReport {
  const summary: Partial<Record<DataIssueReason, number>> = {};
  for (const i of issues) summary[i.reason] = (summary[i.reason] ?? 0) + 1;
  let boxesKept = 0;
  for (const im of images) boxesKept += im.boxes.length;
  return { policy, imagesRead, boxesRead, imagesKept: images.length, boxesKept, issues, summary };
}
