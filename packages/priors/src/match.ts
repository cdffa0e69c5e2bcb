import type { Boxes, BoxFormat } from "@od/boxes";
import { checkUnit, fail } from "./internal/fail.js";
import { type PreparedGt, type PreparedPriors, prepareGt, preparePriors } from "./internal/prepared.js";

/** `matches[p]` for a prior below the (low) threshold: background. */
export const BACKGROUND = -1;
/** `matches[p]` for a prior in the two-threshold matcher's ignore band `[low, high)`. */
export const IGNORE = -2;

/**
 * How {@link matchPriors} resolves two ground-truth boxes whose best prior is the same prior.
 * - `"unique"` (default): GTs are forced in order of decreasing best IoU (ties: lower GT index first); a GT
 *   whose best prior is already taken gets its best free prior (ties: lowest prior index). Every GT ends up
 *   with at least one prior whenever P ≥ M.
 * - `"torchvision"`: each GT is forced onto its own best prior in index order, so the LAST GT wins a shared
 *   prior and the others may end with no prior at all. torchvision's `SSDMatcher` does this by the accident of
 *   `matches[idx] = arange(M)` scattering duplicates in order on CPU (not a documented guarantee).
 */
export type ForcedMatching = "unique" | "torchvision";

/** Options for {@link matchPriors}. */
export interface MatchOptions {
  /** A prior takes its best GT when their IoU ≥ this (default 0.5). In [0, 1]. */
  readonly threshold?: number;
  /** Conflict rule of the forced best-prior-per-GT step (default `"unique"`). */
  readonly forced?: ForcedMatching;
}

/** Options for {@link matchPriorsTwoThreshold}. */
export interface TwoThresholdOptions {
  /** IoU ≥ high: matched (default 0.5). */
  readonly high?: number;
  /** IoU < low: background; `[low, high)`: ignored, {@link IGNORE} (default 0.4). */
  readonly low?: number;
  /**
   * torchvision `Matcher(allow_low_quality_matches=True)`: for every GT, each prior tied at that GT's highest
   * IoU takes its own best GT even below `low` (default `true`, as torchvision's RetinaNet and RPN build their
   * `Matcher`; the class's own default is `False`). Unlike torchvision, a GT whose highest IoU is 0 (it
   * overlaps no prior) adds no matches: torchvision would match every prior with IoU 0 to it.
   */
  readonly allowLowQuality?: boolean;
}

/** Result of matching one image's GT against the priors. */
export interface MatchResult {
  /** `[P]` index of the GT matched to each prior, {@link BACKGROUND} (−1) or {@link IGNORE} (−2). */
  readonly matches: Int32Array;
  /** `[P]` IoU of each prior with its best GT (with its forced GT where forced); 0 when there is no GT. */
  readonly iou: Float32Array;
}

/** Priors remembered per GT, so a GT that loses its best prior rarely needs a rescan. */
const TOPK = 8;

/** Scratch buffers reused across calls (no allocation per call once grown). */
interface Scratch {
  best: Float64Array;
  bestGt: Int32Array;
  gtBest: Float64Array;
  gtBestP: Int32Array;
  /** [M, TOPK] best IoUs per GT, descending, and their priors */
  top: Float64Array;
  topP: Int32Array;
  order: Int32Array;
  taken: Uint8Array;
}
const scratch: Scratch = {
  best: new Float64Array(0),
  bestGt: new Int32Array(0),
  gtBest: new Float64Array(0),
  gtBestP: new Int32Array(0),
  top: new Float64Array(0),
  topP: new Int32Array(0),
  order: new Int32Array(0),
  taken: new Uint8Array(0),
};
function grow(P: number, M: number): Scratch {
  if (scratch.bestGt.length < P) {
    scratch.best = new Float64Array(P);
    scratch.bestGt = new Int32Array(P);
    scratch.taken = new Uint8Array(P);
  }
  if (scratch.gtBest.length < M) {
    scratch.gtBest = new Float64Array(M);
    scratch.gtBestP = new Int32Array(M);
    scratch.order = new Int32Array(M);
    scratch.top = new Float64Array(M * TOPK);
    scratch.topP = new Int32Array(M * TOPK);
  }
  return scratch;
}

