import {
  type Boxes,
  describeValue,
  type ImageSize,
  type LetterboxRecord,
  unletterboxBoxes,
  unsafeBoxes,
} from "@od/boxes";
import { checkXyxyPx } from "./internal/boxes.js";
import { fail } from "./internal/check.js";

/** A resize to a fixed size (aspect ratio not kept): `x' = x · scaleX`, `y' = y · scaleY`. */
export interface ResizeRecord {
  /** Always `"od.resize"`. */
  readonly kind: "od.resize";
  /** Size before, px. */
  readonly source: ImageSize;
  /** Size after, px (integers). */
  readonly target: ImageSize;
  /** `target.width / source.width`. */
  readonly scaleX: number;
  /** `target.height / source.height`. */
  readonly scaleY: number;
}

/** A mirror: `x' = W − x` (horizontal) or `y' = H − y` (vertical); the size is unchanged. */
export interface FlipRecord {
  /** Always `"od.flip"`. */
  readonly kind: "od.flip";
  /** Which axis is mirrored. */
  readonly axis: "horizontal" | "vertical";
  /** Image size (before = after), px. */
  readonly size: ImageSize;
}

/**
 * A rotation by `k` quarter turns clockwise (as seen on screen, y down). For `k = 1`:
 * `(x, y) ↦ (H − y, x)` and the size becomes `H × W`; `k = 2`: `(W − x, H − y)`; `k = 3`: `(y, W − x)`.
 */
export interface Rotate90Record {
  /** Always `"od.rotate90"`. */
  readonly kind: "od.rotate90";
  /** Quarter turns clockwise, 1..3. */
  readonly k: 1 | 2 | 3;
  /** Size before, px. */
  readonly source: ImageSize;
}

/**
 * A change of canvas by an integer shift: `x' = x + dx`, `y' = y + dy`, onto a `target`-sized canvas.
 * Crops (`dx = −left`), expands / zoom-outs (`dx = offset`) and translations (`target = source`) are all
 * shifts; `op` says which produced it.
 */
export interface ShiftRecord {
  /** Always `"od.shift"`. */
  readonly kind: "od.shift";
  /** The transform that produced it. */
  readonly op: "crop" | "expand" | "translate" | "mosaic";
  /** Size before, px. */
  readonly source: ImageSize;
  /** Size after, px. */
  readonly target: ImageSize;
  /** Horizontal shift, integer px. */
  readonly dx: number;
  /** Vertical shift, integer px. */
  readonly dy: number;
  /**
   * `mosaic` only: the canvas rectangle `[x1, y1, x2, y2]` (integer px) showing the original image; the
   * rest of the canvas shows the other images, whose boxes have no counterpart in the original.
   */
  readonly window?: readonly [number, number, number, number];
}

/**
 * One geometric step applied to a sample, enough to map boxes forward ({@link applyRecords}) and back
 * ({@link invertRecords}). Letterboxes use `LetterboxRecord` from `@od/boxes`, the same record `@od/ssd`
 * uses, so rounding is decided once.
 */
export type GeometryRecord = LetterboxRecord | ResizeRecord | FlipRecord | Rotate90Record | ShiftRecord;

/**
 * The image size after a record, px.
 * @internal exported for the transforms of this package; not re-exported from the index.
 */
export function recordTarget(r: GeometryRecord): ImageSize {
  switch (r.kind) {
    case "od.letterbox":
    case "od.resize":
    case "od.shift":
      return r.target;
    case "od.flip":
      return r.size;
    case "od.rotate90":
      return r.k === 2 ? r.source : { width: r.source.height, height: r.source.width };
    default:
      return badRecord("recordTarget", r);
  }
}

function badRecord(fn: string, r: unknown): never {
  return fail("INVALID_RECORD", fn, `unknown geometry record ${describeValue(r)}`, { value: r });
}

/**
 * Maps `[N, 4]` xyxy px coordinates (float64, in place) forward through one record.
 * @internal exported for the transforms of this package; not re-exported from the index.
 */
export function forwardInPlace(fn: string, r: GeometryRecord, d: Float64Array): void {
  const n = d.length;
  switch (r.kind) {
    case "od.letterbox":
    case "od.resize": {
      const ox = r.kind === "od.letterbox" ? r.offset.x : 0;
      const oy = r.kind === "od.letterbox" ? r.offset.y : 0;
      for (let s = 0; s < n; s += 4) {
        d[s] = d[s]! * r.scaleX + ox;
        d[s + 1] = d[s + 1]! * r.scaleY + oy;
        d[s + 2] = d[s + 2]! * r.scaleX + ox;
        d[s + 3] = d[s + 3]! * r.scaleY + oy;
      }
      return;
    }
    case "od.shift":
      for (let s = 0; s < n; s += 4) {
        d[s]! += r.dx;
        d[s + 1]! += r.dy;
        d[s + 2]! += r.dx;
        d[s + 3]! += r.dy;
      }
      return;
    case "od.flip":
      flipInPlace(d, r.axis, r.size);
      return;
    case "od.rotate90":
      rotateInPlace(d, r.k, r.source);
      return;
    default:
      badRecord(fn, r);
  }
}

