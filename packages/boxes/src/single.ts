/**
 * Single-box helpers: the {@link Box} counterparts of the array operations, for user code that
 * handles one box at a time (drawing, UI, tests). Coordinates stay float64 numbers; every helper
 * uses the same xyxy kernels as the array functions and the same run-time checks, so a plain-JS
 * caller mixing formats or units gets the same `FORMAT_MISMATCH` / `UNITS_MISMATCH` errors.
 * Hot paths should use {@link Boxes} and the array functions instead.
 */
import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBox, checkFormat, checkImageSize, fail } from "./internal/check.js";
import { rowToXyxy, xyxyToRow } from "./internal/xyxy.js";
import { iou } from "./iou.js";
import { BOX_KIND, type Box, type BoxFormat, type BoxUnits, type Coords, type ImageSize } from "./types.js";

/** The box's corners as float64 `[x1, y1, x2, y2]`. */
function corners(b: Box): Float64Array {
  const t = new Float64Array(4);
  rowToXyxy(b.coords, 0, b.format, t, 0);
  return t;
}

/** A Box of `format`/`units` from xyxy corners. */
function fromCorners<F extends BoxFormat, U extends BoxUnits>(
  t: Float64Array,
  format: F,
  units: U,
): Box<F, U> {
  const o = new Float64Array(4);
  xyxyToRow(t[0]!, t[1]!, t[2]!, t[3]!, format, o, 0);
  const coords: Coords = [o[0]!, o[1]!, o[2]!, o[3]!];
  return { kind: BOX_KIND, format, units, coords };
}

function bounds(fn: string, b: Box, size: ImageSize | undefined): [number, number] {
  if (b.units === "rel") return [1, 1];
  if (size === undefined) {
    fail("INVALID_ARGUMENT", fn, "size is required for px boxes (the image's { width, height })", {
      arg: "size",
    });
  }
  checkImageSize(fn, "size", size);
  return [size.width, size.height];
}

/**
 * One box in another format (same units), like {@link convert} for arrays.
 * @example convertBox(box([10, 20, 50, 80], "xyxy", "px"), "cxcywh").coords // [30, 50, 40, 60]
 * @throws BoxesError `NOT_BOXES` (not a Box), `INVALID_ARGUMENT` (unknown `to`).
 */
export function convertBox<F extends BoxFormat, U extends BoxUnits, T extends BoxFormat>(
  b: Box<F, U>,
  to: T,
): Box<T, U> {
  checkBox("convertBox", "b", b);
  checkFormat("convertBox", "to", to);
  return fromCorners(corners(b), to, b.units);
}

/**
 * Width × height of one box, in px² or as a fraction of the image area (rel); the raw product like
 * {@link area} (inverted boxes are not checked).
 * @throws BoxesError `NOT_BOXES`.
 */
export function boxArea(b: Box): number {
  checkBox("boxArea", "b", b);
  const t = corners(b);
  return (t[2]! - t[0]!) * (t[3]! - t[1]!);
}

/**
 * Intersection over union of two boxes of the same format and units, computed by {@link iou}
 * (same semantics: 0 when the union is empty; float32 precision).
 * @returns IoU in [0, 1].
 * @throws BoxesError `NOT_BOXES`, `FORMAT_MISMATCH`, `UNITS_MISMATCH` (when the types are bypassed).
 */
export function boxIou<F extends BoxFormat, U extends BoxUnits>(
  a: Box<F, U>,
  b: Box<NoInfer<F>, NoInfer<U>>,
): number {
  const fn = "boxIou";
  checkBox(fn, "a", a);
  checkBox(fn, "b", b);
  if (a.format !== b.format) {
    fail("FORMAT_MISMATCH", fn, `a is ${a.format} but b is ${b.format}; convertBox() one of them first`, {
      expected: a.format,
      actual: b.format,
    });
  }
  if (a.units !== b.units) {
    fail("UNITS_MISMATCH", fn, `a is in ${a.units} but b is in ${b.units}; use toRelBox()/toPxBox() first`, {
      expected: a.units,
      actual: b.units,
    });
  }
  const r = iou(
    unsafeBoxes(Float32Array.from(a.coords), a.format, a.units),
    unsafeBoxes(Float32Array.from(b.coords), a.format, a.units),
  );
  return r[0]!;
}

/**
 * One px box as fractions of the image (x and widths / `size.width`, y and heights / `size.height`).
 * @throws BoxesError `NOT_BOXES`, `UNITS_MISMATCH` (already rel), `INVALID_ARGUMENT` (bad size).
 */
export function toRelBox<F extends BoxFormat>(b: Box<F, "px">, size: ImageSize): Box<F, "rel"> {
  checkBox("toRelBox", "b", b, undefined, "px");
  checkImageSize("toRelBox", "size", size);
  const t = corners(b);
  t[0]! /= size.width;
  t[2]! /= size.width;
  t[1]! /= size.height;
  t[3]! /= size.height;
  return fromCorners(t, b.format, "rel");
}

