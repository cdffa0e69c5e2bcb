import { describeValue } from "./errors.js";
import { checkBoxes, checkFormat, checkImageSize, checkUnits, fail } from "./internal/check.js";
import { rowToXyxy, xyxyToRow } from "./internal/xyxy.js";
import { BOXES_KIND, type Box, type BoxFormat, type Boxes, type BoxUnits, type Coords, type ImageSize } from "./types.js";

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

/** One affected box in a validation report. */
export interface BoxIssue {
  /** Row index in the input. */
  readonly index: number;
  /** The input coordinates, in the input format and units. */
  readonly value: Coords;
  /** What was wrong. */
  readonly reason: BoxIssueReason;
  /** What was done: dropped from the output, or clipped to the image and kept. */
  readonly action: "dropped" | "clipped";
}

/** Options for {@link boxes} and {@link validateBoxes}. */
export interface ValidateOptions {
  /** Image the boxes belong to; enables the out-of-image check. For `rel` boxes the bounds are [0, 1]. */
  readonly image?: ImageSize;
  /** What to do with invalid boxes (default `"error"`). */
  readonly policy?: InvalidBoxPolicy;
  /** Accept zero-width or zero-height boxes (default `true`, as torchvision does). */
  readonly allowEmpty?: boolean;
}

/** Result of {@link validateBoxes}. */
export interface ValidationResult<F extends BoxFormat, U extends BoxUnits> {
  /** The kept boxes (clipped where the policy said so). */
  readonly boxes: Boxes<F, U>;
  /** `[K]` index into the input of each kept box, so labels can be filtered alike. */
  readonly kept: Int32Array;
  /** Every affected box, in input order. Empty when all boxes were valid. */
  readonly issues: readonly BoxIssue[];
}

/** Input accepted by the validating constructors: rows of 4 numbers, or a flat array of 4N numbers. */
export type BoxesInput = ArrayLike<ArrayLike<number>> | ArrayLike<number>;

/**
 * Wraps an existing `[N, 4]` Float32Array as Boxes WITHOUT checking or copying (cast-only
 * constructor for hot paths inside od). The array is taken over by the result.
 * @param data `[N, 4]` row-major coordinates, length divisible by 4.
 */
export function unsafeBoxes<F extends BoxFormat, U extends BoxUnits>(data: Float32Array, format: F, units: U): Boxes<F, U> {
  return { kind: BOXES_KIND, format, units, data, length: data.length >> 2 };
}

/** Zero boxes of the given format and units. */
export function emptyBoxes<F extends BoxFormat, U extends BoxUnits>(format: F, units: U): Boxes<F, U> {
  return unsafeBoxes(new Float32Array(0), format, units);
}

function flatten(fn: string, input: BoxesInput): Float32Array {
  if (input === null || typeof input !== "object" || typeof input.length !== "number") {
    fail("INVALID_ARGUMENT", fn, `input must be an array of [x, x, x, x] rows or a flat array of 4N numbers; got ${describeValue(input)}`);
  }
  const n = input.length;
  if (n === 0) return new Float32Array(0);
  const first = input[0];
  if (typeof first === "number") {
    if (n % 4 !== 0) {
      fail("SHAPE_MISMATCH", fn, `a flat input must have 4N numbers; got ${n}`, { actual: n });
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = (input as ArrayLike<unknown>)[i];
      if (typeof v !== "number") fail("INVALID_ARGUMENT", fn, `input[${i}] must be a number; got ${describeValue(v)}`, { index: i });
      out[i] = v;
    }
    return out;
  }
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const row = (input as ArrayLike<unknown>)[i] as ArrayLike<unknown> | null;
    if (row === null || typeof row !== "object" || row.length !== 4) {
      fail("SHAPE_MISMATCH", fn, `input[${i}] must have 4 coordinates; got ${describeValue(row)}`, { index: i });
    }
    for (let k = 0; k < 4; k++) {
      const v = row[k];
      if (typeof v !== "number") {
        fail("INVALID_ARGUMENT", fn, `input[${i}][${k}] must be a number; got ${describeValue(v)}`, { index: i });
      }
      out[i * 4 + k] = v;
    }
  }
  return out;
}

