import { describeValue } from "@od/boxes";
import { isView, materialize, maxValue, type Source, shiftSource } from "@od/image/kernels";
import { type BoxFilter, readFilter } from "./filter.js";
import { checkInterval, checkPositiveInt, checkRange, fail } from "./internal/check.js";
import { channelMean } from "./internal/kernels.js";
import { geometricStep, unchanged } from "./internal/step.js";
import type { ShiftRecord } from "./records.js";
import { randomInt, uniform } from "./rng.js";
import type { SampleParts } from "./sample.js";
import {
  checkP,
  type DropReason,
  defineLazyTransform,
  type ProbabilityOptions,
  type StepOutput,
  type Transform,
} from "./transform.js";

/** Fill of the new canvas area: zeros, the image's per-channel mean, or fixed per-channel values in the image's range ([0, 255] bytes, [0, 1] floats). */
export type Fill = "zero" | "mean" | readonly number[];

function readFill(fn: string, f: unknown): Fill {
  if (f === undefined) return "zero";
  if (f === "zero" || f === "mean") return f;
  if (Array.isArray(f) && f.every((v) => typeof v === "number" && Number.isFinite(v))) return f;
  return fail(
    "INVALID_ARGUMENT",
    fn,
    `options.fill must be "zero", "mean" or per-channel numbers; got ${describeValue(f)}`,
  );
}

function fillValues(fn: string, fill: Fill, parts: SampleParts<Source>): ArrayLike<number> | undefined {
  if (fill === "zero") return undefined;
  if (fill === "mean") {
    const px = materialize(parts.px);
    const m = channelMean(px);
    return px.data instanceof Uint8Array ? m.map(Math.round) : m;
  }
  if (fill.length !== parts.px.channels) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `options.fill has ${fill.length} values but the image has ${parts.px.channels} channels`,
    );
  }
  const data = isView(parts.px) ? parts.px.src.data : parts.px.data;
  const max = maxValue(data);
  const range = data instanceof Uint8Array ? '"0-255"' : '"0-1"';
  fill.forEach((v, c) => {
    if (!(v >= 0 && v <= max))
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.fill[${c}] is ${v}, outside the ${range} range [0, ${max}] of the image${max === 1 && v > 1 ? "; give [0, 1] values for a float image" : ""}`,
        { arg: "options.fill", index: c, value: v },
      );
  });
  return fill;
}

/** Crops integer window `(x0, y0, w, h)` (inside the image). @internal */
function cropStep(
  fn: string,
  parts: SampleParts<Source>,
  x0: number,
  y0: number,
  w: number,
  h: number,
  filter: ReturnType<typeof readFilter>,
  pre?: (i: number) => DropReason | undefined,
): StepOutput {
  const rec: ShiftRecord = {
    kind: "od.shift",
    op: "crop",
    source: { width: parts.px.width, height: parts.px.height },
    target: { width: w, height: h },
    dx: -x0,
    dy: -y0,
  };
  return geometricStep(fn, parts, rec, shiftSource(parts.px, -x0, -y0, w, h), filter, pre);
}

/** Options for {@link crop}. */
export interface CropOptions extends ProbabilityOptions {
  /** Left edge, integer px (may be negative or reach past the image: the outside is zero-filled). */
  readonly x: number;
  /** Top edge, integer px. */
  readonly y: number;
  /** Width, px (positive integer). */
  readonly width: number;
  /** Height, px (positive integer). */
  readonly height: number;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * Crops a fixed window: the output is `width × height` with `out(x, y) = in(x + x0, y + y0)`;
 * boxes are shifted, clipped and filtered. Records an `od.shift` (op `crop`).
 * @throws AugmentError `INVALID_ARGUMENT` for sizes ≤ 0 or non-integer offsets.
 */
export function crop(options: CropOptions): Transform {
  const fn = "crop";
  checkPositiveInt(fn, "options.width", options?.width);
  checkPositiveInt(fn, "options.height", options.height);
  if (!Number.isInteger(options.x) || !Number.isInteger(options.y)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.x and options.y must be integers; got ${describeValue([options.x, options.y])}`,
    );
  }
  const filter = readFilter(fn, options.filter);
  return defineLazyTransform(fn, checkP(fn, options.p), (parts) =>
    cropStep(fn, parts, options.x, options.y, options.width, options.height, filter),
  );
}

