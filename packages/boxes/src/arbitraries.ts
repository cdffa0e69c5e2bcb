/**
 * `@od/boxes/arbitraries`: fast-check arbitraries for boxes of every format and unit, valid and
 * nasty, for property tests (yours and ours). `fast-check` is an optional peer dependency: install
 * it to use this subpath; the main entry point never imports it.
 *
 * Valid arbitraries BUILD valid values directly (no filtering): corners are drawn as sorted integer
 * pairs on a dyadic grid (1/64 px for px, 2^-20 for rel), so every coordinate, width, height and
 * centre is exactly representable in float32 and every format conversion of a generated box is exact.
 * They pass `validateBoxes` of `@od/boxes` with `options.image` set to the image they were drawn for.
 *
 * @example
 * import { test } from "@fast-check/vitest";
 * import { arbBoxes } from "@od/boxes/arbitraries";
 * test.prop([arbBoxes({ format: "cxcywh", units: "rel", maxLength: 20 })])("...", (b) => { ... });
 * @packageDocumentation
 */
import * as fc from "fast-check";
import { unsafeBoxes } from "./construct.js";
import { xyxyToRow } from "./internal/xyxy.js";
import {
  BOX_FORMATS,
  BOX_KIND,
  BOX_UNITS,
  type Box,
  type Boxes,
  type BoxFormat,
  type BoxUnits,
  type Coords,
  type ImageSize,
} from "./types.js";

/** Grid steps per unit: px coordinates are multiples of 1/64 px, rel of 2^-20. */
const PX_STEPS = 64;
const REL_STEPS = 2 ** 20;
/** Largest image side the px grid keeps exact in float32 (2^16 · 64 · 2 < 2^24). */
const MAX_SIDE = 65536;
/** Image used for px boxes when none is given. */
const DEFAULT_IMAGE: ImageSize = { width: 4096, height: 4096 };

/** Options for {@link arbImageSize}. Sides are integer px. */
export interface ImageSizeOptions {
  /** Smallest width, default 1. */
  readonly minWidth?: number;
  /** Largest width, default 4096 (at most 65536). */
  readonly maxWidth?: number;
  /** Smallest height, default 1. */
  readonly minHeight?: number;
  /** Largest height, default 4096 (at most 65536). */
  readonly maxHeight?: number;
}

/**
 * Integer image sizes `{ width, height }` with independent sides, so every aspect ratio in range
 * appears (1×4096 strips included).
 * @throws RangeError for bounds outside `[1, 65536]` or min > max.
 */
export function arbImageSize(options: ImageSizeOptions = {}): fc.Arbitrary<ImageSize> {
  const minW = options.minWidth ?? 1;
  const maxW = options.maxWidth ?? 4096;
  const minH = options.minHeight ?? 1;
  const maxH = options.maxHeight ?? 4096;
  for (const [name, v] of [
    ["minWidth", minW],
    ["maxWidth", maxW],
    ["minHeight", minH],
    ["maxHeight", maxH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) {
      throw new RangeError(`arbImageSize: ${name} must be an integer in [1, ${MAX_SIDE}]; got ${v}`);
    }
  }
  if (minW > maxW || minH > maxH) throw new RangeError("arbImageSize: min must be <= max");
  return fc.record({
    width: fc.integer({ min: minW, max: maxW }),
    height: fc.integer({ min: minH, max: maxH }),
  });
}

/** Any of the four formats. */
export function arbFormat(): fc.Arbitrary<BoxFormat> {
  return fc.constantFrom(...BOX_FORMATS);
}

/** `px` or `rel`. */
export function arbUnits(): fc.Arbitrary<BoxUnits> {
  return fc.constantFrom(...BOX_UNITS);
}

/** Options for {@link arbBox}. */
export interface BoxArbOptions<F extends BoxFormat, U extends BoxUnits> {
  /** Format of the generated boxes. */
  readonly format: F;
  /** Units of the generated boxes. */
  readonly units: U;
  /**
   * Image the boxes lie in (`[0, W] × [0, H]` px), default 4096×4096; integer sides ≤ 65536.
   * Rel boxes always lie in `[0, 1]²`.
   */
  readonly image?: ImageSize;
  /** Allow zero-width / zero-height boxes (default `true`; they are generated now and then). */
  readonly allowEmpty?: boolean;
}

/** Options for {@link arbBoxes}. */
export interface BoxesArbOptions<F extends BoxFormat, U extends BoxUnits> extends BoxArbOptions<F, U> {
  /** Fewest boxes, default 0. */
  readonly minLength?: number;
  /** Most boxes, default 50. */
  readonly maxLength?: number;
}

/** Integer sorted pair `lo <= hi` in `[0, n]` (strict `lo < hi` when `!allowEmpty`). */
function sortedPair(n: number, allowEmpty: boolean): fc.Arbitrary<readonly [number, number]> {
  if (allowEmpty) {
    return fc
      .tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }))
      .map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const)));
  }
  return fc
    .tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))
    .map(([a, b]) => (a <= b ? ([a, b + 1] as const) : ([b, a + 1] as const)));
}

