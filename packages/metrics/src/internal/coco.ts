/**
 * COCO bbox evaluation cut along pycocotools' own seams (`cocoeval.py`): {@link computeIoU} and
 * {@link evaluateImg} per image and class, {@link accumulate} per class, {@link summarize} once.
 * {@link computeCoco} runs them in that order; `evaluateCoco` documents the conventions.
 * @module
 */
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from "../params.js";
import type { CocoClassResult, CocoResult, CocoStats } from "../types.js";
import { type Groups, groupByClass, sortByScoreDesc, stableOrder } from "./group.js";
import type { ImageRecord } from "./record.js";

/** `np.spacing(1)`, added to the precision denominator by pycocotools. */
const SPACING1 = 2.220446049250313e-16;
/** Flag bit of one (area, threshold, detection) evaluation: the detection matched a ground truth. */
export const MATCHED = 1;
/** Flag bit: the detection is neither TP nor FP (matched an ignored ground truth, or outside the area range). */
export const IGNORED = 2;
/** Number of `maxDets` settings (pycocotools' `M`). */
const M = 3;

/** Options resolved by the caller. */
export interface CocoCoreOptions {
  /** Detections kept per image and class for the three summaries, increasing (default `[1, 10, 100]`). */
  readonly maxDets: readonly [number, number, number];
  /** Ground truth flagged difficult is ignored (VOC convention) when true. */
  readonly ignoreDifficult: boolean;
}

/** One image's boxes of one class: the pairs pycocotools' `evaluateImg(imgId, catId, ...)` looks at. */
export interface ImageClass {
  /** The image. */
  readonly record: ImageRecord;
  /** `[G]` indices into the image's ground truth, input order. */
  readonly gt: Int32Array;
  /** `[D]` indices into the image's detections, score descending (stable), at most `maxDets[2]`. */
  readonly det: Int32Array;
}

/**
 * Scratch buffers of {@link computeIoU} and {@link evaluateImg}, grown on demand and reused across
 * images so the per-image work allocates nothing.
 */
export class CocoScratch {
  /** `[D, G]` IoU, row-major. */
  ious = new Float64Array(64);
  /** `[G]` ground-truth areas, px². */
  gtAreas = new Float64Array(16);
  /** `[G]` 1 when the ground truth is ignored in the current area range. */
  gtIgnore = new Uint8Array(16);
  /** `[G]` ground-truth order with the ignored ones last (stable). */
  gtOrder = new Int32Array(16);
  /** `[T, G]` detection (rank) matched to each ground truth at each threshold, -1 when none. */
  gtMatch = new Int32Array(64);

  /** Makes every buffer large enough for `D` detections and `G` ground truth boxes. */
  ensure(D: number, G: number): void {
    const T = COCO_IOU_THRESHOLDS.length;
    if (this.ious.length < D * G) this.ious = new Float64Array(D * G * 2);
    if (this.gtIgnore.length < G) {
      this.gtIgnore = new Uint8Array(G * 2);
      this.gtOrder = new Int32Array(G * 2);
      this.gtAreas = new Float64Array(G * 2);
    }
    if (this.gtMatch.length < T * G) this.gtMatch = new Int32Array(T * G * 2);
  }
}

/**
 * pycocotools `computeIoU` for `iouType='bbox'` (maskApi `bbIou`): `s.ious[p * G + q]` is the IoU of
 * detection `p` and ground truth `q` in float64 on continuous xyxy px; against crowd ground truth the
 * union is the detection's area. Also fills `s.gtAreas[q] = (x2 - x1) * (y2 - y1)`.
 * @param s scratch, already {@link CocoScratch.ensure | ensured} for `[D, G]`.
 */
