import { describeValue } from "./errors.js";
import { checkBox, checkBoxes, checkFormat, checkImageSize, checkUnits, fail } from "./internal/check.js";
import { rowToXyxy, xyxyToRow } from "./internal/xyxy.js";
import {
  BOX_KIND,
  BOXES_KIND,
  type Box,
  type Boxes,
  type BoxFormat,
  type BoxUnits,
  type Coords,
  type ImageSize,
} from "./types.js";

/** What to do with a box that fails validation. */
export type InvalidBoxPolicy = "error" | "drop" | "clip";

/** Why a box failed validation. */
export type BoxIssueReason =
  /** A coordinate is NaN or ±Infinity. */
  | "non-finite"
  /** x2 < x1 or y2 < y1 (negative width or height). */
  | "inverted"
  /** Width or height is exactly 0 (only when `allowEmpty` is false). */
  | "zero-area"
  /** The box extends past the image but overlaps it. */
  | "out-of-image"
  /** The box does not overlap the image at all. */
  | "outside-image";

/** What a policy did with an affected box. */
export type BoxIssueAction =
  /** Removed from the output (policy `drop`, or `clip` for a box that cannot be clipped). */
  | "dropped"
  /** Clipped to the image and kept (policy `clip`, reason `out-of-image`). */
  | "clipped"
  /** Caused the call to throw (policy `error`); listed in the error's `details.issues`. */
  | "rejected";

/** One affected box in a validation report. */
export interface BoxIssue {
  /** Row index in the input. */
  readonly index: number;
  /** The input coordinates as given (before float32 rounding), in the input format and units. */
  readonly value: Coords;
  /** What was wrong. */
  readonly reason: BoxIssueReason;
  /** What the policy did with the box. */
  readonly action: BoxIssueAction;
}

/** Options for {@link boxes} and {@link validateBoxes}. */
export interface ValidateOptions {
  /**
   * Image the boxes belong to; enables the out-of-image checks against `[0, W] × [0, H]` for px
   * boxes and `[0, 1]²` for rel boxes (for rel the size only appears in messages).
   */
  readonly image?: ImageSize;
  /** What to do with invalid boxes (default `"error"`). */
  readonly policy?: InvalidBoxPolicy;
  /** Accept zero-width or zero-height boxes (default `true`, as torchvision does). */
  readonly allowEmpty?: boolean;
}

/** Result of {@link validateBoxes}. */
export interface ValidationResult<F extends BoxFormat, U extends BoxUnits> {
  /** `[K, 4]` kept boxes in `format` and `units` (clipped where the policy said so). */
  readonly boxes: Boxes<F, U>;
  /** `[K]` index into the input of each kept box, ascending, so labels can be filtered alike. */
  readonly kept: Int32Array;
  /** Every affected box, in input order. Empty when all boxes were valid. */
  readonly issues: readonly BoxIssue[];
}

/** Input accepted by the validating constructors: rows of 4 numbers, or a flat array of 4N numbers. */
export type BoxesInput = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/**
 * Wraps an existing `[N, 4]` Float32Array as Boxes WITHOUT checking or copying (cast-only
 * constructor for hot paths). The array is taken over by the result; a trailing partial row
 * (length not divisible by 4) is ignored by `length`, so pass whole rows.
 * @param data `[N, 4]` row-major coordinates in `format` and `units`, length divisible by 4.
 * @returns Boxes viewing `data` (no copy).
 */
export function unsafeBoxes<F extends BoxFormat, U extends BoxUnits>(
  data: Float32Array,
  format: F,
  units: U,
): Boxes<F, U> {
  return { kind: BOXES_KIND, format, units, data, length: data.length >> 2 };
}

/**
 * Zero boxes of the given format and units (`[0, 4]`).
 * @throws BoxesError `INVALID_ARGUMENT` for an unknown format or units.
 */
export function emptyBoxes<F extends BoxFormat, U extends BoxUnits>(format: F, units: U): Boxes<F, U> {
  checkFormat("emptyBoxes", "format", format);
  checkUnits("emptyBoxes", "units", units);
  return unsafeBoxes(new Float32Array(0), format, units);
}