/** xyxy corners on the grid of `units` inside `image`, as float64 `[x1, y1, x2, y2]`. */
function arbCorners(units: BoxUnits, image: ImageSize, allowEmpty: boolean): fc.Arbitrary<Coords> {
  const steps = units === "px" ? PX_STEPS : REL_STEPS;
  const nx = units === "px" ? image.width * PX_STEPS : REL_STEPS;
  const ny = units === "px" ? image.height * PX_STEPS : REL_STEPS;
  return fc
    .tuple(sortedPair(nx, allowEmpty), sortedPair(ny, allowEmpty))
    .map(([[x1, x2], [y1, y2]]) => [x1 / steps, y1 / steps, x2 / steps, y2 / steps] as const);
}

function toFormat(c: Coords, format: BoxFormat): Coords {
  const o = new Float64Array(4);
  xyxyToRow(c[0], c[1], c[2], c[3], format, o, 0);
  return [o[0]!, o[1]!, o[2]!, o[3]!];
}

function resolveImage(fn: string, image: ImageSize | undefined): ImageSize {
  const im = image ?? DEFAULT_IMAGE;
  if (!Number.isInteger(im.width) || !Number.isInteger(im.height) || im.width < 1 || im.height < 1) {
    throw new RangeError(`${fn}: image must have integer sides >= 1; got ${im.width}x${im.height}`);
  }
  if (im.width > MAX_SIDE || im.height > MAX_SIDE) {
    throw new RangeError(`${fn}: image sides must be <= ${MAX_SIDE}; got ${im.width}x${im.height}`);
  }
  return im;
}

function checkFormatUnits(fn: string, format: unknown, units: unknown): void {
  if (!(BOX_FORMATS as readonly unknown[]).includes(format)) {
    throw new RangeError(`${fn}: format must be one of ${BOX_FORMATS.join(", ")}; got ${String(format)}`);
  }
  if (!(BOX_UNITS as readonly unknown[]).includes(units)) {
    throw new RangeError(`${fn}: units must be "px" or "rel"; got ${String(units)}`);
  }
}

/**
 * Valid coordinates of one box in `format` order (plain numbers), e.g. as a row for `boxes` of `@od/boxes`.
 * Inside `[0, W] × [0, H]` px (`[0, 1]²` rel), x2 ≥ x1, y2 ≥ y1, exact in float32.
 */
export function arbCoords(options: BoxArbOptions<BoxFormat, BoxUnits>): fc.Arbitrary<Coords> {
  checkFormatUnits("arbCoords", options.format, options.units);
  const image = resolveImage("arbCoords", options.image);
  return arbCorners(options.units, image, options.allowEmpty ?? true).map((c) => toFormat(c, options.format));
}

/**
 * One valid {@link Box} of the given format and units, inside `options.image` (px) or `[0, 1]²` (rel).
 * @example fc.assert(fc.property(arbBox({ format: "xywh", units: "px" }), (b) => boxArea(b) >= 0))
 */
export function arbBox<F extends BoxFormat, U extends BoxUnits>(
  options: BoxArbOptions<F, U>,
): fc.Arbitrary<Box<F, U>> {
  const { format, units } = options;
  return arbCoords(options).map((coords) => ({ kind: BOX_KIND, format, units, coords }));
}