export function computeIoU(ic: ImageClass, s: CocoScratch): void {
  const { record: r, gt, det } = ic;
  const G = gt.length;
  const D = det.length;
  const gb = r.gtBoxes;
  const db = r.detBoxes;
  const ious = s.ious;
  const gtAreas = s.gtAreas;
  for (let q = 0; q < G; q++) {
    const j = gt[q]! * 4;
    gtAreas[q] = (gb[j + 2]! - gb[j]!) * (gb[j + 3]! - gb[j + 1]!);
  }
  for (let p = 0; p < D; p++) {
    const i = det[p]! * 4;
    const dx1 = db[i]!;
    const dy1 = db[i + 1]!;
    const dx2 = db[i + 2]!;
    const dy2 = db[i + 3]!;
    const da = (dx2 - dx1) * (dy2 - dy1);
    for (let q = 0; q < G; q++) {
      const gi = gt[q]!;
      const j = gi * 4;
      const w = Math.min(dx2, gb[j + 2]!) - Math.max(dx1, gb[j]!);
      const h = Math.min(dy2, gb[j + 3]!) - Math.max(dy1, gb[j + 1]!);
      if (w <= 0 || h <= 0) {
        ious[p * G + q] = 0;
        continue;
      }
      const inter = w * h;
      const u = r.gtCrowd[gi] ? da : da + gtAreas[q]! - inter;
      ious[p * G + q] = inter / u;
    }
  }
}

/**
 * Marks the ground truth ignored in one area range (crowd, difficult when `ignoreDifficult`, or area
 * outside `[min, max]`) in `s.gtIgnore`, and writes the order that puts the ignored ones last
 * (stable, pycocotools' `argsort(gtIgnore, kind='mergesort')`) to `s.gtOrder`.
 * @returns the number of ground truth boxes NOT ignored.
 */
export function ignoreGroundTruth(
  ic: ImageClass,
  range: { readonly min: number; readonly max: number },
  ignoreDifficult: boolean,
  s: CocoScratch,
): number {
  const { record: r, gt } = ic;
  const G = gt.length;
  const gtIg = s.gtIgnore;
  let nIg = 0;
  for (let q = 0; q < G; q++) {
    const gi = gt[q]!;
    const area = s.gtAreas[q]!;
    const ig =
      r.gtCrowd[gi] || (ignoreDifficult && r.gtDifficult[gi]) || area < range.min || area > range.max ? 1 : 0;
    gtIg[q] = ig;
    nIg += ig;
  }
  let lo = 0;
  let hi = G - nIg;
  for (let q = 0; q < G; q++) {
    if (gtIg[q]) s.gtOrder[hi++] = q;
    else s.gtOrder[lo++] = q;
  }
  return G - nIg;
}

/**
 * The greedy matching of pycocotools `evaluateImg` at one IoU threshold: each detection in score
 * order takes, among ground truth not yet matched at threshold `t` (crowd may be matched again), the
 * one with the largest IoU ≥ min(thr, 1 - 1e-10), the later one on ties; once it holds a non-ignored
 * match it stops before the ignored ground truth. Writes `MATCHED` (plus `IGNORED` for an ignored
 * ground truth) to `flags[offset + p]` and the match to `s.gtMatch[t * G + q]`.
 * Needs {@link computeIoU} and {@link ignoreGroundTruth} run first on the same scratch.
 */
export function matchAtThreshold(
  ic: ImageClass,
  t: number,
  s: CocoScratch,
  flags: Uint8Array,
  offset: number,
): void {
  const { record: r, gt } = ic;
  const G = gt.length;
  const D = ic.det.length;
  const thr = COCO_IOU_THRESHOLDS[t]!;
  const { ious, gtIgnore: gtIg, gtOrder, gtMatch: gtm } = s;
  for (let p = 0; p < D; p++) {
    let best = Math.min(thr, 1 - 1e-10);
    let m = -1;
    for (let k = 0; k < G; k++) {
      const q = gtOrder[k]!;
      // already matched, and not a crowd: skip
      if (gtm[t * G + q]! >= 0 && !r.gtCrowd[gt[q]!]) continue;
      // matched to a regular ground truth and reached the ignored ones: stop
      if (m > -1 && !gtIg[m] && gtIg[q]) break;
      const o = ious[p * G + q]!;
      if (o < best) continue;
      best = o;
      m = q;
    }
    if (m === -1) continue;
    flags[offset + p] = MATCHED | (gtIg[m] ? IGNORED : 0);
    gtm[t * G + m] = p;
  }
}