/** IoU of GT g with prior p, float64 (0 for no overlap or zero union). */
function iouOne(P: PreparedPriors, G: PreparedGt, g: number, p: number): number {
  const gx = G.xyxy;
  const w = Math.min(gx[4 * g + 2]!, P.x2[p]!) - Math.max(gx[4 * g]!, P.x1[p]!);
  if (w <= 0) return 0;
  const h = Math.min(gx[4 * g + 3]!, P.y2[p]!) - Math.max(gx[4 * g + 1]!, P.y1[p]!);
  if (h <= 0) return 0;
  const inter = w * h;
  const union = G.area[g]! + P.area[p]! - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The fused IoU pass: per prior its best IoU and GT (ties: lowest GT index), per GT its best IoU and prior
 * (ties: lowest prior index). No [M, P] matrix is stored.
 */
function bestPass(P: PreparedPriors, G: PreparedGt, s: Scratch): void {
  const n = P.n;
  const { best, bestGt, gtBest, gtBestP, top, topP } = s;
  // Priors that overlap no GT keep IoU 0 with GT 0 (argmax of an all-zero column is the lowest index).
  best.fill(0, 0, n);
  bestGt.fill(0, 0, n);
  const gx = G.xyxy;
  for (let g = 0; g < G.m; g++) {
    const gx1 = gx[4 * g]!;
    const gy1 = gx[4 * g + 1]!;
    const gx2 = gx[4 * g + 2]!;
    const gy2 = gx[4 * g + 3]!;
    const ga = G.area[g]!;
    const base = g * TOPK;
    top.fill(-1, base, base + TOPK);
    topP.fill(-1, base, base + TOPK);
    let kth = -1;
    let kthP = -1;
    for (const c of P.classes) {
      const cx1 = c.x1;
      // candidates overlap in x: x1 < gx2 and x2 > gx1, hence x1 > gx1 - maxW
      let lo = 0;
      let hi = cx1.length;
      const from = gx1 - c.maxW;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cx1[mid]! <= from) lo = mid + 1;
        else hi = mid;
      }
      const { idx, y1, x2, y2, area } = c;
      for (let k = lo; k < cx1.length; k++) {
        const px1 = cx1[k]!;
        if (px1 >= gx2) break;
        const w = Math.min(gx2, x2[k]!) - Math.max(gx1, px1);
        if (w <= 0) continue;
        const h = Math.min(gy2, y2[k]!) - Math.max(gy1, y1[k]!);
        if (h <= 0) continue;
        const inter = w * h;
        const union = ga + area[k]! - inter;
        const v = union > 0 ? inter / union : 0;
        const p = idx[k]!;
        // g ascends, so a strict compare gives IoU ties to the lowest GT index
        if (v > best[p]!) {
          best[p] = v;
          bestGt[p] = g;
        }
        if (v > kth || (v === kth && p < kthP)) {
          // insert keeping descending IoU, ties by ascending prior index
          let i = base + TOPK - 1;
          while (i > base) {
            const above = top[i - 1]!;
            const aboveP = topP[i - 1]!;
            if (!(v > above || (v === above && p < aboveP))) break;
            top[i] = above;
            topP[i] = aboveP;
            i--;
          }
          top[i] = v;
          topP[i] = p;
          kth = top[base + TOPK - 1]!;
          kthP = topP[base + TOPK - 1]!;
        }
      }
    }
    if (!(top[base]! > 0)) {
      // overlaps no prior: its best is IoU 0 at prior 0, as torch's argmax of a zero row
      top[base] = 0;
      topP[base] = 0;
    }
    gtBest[g] = top[base]!;
    gtBestP[g] = topP[base]!;
  }
}

function outputs(fn: string, n: number, out: MatchResult | undefined): MatchResult {
  if (out === undefined) return { matches: new Int32Array(n), iou: new Float32Array(n) };
  if (
    !(out.matches instanceof Int32Array) ||
    out.matches.length !== n ||
    !(out.iou instanceof Float32Array) ||
    out.iou.length !== n
  ) {
    fail("INVALID_ARGUMENT", fn, `out must be { matches: Int32Array(${n}), iou: Float32Array(${n}) }`, {
      field: "out",
    });
  }
  return out;
}

