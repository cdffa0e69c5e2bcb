import type { PrCurve, VocClassResult, VocInterpolation, VocResult } from "../types.js";
import { groupByClass, stableOrder } from "./group.js";
import type { ImageRecord } from "./record.js";

/** float64 eps, the devkit's `np.finfo(np.float64).eps`. */
const EPS = 2.220446049250313e-16;

/**
 * AP from a precision-recall curve, as `voc_ap` in py-faster-rcnn's `voc_eval.py`.
 * 11point: mean over t = i * 0.1 (i = 0..10, float64 as `np.arange(0., 1.1, 0.1)`) of max precision
 * at recall >= t (0 when none). allpoint: area under the monotone envelope at recall changes.
 */
export function vocApCore(
  rec: ArrayLike<number>,
  prec: ArrayLike<number>,
  interpolation: VocInterpolation,
): number {
  const n = rec.length;
  if (interpolation === "11point") {
    let ap = 0;
    for (let i = 0; i <= 10; i++) {
      const t = i * 0.1;
      let p = 0;
      for (let j = 0; j < n; j++) {
        const rj = rec[j]!;
        const pj = prec[j]!;
        if (rj >= t && pj > p) p = pj;
      }
      ap += p / 11;
    }
    return ap;
  }
  // mrec = [0, rec, 1], mpre = [0, prec, 0]
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  for (let j = 0; j < n; j++) {
    mrec[j + 1] = rec[j]!;
    mpre[j + 1] = prec[j]!;
  }
  mrec[n + 1] = 1;
  for (let i = n + 1; i > 0; i--) {
    const pi = mpre[i]!;
    if (pi > mpre[i - 1]!) mpre[i - 1] = pi;
  }
  let ap = 0;
  for (let i = 0; i < n + 1; i++) {
    const r0 = mrec[i]!;
    const r1 = mrec[i + 1]!;
    if (r1 !== r0) ap += (r1 - r0) * mpre[i + 1]!;
  }
  return ap;
}

/** IoU of two xyxy boxes in float64, continuous coordinates; 0 when the union is 0. */
export function iou64(a: Float32Array, i: number, b: Float32Array, j: number): number {
  const ax1 = a[i]!;
  const ay1 = a[i + 1]!;
  const ax2 = a[i + 2]!;
  const ay2 = a[i + 3]!;
  const bx1 = b[j]!;
  const by1 = b[j + 1]!;
  const bx2 = b[j + 2]!;
  const by2 = b[j + 3]!;
  const iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
  const ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
  const inter = iw * ih;
  const uni = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return uni > 0 ? inter / uni : 0;
}

/** VOC evaluation over stored images (see `evaluateVoc` for the conventions). */
export function computeVoc(
  records: readonly ImageRecord[],
  names: readonly string[],
  interpolation: VocInterpolation,
  iouThreshold: number,
): VocResult {
  const k = names.length;
  const gtGroups = records.map((r) => groupByClass(r.gtLabels, k));
  const detGroups = records.map((r) => groupByClass(r.detLabels, k));
  const classes: VocClassResult[] = [];
  const ap = new Float64Array(k);
  let sum = 0;
  let defined = 0;
  for (let c = 0; c < k; c++) {
    // npos and the global detection list of class c, in image order then input order
    let npos = 0;
    let nd = 0;
    for (let im = 0; im < records.length; im++) {
      const r = records[im]!;
      const g = gtGroups[im]!;
      for (let p = g.start[c]!, end = g.start[c + 1]!; p < end; p++) {
        const j = g.idx[p]!;
        if (!r.gtDifficult[j] && !r.gtCrowd[j]) npos++;
      }
      const d = detGroups[im]!;
      nd += d.start[c + 1]! - d.start[c]!;
    }
    const detImage = new Int32Array(nd);
    const detIndex = new Int32Array(nd);
    const scores = new Float32Array(nd);
    let q = 0;
    for (let im = 0; im < records.length; im++) {
      const d = detGroups[im]!;
      const s = records[im]!.detScores;
      for (let p = d.start[c]!, end = d.start[c + 1]!; p < end; p++) {
        const j = d.idx[p]!;
        detImage[q] = im;
        detIndex[q] = j;
        scores[q] = s[j]!;
        q++;
      }
    }
    const order = stableOrder(scores, nd);
    const used = records.map((r) => new Uint8Array(r.gtLabels.length));
    const recall = new Float64Array(nd);
    const precision = new Float64Array(nd);
    const sortedScores = new Float32Array(nd);
    let tp = 0;
    let fp = 0;
    for (let t = 0; t < nd; t++) {
      const o = order[t]!;
      const im = detImage[o]!;
      const r = records[im]!;
      const g = gtGroups[im]!;
      const di = detIndex[o]! * 4;
      // ovmax / jmax: the FIRST ground truth of maximal IoU (np.argmax), whether or not already matched
      let ovmax = Number.NEGATIVE_INFINITY;
      let jmax = -1;
      for (let p = g.start[c]!, end = g.start[c + 1]!; p < end; p++) {
        const j = g.idx[p]!;
        const o2 = iou64(r.detBoxes, di, r.gtBoxes, j * 4);
        if (o2 > ovmax) {
          ovmax = o2;
          jmax = j;
        }
      }
      if (ovmax > iouThreshold) {
        if (!r.gtDifficult[jmax] && !r.gtCrowd[jmax]) {
          const u = used[im]!;
          if (!u[jmax]) {
            tp++;
            u[jmax] = 1;
          } else fp++;
        }
      } else fp++;
      recall[t] = tp / npos;
      precision[t] = tp / Math.max(tp + fp, EPS);
      sortedScores[t] = scores[o]!;
    }
    const curve: PrCurve = {
      recall: npos > 0 ? recall : new Float64Array(nd),
      precision,
      scores: sortedScores,
    };
    const a = npos > 0 ? vocApCore(recall, precision, interpolation) : -1;
    ap[c] = a;
    if (a >= 0) {
      sum += a;
      defined++;
    }
    classes.push({
      name: names[c]!,
      ap: a,
      numGt: npos,
      numDetections: nd,
      truePositives: tp,
      falsePositives: fp,
      curve,
    });
  }
  return {
    protocol: "voc",
    interpolation,
    iouThreshold,
    numImages: records.length,
    classes,
    ap,
    mAP: defined > 0 ? sum / defined : -1,
  };
}