/**
 * pycocotools `evaluateImg(imgId, catId, aRng, maxDet)` for one image, class and area range, every IoU
 * threshold at once. The per-threshold outcome of detection `p` goes to
 * `flags[offset + t * stride + p]` (`MATCHED`, `IGNORED`, both, or 0 for a false positive); an
 * unmatched detection whose area is outside the range is `IGNORED`.
 * Needs {@link computeIoU} run first on the same scratch.
 * @returns the number of ground truth boxes not ignored in this range (pycocotools' `npig` share).
 */
export function evaluateImg(
  ic: ImageClass,
  range: { readonly min: number; readonly max: number },
  ignoreDifficult: boolean,
  s: CocoScratch,
  flags: Uint8Array,
  offset: number,
  stride: number,
): number {
  const T = COCO_IOU_THRESHOLDS.length;
  const G = ic.gt.length;
  const npig = ignoreGroundTruth(ic, range, ignoreDifficult, s);
  s.gtMatch.fill(-1, 0, T * G);
  for (let t = 0; t < T; t++) matchAtThreshold(ic, t, s, flags, offset + t * stride);
  const db = ic.record.detBoxes;
  for (let p = 0; p < ic.det.length; p++) {
    const i = ic.det[p]! * 4;
    const da = (db[i + 2]! - db[i]!) * (db[i + 3]! - db[i + 1]!);
    if (da < range.min || da > range.max) {
      for (let t = 0; t < T; t++) {
        const f = offset + t * stride + p;
        if (!(flags[f]! & MATCHED)) flags[f] = IGNORED;
      }
    }
  }
  return npig;
}

/** Every image evaluated for one class, laid out for {@link accumulate}. */
export interface ClassEval {
  /** Detections of the class over all images, each image's cut to `maxDets[2]`. */
  readonly nd: number;
  /** `[nd]` scores, in image order and score order within an image. */
  readonly scores: Float32Array;
  /** `[nd]` rank of each detection within its image (0 = highest score). */
  readonly rank: Int32Array;
  /** `[A, T, nd]` `MATCHED` / `IGNORED` bits per area range, IoU threshold and detection. */
  readonly flags: Uint8Array;
  /** `[A]` non-ignored ground truth per area range (pycocotools' `npig`). */
  readonly npig: Int32Array;
}

/**
 * Runs {@link computeIoU} and {@link evaluateImg} on every image for class `c` (all area ranges).
 * @param gtGroups `[I]` ground truth of each image grouped by class.
 * @param detGroups `[I]` detections of each image grouped by class, score descending within a class.
 * @returns `undefined` when no image has ground truth or detections of the class (pycocotools skips it).
 */
export function evaluateClass(
  records: readonly ImageRecord[],
  gtGroups: readonly Groups[],
  detGroups: readonly Groups[],
  c: number,
  opts: CocoCoreOptions,
  s: CocoScratch,
): ClassEval | undefined {
  const A = COCO_AREA_RANGES.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const maxDet = opts.maxDets[2];
  const images: ImageClass[] = [];
  let nd = 0;
  for (let im = 0; im < records.length; im++) {
    const g = gtGroups[im]!;
    const d = detGroups[im]!;
    const d0 = d.start[c]!;
    const D = Math.min(d.start[c + 1]! - d0, maxDet);
    const gt = g.idx.subarray(g.start[c]!, g.start[c + 1]!);
    if (gt.length === 0 && D === 0) continue;
    images.push({ record: records[im]!, gt, det: d.idx.subarray(d0, d0 + D) });
    nd += D;
  }
  if (images.length === 0) return undefined;
  const scores = new Float32Array(nd);
  const rank = new Int32Array(nd);
  const flags = new Uint8Array(A * T * nd);
  const npig = new Int32Array(A);
  let base = 0;
  for (const ic of images) {
    const D = ic.det.length;
    s.ensure(D, ic.gt.length);
    computeIoU(ic, s);
    for (let p = 0; p < D; p++) {
      scores[base + p] = ic.record.detScores[ic.det[p]!]!;
      rank[base + p] = p;
    }
    for (let a = 0; a < A; a++) {
      const range = COCO_AREA_RANGES[a]!;
      const n = evaluateImg(ic, range, opts.ignoreDifficult, s, flags, a * T * nd + base, nd);
      npig[a] = npig[a]! + n;
    }
    base += D;
  }
  return { nd, scores, rank, flags, npig };
}