/** Reads rows or a flat array into float64 (the values as given). */
function flatten(fn: string, input: BoxesInput): Float64Array {
  if (input === null || typeof input !== "object" || typeof input.length !== "number") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `input must be an array of [a, b, c, d] rows or a flat array of 4N numbers; got ${describeValue(input)}`,
      { arg: "input" },
    );
  }
  const n = input.length;
  if (n === 0) return new Float64Array(0);
  if (input instanceof Float32Array || input instanceof Float64Array || input instanceof Int32Array) {
    // typed arrays hold numbers only: one bulk copy
    if (n % 4 !== 0) {
      fail("SHAPE_MISMATCH", fn, `a flat input must have 4N numbers; got ${n}`, { arg: "input", actual: n });
    }
    return new Float64Array(input);
  }
  const first = input[0];
  if (typeof first === "number") {
    if (n % 4 !== 0) {
      fail("SHAPE_MISMATCH", fn, `a flat input must have 4N numbers; got ${n}`, { arg: "input", actual: n });
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = (input as ArrayLike<unknown>)[i];
      if (typeof v !== "number") {
        fail("INVALID_ARGUMENT", fn, `input[${i}] must be a number; got ${describeValue(v)}`, {
          arg: "input",
          index: i,
        });
      }
      out[i] = v;
    }
    return out;
  }
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const row = (input as ArrayLike<unknown>)[i] as ArrayLike<unknown> | null;
    if (row === null || typeof row !== "object" || row.length !== 4) {
      fail("SHAPE_MISMATCH", fn, `input[${i}] must have 4 coordinates; got ${describeValue(row)}`, {
        arg: "input",
        index: i,
      });
    }
    for (let k = 0; k < 4; k++) {
      const v = row[k];
      if (typeof v !== "number") {
        fail("INVALID_ARGUMENT", fn, `input[${i}][${k}] must be a number; got ${describeValue(v)}`, {
          arg: "input",
          index: i,
        });
      }
      out[i * 4 + k] = v;
    }
  }
  return out;
}

/**
 * Classifies the stored (float32) row `s` of `data` in format `f`: the reason it is invalid, or
 * `undefined`. Writes its xyxy corners to `xy`.
 */
function classify(
  data: Float32Array,
  s: number,
  f: BoxFormat,
  allowEmpty: boolean,
  hasImage: boolean,
  W: number,
  H: number,
  xy: Float64Array,
): BoxIssueReason | undefined {
  for (let q = 0; q < 4; q++) if (!Number.isFinite(data[s + q]!)) return "non-finite";
  rowToXyxy(data, s, f, xy, 0);
  const x1 = xy[0]!;
  const y1 = xy[1]!;
  const x2 = xy[2]!;
  const y2 = xy[3]!;
  if (x2 < x1 || y2 < y1) return "inverted";
  if (!allowEmpty && (x2 === x1 || y2 === y1)) return "zero-area";
  if (!hasImage) return undefined;
  if (isOutside(x1, y1, x2, y2, W, H)) return "outside-image";
  // Boxes are stored as float32: a cxcywh / xywh row clipped to the border can read back outside it by
  // a rounding error, so crossings smaller than float32 resolution at the image's scale do not count.
  const tol = Math.max(W, H) * FLOAT32_HALF_ULP;
  if (x1 < -tol || y1 < -tol || x2 > W + tol || y2 > H + tol) return "out-of-image";
  return undefined;
}

/** 2^-24: half a float32 unit in the last place, relative. */
const FLOAT32_HALF_ULP = 2 ** -24;