/** @internal shared by encodeTargets: runs SSD matching on prepared inputs. */
export function matchSsdPrepared(
  P: PreparedPriors,
  G: PreparedGt,
  threshold: number,
  forced: ForcedMatching,
  res: MatchResult,
): void {
  const n = P.n;
  const M = G.m;
  const { matches, iou } = res;
  if (M === 0) {
    matches.fill(BACKGROUND, 0, n);
    iou.fill(0, 0, n);
    return;
  }
  const s = grow(n, M);
  bestPass(P, G, s);
  const { best, bestGt } = s;
  for (let p = 0; p < n; p++) {
    const v = best[p]!;
    iou[p] = v;
    matches[p] = v >= threshold ? bestGt[p]! : BACKGROUND;
  }
  if (forced === "torchvision") {
    for (let g = 0; g < M; g++) {
      const p = s.gtBestP[g]!;
      matches[p] = g;
      iou[p] = s.gtBest[g]!;
    }
    return;
  }
  // unique: decreasing best IoU, ties by lower GT index (insertion sort: M is small)
  const order = s.order;
  for (let g = 0; g < M; g++) {
    let k = g;
    const v = s.gtBest[g]!;
    while (k > 0) {
      const prev = order[k - 1]!;
      if (!(s.gtBest[prev]! < v)) break;
      order[k] = prev;
      k--;
    }
    order[k] = g;
  }
  const taken = s.taken;
  for (let k = 0; k < M; k++) taken[s.gtBestP[order[k]!]!] = 0;
  let anyTaken = false;
  for (let k = 0; k < M; k++) {
    const g = order[k]!;
    let p = s.gtBestP[g]!;
    let v = s.gtBest[g]!;
    if (taken[p] === 1) {
      anyTaken = true;
      // best free prior for g: from its remembered top-K when one is free, else a full rescan
      p = -1;
      v = -1;
      const base = g * TOPK;
      for (let i = base + 1; i < base + TOPK; i++) {
        const q = s.topP[i]!;
        if (q >= 0 && taken[q] === 0) {
          p = q;
          v = s.top[i]!;
          break;
        }
      }
      if (p < 0 || v <= 0 || v === s.top[base + TOPK - 1]!) {
        // all remembered priors taken, zero overlap, or a tie at the edge of the top-K: full rescan
        p = -1;
        v = -1;
        for (let q = 0; q < n; q++) {
          if (taken[q] === 1) continue;
          const u = iouOne(P, G, g, q);
          if (u > v) {
            v = u;
            p = q;
          }
        }
      }
      if (p < 0) continue; // fewer priors than GT
    }
    taken[p] = 1;
    matches[p] = g;
    iou[p] = v;
  }
  if (anyTaken) taken.fill(0, 0, n);
  else for (let k = 0; k < M; k++) taken[s.gtBestP[k]!] = 0;
}

/** @internal shared by encodeTargets: runs the two-threshold matcher on prepared inputs. */
export function matchTwoPrepared(
  P: PreparedPriors,
  G: PreparedGt,
  high: number,
  low: number,
  lowQuality: boolean,
  res: MatchResult,
): void {
  const n = P.n;
  const M = G.m;
  const { matches, iou } = res;
  if (M === 0) {
    matches.fill(BACKGROUND, 0, n);
    iou.fill(0, 0, n);
    return;
  }
  const s = grow(n, M);
  bestPass(P, G, s);
  const { best, bestGt } = s;
  for (let p = 0; p < n; p++) {
    const v = best[p]!;
    iou[p] = v;
    matches[p] = v >= high ? bestGt[p]! : v >= low ? IGNORE : BACKGROUND;
  }
  if (!lowQuality) return;
  for (let g = 0; g < M; g++) {
    const top = s.gtBest[g]!;
    if (!(top > 0)) continue;
    const gx1 = G.xyxy[4 * g]!;
    const gx2 = G.xyxy[4 * g + 2]!;
    // only priors overlapping g in x can tie at a positive IoU
    for (const c of P.classes) {
      const from = gx1 - c.maxW;
      for (let k = 0; k < c.x1.length; k++) {
        const px1 = c.x1[k]!;
        if (px1 <= from) continue;
        if (px1 >= gx2) break;
        const p = c.idx[k]!;
        if (iouOne(P, G, g, p) === top) matches[p] = bestGt[p]!;
      }
    }
  }
}

