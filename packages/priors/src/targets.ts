import {
  type Boxes,
  type BoxFormat,
  describeValue,
  ENCODE_MIN_SIZE,
  SSD_VARIANCES,
  type Variances,
} from "@od/boxes";
import { checkUnit, fail } from "./internal/fail.js";
import { type PreparedGt, type PreparedPriors, prepareGt, preparePriors } from "./internal/prepared.js";
import { type ForcedMatching, type MatchResult, matchSsdPrepared, matchTwoPrepared } from "./match.js";

/** Which matcher {@link encodeTargets} uses. */
export type TargetMatcher =
  /** SSD matching (see {@link matchPriors}). */
  | { readonly kind: "ssd"; readonly threshold?: number; readonly forced?: ForcedMatching }
  /** Two thresholds with an ignore band (see {@link matchPriorsTwoThreshold}); ignored priors get label −1. */
  | {
      readonly kind: "two-threshold";
      readonly high?: number;
      readonly low?: number;
      readonly allowLowQuality?: boolean;
    };

/** Options for {@link encodeTargets} and {@link encodeTargetsBatch}. */
export interface EncodeTargetsOptions {
  /** Default `{ kind: "ssd", threshold: 0.5, forced: "unique" }`. */
  readonly matcher?: TargetMatcher;
  /** Box-coding variances (σx, σy, σw, σh), default `SSD_VARIANCES` = torchvision `BoxCoder((10, 10, 5, 5))`. */
  readonly variances?: Variances;
}

/** One image's ground truth for {@link encodeTargetsBatch}. */
export interface TargetsInput<F extends BoxFormat = BoxFormat> {
  /** `[M, 4]` GT, rel to the network input (M may be 0). */
  readonly boxes: Boxes<F, "rel">;
  /** `[M]` class ids ≥ 1 (0 is background). */
  readonly labels: ArrayLike<number>;
}

/** Targets of one image. */
export interface Targets {
  /** `[P, 4]` (tx, ty, tw, th) per prior; 0 for background and ignored priors. */
  readonly locTargets: Float32Array;
  /** `[P]` class per prior: GT label (≥ 1), 0 background, −1 ignore (two-threshold band only). */
  readonly labels: Int32Array;
  /** `[P]` matched GT index, −1 background, −2 ignore. */
  readonly matches: Int32Array;
  /** Number of priors with a GT (label ≥ 1). */
  readonly numPositive: number;
}

/** Targets of a batch, ready to become tensors. */
export interface BatchTargets {
  /** `[B, P, 4]` regression targets. */
  readonly locTargets: Float32Array;
  /** `[B, P]` labels: ≥ 1 class, 0 background, −1 ignore. */
  readonly labels: Int32Array;
  /** `[B]` positives per image. */
  readonly numPositive: Int32Array;
}

interface Coder {
  readonly vx: number;
  readonly vy: number;
  readonly ivw: number;
  readonly ivh: number;
}

function coder(fn: string, v: Variances | undefined): Coder {
  const va = v ?? SSD_VARIANCES;
  if (
    !Array.isArray(va) ||
    va.length !== 4 ||
    !va.every((x) => typeof x === "number" && Number.isFinite(x) && x > 0)
  ) {
    fail("INVALID_ARGUMENT", fn, `options.variances must be 4 finite numbers > 0; got ${describeValue(va)}`, {
      field: "options.variances",
    });
  }
  return { vx: va[0]!, vy: va[1]!, ivw: 1 / va[2]!, ivh: 1 / va[3]! };
}

interface Matcher {
  run(P: PreparedPriors, G: PreparedGt, res: MatchResult): void;
}