/**
 * Validates untrusted boxes and applies a caller-chosen policy, reporting every affected box.
 *
 * The coordinates are stored as float32 first and the stored values are checked, so what passes
 * is exactly what is kept. Checks, in order, per box: finite coordinates (`non-finite`, also for
 * values beyond the float32 range), x2 ≥ x1 and y2 ≥ y1 (`inverted`; a negative width or height
 * in `xywh` / `cxcywh`), positive width and height when `allowEmpty` is false (`zero-area`), and,
 * when `options.image` is given, containment in `[0, W] × [0, H]` (`[0, 1]²` for rel):
 * `outside-image` when the box has no overlap with the image (a box merely touching the border
 * from outside counts as outside), `out-of-image` when it crosses the border.
 *
 * Policies:
 * - `error` (default): throws `INVALID_BOX` naming the first bad box (index, value, reason) and how
 *   many more follow; `error.details.issues` holds the full report (action `rejected`).
 * - `drop`: removes every bad box (action `dropped`).
 * - `clip`: clips `out-of-image` boxes to the image (action `clipped`) and drops all other bad boxes.
 *
 * @param input `[N, 4]` rows, or a flat `4N` array, in `format` and `units`.
 * @param format layout of the rows.
 * @param units `px` or `rel`.
 * @returns `[K, 4]` kept boxes (a new Float32Array), their ascending input indices `[K]`, and the issues.
 * @throws BoxesError `INVALID_BOX` (policy `error`), `SHAPE_MISMATCH` (rows not of 4, flat length
 * not 4N), `INVALID_ARGUMENT` (non-number entries, unknown format/units/policy, bad image size).
 * @example
 * const { boxes: gt, kept, issues } = validateBoxes(rows, "xyxy", "px", { image, policy: "clip" });
 * const keptLabels = Array.from(kept, (i) => labels[i]);
 */
export function validateBoxes<F extends BoxFormat, U extends BoxUnits>(
  input: BoxesInput,
  format: F,
  units: U,
  options: ValidateOptions = {},
): ValidationResult<F, U> {
  return validateImpl("validateBoxes", input, format, units, options, false);
}