/**
 * The precision envelope of one (area, threshold, maxDets) curve read at the 101 recall thresholds,
 * as pycocotools `accumulate`: over the detections in global score order with rank < `maxDet`,
 * precision = TP / (TP + FP + 2^-52) after each TP, made non-increasing from the right and read at
 * `searchsorted(recall, thr, 'left')`, 0 beyond the last recall.
 * @param flags `[nd]` bits of the curve, in global score order.
 * @param rank `[nd]` rank within the image, same order.
 * @param npig non-ignored ground truth (> 0).
 * @param precisionAt `[nd]` scratch; `out[ri * outStride]` receives the precision at recall threshold `ri`.
 * @returns the recall reached (TP / npig; 0 when no detection counts).
 */
export function precisionAtRecalls(
  flags: Uint8Array,
  rank: Int32Array,
  maxDet: number,
  npig: number,
  precisionAt: Float64Array,
  out: Float64Array,
  outOffset: number,
  outStride: number,
): number {
  // pycocotools builds rc = tp / npig and pr = tp / (tp + fp + eps) at every kept detection, takes
  // the right-to-left running max of pr and reads it at searchsorted(rc, thr, 'left'). rc only
  // changes at a true positive, and pr only falls between two of them, so the same numbers come
  // from the true positives alone: precisionAt[k] = pr at the (k+1)-th TP.
  let tp = 0;
  let fp = 0;
  let n = 0;
  for (let z = 0; z < flags.length; z++) {
    if (rank[z]! >= maxDet) continue;
    n++;
    const f = flags[z]!;
    if (f & IGNORED) continue;
    if (f & MATCHED) {
      tp++;
      precisionAt[tp - 1] = tp / (fp + tp + SPACING1);
    } else fp++;
  }
  for (let e = tp - 1; e > 0; e--) {
    if (precisionAt[e]! > precisionAt[e - 1]!) precisionAt[e - 1] = precisionAt[e]!;
  }
  // recall threshold 0 is reached at index 0 (precision envelope = max of all); threshold thr > 0
  // first at the k-th TP with k / npig >= thr; never reached: precision 0
  let e = 0;
  for (let ri = 0; ri < COCO_RECALL_THRESHOLDS.length; ri++) {
    const thr = COCO_RECALL_THRESHOLDS[ri]!;
    while (e < tp && (e + 1) / npig < thr) e++;
    out[outOffset + ri * outStride] = e < tp ? precisionAt[e]! : 0;
  }
  return n > 0 ? tp / npig : 0;
}

/**
 * pycocotools `accumulate` for class `c`: sorts its detections by score over all images (ties:
 * image order, then rank within the image) and fills the class's entries of
 * `precision [T, R, K, A, M]` and `recall [T, K, A, M]` (left at -1 for an area range without
 * non-ignored ground truth).
 */