/**
 * One rel box in pixels of an image of `size`.
 * @throws BoxesError `NOT_BOXES`, `UNITS_MISMATCH` (already px), `INVALID_ARGUMENT` (bad size).
 */
export function toPxBox<F extends BoxFormat>(b: Box<F, "rel">, size: ImageSize): Box<F, "px"> {
  checkBox("toPxBox", "b", b, undefined, "rel");
  checkImageSize("toPxBox", "size", size);
  const t = corners(b);
  t[0]! *= size.width;
  t[2]! *= size.width;
  t[1]! *= size.height;
  t[3]! *= size.height;
  return fromCorners(t, b.format, "px");
}

/**
 * One box clipped to `[0, W] × [0, H]` (`[0, 1]²` for rel), like {@link clip}.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @throws BoxesError `NOT_BOXES`, `INVALID_ARGUMENT` (missing or bad size for px).
 */
export function clipBox<F extends BoxFormat, U extends BoxUnits>(b: Box<F, U>, size?: ImageSize): Box<F, U> {
  checkBox("clipBox", "b", b);
  const [W, H] = bounds("clipBox", b, size);
  const t = corners(b);
  t[0] = Math.min(Math.max(t[0]!, 0), W);
  t[1] = Math.min(Math.max(t[1]!, 0), H);
  t[2] = Math.min(Math.max(t[2]!, 0), W);
  t[3] = Math.min(Math.max(t[3]!, 0), H);
  return fromCorners(t, b.format, b.units);
}

/**
 * One box mirrored left-right (x ↦ W − x), like {@link flipHorizontal}.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @throws BoxesError `NOT_BOXES`, `INVALID_ARGUMENT` (missing or bad size for px).
 */
export function flipBoxHorizontal<F extends BoxFormat, U extends BoxUnits>(
  b: Box<F, U>,
  size?: ImageSize,
): Box<F, U> {
  checkBox("flipBoxHorizontal", "b", b);
  const [W] = bounds("flipBoxHorizontal", b, size);
  const t = corners(b);
  const x1 = t[0]!;
  t[0] = W - t[2]!;
  t[2] = W - x1;
  return fromCorners(t, b.format, b.units);
}

/**
 * One box mirrored top-bottom (y ↦ H − y), like {@link flipVertical}.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @throws BoxesError `NOT_BOXES`, `INVALID_ARGUMENT` (missing or bad size for px).
 */
export function flipBoxVertical<F extends BoxFormat, U extends BoxUnits>(
  b: Box<F, U>,
  size?: ImageSize,
): Box<F, U> {
  checkBox("flipBoxVertical", "b", b);
  const [, H] = bounds("flipBoxVertical", b, size);
  const t = corners(b);
  const y1 = t[1]!;
  t[1] = H - t[3]!;
  t[3] = H - y1;
  return fromCorners(t, b.format, b.units);
}

/**
 * One box shifted by `(dx, dy)` in its own units, like {@link translate}.
 * @throws BoxesError `NOT_BOXES`, `INVALID_ARGUMENT` (non-finite offsets).
 */
export function translateBox<F extends BoxFormat, U extends BoxUnits>(
  b: Box<F, U>,
  dx: number,
  dy: number,
): Box<F, U> {
  checkBox("translateBox", "b", b);
  if (typeof dx !== "number" || typeof dy !== "number" || !Number.isFinite(dx) || !Number.isFinite(dy)) {
    fail(
      "INVALID_ARGUMENT",
      "translateBox",
      `dx and dy must be finite numbers; got ${describeValue(dx)}, ${describeValue(dy)}`,
      { arg: "dx, dy", value: [dx, dy] },
    );
  }
  const t = corners(b);
  t[0]! += dx;
  t[2]! += dx;
  t[1]! += dy;
  t[3]! += dy;
  return fromCorners(t, b.format, b.units);
}

/**
 * One box with x (and width) times `sx` and y (and height) times `sy`, like {@link scale}.
 * @throws BoxesError `NOT_BOXES`, `INVALID_ARGUMENT` (a factor not finite and > 0).
 */
export function scaleBox<F extends BoxFormat, U extends BoxUnits>(
  b: Box<F, U>,
  sx: number,
  sy: number = sx,
): Box<F, U> {
  checkBox("scaleBox", "b", b);
  for (const [name, v] of [
    ["sx", sx],
    ["sy", sy],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      fail("INVALID_ARGUMENT", "scaleBox", `${name} must be a finite number > 0; got ${describeValue(v)}`, {
        arg: name,
        value: v,
      });
    }
  }
  const t = corners(b);
  t[0]! *= sx;
  t[2]! *= sx;
  t[1]! *= sy;
  t[3]! *= sy;
  return fromCorners(t, b.format, b.units);
}