function validateImpl<F extends BoxFormat, U extends BoxUnits>(
  fn: string,
  input: BoxesInput,
  format: F,
  units: U,
  options: ValidateOptions,
  single: boolean,
): ValidationResult<F, U> {
  checkFormat(fn, "format", format);
  checkUnits(fn, "units", units);
  if (options === null || typeof options !== "object") {
    fail("INVALID_ARGUMENT", fn, `options must be an object; got ${describeValue(options)}`, {
      arg: "options",
    });
  }
  const policy = options.policy ?? "error";
  if (policy !== "error" && policy !== "drop" && policy !== "clip") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.policy must be "error", "drop" or "clip"; got ${describeValue(policy)}`,
      {
        arg: "options.policy",
        value: policy,
      },
    );
  }
  const allowEmpty = options.allowEmpty ?? true;
  let W = Number.POSITIVE_INFINITY;
  let H = Number.POSITIVE_INFINITY;
  const image = options.image;
  if (image !== undefined) {
    checkImageSize(fn, "options.image", image);
    W = units === "rel" ? 1 : image.width;
    H = units === "rel" ? 1 : image.height;
  }
  const hasImage = image !== undefined;
  const given = flatten(fn, input);
  const data = new Float32Array(given);
  const n = data.length >> 2;
  const keptIdx = new Int32Array(n);
  const out = new Float32Array(n * 4);
  const xy = new Float64Array(4);
  const issues: BoxIssue[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = i * 4;
    const reason = classify(data, s, format, allowEmpty, hasImage, W, H, xy);
    if (reason === undefined) {
      const o = k * 4;
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
      out[o + 3] = data[s + 3]!;
      keptIdx[k++] = i;
      continue;
    }
    const value: Coords = [given[s]!, given[s + 1]!, given[s + 2]!, given[s + 3]!];
    if (policy === "clip" && reason === "out-of-image") {
      const x1 = Math.min(Math.max(xy[0]!, 0), W);
      const y1 = Math.min(Math.max(xy[1]!, 0), H);
      const x2 = Math.min(Math.max(xy[2]!, 0), W);
      const y2 = Math.min(Math.max(xy[3]!, 0), H);
      issues.push({ index: i, value, reason, action: "clipped" });
      xyxyToRow(x1, y1, x2, y2, format, out, k * 4);
      keptIdx[k++] = i;
      continue;
    }
    issues.push({ index: i, value, reason, action: policy === "error" ? "rejected" : "dropped" });
  }
  if (policy === "error" && issues.length > 0) {
    const first = issues[0]!;
    const more = issues.length - 1;
    const where = image !== undefined ? ` for image ${image.width}x${image.height}` : "";
    const what = single ? "coords" : `box ${first.index}`;
    const hint = single
      ? ""
      : fn === "validateBoxes"
        ? `; fix the input or pass policy "drop" or "clip"`
        : `; fix the input or use validateBoxes() with policy "drop" or "clip"`;
    fail(
      "INVALID_BOX",
      fn,
      `${what} ${describeValue(first.value)} (${format} ${units}) is ${first.reason}${where}` +
        `${more > 0 ? `; ${more} more invalid box(es) follow` : ""}${hint}`,
      { index: first.index, value: first.value, reason: first.reason, more, issues },
    );
  }
  return {
    boxes: unsafeBoxes(k === n ? out : out.slice(0, k * 4), format, units),
    kept: k === n ? keptIdx : keptIdx.slice(0, k),
    issues,
  };
}

/** True when an xyxy box has no overlap with [0, W] × [0, H] (a positive-width box merely touching an edge counts as outside). */
function isOutside(x1: number, y1: number, x2: number, y2: number, W: number, H: number): boolean {
  if (x1 > W || y1 > H || x2 < 0 || y2 < 0) return true;
  return (x2 > x1 && (x1 >= W || x2 <= 0)) || (y2 > y1 && (y1 >= H || y2 <= 0));
}

/**
 * Options for {@link boxes} and {@link fromJSON}: validation without a policy, since these return
 * only the boxes and must not drop anything silently. Use {@link validateBoxes} for `drop` / `clip`
 * with a report.
 */
export type BoxesOptions = Omit<ValidateOptions, "policy">;

/** Rejects a `policy` smuggled in by plain-JS callers of functions that have no report. */
function noPolicy(fn: string, options: BoxesOptions): void {
  const p = (options as ValidateOptions | null)?.policy;
  if (p !== undefined && p !== "error") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.policy ${describeValue(p)} is not supported here (nothing is dropped silently); use validateBoxes() to get the kept boxes and a report`,
      { arg: "options.policy", value: p },
    );
  }
}

/**
 * Builds Boxes from untrusted input (plain arrays, typed arrays), validating every box like
 * {@link validateBoxes} with policy `error`: any invalid box throws, nothing is dropped. For `drop`
 * / `clip` use {@link validateBoxes}, which also returns the kept indices (to filter labels alike)
 * and the report.
 *
 * @param input `[N, 4]` rows or a flat `4N` array, in `format` and `units`.
 * @returns `[N, 4]` boxes in a new Float32Array.
 * @example
 * const gt = boxes([[10, 20, 50, 80]], "xyxy", "px"); // Boxes<"xyxy","px">
 * @throws BoxesError `INVALID_BOX` (NaN/Infinity, inverted, zero-area when `allowEmpty` is false, or
 * outside `options.image`; `details.issues` lists every bad box), `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 */
export function boxes<F extends BoxFormat, U extends BoxUnits>(
  input: BoxesInput,
  format: F,
  units: U,
  options: BoxesOptions = {},
): Boxes<F, U> {
  noPolicy("boxes", options);
  return validateImpl("boxes", input, format, units, { ...options, policy: "error" }, false).boxes;
}

/**
 * One validated box. The coordinates are kept as given (float64 numbers); validation is the same
 * as {@link boxes} with policy `error`.
 * @param coords the 4 coordinates in `format` order.
 * @example box([10, 20, 50, 80], "xyxy", "px") // Box<"xyxy", "px">
 * @throws BoxesError `INVALID_BOX` when non-finite, inverted (or outside `options.image`),
 * `SHAPE_MISMATCH` when not 4 numbers.
 */