export function accumulate(
  ev: ClassEval,
  c: number,
  K: number,
  maxDets: readonly [number, number, number],
  precision: Float64Array,
  recall: Float64Array,
): void {
  const T = COCO_IOU_THRESHOLDS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  const nd = ev.nd;
  // the flags are permuted into score order once so the curves read memory sequentially
  const order = stableOrder(ev.scores, nd);
  const sRank = new Int32Array(nd);
  const sFlags = new Uint8Array(A * T * nd);
  for (let z = 0; z < nd; z++) sRank[z] = ev.rank[order[z]!]!;
  for (let at = 0; at < A * T; at++) {
    const off = at * nd;
    for (let z = 0; z < nd; z++) sFlags[off + z] = ev.flags[off + order[z]!]!;
  }
  const precisionAt = new Float64Array(nd);
  for (let a = 0; a < A; a++) {
    const np = ev.npig[a]!;
    if (np === 0) continue;
    for (let mi = 0; mi < M; mi++) {
      for (let t = 0; t < T; t++) {
        const curve = sFlags.subarray((a * T + t) * nd, (a * T + t + 1) * nd);
        recall[((t * K + c) * A + a) * M + mi] = precisionAtRecalls(
          curve,
          sRank,
          maxDets[mi]!,
          np,
          precisionAt,
          precision,
          ((t * R * K + c) * A + a) * M + mi,
          K * A * M,
        );
      }
    }
  }
}

/** Entries of the `[T, R, K, A, M]` / `[T, K, A, M]` arrays a summary averages over. */
interface Selection {
  readonly t0: number;
  readonly t1: number;
  readonly k0: number;
  readonly k1: number;
  readonly a: number;
  readonly mi: number;
}

/** Mean of `values` at `indices` over the entries > -1, -1 when there are none (pycocotools `_summarize`: `mean(s[s > -1])`). */
function meanDefined(values: Float64Array, indices: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const i of indices) {
    const v = values[i]!;
    if (v > -1) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : -1;
}

/** Indices of a selection of `precision [T, R, K, A, M]`, in (t, recall, k) order. */
function* precisionIndices(K: number, sel: Selection): Generator<number> {
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  for (let t = sel.t0; t < sel.t1; t++)
    for (let ri = 0; ri < R; ri++)
      for (let k = sel.k0; k < sel.k1; k++) yield (((t * R + ri) * K + k) * A + sel.a) * M + sel.mi;
}

/** Indices of a selection of `recall [T, K, A, M]`, in (t, k) order. */
function* recallIndices(K: number, sel: Selection): Generator<number> {
  const A = COCO_AREA_RANGES.length;
  for (let t = sel.t0; t < sel.t1; t++)
    for (let k = sel.k0; k < sel.k1; k++) yield ((t * K + k) * A + sel.a) * M + sel.mi;
}

/** Mean of the defined (> -1) precision entries of a selection, -1 when none (pycocotools `_summarize(1, ...)`). */
export function meanPrecision(precision: Float64Array, K: number, sel: Selection): number {
  return meanDefined(precision, precisionIndices(K, sel));
}

/** Mean of the defined (> -1) recall entries of a selection, -1 when none (pycocotools `_summarize(0, ...)`). */
export function meanRecall(recall: Float64Array, K: number, sel: Selection): number {
  return meanDefined(recall, recallIndices(K, sel));
}

/** What {@link summarize} derives from the accumulated arrays. */
export interface CocoSummary {
  /** The 12 numbers of pycocotools `summarize`. */
  readonly stats: CocoStats;
  /** The same 12 numbers in pycocotools' `stats` order. */
  readonly statsArray: Float64Array;
  /** `[K]` AP@[.5:.95] per class (-1 without ground truth). */
  readonly ap: Float64Array;
  /** Per-class results, `names` order. */
  readonly classes: CocoClassResult[];
}

/**
 * pycocotools `summarize` (AP, AP50, AP75, AP by area, AR at 1/10/100 detections, AR by area; areas
 * and AP at the largest `maxDets`), plus the same numbers per class.
 * @param precision `[T, R, K, A, M]` from {@link accumulate}.
 * @param recall `[T, K, A, M]` from {@link accumulate}.
 * @param numGt `[K]` non-ignored ground truth per class (area "all").
 * @param numDet `[K]` detections per class before the `maxDets` cut.
 */
