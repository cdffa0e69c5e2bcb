import { unsafeBoxes } from "./construct.js";
import { describeValue } from "./errors.js";
import { checkBoxes, checkOut, fail } from "./internal/check.js";
import { expFast, logFast } from "./internal/fast-math.js";
import { rowToXyxy } from "./internal/xyxy.js";
import type { Boxes, BoxFormat, BoxUnits } from "./types.js";

/** Variances (σx, σy, σw, σh) of SSD box coding; torchvision `BoxCoder` weights are their reciprocals. */
export type Variances = readonly [number, number, number, number];

/** SSD's variances: 0.1 for centres, 0.2 for sizes (= torchvision `BoxCoder(weights=(10, 10, 5, 5))`). */
export const SSD_VARIANCES: Variances = [0.1, 0.1, 0.2, 0.2];

/** `log(1000 / 16)`: torchvision's `bbox_xform_clip`, the cap on decoded log-size deltas. */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

/** Smallest width/height used when encoding a degenerate ground-truth box (keeps targets finite). */
export const ENCODE_MIN_SIZE = 1e-8;

/** Options for {@link encode} and {@link decode}. */
export interface CoderOptions {
  /** (σx, σy, σw, σh), default {@link SSD_VARIANCES}. */
  readonly variances?: Variances;
  /** decode only: cap on `σw·tw` and `σh·th` before `exp` (default {@link BBOX_XFORM_CLIP}). */
  readonly clip?: number;
}

function checkVariances(fn: string, v: Variances): void {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isFinite(x) && x > 0)) {
    fail("INVALID_ARGUMENT", fn, `options.variances must be 4 finite numbers > 0; got ${describeValue(v)}`, {
      arg: "options.variances",
    });
  }
}

/**
 * Prior arrays already validated: priors are built once and coded against many times (every image of
 * every step), so the O(P) check runs once per array. od never mutates a Boxes' data; a caller that
 * rewrites a validated prior array in place gets no second check.
 */
const validatedPriors = new WeakSet<Float32Array>();

function checkPriors(fn: string, priors: Boxes): void {
  const p = priors.data;
  if (validatedPriors.has(p)) return;
  for (let s = 0; s < p.length; s += 4) {
    const w = p[s + 2]!;
    const h = p[s + 3]!;
    if (
      !(
        w > 0 &&
        h > 0 &&
        Number.isFinite(w) &&
        Number.isFinite(h) &&
        Number.isFinite(p[s]!) &&
        Number.isFinite(p[s + 1]!)
      )
    ) {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `priors[${s >> 2}] must be finite with width and height > 0; got ${describeValue(Array.from(p.subarray(s, s + 4)))}`,
        {
          index: s >> 2,
        },
      );
    }
  }
  validatedPriors.add(p);
}

/**
 * SSD box encoding (Liu et al. 2016, eq. 2; torchvision `BoxCoder.encode_single` with weights
 * `1 / variances`): for each prior `p` (cxcywh) and its matched box `g`,
 * `tx = (gcx − pcx) / (σx · pw)`, `ty = (gcy − pcy) / (σy · ph)`, `tw = log(gw / pw) / σw`,
 * `th = log(gh / ph) / σh`.
 *
 * Degenerate boxes stay finite: a width or height below {@link ENCODE_MIN_SIZE} (zero-area or
 * inverted) is raised to it, where torchvision gives −inf / NaN. NaN coordinates give NaN targets
 * (validate ground truth first). The arithmetic runs in float64 and is stored as float32.
 *
 * @param matched `[P, 4]` boxes, any format, same units as `priors`: row k is the box matched to prior k.
 * @param priors `[P, 4]` cxcywh prior boxes with positive sizes.
 * @param out optional `[P, 4]` output.
 * @returns `[P, 4]` deltas (tx, ty, tw, th), unitless.
 * @param options variances (default {@link SSD_VARIANCES}).
 * @throws BoxesError `NOT_BOXES`, `FORMAT_MISMATCH` (priors not cxcywh), `UNITS_MISMATCH` (matched and
 * priors differ), `SHAPE_MISMATCH` when P differs, `INVALID_ARGUMENT` for bad priors or variances.
 */
