import type { Boxes, BoxIssueReason, ImageSize, InvalidBoxPolicy } from "@od/boxes";

/**
 * One image of a detection dataset with its ground truth.
 *
 * All per-box arrays have the same length N (`boxes.length`) and are aligned by index.
 * An image with N = 0 is a background-only image (a negative).
 */
export interface ImageRecord {
  /** Stable id, unique in the dataset (VOC: file stem; COCO: image id; YOLO: label file stem). */
  readonly id: string;
  /** Image path, relative to {@link DetectionDataset.root} (or absolute). Always `/`-separated. */
  readonly file: string;
  /** Image width and height in pixels (from the annotation, or the actual image when it was checked). */
  readonly size: ImageSize;
  /** `[N, 4]` xyxy px boxes in continuous pixel coordinates of this image: `[0, 0, W, H]` is the whole image. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[N]` 0-based class index into {@link DetectionDataset.classNames}. */
  readonly labels: Int32Array;
  /** `[N]` 1 when the object is marked difficult (VOC `difficult`), else 0. */
  readonly difficult: Uint8Array;
  /** `[N]` 1 when the annotation is a crowd region (COCO `iscrowd`), else 0. */
  readonly crowd: Uint8Array;
  /** `[N]` 1 when the object is truncated by the image border (VOC `truncated`), else 0. */
  readonly truncated: Uint8Array;
}

/** Why an item appears in a {@link ValidationReport}. */
export type DataIssueReason =
  | BoxIssueReason
  /**
   * A box overlapping the image has a corner more than `MAX_BOX_OVERHANG` image sizes outside it (e.g. a
   * `1e30` typed for `640`): dropped under every policy, never clipped into a box covering the image.
   */
  | "far-outside-image"
  /** The class name (VOC), category id (COCO) or class id (YOLO) is not in the class list. */
  | "unknown-class"
  /** The image file does not exist (for YOLO also: a label file whose image does not exist). */
  | "missing-image"
  /**
   * The image file cannot be used: not a regular file, too large, neither JPEG nor PNG, a header that
   * cannot be read or is over the pixel limit, or (when images are decoded) data that does not decode.
   */
  | "unreadable-image"
  /** The annotation's width/height differ from the actual image (EXIF orientation applied). */
  | "size-mismatch"
  /** The annotation gives no usable image size and the image was not read. */
  | "missing-size";

/** What the loader did about an issue. */
export type DataIssueAction =
  /** The box was removed; the rest of the image was kept. */
  | "dropped"
  /** The box was clipped to the image and kept. */
  | "clipped"
  /** The whole image (with all its boxes) was removed from the dataset. */
  | "image-dropped"
  /** The annotation size was replaced by the actual image size and the boxes were re-validated. */
  | "size-corrected";

/** One affected box or image in a {@link ValidationReport}. */
export interface DataIssue {
  /** The annotation file (VOC xml, COCO json, YOLO txt) or, for image-level issues, the image file. */
  readonly file: string;
  /** Id of the image the issue belongs to. */
  readonly image: string;
  /** Index of the box among the image's objects in the source, in source order; -1 for image-level issues. */
  readonly index: number;
  /** Where in the source: `"object[3]"` (VOC), `"annotations[12] (id 45)"` (COCO), `"line 5"` (YOLO). */
  readonly where: string;
  /**
   * The offending value as written in the source: box coordinates in the source format
   * (VOC xmin,ymin,xmax,ymax; COCO x,y,w,h; YOLO cx,cy,w,h rel), the class name or id, or for
   * `size-mismatch` `[annotatedW, annotatedH, actualW, actualH]`.
   */
  readonly value: readonly number[] | string | number;
  /** What was wrong. */
  readonly reason: DataIssueReason;
  /** What was done. */
  readonly action: DataIssueAction;
  /**
   * Why, in words, where the reason alone does not say it: what is wrong with an unreadable image
   * (`is a FIFO, not a regular file`, `cannot decode jpeg (...)`), or a suggestion for an unknown
   * class (`did you mean "RBC"?`). Absent otherwise.
   */
  readonly detail?: string;
}

/** Validation report returned with every loaded dataset. Nothing is dropped without an entry here. */
export interface ValidationReport {
  /** The policy that was applied. */
  readonly policy: InvalidBoxPolicy;
  /** Images read from the source (before any were dropped). */
  readonly imagesRead: number;
  /** Boxes read from the source (before any were dropped). */
  readonly boxesRead: number;
  /** Images in the dataset. */
  readonly imagesKept: number;
  /** Boxes in the dataset. */
  readonly boxesKept: number;
  /** Every affected box or image, in source order. */
  readonly issues: readonly DataIssue[];
  /** Number of issues per reason (only reasons that occurred). */
  readonly summary: Readonly<Partial<Record<DataIssueReason, number>>>;
}

/**
 * A detection dataset in od's one in-memory form, whatever format it was loaded from.
 * Boxes are `xyxy px` of their image; labels index into `classNames`.
 */
export interface DetectionDataset {
  /** Class names; `labels` values index this array. Background is not a class. */
  readonly classNames: readonly string[];
  /** The images, in source order. */
  readonly images: readonly ImageRecord[];
  /** Validation report of the load (or an empty report for datasets built in code). */
  readonly report: ValidationReport;
  /** Directory that relative `ImageRecord.file` paths are resolved against (set by the Node loaders). */
  readonly root?: string;
}

/**
 * Outcome of reading an image's header, passed to the parsers by loaders that check images
 * (the Node loaders do; in a browser the caller may supply its own). Keyed by `ImageRecord.file`.
 */
export type ImageCheck =
  | { readonly status: "ok"; readonly size: ImageSize }
  | { readonly status: "missing"; readonly path: string }
  | { readonly status: "unreadable"; readonly path: string; readonly message: string };

/** Options shared by every loader and parser. */
export interface LoadOptions {
  /**
   * What to do with invalid boxes, unknown classes, missing/unreadable images and size mismatches
   * (default `"error"`). `error` throws a {@link DataError} naming file, index and value; `drop` removes
   * the box (or image) and reports it; `clip` clips boxes that cross the border (and replaces a wrong
   * annotation size by the actual one), drops everything else, and reports all of it. Boxes with a
   * corner far outside the image (see `MAX_BOX_OVERHANG`) are `far-outside-image`: dropped, never
   * clipped. Malformed files (XML, JSON, numbers, flags) are always errors, whatever the policy.
   */
  readonly policy?: InvalidBoxPolicy;
  /**
   * Class names, in label order. When given, names (or ids) outside it are `unknown-class` issues;
   * when omitted, the loader takes the classes it finds (VOC: sorted names; COCO: categories by id;
   * YOLO: the names file).
   */
  readonly classNames?: readonly string[];
  /** Accept zero-width or zero-height boxes (default `false`: they are `zero-area` issues). */
  readonly allowEmpty?: boolean;
}