/**
 * Validates untrusted boxes and applies a caller-chosen policy, reporting every affected box.
 *
 * Checks, in order, per box: finite coordinates (`non-finite`), x2 ≥ x1 and y2 ≥ y1 (`inverted`),
 * positive width and height when `allowEmpty` is false (`zero-area`), and, when `image` is given,
 * containment in `[0, W] × [0, H]` (`[0, 1]²` for rel): `outside-image` when the box misses the image
 * entirely, `out-of-image` when it crosses the border.
 *
 * Policies: `error` throws `INVALID_BOX` naming the first bad box (index, value, reason) and how many
 * more there are; `drop` removes every bad box; `clip` clips boxes that cross the border to the image
 * (a box that becomes zero-area when `allowEmpty` is false is dropped) and drops all other bad boxes.
 *
 * @param input `[N, 4]` rows, or a flat `4N` array, in `format` and `units`.
 * @returns kept boxes (copied into a new Float32Array), their input indices, and the issue list.
 * @throws BoxesError `INVALID_BOX` (policy `error`), `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 */
export function validateBoxes<F extends BoxFormat, U extends BoxUnits>(
  input: BoxesInput,
  format: F,
  units: U,
  options: ValidateOptions = {},
): ValidationResult<F, U> {
  const fn = "validateBoxes";
  checkFormat(fn, "format", format);
  checkUnits(fn, "units", units);
  const policy = options.policy ?? "error";
  if (policy !== "error" && policy !== "drop" && policy !== "clip") {
    fail("INVALID_ARGUMENT", fn, `policy must be "error", "drop" or "clip"; got ${describeValue(policy)}`);
  }
  const allowEmpty = options.allowEmpty ?? true;
  let W = Number.POSITIVE_INFINITY;
  let H = Number.POSITIVE_INFINITY;
  const hasImage = options.image !== undefined;
  if (options.image !== undefined) {
    checkImageSize(fn, "options.image", options.image);
    W = units === "rel" ? 1 : options.image.width;
    H = units === "rel" ? 1 : options.image.height;
  }
  const data = flatten(fn, input);
  const n = data.length >> 2;
  const keptIdx = new Int32Array(n);
  const out = new Float32Array(n * 4);
  const xy = new Float64Array(4);
  const issues: BoxIssue[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = i * 4;
    const value: Coords = [data[s] as number, data[s + 1] as number, data[s + 2] as number, data[s + 3] as number];
    rowToXyxy(data, s, format, xy, 0);
    let x1 = xy[0] as number;
    let y1 = xy[1] as number;
    let x2 = xy[2] as number;
    let y2 = xy[3] as number;
    let reason: BoxIssueReason | undefined;
    if (!Number.isFinite(value[0]) || !Number.isFinite(value[1]) || !Number.isFinite(value[2]) || !Number.isFinite(value[3])) {
      reason = "non-finite";
    } else if (x2 < x1 || y2 < y1) reason = "inverted";
    else if (!allowEmpty && (x2 === x1 || y2 === y1)) reason = "zero-area";
    else if (hasImage && isOutside(x1, y1, x2, y2, W, H)) {
      reason = "outside-image";
    } else if (hasImage && (x1 < 0 || y1 < 0 || x2 > W || y2 > H)) reason = "out-of-image";
    if (reason !== undefined) {
      if (policy === "error") {
        let more = 0;
        for (let j = i + 1; j < n; j++) if (!quickValid(data, j, format, allowEmpty, hasImage, W, H, xy)) more++;
        fail(
          "INVALID_BOX",
          fn,
          `box ${i} ${describeValue(value)} (${format} ${units}) is ${reason}${hasImage ? ` for image ${W}x${H}` : ""}${more > 0 ? `; ${more} more invalid box(es) follow` : ""}`,
          { index: i, value, reason, more },
        );
      }
      if (policy === "clip" && reason === "out-of-image") {
        x1 = Math.min(Math.max(x1, 0), W);
        y1 = Math.min(Math.max(y1, 0), H);
        x2 = Math.min(Math.max(x2, 0), W);
        y2 = Math.min(Math.max(y2, 0), H);
        if (!allowEmpty && (x2 <= x1 || y2 <= y1)) {
          issues.push({ index: i, value, reason: "zero-area", action: "dropped" });
          continue;
        }
        issues.push({ index: i, value, reason, action: "clipped" });
        xyxyToRow(x1, y1, x2, y2, format, out, k * 4);
        keptIdx[k++] = i;
        continue;
      }
      issues.push({ index: i, value, reason, action: "dropped" });
      continue;
    }
    out.set(data.subarray(s, s + 4), k * 4);
    keptIdx[k++] = i;
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

function quickValid(
  data: Float32Array,
  j: number,
  format: BoxFormat,
  allowEmpty: boolean,
  hasImage: boolean,
  W: number,
  H: number,
  xy: Float64Array,
): boolean {
  const s = j * 4;
  for (let q = 0; q < 4; q++) if (!Number.isFinite(data[s + q] as number)) return false;
  rowToXyxy(data, s, format, xy, 0);
  const x1 = xy[0] as number;
  const y1 = xy[1] as number;
  const x2 = xy[2] as number;
  const y2 = xy[3] as number;
  if (x2 < x1 || y2 < y1) return false;
  if (!allowEmpty && (x2 === x1 || y2 === y1)) return false;
  return !hasImage || (x1 >= 0 && y1 >= 0 && x2 <= W && y2 <= H);
}

/**
 * Builds Boxes from untrusted input, throwing on any invalid box (policy `error`), or applying the
 * `drop` / `clip` policy silently. Use {@link validateBoxes} to get the report of affected boxes.
 *
 * @param input `[N, 4]` rows or a flat `4N` array, in `format` and `units`.
 * @example
 * const gt = boxes([[10, 20, 50, 80]], "xyxy", "px"); // Boxes<"xyxy","px">
 * @throws BoxesError `INVALID_BOX` (NaN, inverted, or out of `options.image`), `SHAPE_MISMATCH`, `INVALID_ARGUMENT`.
 */
export function boxes<F extends BoxFormat, U extends BoxUnits>(
  input: BoxesInput,
  format: F,
  units: U,
  options: ValidateOptions = {},
): Boxes<F, U> {
  return validateBoxes(input, format, units, options).boxes;
}

/**
 * One validated box.
 * @example box([10, 20, 50, 80], "xyxy", "px")
 * @throws BoxesError `INVALID_BOX` when non-finite or inverted.
 */
export function box<F extends BoxFormat, U extends BoxUnits>(coords: ArrayLike<number>, format: F, units: U): Box<F, U> {
  const b = boxes([coords], format, units);
  return { kind: "od.box", format, units, coords: boxCoords(b, 0) };
}

/** Coordinates of box `i` of `b` (float32 values as numbers). @throws BoxesError `INVALID_ARGUMENT` when i is out of range. */
export function boxCoords(b: Boxes, i: number): Coords {
  checkBoxes("boxCoords", "b", b);
  if (!Number.isInteger(i) || i < 0 || i >= b.length) {
    fail("INVALID_ARGUMENT", "boxCoords", `index must be an integer in [0, ${b.length}); got ${describeValue(i)}`);
  }
  const d = b.data;
  const s = i * 4;
  return [d[s] as number, d[s + 1] as number, d[s + 2] as number, d[s + 3] as number];
}

/** Box `i` of `b` as a single {@link Box}. */
export function boxAt<F extends BoxFormat, U extends BoxUnits>(b: Boxes<F, U>, i: number): Box<F, U> {
  return { kind: "od.box", format: b.format, units: b.units, coords: boxCoords(b, i) };
}

/** Boxes holding the given single boxes, which must share format and units. */
export function fromBoxList<F extends BoxFormat, U extends BoxUnits>(list: readonly Box<F, U>[], format: F, units: U): Boxes<F, U> {
  list.forEach((b, i) => {
    if (b.format !== format) fail("FORMAT_MISMATCH", "fromBoxList", `list[${i}] is ${b.format}; expected ${format}`, { index: i });
    if (b.units !== units) fail("UNITS_MISMATCH", "fromBoxList", `list[${i}] is ${b.units}; expected ${units}`, { index: i });
  });
  return boxes(
    list.map((b) => b.coords),
    format,
    units,
  );
}

/** The boxes as plain rows `[N][4]` (float32 values as numbers). */
export function toArray(b: Boxes): number[][] {
  checkBoxes("toArray", "b", b);
  const rows: number[][] = [];
  for (let i = 0; i < b.length; i++) rows.push(Array.from(b.data.subarray(i * 4, i * 4 + 4)));
  return rows;
}

/** JSON form of Boxes: tags plus rows, so the format and units survive files, workers and plain JS. */
export interface BoxesJSON {
  readonly kind: typeof BOXES_KIND;
  readonly format: BoxFormat;
  readonly units: BoxUnits;
  readonly boxes: number[][];
}

/** Serialises Boxes with their format and units tags. */
export function toJSON(b: Boxes): BoxesJSON {
  return { kind: BOXES_KIND, format: b.format, units: b.units, boxes: toArray(b) };
}

/**
 * Parses {@link BoxesJSON} (e.g. from a file), checking the tags against the expected format and units
 * and validating every box.
 * @throws BoxesError `NOT_BOXES`, `FORMAT_MISMATCH`, `UNITS_MISMATCH`, `INVALID_BOX`.
 */
export function fromJSON<F extends BoxFormat, U extends BoxUnits>(json: unknown, format: F, units: U, options: ValidateOptions = {}): Boxes<F, U> {
  const fn = "fromJSON";
  const r = json as Partial<BoxesJSON> | null;
  if (typeof r !== "object" || r === null || r.kind !== BOXES_KIND || !Array.isArray(r.boxes)) {
    fail("NOT_BOXES", fn, `json must be { kind: "od.boxes", format, units, boxes: [...] }; got ${describeValue(json)}`);
  }
  if (r.format !== format) fail("FORMAT_MISMATCH", fn, `json is ${String(r.format)} boxes; expected ${format}`, { expected: format, actual: r.format });
  if (r.units !== units) fail("UNITS_MISMATCH", fn, `json is in ${String(r.units)}; expected ${units}`, { expected: units, actual: r.units });
  return boxes(r.boxes, format, units, options);
}

/**
 * Boxes `indices[k]` of `b`, in that order (gather). Use it to keep labels and boxes aligned after
 * NMS or validation.
 * @throws BoxesError `INVALID_ARGUMENT` for an index outside [0, N).
 */
export function select<F extends BoxFormat, U extends BoxUnits>(b: Boxes<F, U>, indices: ArrayLike<number>): Boxes<F, U> {
  checkBoxes("select", "b", b);
  const out = new Float32Array(indices.length * 4);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= b.length) {
      fail("INVALID_ARGUMENT", "select", `indices[${k}] must be an integer in [0, ${b.length}); got ${describeValue(i)}`, { index: k });
    }
    out.set(b.data.subarray(i * 4, i * 4 + 4), k * 4);
  }
  return unsafeBoxes(out, b.format, b.units);
}

/** Concatenates box arrays of one format and units. @throws BoxesError on mixed formats or units. */
export function concat<F extends BoxFormat, U extends BoxUnits>(parts: readonly Boxes<F, U>[], format: F, units: U): Boxes<F, U> {
  let n = 0;
  parts.forEach((p, i) => {
    checkBoxes("concat", `parts[${i}]`, p, format, units);
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
