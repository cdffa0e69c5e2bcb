import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBoxes, checkImageSize, checkOut, fail } from "./internal/check.js";
import { rowToXyxy, xyxyToRow } from "./internal/xyxy.js";
import type { Boxes, BoxFormat, BoxUnits, ImageSize } from "./types.js";

/** Bounds of the image in the units of `b`: `[W, H]` for px, `[1, 1]` for rel. */
function bounds(fn: string, b: Boxes, size: ImageSize | undefined): [number, number] {
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
 * Applies `map` to every box viewed as xyxy and writes the result back in the box's own format.
 * `map` receives the corners and writes the new corners to `t[0..3]`.
 */
function mapXyxy<F extends BoxFormat, U extends BoxUnits>(
  fn: string,
  b: Boxes<F, U>,
  out: Float32Array | undefined,
  map: (t: Float64Array) => void,
): Boxes<F, U> {
  const src = b.data;
  const dst = checkOut(fn, out, src.length);
  const t = new Float64Array(4);
  for (let s = 0; s < src.length; s += 4) {
    rowToXyxy(src, s, b.format, t, 0);
    map(t);
    xyxyToRow(t[0]!, t[1]!, t[2]!, t[3]!, b.format, dst, s);
  }
  return unsafeBoxes(dst, b.format, b.units);
}

/**
 * Area of every box: width × height, in px² (px) or as a fraction of the image area (rel).
 * Computed from the coordinates as stored, like torchvision `box_area`: a zero-width box has area 0;
 * validity is not checked, so an inverted box gives a meaningless product (negative, or positive
 * when both sides are inverted). Validate untrusted boxes first ({@link validateBoxes}).
 * @param b `[N, 4]` boxes, any format and units.
 * @param out optional `[N]` output, returned.
 * @returns `[N]` areas (Float32Array).
 * @throws BoxesError `NOT_BOXES`, `SHAPE_MISMATCH` (bad `out`).
 */
export function area(b: Boxes, out?: Float32Array): Float32Array {
  checkBoxes("area", "b", b);
  const d = b.data;
  const n = b.length;
  const res = checkOut("area", out, n);
  const f = b.format;
  for (let i = 0, s = 0; i < n; i++, s += 4) {
    if (f === "xyxy" || f === "yxyx") res[i] = (d[s + 2]! - d[s]!) * (d[s + 3]! - d[s + 1]!);
    else res[i] = d[s + 2]! * d[s + 3]!;
  }
  return res;
}

/**
 * Clips boxes to the image: corners clamped to `[0, W] × [0, H]` (`[0, 1]²` for rel), as torchvision
 * `clip_boxes_to_image`. A box entirely outside the image becomes a zero-area box on the border, and
 * NaN coordinates stay NaN; use {@link validateBoxes} with policy `clip` to drop and report those.
 * @param b `[N, 4]` boxes, any format.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @param out optional `[N, 4]` output (may be `b.data`), returned inside the result.
 * @returns `[N, 4]` clipped boxes, same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when `size` is missing or invalid for px boxes.
 */
export function clip<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  size?: ImageSize,
  out?: Float32Array,
): Boxes<F, U> {
  checkBoxes("clip", "b", b);
  const [W, H] = bounds("clip", b, size);
  return mapXyxy("clip", b, out, (t) => {
    t[0] = Math.min(Math.max(t[0]!, 0), W);
    t[1] = Math.min(Math.max(t[1]!, 0), H);
    t[2] = Math.min(Math.max(t[2]!, 0), W);
    t[3] = Math.min(Math.max(t[3]!, 0), H);
  });
}

/**
 * Mirrors boxes left-right in an image of width W (1 for rel): x ↦ W − x, so `[x1, x2]` becomes
 * `[W − x2, W − x1]`. Continuous coordinates: no `−1` pixel offset (albumentations' convention, not
 * the legacy `W − 1 − x`). Applying it twice is the identity (up to float32 rounding).
 * @param b `[N, 4]` boxes, any format.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` mirrored boxes, same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when `size` is missing or invalid for px boxes.
 */
export function flipHorizontal<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  size?: ImageSize,
  out?: Float32Array,
): Boxes<F, U> {
  checkBoxes("flipHorizontal", "b", b);
  const [W] = bounds("flipHorizontal", b, size);
  return mapXyxy("flipHorizontal", b, out, (t) => {
    const x1 = t[0]!;
    t[0] = W - t[2]!;
    t[2] = W - x1;
  });
}

/**
 * Mirrors boxes top-bottom in an image of height H (1 for rel): y ↦ H − y, so `[y1, y2]` becomes
 * `[H − y2, H − y1]`. Applying it twice is the identity (up to float32 rounding).
 * @param b `[N, 4]` boxes, any format.
 * @param size image size in px; required for px boxes, ignored for rel.
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` mirrored boxes, same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when `size` is missing or invalid for px boxes.
 */
export function flipVertical<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  size?: ImageSize,
  out?: Float32Array,
): Boxes<F, U> {
  checkBoxes("flipVertical", "b", b);
  const [, H] = bounds("flipVertical", b, size);
  return mapXyxy("flipVertical", b, out, (t) => {
    const y1 = t[1]!;
    t[1] = H - t[3]!;
    t[3] = H - y1;
  });
}

/**
 * Shifts boxes by `(dx, dy)` in their own units (px or fractions of the image). Any format: only
 * positions move, widths and heights are kept.
 * @param b `[N, 4]` boxes.
 * @param dx horizontal shift, `dy` vertical shift (finite).
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` shifted boxes, same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` for non-finite offsets.
 */
export function translate<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  dx: number,
  dy: number,
  out?: Float32Array,
): Boxes<F, U> {
  checkBoxes("translate", "b", b);
  if (typeof dx !== "number" || typeof dy !== "number" || !Number.isFinite(dx) || !Number.isFinite(dy)) {
    fail(
      "INVALID_ARGUMENT",
      "translate",
      `dx and dy must be finite numbers; got ${describeValue(dx)}, ${describeValue(dy)}`,
      {
        arg: "dx, dy",
        value: [dx, dy],
      },
    );
  }
  const src = b.data;
  const dst = checkOut("translate", out, src.length);
  const f = b.format;
  // Which coordinates are positions (shifted) and which are sizes (kept).
  const ox = f === "yxyx" ? dy : dx;
  const oy = f === "yxyx" ? dx : dy;
  const sizes = f === "xywh" || f === "cxcywh";
  for (let s = 0; s < src.length; s += 4) {
    dst[s] = src[s]! + ox;
    dst[s + 1] = src[s + 1]! + oy;
    dst[s + 2] = src[s + 2]! + (sizes ? 0 : ox);
    dst[s + 3] = src[s + 3]! + (sizes ? 0 : oy);
  }
  return unsafeBoxes(dst, f, b.units);
}