export function encode<F extends BoxFormat, U extends BoxUnits>(
  matched: Boxes<F, U>,
  priors: Boxes<"cxcywh", NoInfer<U>>,
  options: CoderOptions = {},
  out?: Float32Array,
): Float32Array {
  const fn = "encode";
  checkBoxes(fn, "matched", matched);
  checkBoxes(fn, "priors", priors, "cxcywh", matched.units);
  if (matched.length !== priors.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `matched has ${matched.length} boxes but priors has ${priors.length}; they pair row by row`,
      {
        expected: priors.length,
        actual: matched.length,
      },
    );
  }
  const v = options.variances ?? SSD_VARIANCES;
  checkVariances(fn, v);
  checkPriors(fn, priors);
  const vx = v[0];
  const vy = v[1];
  const vw = v[2];
  const vh = v[3];
  const g = matched.data;
  const p = priors.data;
  const res = checkOut(fn, out, p.length);
  const f = matched.format;
  const ivx = 1 / vx;
  const ivy = 1 / vy;
  const ivw = 1 / vw;
  const ivh = 1 / vh;
  const t = new Float64Array(4);
  for (let s = 0; s < p.length; s += 4) {
    // Corners of the matched box; xyxy (the common case) is read directly, other formats via xyxy.
    let x1: number;
    let y1: number;
    let x2: number;
    let y2: number;
    if (f === "xyxy") {
      x1 = g[s]!;
      y1 = g[s + 1]!;
      x2 = g[s + 2]!;
      y2 = g[s + 3]!;
    } else {
      rowToXyxy(g, s, f, t, 0);
      x1 = t[0]!;
      y1 = t[1]!;
      x2 = t[2]!;
      y2 = t[3]!;
    }
    const gw = Math.max(x2 - x1, ENCODE_MIN_SIZE);
    const gh = Math.max(y2 - y1, ENCODE_MIN_SIZE);
    const gcx = 0.5 * (x1 + x2);
    const gcy = 0.5 * (y1 + y2);
    const pcx = p[s]!;
    const pcy = p[s + 1]!;
    const pw = p[s + 2]!;
    const ph = p[s + 3]!;
    const ipw = 1 / pw;
    const iph = 1 / ph;
    res[s] = (gcx - pcx) * ipw * ivx;
    res[s + 1] = (gcy - pcy) * iph * ivy;
    res[s + 2] = logFast(gw * ipw) * ivw;
    res[s + 3] = logFast(gh * iph) * ivh;
  }
  return res;
}

/**
 * Inverse of {@link encode} (torchvision `BoxCoder.decode_single`): `cx = tx·σx·pw + pcx`,
 * `w = exp(min(tw·σw, clip)) · pw`, likewise for y and h.
 *
 * @param deltas `[P, 4]` (tx, ty, tw, th), e.g. the model's location output for one image.
 * @param priors `[P, 4]` cxcywh priors.
 * @param out optional `[P, 4]` output.
 * @returns `[P, 4]` cxcywh boxes in the units of the priors.
 * @throws BoxesError `NOT_BOXES`, `FORMAT_MISMATCH` (priors not cxcywh), `SHAPE_MISMATCH` when the
 * lengths differ, `INVALID_ARGUMENT` for bad variances or clip.
 */
export function decode<U extends BoxUnits>(
  deltas: Float32Array,
  priors: Boxes<"cxcywh", U>,
  options: CoderOptions = {},
  out?: Float32Array,
): Boxes<"cxcywh", U> {
  const fn = "decode";
  checkBoxes(fn, "priors", priors, "cxcywh");
  if (!(deltas instanceof Float32Array) || deltas.length !== priors.data.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `deltas must be a Float32Array [${priors.length}, 4] to match priors; got ${describeValue(deltas)}`,
      {
        expected: priors.data.length,
      },
    );
  }
  const v = options.variances ?? SSD_VARIANCES;
  checkVariances(fn, v);
  const clip = options.clip ?? BBOX_XFORM_CLIP;
  if (typeof clip !== "number" || Number.isNaN(clip)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.clip must be a number (Infinity disables it); got ${describeValue(clip)}`,
      {
        arg: "options.clip",
      },
    );
  }
  const vx = v[0];
  const vy = v[1];
  const vw = v[2];
  const vh = v[3];
  const p = priors.data;
  const res = checkOut(fn, out, p.length);
  const n = p.length;
  for (let s = 0; s < n; s += 4) {
    const pcx = p[s]!;
    const pcy = p[s + 1]!;
    const pw = p[s + 2]!;
    const ph = p[s + 3]!;
    const tx = deltas[s]!;
    const ty = deltas[s + 1]!;
    const tw = deltas[s + 2]!;
    const th = deltas[s + 3]!;
    res[s] = tx * vx * pw + pcx;
    res[s + 1] = ty * vy * ph + pcy;
    res[s + 2] = expFast(Math.min(tw * vw, clip)) * pw;
    res[s + 3] = expFast(Math.min(th * vh, clip)) * ph;
  }
  return unsafeBoxes(res, "cxcywh", priors.units);
}
