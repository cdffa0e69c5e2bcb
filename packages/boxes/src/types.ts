/**
 * Box formats, units and the `Boxes` array type.
 *
 * | format   | coordinates (in order)        | used by                                   |
 * |----------|-------------------------------|-------------------------------------------|
 * | `xyxy`   | x1, y1, x2, y2 (corners)      | datasets, augmentation, user predictions  |
 * | `xywh`   | x1, y1, width, height         | COCO annotations                          |
 * | `cxcywh` | centre x, centre y, w, h      | priors, box coding, model outputs         |
 * | `yxyx`   | y1, x1, y2, x2                | tfjs image ops (`cropAndResize`, NMS)     |
 *
 * Units: `px` are absolute pixels of the image at hand; `rel` are fractions of its width (x, w) and
 * height (y, h), so `[0, 0, 1, 1]` xyxy rel is the whole image.
 */

/** One of the four box layouts. */
export type BoxFormat = "xyxy" | "xywh" | "cxcywh" | "yxyx";

/** Absolute pixels (`px`) or fractions of the image size (`rel`). */
export type BoxUnits = "px" | "rel";

/** All formats, in a fixed order. */
export const BOX_FORMATS: readonly BoxFormat[] = ["xyxy", "xywh", "cxcywh", "yxyx"];

/** All units. */
export const BOX_UNITS: readonly BoxUnits[] = ["px", "rel"];

/** The runtime tag every `Boxes` value carries in its `kind` field. */
export const BOXES_KIND = "od.boxes" as const;

/**
 * N boxes of one format and one unit, stored row-major in a `Float32Array` of length 4N.
 *
 * The format and units are type parameters AND runtime tags: passing `Boxes<'cxcywh','px'>` where
 * `Boxes<'xyxy','px'>` is expected fails to compile, and every od function re-checks the tags at run
 * time (for plain-JS callers and data from JSON). The brand is a plain string-valued field rather than
 * a `unique symbol`, so values made by one installed copy of `@od/boxes` are accepted by another.
 *
 * `data` is owned by the value: od functions never mutate their inputs unless they take an explicit
 * `out` array.
 */
export interface Boxes<F extends BoxFormat = BoxFormat, U extends BoxUnits = BoxUnits> {
  /** Runtime brand, always `"od.boxes"`. */
  readonly kind: typeof BOXES_KIND;
  /** Coordinate layout of every row of `data`. */
  readonly format: F;
  /** `px` or `rel`. */
  readonly units: U;
  /** `[N, 4]` row-major coordinates in `format` and `units`. */
  readonly data: Float32Array;
  /** N, the number of boxes (`data.length / 4`). */
  readonly length: number;
}

/** The runtime tag every single {@link Box} carries in its `kind` field. */
export const BOX_KIND = "od.box" as const;

/** Four coordinates of one box, in the order its format defines. */
export type Coords = readonly [number, number, number, number];

/**
 * One box with its format and units (the single-box counterpart of {@link Boxes}).
 * Plain numbers (float64), for user code; hot paths use `Boxes`.
 */
export interface Box<F extends BoxFormat = BoxFormat, U extends BoxUnits = BoxUnits> {
  /** Runtime brand, always `"od.box"`. */
  readonly kind: typeof BOX_KIND;
  /** Coordinate layout. */
  readonly format: F;
  /** `px` or `rel`. */
  readonly units: U;
  /** The four coordinates in `format` order. */
  readonly coords: Coords;
}

/** Width and height of an image, in pixels (positive, finite). */
export interface ImageSize {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}
