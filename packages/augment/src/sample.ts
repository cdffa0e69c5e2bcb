import {
  type Boxes,
  type BoxIssue,
  describeValue,
  type InvalidBoxPolicy,
  isOdError,
  unsafeBoxes,
  validateBoxes,
} from "@od/boxes";
import { isView, materialize, type Source, type View } from "@od/image/kernels";
import { AugmentError } from "./errors.js";
import { type Image, type Pixels, readPixels, toImage } from "./image.js";
import { checkXyxyPx } from "./internal/boxes.js";
import { fail } from "./internal/check.js";
import type { GeometryRecord } from "./records.js";

/**
 * An image with its objects: what every transform takes and returns.
 *
 * - `image`: `[H, W, C]` uint8 or float32 `ndarray` (see {@link Image}).
 * - `boxes`: `[N, 4]` xyxy px boxes of THIS image, inside `[0, W] × [0, H]`.
 * - `labels`: `[N]` class ids, `labels[i]` belongs to box i.
 * - `records`: the geometric steps applied since the original image, in order; {@link invertRecords}
 *   maps boxes back through them.
 */
export interface Sample {
  /** `[H, W, C]` HWC image, uint8 or float32. */
  readonly image: Image;
  /** `[N, 4]` xyxy px boxes of `image`. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[N]` class ids aligned with `boxes`. */
  readonly labels: Int32Array;
  /** Geometric steps applied since the original image, oldest first. */
  readonly records: readonly GeometryRecord[];
}

/** Options for {@link validateSample}. */
export interface SampleOptions {
  /**
   * What to do with a box that is non-finite, inverted or crosses the image border: throw (`error`,
   * default), `drop` it, or `clip` it to the image (boxes entirely outside are dropped).
   */
  readonly policy?: InvalidBoxPolicy;
  /** Records already applied to the image (default none: the image is the original). */
  readonly records?: readonly GeometryRecord[];
}

/** Result of {@link validateSample}: the sample and every affected box (indices into the input). */
export interface SampleValidation {
  /** The validated sample; labels follow the kept boxes. */
  readonly sample: Sample;
  /** Affected boxes, in input order (`@od/boxes` `BoxIssue`: index, value, reason, action). */
  readonly issues: readonly BoxIssue[];
}

