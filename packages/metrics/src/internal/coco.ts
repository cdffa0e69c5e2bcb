import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from "../params.js";
import type { CocoClassResult, CocoResult, CocoStats } from "../types.js";
import { groupByClass, sortByScoreDesc, stableOrder } from "./group.js";
import type { ImageRecord } from "./record.js";

/** `np.spacing(1)`, added to the precision denominator by pycocotools. */
const SPACING1 = 2.220446049250313e-16;
/** Flag bits of one (area, threshold, detection) evaluation. */
const MATCHED = 1;
const IGNORED = 2;

/** Options resolved by the caller. */
export interface CocoCoreOptions {
  readonly maxDets: readonly [number, number, number];
  readonly ignoreDifficult: boolean;
}

/**
 * COCO bbox evaluation over stored images, a transcription of pycocotools `COCOeval.evaluateImg`,
 * `accumulate` and `summarize` (see `evaluateCoco` for the conventions).
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
  const M = 3;
  const maxDets = opts.maxDets;
  const maxDet = maxDets[2];
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const numGt = new Int32Array(K);
  const numDet = new Int32Array(K);

  const gtGroups = records.map((r) => groupByClass(r.gtLabels, K));
  const detGroups = records.map((r) => groupByClass(r.detLabels, K));
  // within each image and class: detections by score, descending, stable (pycocotools' mergesort)
  for (let im = 0; im < records.length; im++) {
    const d = detGroups[im]!;
    const s = (records[im] as ImageRecord).detScores;
    for (let c = 0; c < K; c++) sortByScoreDesc(d.idx, d.start[c] as number, d.start[c + 1] as number, s);
  }

  // scratch, grown on demand
  let ious = new Float64Array(64);
  let gtIg = new Uint8Array(16);
  let gtOrder = new Int32Array(16);
  let gtm = new Int32Array(64);
  let gtAreas = new Float64Array(16);
  let evPr = new Float64Array(64);
  const npig = new Int32Array(A);

  for (let c = 0; c < K; c++) {
    // pass 1: sizes of the per-class global list (after per-image truncation to maxDet)
    let nd = 0;
    let hasE = false;
    for (let im = 0; im < records.length; im++) {
      const g = gtGroups[im]!;
      const d = detGroups[im]!;
      const nG = (g.start[c + 1] as number) - (g.start[c] as number);
      const nD = (d.start[c + 1] as number) - (d.start[c] as number);
      numDet[c] = (numDet[c] as number) + nD;
      nd += Math.min(nD, maxDet);
      if (nG > 0 || nD > 0) hasE = true;
    }
    if (!hasE) continue;
    const scores = new Float32Array(nd);
    const rank = new Int32Array(nd);
    const flags = new Uint8Array(A * T * nd); // [A, T, nd]
    npig.fill(0);
    let base = 0;
    for (let im = 0; im < records.length; im++) {
      const r = records[im] as ImageRecord;
      const g = gtGroups[im]!;
      const d = detGroups[im]!;
      const g0 = g.start[c] as number;
      const G = (g.start[c + 1] as number) - g0;
      const d0 = d.start[c] as number;
      const D = Math.min((d.start[c + 1] as number) - d0, maxDet);
      if (G === 0 && D === 0) continue;
      if (ious.length < D * G) ious = new Float64Array(D * G * 2);
      if (gtIg.length < G) {
        gtIg = new Uint8Array(G * 2);
        gtOrder = new Int32Array(G * 2);
        gtAreas = new Float64Array(G * 2);
      }
      if (gtm.length < T * G) gtm = new Int32Array(T * G * 2);
      const gb = r.gtBoxes;
      const db = r.detBoxes;
      for (let q = 0; q < G; q++) {
        const j = (g.idx[g0 + q] as number) * 4;
        gtAreas[q] =
          ((gb[j + 2] as number) - (gb[j] as number)) * ((gb[j + 3] as number) - (gb[j + 1] as number));
      }
      // ious[D, G] as maskApi bbIou: crowd ground truth uses the detection's area as the union
      for (let p = 0; p < D; p++) {
        const i = (d.idx[d0 + p] as number) * 4;
        const dx1 = db[i] as number;
        const dy1 = db[i + 1] as number;
        const dx2 = db[i + 2] as number;
        const dy2 = db[i + 3] as number;
        const da = (dx2 - dx1) * (dy2 - dy1);
        scores[base + p] = r.detScores[d.idx[d0 + p] as number] as number;
        rank[base + p] = p;
        for (let q = 0; q < G; q++) {
          const gi = g.idx[g0 + q] as number;
          const j = gi * 4;
          const w = Math.min(dx2, gb[j + 2] as number) - Math.max(dx1, gb[j] as number);
          const h = Math.min(dy2, gb[j + 3] as number) - Math.max(dy1, gb[j + 1] as number);
          if (w <= 0 || h <= 0) {
            ious[p * G + q] = 0;
            continue;
          }
          const inter = w * h;
          const u = r.gtCrowd[gi] ? da : da + (gtAreas[q] as number) - inter;
          ious[p * G + q] = inter / u;
        }
      }
      for (let a = 0; a < A; a++) {
        const rng = COCO_AREA_RANGES[a]!;
        // gtIg, and the order that puts ignored ground truth last (stable)
        let nIg = 0;
        for (let q = 0; q < G; q++) {
          const gi = g.idx[g0 + q] as number;
          const area = gtAreas[q] as number;
          const ig =
            r.gtCrowd[gi] || (opts.ignoreDifficult && r.gtDifficult[gi]) || area < rng.min || area > rng.max
              ? 1
              : 0;
          gtIg[q] = ig;
          nIg += ig;
        }
        npig[a] = (npig[a] as number) + G - nIg;
        let lo = 0;
        let hi = G - nIg;
        for (let q = 0; q < G; q++) {
          if (gtIg[q]) gtOrder[hi++] = q;
          else gtOrder[lo++] = q;
        }
        gtm.fill(-1, 0, T * G);
        for (let t = 0; t < T; t++) {
          const thr = COCO_IOU_THRESHOLDS[t] as number;
          const fo = (a * T + t) * nd + base;
          for (let p = 0; p < D; p++) {
            let best = Math.min(thr, 1 - 1e-10);
            let m = -1;
            for (let s = 0; s < G; s++) {
              const q = gtOrder[s] as number;
              // already matched, and not a crowd: skip
              if ((gtm[t * G + q] as number) >= 0 && !r.gtCrowd[g.idx[g0 + q] as number]) continue;
              // matched to a regular ground truth and reached the ignored ones: stop
              if (m > -1 && !gtIg[m] && gtIg[q]) break;
              const o = ious[p * G + q] as number;
              if (o < best) continue;
              best = o;
              m = q;
            }
            if (m === -1) continue;
            flags[fo + p] = MATCHED | (gtIg[m] ? IGNORED : 0);
            gtm[t * G + m] = p;
          }
        }
        // unmatched detections outside the area range are ignored
        for (let p = 0; p < D; p++) {
          const i = (d.idx[d0 + p] as number) * 4;
          const da =
            ((db[i + 2] as number) - (db[i] as number)) * ((db[i + 3] as number) - (db[i + 1] as number));
          if (da < rng.min || da > rng.max) {
            for (let t = 0; t < T; t++) {
              const f = (a * T + t) * nd + base + p;
              if (!((flags[f] as number) & MATCHED)) flags[f] = IGNORED;
            }
          }
        }
      }
      base += D;
    }
    numGt[c] = npig[0] as number;

    // accumulate: one global order by score (ties: image order, then rank within the image); the
    // flags are permuted into that order once so the loops below read memory sequentially
    const order = stableOrder(scores, nd);
    const sRank = new Int32Array(nd);
    const sFlags = new Uint8Array(A * T * nd);
    for (let z = 0; z < nd; z++) sRank[z] = rank[order[z] as number] as number;
    for (let at = 0; at < A * T; at++) {
      const off = at * nd;
      for (let z = 0; z < nd; z++) sFlags[off + z] = flags[off + (order[z] as number)] as number;
    }
    if (evPr.length < nd) evPr = new Float64Array(nd);
    for (let a = 0; a < A; a++) {
      const np = npig[a] as number;
      if (np === 0) continue;
      for (let mi = 0; mi < M; mi++) {
        const md = maxDets[mi] as number;
        for (let t = 0; t < T; t++) {
          const fo = (a * T + t) * nd;
          // pycocotools builds rc = tp / npig and pr = tp / (tp + fp + eps) at every kept detection,
          // takes the right-to-left running max of pr and reads it at searchsorted(rc, thr, 'left').
          // rc only changes at a true positive, and pr only falls between two of them, so the same
          // numbers come from the true positives alone: evPr[k] = pr at the (k+1)-th TP.
          let tp = 0;
          let fp = 0;
          let n = 0;
          for (let z = 0; z < nd; z++) {
            if ((sRank[z] as number) >= md) continue;
            n++;
            const f = sFlags[fo + z] as number;
            if (f & IGNORED) continue;
            if (f & MATCHED) {
              tp++;
              evPr[tp - 1] = tp / (fp + tp + SPACING1);
            } else fp++;
          }
          recall[((t * K + c) * A + a) * M + mi] = n > 0 ? tp / np : 0;
          for (let e = tp - 1; e > 0; e--) {
            if ((evPr[e] as number) > (evPr[e - 1] as number)) evPr[e - 1] = evPr[e] as number;
          }
          // recall threshold 0 is reached at index 0 (precision envelope = max of all); threshold
          // thr > 0 first at the k-th TP with k / npig >= thr; never reached: precision 0
          let e = 0;
          for (let ri = 0; ri < R; ri++) {
            const thr = COCO_RECALL_THRESHOLDS[ri] as number;
            while (e < tp && (e + 1) / np < thr) e++;
            precision[(((t * R + ri) * K + c) * A + a) * M + mi] = e < tp ? (evPr[e] as number) : 0;
          }
        }
      }
    }
  }

  const mIdx = M - 1;
  const apOf = (tFrom: number, tTo: number, kFrom: number, kTo: number, a: number, mi: number): number => {
    let sum = 0;
    let n = 0;
    for (let t = tFrom; t < tTo; t++) {
      for (let ri = 0; ri < R; ri++) {
        for (let k = kFrom; k < kTo; k++) {
          const v = precision[(((t * R + ri) * K + k) * A + a) * M + mi] as number;
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
    }
    return n > 0 ? sum / n : -1;
  };
  const arOf = (kFrom: number, kTo: number, a: number, mi: number): number => {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < T; t++) {
      for (let k = kFrom; k < kTo; k++) {
        const v = recall[((t * K + k) * A + a) * M + mi] as number;
        if (v > -1) {
          sum += v;
          n++;
        }
      }
    }
    return n > 0 ? sum / n : -1;
  };
  const t50 = COCO_IOU_THRESHOLDS.indexOf(0.5);
  const t75 = COCO_IOU_THRESHOLDS.indexOf(0.75);
  const stats: CocoStats = {
    AP: apOf(0, T, 0, K, 0, mIdx),
    AP50: apOf(t50, t50 + 1, 0, K, 0, mIdx),
    AP75: apOf(t75, t75 + 1, 0, K, 0, mIdx),
    APs: apOf(0, T, 0, K, 1, mIdx),
    APm: apOf(0, T, 0, K, 2, mIdx),
    APl: apOf(0, T, 0, K, 3, mIdx),
    AR1: arOf(0, K, 0, 0),
    AR10: arOf(0, K, 0, 1),
    AR100: arOf(0, K, 0, 2),
    ARs: arOf(0, K, 1, mIdx),
    ARm: arOf(0, K, 2, mIdx),
    ARl: arOf(0, K, 3, mIdx),
  };
  const classes: CocoClassResult[] = [];
  const ap = new Float64Array(K);
  for (let c = 0; c < K; c++) {
    const v = apOf(0, T, c, c + 1, 0, mIdx);
    ap[c] = v;
    classes.push({
      name: names[c] as string,
      ap: v,
      ap50: apOf(t50, t50 + 1, c, c + 1, 0, mIdx),
      ap75: apOf(t75, t75 + 1, c, c + 1, 0, mIdx),
      ar: arOf(c, c + 1, 0, mIdx),
      numGt: numGt[c] as number,
      numDetections: numDet[c] as number,
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
  return {
    protocol: "coco",
    numImages: records.length,
    maxDets: [maxDets[0], maxDets[1], maxDets[2]],
    classes,
    ap,
    mAP: stats.AP,
    stats,
    statsArray,
    precision,
    recall,
  };
}