export function summarize(
  precision: Float64Array,
  recall: Float64Array,
  names: readonly string[],
  numGt: Int32Array,
  numDet: Int32Array,
): CocoSummary {
  const K = names.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const mi = M - 1;
  const t50 = COCO_IOU_THRESHOLDS.indexOf(0.5);
  const t75 = COCO_IOU_THRESHOLDS.indexOf(0.75);
  const ap = (t0: number, t1: number, k0: number, k1: number, a: number) =>
    meanPrecision(precision, K, { t0, t1, k0, k1, a, mi });
  const ar = (k0: number, k1: number, a: number, m: number) =>
    meanRecall(recall, K, { t0: 0, t1: T, k0, k1, a, mi: m });
  const stats: CocoStats = {
    AP: ap(0, T, 0, K, 0),
    AP50: ap(t50, t50 + 1, 0, K, 0),
    AP75: ap(t75, t75 + 1, 0, K, 0),
    APs: ap(0, T, 0, K, 1),
    APm: ap(0, T, 0, K, 2),
    APl: ap(0, T, 0, K, 3),
    AR1: ar(0, K, 0, 0),
    AR10: ar(0, K, 0, 1),
    AR100: ar(0, K, 0, 2),
    ARs: ar(0, K, 1, mi),
    ARm: ar(0, K, 2, mi),
    ARl: ar(0, K, 3, mi),
  };
  const apByClass = new Float64Array(K);
  const classes: CocoClassResult[] = [];
  for (let c = 0; c < K; c++) {
    const v = ap(0, T, c, c + 1, 0);
    apByClass[c] = v;
    classes.push({
      name: names[c]!,
      ap: v,
      ap50: ap(t50, t50 + 1, c, c + 1, 0),
      ap75: ap(t75, t75 + 1, c, c + 1, 0),
      ar: ar(c, c + 1, 0, mi),
      numGt: numGt[c]!,
      numDetections: numDet[c]!,
    });
  }
  const statsArray = Float64Array.from([
    stats.AP,
    stats.AP50,
    stats.AP75,
    stats.APs,
    stats.APm,
    stats.APl,
    stats.AR1,
    stats.AR10,
    stats.AR100,
    stats.ARs,
    stats.ARm,
    stats.ARl,
  ]);
  return { stats, statsArray, ap: apByClass, classes };
}

/**
 * COCO bbox evaluation over stored images: groups boxes by class, sorts each image's detections by
 * score (stable, pycocotools' mergesort), then {@link evaluateClass} and {@link accumulate} per class
 * and {@link summarize} once (see `evaluateCoco` for the conventions).
 */
export function computeCoco(
  records: readonly ImageRecord[],
  names: readonly string[],
  opts: CocoCoreOptions,
): CocoResult {
  const K = names.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const numGt = new Int32Array(K);
  const numDet = new Int32Array(K);
  const gtGroups = records.map((r) => groupByClass(r.gtLabels, K));
  const detGroups = records.map((r) => {
    const d = groupByClass(r.detLabels, K);
    for (let c = 0; c < K; c++) {
      sortByScoreDesc(d.idx, d.start[c]!, d.start[c + 1]!, r.detScores);
      numDet[c] = numDet[c]! + d.start[c + 1]! - d.start[c]!;
    }
    return d;
  });
  const scratch = new CocoScratch();
  for (let c = 0; c < K; c++) {
    const ev = evaluateClass(records, gtGroups, detGroups, c, opts, scratch);
    if (ev === undefined) continue;
    numGt[c] = ev.npig[0]!;
    accumulate(ev, c, K, opts.maxDets, precision, recall);
  }
  const summary = summarize(precision, recall, names, numGt, numDet);
  const maxDets = opts.maxDets;
  return {
    protocol: "coco",
    numImages: records.length,
    maxDets: [maxDets[0], maxDets[1], maxDets[2]],
    classes: summary.classes,
    ap: summary.ap,
    mAP: summary.stats.AP,
    stats: summary.stats,
    statsArray: summary.statsArray,
    precision,
    recall,
  };
}
