import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBoxes, checkFormat, checkImageSize, checkOut, fail } from "./internal/check.js";
import { axisIndices, rowToXyxy, xyxyToRow } from "./internal/xyxy.js";
import type { Boxes, BoxFormat, BoxUnits, ImageSize } from "./types.js";

/**
 * Converts boxes to another format (same units). `xyxy` is the hub, as in torchvision's
 * `box_convert`: every other pair goes through xyxy inside one loop, without intermediate arrays.
 *
 * @param b `[N, 4]` boxes in any format.
 * @param to target format.
 * @param out optional `[N, 4]` Float32Array to write into (may be `b.data`: each row is read before it is written).
 * @returns `[N, 4]` boxes in `to`, same units. A new array unless `out` is given; a copy when `to === b.format`.
 * @example convert(boxes([[10, 20, 50, 80]], "xyxy", "px"), "cxcywh") // [[30, 50, 40, 60]]
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` for an unknown `to`; `SHAPE_MISMATCH` for a bad `out`.
 */
export function convert<F extends BoxFormat, U extends BoxUnits, T extends BoxFormat>(
  b: Boxes<F, U>,
  to: T,
  out?: Float32Array,
): Boxes<T, U> {
  checkBoxes("convert", "b", b);
  checkFormat("convert", "to", to);
  const src = b.data;
  const dst = checkOut("convert", out, src.length);
  const n = b.length;
  const from: BoxFormat = b.format;
  if (from === to) {
    if (dst !== src) dst.set(src);
  } else if (from === "xyxy") {
    for (let i = 0, s = 0; i < n; i++, s += 4) {
      xyxyToRow(src[s]!, src[s + 1]!, src[s + 2]!, src[s + 3]!, to, dst, s);
    }
  } else if (to === "xyxy") {
    for (let i = 0, s = 0; i < n; i++, s += 4) rowToXyxy(src, s, from, dst, s);
  } else {
    const t = new Float64Array(4);
    for (let i = 0, s = 0; i < n; i++, s += 4) {
      rowToXyxy(src, s, from, t, 0);
      xyxyToRow(t[0]!, t[1]!, t[2]!, t[3]!, to, dst, s);
    }
  }
  return unsafeBoxes(dst, to, b.units);
}

function scaleAxes<F extends BoxFormat, T extends BoxUnits>(
  fn: string,
  b: Boxes<F>,
  sx: number,
  sy: number,
  units: T,
  out: Float32Array | undefined,
  divide = false,
): Boxes<F, T> {
  const src = b.data;
  const dst = checkOut(fn, out, src.length);
  const { x, y } = axisIndices(b.format);
  const [xa, xb] = x;
  const [ya, yb] = y;
  for (let s = 0; s < src.length; s += 4) {
    const vxa = src[s + xa]!;
    const vxb = src[s + xb]!;
    const vya = src[s + ya]!;
    const vyb = src[s + yb]!;
    dst[s + xa] = divide ? vxa / sx : vxa * sx;
    dst[s + xb] = divide ? vxb / sx : vxb * sx;
    dst[s + ya] = divide ? vya / sy : vya * sy;
    dst[s + yb] = divide ? vyb / sy : vyb * sy;
  }
  return unsafeBoxes(dst, b.format, units);
}

/**
 * Pixel boxes to fractions of the image: x and widths divided by `size.width`, y and heights by
 * `size.height`. Any format.
 * @param b `[N, 4]` px boxes of an image of `size`.
 * @param out optional `[N, 4]` output (may alias `b.data`).
 * @returns `[N, 4]` rel boxes, same format.
 * @throws BoxesError `UNITS_MISMATCH` when `b` is already rel; `INVALID_ARGUMENT` for a bad size.
 */
export function toRel<F extends BoxFormat>(
  b: Boxes<F, "px">,
  size: ImageSize,
  out?: Float32Array,
): Boxes<F, "rel"> {
  checkBoxes("toRel", "b", b, undefined, "px");
  checkImageSize("toRel", "size", size);
  return scaleAxes("toRel", b, size.width, size.height, "rel", out, true);
}

/**
 * Fractions of the image to pixel boxes: x and widths times `size.width`, y and heights times
 * `size.height`. Any format.
 * @param b `[N, 4]` rel boxes.
 * @param out optional `[N, 4]` output (may alias `b.data`).
 * @returns `[N, 4]` px boxes of an image of `size`, same format.
 * @throws BoxesError `UNITS_MISMATCH` when `b` is already px; `INVALID_ARGUMENT` for a bad size.
 */
export function toPx<F extends BoxFormat>(
  b: Boxes<F, "rel">,
  size: ImageSize,
  out?: Float32Array,
): Boxes<F, "px"> {
  checkBoxes("toPx", "b", b, undefined, "rel");
  checkImageSize("toPx", "size", size);
  return scaleAxes("toPx", b, size.width, size.height, "px", out);
}

/**
 * Multiplies x coordinates (and widths) by `sx` and y coordinates (and heights) by `sy`, e.g. after
 * resizing the image by those factors. Any format; units unchanged (for rel boxes this describes
 * a zoom about the origin, not an image resize: rel boxes of a resized image do not change).
 * @param b `[N, 4]` boxes.
 * @param sx horizontal factor, finite and > 0; `sy` vertical factor (default `sx`).
 * @param out optional `[N, 4]` output (may be `b.data`).
 * @returns `[N, 4]` scaled boxes, same format and units.
 * @throws BoxesError `NOT_BOXES`; `INVALID_ARGUMENT` when a factor is not finite and positive.
 */
export function scale<F extends BoxFormat, U extends BoxUnits>(
  b: Boxes<F, U>,
  sx: number,
  sy: number = sx,
  out?: Float32Array,
): Boxes<F, U> {
  checkBoxes("scale", "b", b);
  for (const [name, v] of [
    ["sx", sx],
    ["sy", sy],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      fail("INVALID_ARGUMENT", "scale", `${name} must be a finite number > 0; got ${describeValue(v)}`, {
        arg: name,
        value: v,
      });
    }
  }
  return scaleAxes("scale", b, sx, sy, b.units, out);
}