/**
 * SSD matching (Liu et al. 2016, §2.2; torchvision `SSDMatcher`) of one image's GT against the priors:
 * 1. each prior takes its best GT when their IoU ≥ `threshold` (argmax ties: lowest GT index);
 * 2. each GT is forced onto its best prior whatever the IoU (ties: lowest prior index), overriding step 1.
 *    Two GTs sharing one best prior are resolved by `forced` (see {@link ForcedMatching}).
 *
 * IoU is computed in float64 from the float32 inputs by one fused loop (no [M, P] matrix).
 * @param gt `[M, 4]` GT boxes in any format, rel to the network input (M may be 0: all background).
 * @param priors `[P, 4]` cxcywh rel priors, P ≥ 1, positive sizes.
 * @param out optional `{ matches: Int32Array(P), iou: Float32Array(P) }` to write into.
 * @returns `matches[p]` ∈ [0, M) or −1, and the IoU with that GT.
 * @throws PriorsError `NO_PRIORS` (P = 0), `INVALID_GT` (NaN or inverted GT), `INVALID_ARGUMENT` (threshold, out, priors).
 */
export function matchPriors<F extends BoxFormat>(
  gt: Boxes<F, "rel">,
  priors: Boxes<"cxcywh", "rel">,
  options: MatchOptions = {},
  out?: MatchResult,
): MatchResult {
  const fn = "matchPriors";
  const threshold = checkUnit(fn, "options.threshold", options.threshold ?? 0.5);
  const forced = options.forced ?? "unique";
  if (forced !== "unique" && forced !== "torchvision")
    fail("INVALID_ARGUMENT", fn, `options.forced must be "unique" or "torchvision"; got ${String(forced)}`);
  const P = preparePriors(fn, priors);
  const G = prepareGt(fn, gt);
  const res = outputs(fn, P.n, out);
  matchSsdPrepared(P, G, threshold, forced, res);
  return res;
}

/**
 * Two-threshold matching with an ignore band, as torchvision `Matcher(high, low, allow_low_quality_matches)`
 * (Faster R-CNN / RetinaNet style): IoU ≥ `high` → best GT, `[low, high)` → {@link IGNORE}, below → {@link BACKGROUND};
 * with `allowLowQuality`, every prior tied at a GT's highest IoU takes its own best GT.
 * @param gt `[M, 4]` rel GT, any format (M may be 0).
 * @param priors `[P, 4]` cxcywh rel priors, P ≥ 1.
 * @returns `matches[p]` ∈ [0, M), −1 or −2, and the best IoU per prior.
 * @throws PriorsError `NO_PRIORS`, `INVALID_GT`, `INVALID_ARGUMENT` (thresholds outside [0, 1] or low > high).
 */
export function matchPriorsTwoThreshold<F extends BoxFormat>(
  gt: Boxes<F, "rel">,
  priors: Boxes<"cxcywh", "rel">,
  options: TwoThresholdOptions = {},
  out?: MatchResult,
): MatchResult {
  const fn = "matchPriorsTwoThreshold";
  const high = checkUnit(fn, "options.high", options.high ?? 0.5);
  const low = checkUnit(fn, "options.low", options.low ?? 0.4);
  if (low > high)
    fail("INVALID_ARGUMENT", fn, `options.low (${low}) must be <= options.high (${high})`, {
      field: "options.low",
      value: low,
    });
  const P = preparePriors(fn, priors);
  const G = prepareGt(fn, gt);
  const res = outputs(fn, P.n, out);
  matchTwoPrepared(P, G, high, low, options.allowLowQuality ?? true, res);
  return res;
}