/**
 * `[N, 4]` valid {@link Boxes} of the given format and units, N in `[minLength, maxLength]`, inside
 * `options.image` (px) or `[0, 1]²` (rel). They pass `validateBoxes(..., { image })` unchanged.
 */
export function arbBoxes<F extends BoxFormat, U extends BoxUnits>(
  options: BoxesArbOptions<F, U>,
): fc.Arbitrary<Boxes<F, U>> {
  const { format, units } = options;
  const minLength = options.minLength ?? 0;
  const maxLength = options.maxLength ?? 50;
  return fc.array(arbCoords(options), { minLength, maxLength }).map((rows) => {
    const data = new Float32Array(rows.length * 4);
    rows.forEach((r, i) => {
      data.set(r, i * 4);
    });
    return unsafeBoxes(data, format, units);
  });
}

/** Options for {@link arbImageAndBoxes}. */
export interface ImageAndBoxesArbOptions<F extends BoxFormat, U extends BoxUnits>
  extends Omit<BoxesArbOptions<F, U>, "image"> {
  /** Range of the image sizes drawn. */
  readonly imageSize?: ImageSizeOptions;
}

/**
 * An image size and valid boxes of that image (px boxes inside it; rel boxes in `[0, 1]²`), for
 * properties that need both (`toRel`/`toPx`, `clip`, flips, letterbox).
 */
export function arbImageAndBoxes<F extends BoxFormat, U extends BoxUnits>(
  options: ImageAndBoxesArbOptions<F, U>,
): fc.Arbitrary<{ readonly image: ImageSize; readonly boxes: Boxes<F, U> }> {
  return arbImageSize(options.imageSize).chain((image) =>
    arbBoxes({ ...options, image }).map((boxes) => ({ image, boxes })),
  );
}

/**
 * Kinds of nasty boxes. Without an image, `degenerate`, `huge`, `tiny` and `negative` boxes are
 * valid (they pass `validateBoxes` with default options); `non-finite` and `inverted` are not
 * (reasons `non-finite` and `inverted`).
 */
export type NastyKind = "degenerate" | "huge" | "tiny" | "negative" | "non-finite" | "inverted";

/** All nasty kinds. */
export const NASTY_KINDS: readonly NastyKind[] = [
  "degenerate",
  "huge",
  "tiny",
  "negative",
  "non-finite",
  "inverted",
];

/** float32-finite doubles in ±`m`. */
function dbl(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => Math.fround(v));
}

function sorted2(a: fc.Arbitrary<number>): fc.Arbitrary<readonly [number, number]> {
  return fc.tuple(a, a).map(([p, q]) => (p <= q ? ([p, q] as const) : ([q, p] as const)));
}