export function box<F extends BoxFormat, U extends BoxUnits>(
  coords: ArrayLike<number>,
  format: F,
  units: U,
  options: Omit<ValidateOptions, "policy"> = {},
): Box<F, U> {
  const fn = "box";
  if (coords === null || typeof coords !== "object" || coords.length !== 4) {
    fail("SHAPE_MISMATCH", fn, `coords must be 4 numbers; got ${describeValue(coords)}`, { arg: "coords" });
  }
  validateImpl(fn, [coords], format, units, { ...options, policy: "error" }, true);
  const c: Coords = [coords[0]!, coords[1]!, coords[2]!, coords[3]!];
  return { kind: BOX_KIND, format, units, coords: c };
}

/** Throws unless `i` is an integer index into `b`. */
function checkIndex(fn: string, arg: string, i: unknown, n: number): asserts i is number {
  if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= n) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be an integer in [0, ${n}); got ${describeValue(i)}`, {
      arg,
      value: i,
    });
  }
}

/**
 * Coordinates of box `i` of `b`, in `b.format` order (float32 values as numbers).
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when `i` is not an integer in `[0, N)`.
 */
export function boxCoords(b: Boxes, i: number): Coords {
  checkBoxes("boxCoords", "b", b);
  checkIndex("boxCoords", "i", i, b.length);
  const d = b.data;
  const s = i * 4;
  return [d[s]!, d[s + 1]!, d[s + 2]!, d[s + 3]!];
}

/**
 * Box `i` of `b` as a single {@link Box} of the same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when `i` is not an integer in `[0, N)`.
 */
export function boxAt<F extends BoxFormat, U extends BoxUnits>(b: Boxes<F, U>, i: number): Box<F, U> {
  checkBoxes("boxAt", "b", b);
  checkIndex("boxAt", "i", i, b.length);
  const d = b.data;
  const s = i * 4;
  return {
    kind: BOX_KIND,
    format: b.format,
    units: b.units,
    coords: [d[s]!, d[s + 1]!, d[s + 2]!, d[s + 3]!],
  };
}

/**
 * `[N, 4]` Boxes holding the given single boxes (validated like {@link boxes}); every box must have
 * `format` and `units` (also checked at run time).
 * @throws BoxesError `NOT_BOXES` for a non-Box element, `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `INVALID_BOX`.
 */
export function fromBoxList<F extends BoxFormat, U extends BoxUnits>(
  list: readonly Box<NoInfer<F>, NoInfer<U>>[],
  format: F,
  units: U,
): Boxes<F, U> {
  const fn = "fromBoxList";
  if (!Array.isArray(list)) {
    fail("INVALID_ARGUMENT", fn, `list must be an array of Box; got ${describeValue(list)}`, { arg: "list" });
  }
  checkFormat(fn, "format", format);
  checkUnits(fn, "units", units);
  list.forEach((b, i) => {
    checkBox(fn, `list[${i}]`, b, format, units);
  });
  return boxes(
    list.map((b) => b.coords),
    format,
    units,
  );
}

/**
 * The boxes as plain rows `[N][4]` in `b.format` order (float32 values as numbers).
 * @throws BoxesError `NOT_BOXES`.
 */
export function toArray(b: Boxes): number[][] {
  checkBoxes("toArray", "b", b);
  return rows(b);
}

function rows(b: Boxes): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < b.length; i++) out.push(Array.from(b.data.subarray(i * 4, i * 4 + 4)));
  return out;
}

/** JSON form of Boxes: tags plus rows, so the format and units survive files, workers and plain JS. */
export interface BoxesJSON {
  /** Always `"od.boxes"`. */
  readonly kind: typeof BOXES_KIND;
  /** Layout of every row. */
  readonly format: BoxFormat;
  /** `px` or `rel`. */
  readonly units: BoxUnits;
  /** `[N][4]` coordinates. */
  readonly boxes: number[][];
}

/**
 * Serialises Boxes with their format and units tags (`JSON.stringify(toJSON(b))`).
 * @throws BoxesError `NOT_BOXES`.
 */