function toLabels(fn: string, labels: unknown, n: number): Int32Array {
  const l = labels as ArrayLike<unknown> | null;
  if (typeof l !== "object" || l === null || typeof l.length !== "number") {
    fail("SHAPE_MISMATCH", fn, `labels must be an array of ${n} integers; got ${describeValue(labels)}`, {
      arg: "labels",
    });
  }
  if (l.length !== n) {
    fail("SHAPE_MISMATCH", fn, `labels has length ${l.length} but boxes has ${n} boxes`, {
      arg: "labels",
      expected: n,
      actual: l.length,
    });
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = l[i];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      fail("INVALID_ARGUMENT", fn, `labels[${i}] must be an integer; got ${describeValue(v)}`, {
        arg: "labels",
        index: i,
        value: v,
      });
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates an image, its boxes and labels into a {@link Sample}, reporting affected boxes under the
 * chosen policy. The image is copied when it is a strided view; boxes are copied.
 * @param image `[H, W, C]` uint8/float32 ndarray, C ∈ {1, 3, 4}.
 * @param boxes `[N, 4]` xyxy px boxes of `image`.
 * @param labels `[N]` integer class ids (any array-like; copied into an Int32Array).
 * @throws AugmentError `INVALID_IMAGE`, `INVALID_BOXES` (wrong format/units, or a bad box under policy
 *   `error`, with its index and value), `SHAPE_MISMATCH` (labels length), `INVALID_ARGUMENT`.
 */
export function validateSample(
  image: Image,
  boxes: Boxes<"xyxy", "px">,
  labels: ArrayLike<number>,
  options: SampleOptions = {},
): SampleValidation {
  const fn = "makeSample";
  const px = readPixels(fn, "image", image);
  checkXyxyPx(fn, "boxes", boxes);
  const lab = toLabels(fn, labels, boxes.length);
  let res: ReturnType<typeof validateBoxes<"xyxy", "px">>;
  try {
    res = validateBoxes(boxes.data, "xyxy", "px", {
      image: { width: px.width, height: px.height },
      policy: options.policy ?? "error",
    });
  } catch (e) {
    if (isOdError(e, "INVALID_BOX"))
      throw new AugmentError("INVALID_BOXES", `${fn}: ${e.message}`, {
        cause: e,
        details: { fn, ...e.details },
      });
    throw e;
  }
  const kept = res.kept;
  const outLabels = kept.length === lab.length ? lab : Int32Array.from(kept, (i) => lab[i]!);
  return {
    sample: {
      image: toImage(px),
      boxes: res.boxes,
      labels: outLabels,
      records: [...(options.records ?? [])],
    },
    issues: res.issues,
  };
}

/**
 * Builds a {@link Sample}, throwing on any invalid input (policy `error`; use {@link validateSample}
 * to drop or clip with a report).
 * @example
 * const s = makeSample(ndarray(new Uint8Array(480 * 640 * 3), [480, 640, 3]), boxes([[10, 20, 50, 80]], "xyxy", "px"), [1]);
 * @throws AugmentError `INVALID_IMAGE`, `INVALID_BOXES`, `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 */
export function makeSample(image: Image, boxes: Boxes<"xyxy", "px">, labels: ArrayLike<number>): Sample {
  return validateSample(image, boxes, labels).sample;
}

/** The validated parts of a sample, as transforms read them (`px` a lazy view for view-aware steps). @internal */
export interface SampleParts<P extends Source = Pixels> {
  readonly px: P;
  readonly boxes: Float32Array;
  readonly labels: Int32Array;
  readonly records: readonly GeometryRecord[];
}

/**
 * Checks a sample at a transform boundary (cheap: tags, shapes, lengths; not every coordinate).
 * @internal
 */
export function readSample(fn: string, sample: unknown): SampleParts {
  return readParts(fn, sample, false) as SampleParts;
}

/**
 * As {@link readSample}, but a sample produced lazily by a shift or flip inside this package gives its
 * pending view instead of materialising the image. @internal
 */
export function readSampleLazy(fn: string, sample: unknown): SampleParts<Source> {
  return readParts(fn, sample, true);
}

function readParts(fn: string, sample: unknown, lazy: boolean): SampleParts<Source> {
  const s = sample as Partial<Sample> | null;
  if (typeof s !== "object" || s === null) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `sample must be a Sample { image, boxes, labels, records }; got ${describeValue(sample)}`,
    );
  }
  const view = lazy ? pending.get(s as Sample) : undefined;
  const px: Source = view ?? readPixels(fn, "sample.image", s.image);
  checkXyxyPx(fn, "sample.boxes", s.boxes);
  if (!(s.labels instanceof Int32Array)) {
    fail("SHAPE_MISMATCH", fn, `sample.labels must be an Int32Array; got ${describeValue(s.labels)}`, {
      arg: "sample.labels",
    });
  }
  if (s.labels.length !== s.boxes.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `sample.labels has length ${s.labels.length} but sample.boxes has ${s.boxes.length} boxes`,
      {
        arg: "sample.labels",
        expected: s.boxes.length,
        actual: s.labels.length,
      },
    );
  }
  if (!Array.isArray(s.records))
    fail("INVALID_ARGUMENT", fn, `sample.records must be an array; got ${describeValue(s.records)}`);
  return { px, boxes: s.boxes.data, labels: s.labels, records: s.records };
}

/** Views not yet rendered, by the lazy sample that carries them. */
const pending = new WeakMap<Sample, View>();

/**
 * A sample from parts without validation. A view gives a lazy sample: its `image` is rendered on first
 * read (and cached), while view-aware steps of this package read the view directly. @internal
 */
export function unsafeSample(
  px: Source,
  boxes: Float32Array,
  labels: Int32Array,
  records: readonly GeometryRecord[],
): Sample {
  const b = unsafeBoxes(boxes, "xyxy", "px");
  if (!isView(px)) return { image: toImage(px), boxes: b, labels, records };
  let image: Image | undefined;
  const s: Sample = {
    get image(): Image {
      if (image === undefined) image = toImage(materialize(px));
      return image;
    },
    boxes: b,
    labels,
    records,
  };
  pending.set(s, px);
  return s;
}