function matcher(fn: string, m: TargetMatcher | undefined): Matcher {
  const mm = m ?? { kind: "ssd" };
  if (mm.kind === "ssd") {
    const t = checkUnit(fn, "options.matcher.threshold", mm.threshold ?? 0.5);
    const forced = mm.forced ?? "unique";
    if (forced !== "unique" && forced !== "torchvision")
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.matcher.forced must be "unique" or "torchvision"; got ${describeValue(forced)}`,
      );
    return { run: (P, G, res) => matchSsdPrepared(P, G, t, forced, res) };
  }
  if (mm.kind === "two-threshold") {
    const high = checkUnit(fn, "options.matcher.high", mm.high ?? 0.5);
    const low = checkUnit(fn, "options.matcher.low", mm.low ?? 0.4);
    if (low > high)
      fail("INVALID_ARGUMENT", fn, `options.matcher.low (${low}) must be <= options.matcher.high (${high})`);
    const lq = mm.allowLowQuality ?? true;
    return { run: (P, G, res) => matchTwoPrepared(P, G, high, low, lq, res) };
  }
  return fail(
    "INVALID_ARGUMENT",
    fn,
    `options.matcher.kind must be "ssd" or "two-threshold"; got ${describeValue((mm as { kind?: unknown }).kind)}`,
  );
}

function checkLabels(fn: string, where: string, labels: ArrayLike<number>, m: number): void {
  if (labels === null || typeof labels !== "object" || labels.length !== m) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `${where}labels must have one entry per GT box (${m}); got ${describeValue(labels)}`,
      { field: "labels", expected: m },
    );
  }
  for (let g = 0; g < m; g++) {
    const v = labels[g]!;
    if (!Number.isInteger(v) || v < 1) {
      fail(
        "INVALID_GT",
        fn,
        `${where}labels[${g}] must be an integer >= 1 (0 is background); got ${describeValue(v)}`,
        { field: "labels", index: g, value: v },
      );
    }
  }
}

/** Per-GT (cx, cy, log w, log h), degenerate sizes raised to ENCODE_MIN_SIZE so targets stay finite. */
function gtCodes(G: PreparedGt): Float64Array {
  const c = new Float64Array(G.m * 4);
  const x = G.xyxy;
  for (let g = 0; g < G.m; g++) {
    const x1 = x[4 * g]!;
    const y1 = x[4 * g + 1]!;
    const x2 = x[4 * g + 2]!;
    const y2 = x[4 * g + 3]!;
    c[4 * g] = 0.5 * (x1 + x2);
    c[4 * g + 1] = 0.5 * (y1 + y2);
    c[4 * g + 2] = Math.log(Math.max(x2 - x1, ENCODE_MIN_SIZE));
    c[4 * g + 3] = Math.log(Math.max(y2 - y1, ENCODE_MIN_SIZE));
  }
  return c;
}

function encodeInto(
  P: PreparedPriors,
  G: PreparedGt,
  labels: ArrayLike<number>,
  cd: Coder,
  matches: Int32Array,
  loc: Float32Array,
  lab: Int32Array,
): number {
  const c = gtCodes(G);
  const n = P.n;
  const { cx, cy, iw, ih, lw, lh } = P;
  const ivx = 1 / cd.vx;
  const ivy = 1 / cd.vy;
  let pos = 0;
  for (let p = 0; p < n; p++) {
    const g = matches[p]!;
    const o = 4 * p;
    if (g < 0) {
      loc[o] = 0;
      loc[o + 1] = 0;
      loc[o + 2] = 0;
      loc[o + 3] = 0;
      lab[p] = g === -1 ? 0 : -1;
      continue;
    }
    const q = 4 * g;
    loc[o] = (c[q]! - cx[p]!) * iw[p]! * ivx;
    loc[o + 1] = (c[q + 1]! - cy[p]!) * ih[p]! * ivy;
    loc[o + 2] = (c[q + 2]! - lw[p]!) * cd.ivw;
    loc[o + 3] = (c[q + 3]! - lh[p]!) * cd.ivh;
    lab[p] = labels[g]!;
    pos++;
  }
  return pos;
}

/**
 * Per-prior regression targets and class labels for one image (the input of SSD's MultiBox loss), as
 * torchvision `SSD.compute_loss` builds them: match (see {@link matchPriors}), then encode each positive prior's
 * GT with SSD box coding (`tx = (gcx − pcx) / (σx·pw)`, `tw = log(gw / pw) / σw`, ...; `@od/boxes` `encode`).
 *
 * An image with no GT (a background-only negative) gives all labels 0 and all-zero (finite) targets.
 * Degenerate GT sizes are raised to `ENCODE_MIN_SIZE`, so targets are never NaN or infinite.
 *
 * @param gt `[M, 4]` GT boxes, any format, rel to the network input.
 * @param labels `[M]` class ids ≥ 1.
 * @param priors `[P, 4]` cxcywh rel priors.
 * @param out optional `{ locTargets: Float32Array(4P), labels: Int32Array(P), matches: Int32Array(P) }` to write into.
 * @returns `locTargets [P, 4]`, `labels [P]` (0 background, −1 ignore), `matches [P]`, `numPositive`.
 * @throws PriorsError `NO_PRIORS`, `SHAPE_MISMATCH` (labels length), `INVALID_GT` (NaN/inverted box, label < 1),
 *   `INVALID_ARGUMENT` (options, out).
 */
export function encodeTargets<F extends BoxFormat>(
  gt: Boxes<F, "rel">,
  labels: ArrayLike<number>,
  priors: Boxes<"cxcywh", "rel">,
  options: EncodeTargetsOptions = {},
  out?: { readonly locTargets: Float32Array; readonly labels: Int32Array; readonly matches: Int32Array },
): Targets {
  const fn = "encodeTargets";
  const P = preparePriors(fn, priors);
  const G = prepareGt(fn, gt);
  checkLabels(fn, "", labels, G.m);
  const cd = coder(fn, options.variances);
  const m = matcher(fn, options.matcher);
  const n = P.n;
  const loc = out?.locTargets ?? new Float32Array(4 * n);
  const lab = out?.labels ?? new Int32Array(n);
  const matches = out?.matches ?? new Int32Array(n);
  if (
    !(loc instanceof Float32Array) ||
    loc.length !== 4 * n ||
    !(lab instanceof Int32Array) ||
    lab.length !== n ||
    !(matches instanceof Int32Array) ||
    matches.length !== n
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `out must be { locTargets: Float32Array(${4 * n}), labels: Int32Array(${n}), matches: Int32Array(${n}) }`,
      { field: "out" },
    );
  }
  const ious = iouScratch(n);
  m.run(P, G, { matches, iou: ious });
  const numPositive = encodeInto(P, G, labels, cd, matches, loc, lab);
  return { locTargets: loc, labels: lab, matches, numPositive };
}

let iouBuf = new Float32Array(0);
function iouScratch(n: number): Float32Array {
  if (iouBuf.length < n) iouBuf = new Float32Array(n);
  return iouBuf.length === n ? iouBuf : iouBuf.subarray(0, n);
}
let matchBuf = new Int32Array(0);
function matchScratch(n: number): Int32Array {
  if (matchBuf.length < n) matchBuf = new Int32Array(n);
  return matchBuf.length === n ? matchBuf : matchBuf.subarray(0, n);
}

/**
 * {@link encodeTargets} for a batch of B images into one `[B, P, 4]` / `[B, P]` pair of arrays, ready to
 * become tensors (`tf.tensor3d(locTargets, [B, P, 4])`, labels as int32 with −1 = ignore).
 * @param batch B images' GT and labels (each may have zero boxes).
 * @param priors `[P, 4]` cxcywh rel priors shared by every image.
 * @param out optional `{ locTargets: Float32Array(4BP), labels: Int32Array(BP), numPositive: Int32Array(B) }`.
 * @throws PriorsError as {@link encodeTargets}; messages name the image (`batch[3].labels[0] ...`).
 */
export function encodeTargetsBatch(
  batch: readonly TargetsInput[],
  priors: Boxes<"cxcywh", "rel">,
  options: EncodeTargetsOptions = {},
  out?: BatchTargets,
): BatchTargets {
  const fn = "encodeTargetsBatch";
  if (!Array.isArray(batch))
    fail("INVALID_ARGUMENT", fn, `batch must be an array of { boxes, labels }; got ${describeValue(batch)}`);
  const P = preparePriors(fn, priors);
  const cd = coder(fn, options.variances);
  const m = matcher(fn, options.matcher);
  const n = P.n;
  const B = batch.length;
  const loc = out?.locTargets ?? new Float32Array(B * n * 4);
  const lab = out?.labels ?? new Int32Array(B * n);
  const npos = out?.numPositive ?? new Int32Array(B);
  if (loc.length !== B * n * 4 || lab.length !== B * n || npos.length !== B) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `out must be { locTargets: Float32Array(${B * n * 4}), labels: Int32Array(${B * n}), numPositive: Int32Array(${B}) }`,
      { field: "out" },
    );
  }
  const matches = matchScratch(n);
  const ious = iouScratch(n);
  for (let b = 0; b < B; b++) {
    const item = batch[b]!;
    let G: PreparedGt;
    try {
      G = prepareGt(fn, item?.boxes);
      checkLabels(fn, `batch[${b}].`, item.labels, G.m);
    } catch (e) {
      const r = e as { code?: string; message?: string };
      if (typeof r.message === "string" && r.message.startsWith(`${fn}: gt`)) {
        fail(
          r.code === "INVALID_GT" ? "INVALID_GT" : "INVALID_ARGUMENT",
          fn,
          `batch[${b}].boxes: ${r.message.slice(fn.length + 2)}`,
          { index: b },
        );
      }
      throw e;
    }
    m.run(P, G, { matches, iou: ious });
    npos[b] = encodeInto(
      P,
      G,
      item.labels,
      cd,
      matches,
      loc.subarray(b * n * 4, (b + 1) * n * 4),
      lab.subarray(b * n, (b + 1) * n),
    );
  }
  return { locTargets: loc, labels: lab, numPositive: npos };
}