/** xyxy corners of one nasty kind (float64 numbers). */
function nastyCorners(kind: NastyKind, units: BoxUnits): fc.Arbitrary<Coords> {
  const side = units === "px" ? 4096 : 1;
  switch (kind) {
    case "degenerate":
      // zero width, zero height, or a single point, anywhere in the image
      return fc
        .tuple(arbCorners(units, DEFAULT_IMAGE, true), fc.constantFrom("w", "h", "both"))
        .map(([c, which]) => {
          const x2 = which === "h" ? c[2] : c[0];
          const y2 = which === "w" ? c[3] : c[1];
          return [c[0], c[1], x2, y2] as const;
        });
    case "huge":
      return fc
        .tuple(sorted2(dbl(-1e30, 1e30)), sorted2(dbl(-1e30, 1e30)))
        .map(([[x1, x2], [y1, y2]]) => [x1, y1, x2, y2] as const);
    case "tiny":
      // sides between 2^-30 and 2^-10 of the unit; may round to zero-area in float32 far from 0
      return fc
        .tuple(dbl(0, side), dbl(0, side), dbl(2 ** -30, 2 ** -10), dbl(2 ** -30, 2 ** -10))
        .map(([x, y, w, h]) => [x, y, x + w, y + h] as const);
    case "negative":
      // one corner strictly negative (x1 or y1), the box may or may not reach into the image
      return fc
        .tuple(
          dbl(-2 * side, -(2 ** -10)),
          dbl(-2 * side, side),
          dbl(0, 3 * side),
          dbl(0, 3 * side),
          fc.boolean(),
        )
        .map(([neg, other, w, h, onX]) => {
          const x1 = onX ? neg : other;
          const y1 = onX ? other : neg;
          return [x1, y1, x1 + w, y1 + h] as const;
        });
    case "non-finite":
      return fc
        .tuple(
          arbCorners(units, DEFAULT_IMAGE, true),
          fc.subarray([0, 1, 2, 3], { minLength: 1 }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        )
        .map(([c, idx, v]) => {
          const r: [number, number, number, number] = [c[0], c[1], c[2], c[3]];
          for (const i of idx) r[i] = v;
          return r;
        });
    case "inverted":
      return fc
        .tuple(arbCorners(units, DEFAULT_IMAGE, false), fc.constantFrom("x", "y", "both"))
        .map(([c, axis]) => {
          const [x1, x2] = axis === "y" ? [c[0], c[2]] : [c[2], c[0]];
          const [y1, y2] = axis === "x" ? [c[1], c[3]] : [c[3], c[1]];
          return [x1, y1, x2, y2] as const;
        });
  }
}

/** Options for {@link arbNastyCoords}. */
export interface NastyCoordsOptions {
  /** Format the coordinates are written in. */
  readonly format: BoxFormat;
  /** Units the magnitudes are typical of (px: up to 4096, rel: up to 1). Default `px`. */
  readonly units?: BoxUnits;
  /** Kinds to draw from (default all of {@link NASTY_KINDS}). */
  readonly kinds?: readonly NastyKind[];
}

/**
 * Coordinates of one nasty box in `format` order, with the kind it was drawn as, for testing your
 * own validation and robustness (e.g. feed `coords` to `validateBoxes`). For `non-finite`, the NaN /
 * ±Infinity may be any subset of the corners before the format conversion.
 */
export function arbNastyCoords(
  options: NastyCoordsOptions,
): fc.Arbitrary<{ readonly kind: NastyKind; readonly coords: Coords }> {
  const units = options.units ?? "px";
  checkFormatUnits("arbNastyCoords", options.format, units);
  const kinds = options.kinds ?? NASTY_KINDS;
  if (kinds.length === 0) throw new RangeError("arbNastyCoords: kinds must not be empty");
  return fc.oneof(
    ...kinds.map((kind) =>
      nastyCorners(kind, units).map((c) => ({ kind, coords: toFormat(c, options.format) })),
    ),
  );
}

/** Options for {@link arbNastyBoxes}. */
export interface NastyBoxesArbOptions<F extends BoxFormat, U extends BoxUnits> {
  /** Format of the generated boxes. */
  readonly format: F;
  /** Units of the generated boxes. */
  readonly units: U;
  /** Kinds to mix in (default all). */
  readonly kinds?: readonly NastyKind[];
  /** Fewest boxes, default 0. */
  readonly minLength?: number;
  /** Most boxes, default 50. */
  readonly maxLength?: number;
}

/**
 * `[N, 4]` Boxes built WITHOUT validation (via `unsafeBoxes`) that mix valid boxes with nasty ones
 * of the requested kinds: what a buggy model, a corrupt file or a careless caller can produce.
 * Use it to check that your code neither throws unexpectedly nor loops on such input.
 */
export function arbNastyBoxes<F extends BoxFormat, U extends BoxUnits>(
  options: NastyBoxesArbOptions<F, U>,
): fc.Arbitrary<Boxes<F, U>> {
  const { format, units } = options;
  const row = fc.oneof(
    arbCoords({ format, units }),
    arbNastyCoords({ format, units, kinds: options.kinds ?? NASTY_KINDS }).map((r) => r.coords),
  );
  return fc
    .array(row, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 50 })
    .map((rows) => {
      const data = new Float32Array(rows.length * 4);
      rows.forEach((r, i) => {
        data.set(r, i * 4);
      });
      return unsafeBoxes(data, format, units);
    });
}