export function toJSON(b: Boxes): BoxesJSON {
  checkBoxes("toJSON", "b", b);
  return { kind: BOXES_KIND, format: b.format, units: b.units, boxes: rows(b) };
}

/**
 * Parses {@link BoxesJSON} (e.g. from a file), checking its tags against the expected `format` and
 * `units` and validating every box like {@link boxes} (policy `error`: nothing is dropped).
 * @param json untrusted value, typically `JSON.parse` output.
 * @returns `[N, 4]` boxes.
 * @throws BoxesError `NOT_BOXES` (not a BoxesJSON), `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `INVALID_BOX`.
 */
export function fromJSON<F extends BoxFormat, U extends BoxUnits>(
  json: unknown,
  format: F,
  units: U,
  options: BoxesOptions = {},
): Boxes<F, U> {
  const fn = "fromJSON";
  noPolicy(fn, options);
  checkFormat(fn, "format", format);
  checkUnits(fn, "units", units);
  const r = json as Partial<BoxesJSON> | null;
  if (typeof r !== "object" || r === null || r.kind !== BOXES_KIND || !Array.isArray(r.boxes)) {
    fail(
      "NOT_BOXES",
      fn,
      `json must be { kind: "od.boxes", format, units, boxes: [...] }; got ${describeValue(json)}`,
      { arg: "json" },
    );
  }
  if (r.format !== format) {
    fail("FORMAT_MISMATCH", fn, `json holds ${describeValue(r.format)} boxes but ${format} was expected`, {
      arg: "json",
      expected: format,
      actual: r.format,
    });
  }
  if (r.units !== units) {
    fail("UNITS_MISMATCH", fn, `json is in ${describeValue(r.units)} units but ${units} was expected`, {
      arg: "json",
      expected: units,
      actual: r.units,
    });
  }
  return validateImpl(fn, r.boxes, format, units, { ...options, policy: "error" }, false).boxes;
}

/**
 * Boxes `indices[k]` of `b`, in that order (gather; repeats allowed). Use it to keep labels and
 * boxes aligned after NMS or validation.
 * @param b `[N, 4]` boxes.
 * @param indices `[K]` integers in `[0, N)`.
 * @returns `[K, 4]` boxes, same format and units, in a new array.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` for an index outside `[0, N)` or non-array indices.
 */
export function select<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  indices: ArrayLike<number>,
): Boxes<F, U> {
  const fn = "select";
  checkBoxes(fn, "b", b);
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
    fail("INVALID_ARGUMENT", fn, `indices must be an array of integers; got ${describeValue(indices)}`, {
      arg: "indices",
    });
  }
  const out = new Float32Array(indices.length * 4);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(fn, `indices[${k}]`, i, b.length);
    out.set(b.data.subarray(i * 4, i * 4 + 4), k * 4);
  }
  return unsafeBoxes(out, b.format, b.units);
}

/**
 * Concatenates box arrays of one format and units, in order.
 * @param parts box arrays, each `[N_i, 4]` in `format` and `units` (checked at run time).
 * @returns `[ΣN_i, 4]` boxes in a new array (empty for no parts).
 * @throws BoxesError `NOT_BOXES`, `FORMAT_MISMATCH`, `UNITS_MISMATCH`.
 */
export function concat<F extends BoxFormat, U extends BoxUnits>(
  parts: readonly Boxes<NoInfer<F>, NoInfer<U>>[],
  format: F,
  units: U,
): Boxes<F, U> {
  const fn = "concat";
  if (!Array.isArray(parts)) {
    fail("INVALID_ARGUMENT", fn, `parts must be an array of Boxes; got ${describeValue(parts)}`, {
      arg: "parts",
    });
  }
  checkFormat(fn, "format", format);
  checkUnits(fn, "units", units);
  let n = 0;
  parts.forEach((p, i) => {
    checkBoxes(fn, `parts[${i}]`, p, format, units);
    n += p.length;
  });
  const out = new Float32Array(n * 4);
  let o = 0;
  for (const p of parts) {
    out.set(p.data, o);
    o += p.data.length;
  }
  return unsafeBoxes(out, format, units);
}