/** Maps `[N, 4]` xyxy px coordinates (float64, in place) back through one record. */
function inverseInPlace(fn: string, r: GeometryRecord, d: Float64Array): void {
  const n = d.length;
  switch (r.kind) {
    case "od.letterbox":
    case "od.resize": {
      const ox = r.kind === "od.letterbox" ? r.offset.x : 0;
      const oy = r.kind === "od.letterbox" ? r.offset.y : 0;
      for (let s = 0; s < n; s += 4) {
        d[s] = (d[s]! - ox) / r.scaleX;
        d[s + 1] = (d[s + 1]! - oy) / r.scaleY;
        d[s + 2] = (d[s + 2]! - ox) / r.scaleX;
        d[s + 3] = (d[s + 3]! - oy) / r.scaleY;
      }
      return;
    }
    case "od.shift":
      for (let s = 0; s < n; s += 4) {
        d[s]! -= r.dx;
        d[s + 1]! -= r.dy;
        d[s + 2]! -= r.dx;
        d[s + 3]! -= r.dy;
      }
      return;
    case "od.flip":
      flipInPlace(d, r.axis, r.size);
      return;
    case "od.rotate90": {
      const t = recordTarget(r);
      rotateInPlace(d, r.k === 1 ? 3 : r.k === 3 ? 1 : 2, t);
      return;
    }
    default:
      badRecord(fn, r);
  }
}

function flipInPlace(d: Float64Array, axis: "horizontal" | "vertical", size: ImageSize): void {
  const o = axis === "horizontal" ? 0 : 1;
  const L = axis === "horizontal" ? size.width : size.height;
  for (let s = 0; s < d.length; s += 4) {
    const a = d[s + o]!;
    d[s + o] = L - d[s + o + 2]!;
    d[s + o + 2] = L - a;
  }
}

function rotateInPlace(d: Float64Array, k: 1 | 2 | 3, src: ImageSize): void {
  const W = src.width;
  const H = src.height;
  for (let s = 0; s < d.length; s += 4) {
    const x1 = d[s]!;
    const y1 = d[s + 1]!;
    const x2 = d[s + 2]!;
    const y2 = d[s + 3]!;
    if (k === 1) {
      d[s] = H - y2;
      d[s + 1] = x1;
      d[s + 2] = H - y1;
      d[s + 3] = x2;
    } else if (k === 2) {
      d[s] = W - x2;
      d[s + 1] = H - y2;
      d[s + 2] = W - x1;
      d[s + 3] = H - y1;
    } else {
      d[s] = y1;
      d[s + 1] = W - x2;
      d[s + 2] = y2;
      d[s + 3] = W - x1;
    }
  }
}

function checkRecords(fn: string, records: unknown): asserts records is readonly GeometryRecord[] {
  if (!Array.isArray(records))
    fail("INVALID_RECORD", fn, `records must be an array; got ${describeValue(records)}`);
  records.forEach((r, i) => {
    const k = (r as { kind?: unknown } | null)?.kind;
    if (
      k !== "od.letterbox" &&
      k !== "od.resize" &&
      k !== "od.flip" &&
      k !== "od.rotate90" &&
      k !== "od.shift"
    ) {
      fail("INVALID_RECORD", fn, `records[${i}] is not a geometry record; got ${describeValue(r)}`, {
        index: i,
        value: r,
      });
    }
  });
}

/**
 * Maps boxes of the ORIGINAL image forward through `records` (in order) to the image the records end
 * at, without clipping or filtering. Computed in float64, rounded to float32 once at the end.
 * @param b `[N, 4]` xyxy px boxes of the image before `records[0]`.
 * @returns `[N, 4]` xyxy px boxes of the image after the last record.
 * @throws AugmentError `INVALID_BOXES`, `INVALID_RECORD`.
 */
export function applyRecords(
  b: Boxes<"xyxy", "px">,
  records: readonly GeometryRecord[],
): Boxes<"xyxy", "px"> {
  const fn = "applyRecords";
  checkXyxyPx(fn, "boxes", b);
  checkRecords(fn, records);
  const d = Float64Array.from(b.data);
  for (const r of records) forwardInPlace(fn, r, d);
  return unsafeBoxes(Float32Array.from(d), "xyxy", "px");
}

/**
 * Maps boxes on the augmented image (e.g. predictions on the network input) back to the ORIGINAL image
 * through every record, last first: flips and rotations are undone exactly, crops / expands /
 * translations by their integer shift, resizes and letterboxes by `(x − offset) / scale` with the
 * record's own scale (its rounding included). Computed in float64 and rounded to float32 once, so a
 * round trip `applyRecords` → `invertRecords` is exact up to float32 rounding of the coordinates
 * (≈ 1.2e-7 relative: < 1e-4 px for images up to ~800 px). No clipping: boxes reaching into padding map
 * outside the original image.
 * @param b `[N, 4]` xyxy px boxes of the image after the last record.
 * @param records the sample's `records`, in the order they were applied.
 * @returns `[N, 4]` xyxy px boxes of the original image.
 * @throws AugmentError `INVALID_BOXES`, `INVALID_RECORD`.
 */
export function invertRecords(
  b: Boxes<"xyxy", "px">,
  records: readonly GeometryRecord[],
): Boxes<"xyxy", "px"> {
  const fn = "invertRecords";
  checkXyxyPx(fn, "boxes", b);
  checkRecords(fn, records);
  const d = Float64Array.from(b.data);
  for (let i = records.length - 1; i >= 0; i--) inverseInPlace(fn, records[i]!, d);
  return unsafeBoxes(Float32Array.from(d), "xyxy", "px");
}

/**
 * Maps boxes on a letterboxed canvas back to the source image with the SAME record the forward step
 * produced (`unletterboxBoxes` from `@od/boxes`): `x = (x' − offset.x) / scaleX`.
 * @param b `[N, 4]` xyxy px boxes of `record.target`.
 * @returns `[N, 4]` xyxy px boxes of `record.source`.
 */
export function unletterbox(b: Boxes<"xyxy", "px">, record: LetterboxRecord): Boxes<"xyxy", "px"> {
  checkXyxyPx("unletterbox", "boxes", b);
  return unletterboxBoxes(b, record);
}