/** SSD crop mode: `"none"` keeps the whole image; a number is the minimum IoU some box must have with the crop (0 = any crop). */
export type SsdCropChoice = "none" | number;

/** Options for {@link ssdCrop}. */
export interface SsdCropOptions extends ProbabilityOptions {
  /** Modes drawn uniformly (default `["none", 0.1, 0.3, 0.5, 0.7, 0.9]`). */
  readonly choices?: readonly SsdCropChoice[];
  /** Crop side as a fraction of the image side (default `[0.3, 1]`). */
  readonly scale?: readonly [number, number];
  /** Allowed crop height / width (default `[0.5, 2]`). */
  readonly aspect?: readonly [number, number];
  /** Random windows tried per mode before giving up and keeping the image (default 50). */
  readonly trials?: number;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * SSD's random sample crop (Liu et al., "SSD: Single Shot MultiBox Detector", 2016, §2.2; Caffe
 * `batch_sampler`): draw a mode from `choices`; for a min-IoU mode try up to `trials` windows with sides
 * `∈ scale · (W, H)` and height/width ratio `∈ aspect`, at integer px, accepting the first one whose
 * IoU with SOME box is ≥ the mode (Caffe's semantics) and which contains at least one box centre.
 * Boxes whose centre is outside the window are dropped (`center-outside`); the others are clipped and
 * filtered, so no kept box has zero area. When no window is accepted, the sample is unchanged.
 * A sample without boxes gets the first window of the right shape. Records an `od.shift` (op `crop`).
 * @throws AugmentError `INVALID_ARGUMENT` for bad choices, ranges or trials.
 */
export function ssdCrop(options: SsdCropOptions = {}): Transform {
  const fn = "ssdCrop";
  const choices = options.choices ?? ["none", 0.1, 0.3, 0.5, 0.7, 0.9];
  if (
    !Array.isArray(choices) ||
    choices.length === 0 ||
    choices.some((c) => c !== "none" && !(typeof c === "number" && c >= 0 && c <= 1))
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.choices must be a non-empty list of "none" or numbers in [0, 1]; got ${describeValue(choices)}`,
    );
  }
  const scale = options.scale ?? [0.3, 1];
  const aspect = options.aspect ?? [0.5, 2];
  checkInterval(fn, "options.scale", scale, Number.MIN_VALUE, 1);
  checkInterval(fn, "options.aspect", aspect, Number.MIN_VALUE, Number.MAX_VALUE);
  const trials = options.trials ?? 50;
  checkPositiveInt(fn, "options.trials", trials);
  const filter = readFilter(fn, options.filter);
  return defineLazyTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const mode = choices[randomInt(rng, 0, choices.length - 1)]!;
    if (mode === "none") return unchanged(parts);
    const { width: W, height: H } = parts.px;
    const b = parts.boxes;
    const n = parts.labels.length;
    for (let t = 0; t < trials; t++) {
      const w = Math.max(1, Math.floor(uniform(rng, scale[0] * W, scale[1] * W)));
      const h = Math.max(1, Math.floor(uniform(rng, scale[0] * H, scale[1] * H)));
      if (h / w < aspect[0] || h / w > aspect[1]) continue;
      const x0 = randomInt(rng, 0, W - w);
      const y0 = randomInt(rng, 0, H - h);
      const x1 = x0 + w;
      const y1 = y0 + h;
      if (n === 0) return cropStep(fn, parts, x0, y0, w, h, filter);
      let best = 0;
      let centres = 0;
      for (let i = 0; i < n; i++) {
        const bx1 = b[i * 4]!;
        const by1 = b[i * 4 + 1]!;
        const bx2 = b[i * 4 + 2]!;
        const by2 = b[i * 4 + 3]!;
        const iw = Math.min(bx2, x1) - Math.max(bx1, x0);
        const ih = Math.min(by2, y1) - Math.max(by1, y0);
        if (iw > 0 && ih > 0) {
          const inter = iw * ih;
          const u = (bx2 - bx1) * (by2 - by1) + w * h - inter;
          if (inter / u > best) best = inter / u;
        }
        const cx = (bx1 + bx2) / 2;
        const cy = (by1 + by2) / 2;
        if (cx > x0 && cx < x1 && cy > y0 && cy < y1) centres++;
      }
      if (best < mode || centres === 0) continue;
      return cropStep(fn, parts, x0, y0, w, h, filter, (i) => {
        const cx = (b[i * 4]! + b[i * 4 + 2]!) / 2;
        const cy = (b[i * 4 + 1]! + b[i * 4 + 3]!) / 2;
        return cx > x0 && cx < x1 && cy > y0 && cy < y1 ? undefined : "center-outside";
      });
    }
    return unchanged(parts);
  });
}

/** Options for {@link expand}. */
export interface ExpandOptions extends ProbabilityOptions {
  /** Canvas side / image side, drawn uniformly (default `[1, 4]` as SSD). */
  readonly ratio?: readonly [number, number];
  /** Canvas fill (default `"mean"`, as SSD's zoom-out). */
  readonly fill?: Fill;
}

/**
 * SSD's zoom-out ("expand"): places the image at a random integer offset of a canvas `r` times larger
 * (`r ∈ ratio`, sides floored), filled with `fill`. Objects become smaller; no box is lost. Records an
 * `od.shift` (op `expand`).
 * @throws AugmentError `INVALID_ARGUMENT` for a ratio range outside `[1, 16]` or a bad fill.
 */
export function expand(options: ExpandOptions = {}): Transform {
  const fn = "expand";
  const ratio = options.ratio ?? [1, 4];
  checkInterval(fn, "options.ratio", ratio, 1, 16);
  const fill = readFill(fn, options.fill ?? "mean");
  const filter = readFilter(fn, undefined);
  return defineLazyTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const { width: W, height: H } = parts.px;
    const r = uniform(rng, ratio[0], ratio[1]);
    const tw = Math.max(W, Math.floor(W * r));
    const th = Math.max(H, Math.floor(H * r));
    const dx = randomInt(rng, 0, tw - W);
    const dy = randomInt(rng, 0, th - H);
    const rec: ShiftRecord = {
      kind: "od.shift",
      op: "expand",
      source: { width: W, height: H },
      target: { width: tw, height: th },
      dx,
      dy,
    };
    return geometricStep(
      fn,
      parts,
      rec,
      shiftSource(parts.px, dx, dy, tw, th, fillValues(fn, fill, parts)),
      filter,
    );
  });
}

/** Options for {@link translate}. */
export interface TranslateOptions extends ProbabilityOptions {
  /** Largest shift as a fraction of the width and height (default `[0.1, 0.1]`); the shift is uniform in ±that. */
  readonly fraction?: readonly [number, number];
  /** Fill of the uncovered area (default `"zero"`). */
  readonly fill?: Fill;
  /** Box filter applied after the step. */
  readonly filter?: BoxFilter;
}

/**
 * Shifts the image content by a random integer `(dx, dy)` keeping its size (no affine resampling):
 * content shifted out is lost, the uncovered area is filled. Boxes are shifted, clipped and filtered.
 * Records an `od.shift` (op `translate`).
 * @throws AugmentError `INVALID_ARGUMENT` for fractions outside [0, 1].
 */
export function translate(options: TranslateOptions = {}): Transform {
  const fn = "translate";
  const fr = options.fraction ?? [0.1, 0.1];
  if (!Array.isArray(fr) || fr.length !== 2)
    fail("INVALID_ARGUMENT", fn, `options.fraction must be [fx, fy]; got ${describeValue(fr)}`);
  checkRange(fn, "options.fraction[0]", fr[0], 0, 1);
  checkRange(fn, "options.fraction[1]", fr[1], 0, 1);
  const fill = readFill(fn, options.fill);
  const filter = readFilter(fn, options.filter);
  return defineLazyTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const { width: W, height: H } = parts.px;
    const mx = Math.floor(fr[0] * W);
    const my = Math.floor(fr[1] * H);
    const dx = randomInt(rng, -mx, mx);
    const dy = randomInt(rng, -my, my);
    const rec: ShiftRecord = {
      kind: "od.shift",
      op: "translate",
      source: { width: W, height: H },
      target: { width: W, height: H },
      dx,
      dy,
    };
    return geometricStep(
      fn,
      parts,
      rec,
      shiftSource(parts.px, dx, dy, W, H, fillValues(fn, fill, parts)),
      filter,
    );
  });
}
