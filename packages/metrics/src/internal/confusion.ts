import { describeValue } from "@od/boxes";
import { CONFUSION_CONF_THRESHOLD, CONFUSION_IOU_THRESHOLD } from "../params.js";
import type { ConfusionMatrix } from "../types.js";
import { fail } from "./fail.js";
import type { ImageRecord } from "./record.js";
import { iou64 } from "./voc.js";

/** Validated confusion-matrix options. */
export interface ConfusionCoreOptions {
  readonly iouThreshold: number;
  readonly confThreshold: number;
}

/** Validates the options of a confusion matrix and fills the defaults. */
export function resolveConfusionOptions(
  fn: string,
  options: { readonly iouThreshold?: number; readonly confThreshold?: number },
): ConfusionCoreOptions {
  const iouThreshold = options.iouThreshold ?? CONFUSION_IOU_THRESHOLD;
  if (typeof iouThreshold !== "number" || !(iouThreshold >= 0 && iouThreshold < 1)) {
    fail("INVALID_ARGUMENT", fn, `iouThreshold must be in [0, 1); got ${describeValue(iouThreshold)}`, {
      arg: "iouThreshold",
    });
  }
  const confThreshold = options.confThreshold ?? CONFUSION_CONF_THRESHOLD;
  if (typeof confThreshold !== "number" || !(confThreshold >= 0 && confThreshold < 1)) {
    fail("INVALID_ARGUMENT", fn, `confThreshold must be in [0, 1); got ${describeValue(confThreshold)}`, {
      arg: "confThreshold",
    });
  }
  return { iouThreshold, confThreshold };
}

/**
 * Adds one image to a `(K + 1) × (K + 1)` matrix (`m[p * (K + 1) + t]`, p predicted, t true, K =
 * background), following Ultralytics' `ConfusionMatrix.process_batch`:
 * 1. keep the detections with score > `confThreshold`;
 * 2. pairs (ground truth g, detection d) with IoU > `iouThreshold`, whatever their classes;
 * 3. each detection keeps its best pair (highest IoU; ties → lower g), then each ground truth keeps its
 *    best remaining pair (highest IoU; ties → lower d);
 * 4. a matched ground truth counts at (class of d, class of g); an unmatched one at (K, class of g);
 *    an unmatched kept detection at (class of d, K).
 */
export function addImageToConfusion(
  m: Float64Array,
  k: number,
  r: ImageRecord,
  o: ConfusionCoreOptions,
): void {
  const K1 = k + 1;
  const nGt = r.gtLabels.length;
  const nDet = r.detLabels.length;
  const kept: number[] = [];
  for (let d = 0; d < nDet; d++) if (r.detScores[d]! > o.confThreshold) kept.push(d);
  const detGt = new Int32Array(kept.length); // [D'] best ground truth of each kept detection, -1 none
  const detIou = new Float64Array(kept.length); // [D'] its IoU
  const gtDet = new Int32Array(nGt).fill(-1); // [N] matched kept detection of each ground truth, -1 none
  const gtIou = new Float64Array(nGt).fill(Number.NEGATIVE_INFINITY); // [N] its IoU
  // step 3a: each kept detection's best ground truth
  for (let j = 0; j < kept.length; j++) {
    const d = kept[j]!;
    let best = -1;
    let bestIou = o.iouThreshold;
    for (let g = 0; g < nGt; g++) {
      const v = iou64(r.gtBoxes, g * 4, r.detBoxes, d * 4);
      if (v > bestIou) {
        bestIou = v;
        best = g;
      }
    }
    detGt[j] = best;
    detIou[j] = bestIou;
  }
  // step 3b: each ground truth's best detection among those that chose it
  for (let j = 0; j < kept.length; j++) {
    const g = detGt[j]!;
    if (g < 0) continue;
    const v = detIou[j]!;
    if (v > gtIou[g]!) {
      gtIou[g] = v;
      gtDet[g] = j;
    }
  }
  // step 4
  const matchedDet = new Uint8Array(kept.length);
  for (let g = 0; g < nGt; g++) {
    const t = r.gtLabels[g]!;
    const j = gtDet[g]!;
    if (j >= 0) {
      matchedDet[j] = 1;
      const p = r.detLabels[kept[j]!]!;
      m[p * K1 + t]!++;
    } else {
      m[k * K1 + t]!++;
    }
  }
  for (let j = 0; j < kept.length; j++) {
    if (matchedDet[j] === 1) continue;
    const p = r.detLabels[kept[j]!]!;
    m[p * K1 + k]!++;
  }
}

/** The `(K + 1) × (K + 1)` counts of every image, row-major (row = predicted, column = true). */
export function computeConfusion(
  records: readonly ImageRecord[],
  k: number,
  o: ConfusionCoreOptions,
): Float64Array {
  const m = new Float64Array((k + 1) * (k + 1));
  for (const r of records) addImageToConfusion(m, k, r, o);
  return m;
}

/** Wraps the flat counts as a {@link ConfusionMatrix}. */
export function toConfusionMatrix(
  counts: Float64Array,
  classNames: readonly string[],
  numImages: number,
  o: { readonly iouThreshold: number; readonly confThreshold: number },
): ConfusionMatrix {
  const K1 = classNames.length + 1;
  const matrix = Array.from({ length: K1 }, (_, p) => Array.from(counts.subarray(p * K1, (p + 1) * K1)));
  return {
    classNames: [...classNames],
    iouThreshold: o.iouThreshold,
    confThreshold: o.confThreshold,
    numImages,
    matrix,
  };
}
