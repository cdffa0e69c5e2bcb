/**
 * Non-maximum suppression: greedy {@link nms}, class-aware {@link batchedNms} and {@link softNms}.
 *
 * Semantics follow torchvision (`torchvision.ops.nms` / `batched_nms`) except where stated:
 * - a box is suppressed when its IoU with a kept box is STRICTLY greater than `iouThreshold`;
 * - boxes are visited by decreasing score; equal scores are broken by LOWER index (a stable order;
 *   torchvision's order for ties is unspecified and its large-input `batched_nms` path is not stable);
 * - NaN scores are rejected with `INVALID_ARGUMENT` (torchvision sorts them unpredictably), and
 *   non-finite or inverted boxes with `INVALID_BOX` (checked at entry, as in the IoU family;
 *   torchvision keeps them, their IoU being NaN);
 * - IoU is computed in float64 (torchvision: in the dtype of the boxes), with IoU 0 for a zero union.
 * @packageDocumentation
 */
import { describeValue } from "./errors.js";
import { checkBoxes, checkNumberIn, fail } from "./internal/check.js";
import { iouOf } from "./internal/iou-pair.js";
import { gatherSorted, greedyNmsAuto } from "./internal/nms-kernel.js";
import { scoreOrder } from "./internal/nms-order.js";
import { checkCoords } from "./internal/valid.js";
import { xyxyData } from "./iou.js";
import type { Boxes, BoxFormat, BoxUnits } from "./types.js";

/** Options of {@link nms} and {@link batchedNms}. */
export interface NmsOptions {
  /** Keep at most this many boxes (the highest-scored survivors; top-k). Integer ≥ 0 or `Infinity` (default). */
  readonly maxOutput?: number;
  /** Consider only boxes with `score > scoreThreshold` (strictly, as torchvision's detection heads). Default: all. */
  readonly scoreThreshold?: number;
}

function checkScores(fn: string, b: Boxes, scores: ArrayLike<number>): void {
  if (scores === null || typeof scores !== "object" || typeof scores.length !== "number") {
    fail("INVALID_ARGUMENT", fn, `scores must be an array of numbers; got ${describeValue(scores)}`, {
      arg: "scores",
    });
  }
  if (scores.length !== b.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `scores has ${scores.length} values but boxes has ${b.length} boxes; they must match`,
      {
        arg: "scores",
        expected: b.length,
        actual: scores.length,
      },
    );
  }
}

function readOptions(fn: string, options: NmsOptions): [number, number | undefined] {
  const maxOutput = options.maxOutput ?? Number.POSITIVE_INFINITY;
  if (
    typeof maxOutput !== "number" ||
    !(maxOutput >= 0) ||
    (maxOutput !== Number.POSITIVE_INFINITY && !Number.isInteger(maxOutput))
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.maxOutput must be an integer >= 0 or Infinity; got ${describeValue(maxOutput)}`,
      {
        arg: "options.maxOutput",
        value: maxOutput,
      },
    );
  }
  const st = options.scoreThreshold;
  if (st !== undefined && (typeof st !== "number" || Number.isNaN(st))) {
    fail("INVALID_ARGUMENT", fn, `options.scoreThreshold must be a number; got ${describeValue(st)}`, {
      arg: "options.scoreThreshold",
      value: st,
    });
  }
  return [maxOutput, st];
}

/**
 * Greedy non-maximum suppression (torchvision `nms`).
 *
 * Visits boxes by decreasing score (ties: lower index first) and keeps a box unless its IoU with an
 * already kept box is strictly greater than `iouThreshold`. With `iouThreshold = 1` nothing is
 * suppressed; with `0` any positive overlap suppresses (touching boxes have IoU 0 and survive).
 *
 * @param boxes `[N, 4]` boxes, any format and units, valid (x1 ≤ x2, y1 ≤ y2).
 * @param scores `[N]` scores, no NaN (±Infinity allowed). Compared exactly (a Float32Array as float32).
 * @param iouThreshold in [0, 1].
 * @param options `maxOutput` (top-k after suppression), `scoreThreshold` (pre-filter, strict `>`).
 * @returns `[K]` Int32Array of kept indices into `boxes`, by decreasing score (ties: lower index).
 * @throws BoxesError `SHAPE_MISMATCH` when `scores.length !== boxes.length`; `INVALID_ARGUMENT` for a
 * NaN score, a threshold outside [0, 1] or a bad option; `NOT_BOXES`; `INVALID_BOX` for a non-finite
 * or inverted box.
 * @example const keep = nms(dets, scores, 0.45, { maxOutput: 200 }); const kept = select(dets, keep);
 */
export function nms<F extends BoxFormat, U extends BoxUnits>(
  boxes: Boxes<F, U>,
  scores: ArrayLike<number>,
  iouThreshold: number,
  options: NmsOptions = {},
): Int32Array {
  const fn = "nms";
  checkBoxes(fn, "boxes", boxes);
  checkCoords(fn, "boxes", boxes);
  checkScores(fn, boxes, scores);
  checkNumberIn(fn, "iouThreshold", iouThreshold, 0, 1);
  const [maxOutput, scoreThreshold] = readOptions(fn, options);
  const order = scoreOrder(fn, scores, boxes.length, scoreThreshold);
  const k = order.length;
  if (k === 0 || maxOutput === 0) return new Int32Array(0);
  const sorted = gatherSorted(xyxyData(boxes), order);
  const keep = new Int32Array(Math.min(k, maxOutput));
  const kept = greedyNmsAuto(sorted, 0, k, iouThreshold, new Uint8Array(k), keep.length, keep, 0);
  const out = new Int32Array(kept);
  for (let q = 0; q < kept; q++) out[q] = order[keep[q]!]!;
  return out;
}

/**
 * Class-aware NMS (torchvision `batched_nms`): boxes of different classes never suppress each other.
 *
 * Runs greedy NMS within each class (the boxes of one class in decreasing-score order) and merges
 * the survivors in one global order: decreasing score, ties broken by lower index, for every input
 * size. (torchvision 0.14 on CPU uses a coordinate-offset trick up to 1,000 boxes, whose offsets
 * lose float precision, and above that a per-class loop merged by a non-stable sort, so its order of
 * tied scores is unspecified. od always works per class on the original coordinates; per class is
 * also faster than one offset NMS here, see bench/.)
 *
 * @param boxes `[N, 4]` boxes, any format and units, valid.
 * @param scores `[N]` scores, no NaN.
 * @param classes `[N]` integer class ids (any integers; e.g. an Int32Array of labels).
 * @param iouThreshold in [0, 1].
 * @param options `maxOutput` (applied to the merged result), `scoreThreshold` (pre-filter, strict `>`).
 * @returns `[K]` Int32Array of kept indices, by decreasing score (ties: lower index).
 * @throws BoxesError `SHAPE_MISMATCH` when lengths differ; `INVALID_ARGUMENT` for a NaN score, a
 * non-integer class, a threshold outside [0, 1] or a bad option; `NOT_BOXES`; `INVALID_BOX` for a
 * non-finite or inverted box.
 */
export function batchedNms<F extends BoxFormat, U extends BoxUnits>(
  boxes: Boxes<F, U>,
  scores: ArrayLike<number>,
  classes: ArrayLike<number>,
  iouThreshold: number,
  options: NmsOptions = {},
): Int32Array {
  const fn = "batchedNms";
  checkBoxes(fn, "boxes", boxes);
  checkCoords(fn, "boxes", boxes);
  checkScores(fn, boxes, scores);
  if (classes === null || typeof classes !== "object" || classes.length !== boxes.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `classes must have ${boxes.length} values (one per box); got ${describeValue(classes)}`,
      {
        arg: "classes",
        expected: boxes.length,
        actual: (classes as { length?: unknown } | null)?.length,
      },
    );
  }
  checkNumberIn(fn, "iouThreshold", iouThreshold, 0, 1);
  const [maxOutput, scoreThreshold] = readOptions(fn, options);
  const n = boxes.length;
  let cmin = 0;
  let cmax = -1;
  for (let i = 0; i < n; i++) {
    const c = classes[i]!;
    if (!Number.isInteger(c)) {
      fail("INVALID_ARGUMENT", fn, `classes[${i}] must be an integer; got ${describeValue(c)}`, {
        arg: "classes",
        index: i,
        value: c,
      });
    }
    if (cmax < cmin) {
      cmin = c;
      cmax = c;
    } else if (c < cmin) cmin = c;
    else if (c > cmax) cmax = c;
  }
  const order = scoreOrder(fn, scores, n, scoreThreshold);
  const k = order.length;
  if (k === 0 || maxOutput === 0) return new Int32Array(0);
  // Dense class id per candidate (in score order); a Map only when the ids are sparse.
  const dense = new Int32Array(k);
  let nc: number;
  if (cmax - cmin <= 4 * k + 1024) {
    nc = cmax - cmin + 1;
    for (let q = 0; q < k; q++) dense[q] = classes[order[q]!]! - cmin;
  } else {
    const ids = new Map<number, number>();
    for (let q = 0; q < k; q++) {
      const c = classes[order[q]!]!;
      let d = ids.get(c);
      if (d === undefined) {
        d = ids.size;
        ids.set(c, d);
      }
      dense[q] = d;
    }
    nc = ids.size;
  }
  // Stable counting sort of the score order by class: each class becomes one contiguous segment,
  // still in decreasing-score order.
  const starts = new Int32Array(nc + 1);
  for (let q = 0; q < k; q++) {
    const c1 = dense[q]! + 1;
    starts[c1]!++;
  }
  for (let c = 0; c < nc; c++) starts[c + 1]! += starts[c]!;
  const fill = starts.slice(0, nc);
  const grouped = new Int32Array(k); // position in grouped order -> rank in score order
  for (let q = 0; q < k; q++) {
    const c = dense[q]!;
    const f = fill[c]!;
    grouped[f] = q;
    fill[c] = f + 1;
  }
  const byGroup = new Int32Array(k);
  for (let p = 0; p < k; p++) byGroup[p] = order[grouped[p]!]!;
  const sorted = gatherSorted(xyxyData(boxes), byGroup);
  const removed = new Uint8Array(k);
  const keep = new Int32Array(k);
  const keptRank = new Uint8Array(k);
  const perClass = Math.min(k, maxOutput);
  for (let c = 0; c < nc; c++) {
    const s = starts[c]!;
    const e = starts[c + 1]!;
    if (e === s) continue;
    const kept = greedyNmsAuto(sorted, s, e, iouThreshold, removed, perClass, keep, 0);
    for (let q = 0; q < kept; q++) keptRank[grouped[keep[q]!]!] = 1;
  }
  let total = 0;
  for (let q = 0; q < k; q++) total += keptRank[q]!;
  const out = new Int32Array(Math.min(total, maxOutput));
  for (let q = 0, o = 0; q < k && o < out.length; q++) if (keptRank[q] === 1) out[o++] = order[q]!;
  return out;
}

/** Options of {@link softNms}. */
export interface SoftNmsOptions {
  /** Score decay: `"linear"` (`s·(1 − IoU)` when IoU > iouThreshold) or `"gaussian"` (`s·exp(−IoU²/σ)`). Default `"linear"`. */
  readonly method?: "linear" | "gaussian";
  /** σ of the gaussian decay, > 0 (default 0.5, as Bodla et al.). */
  readonly sigma?: number;
  /** N_t of the linear decay, in [0, 1] (default 0.3, as Bodla et al.); unused by `"gaussian"`. */
  readonly iouThreshold?: number;
  /** A box is dropped once its (decayed) score is not `> scoreThreshold` (default 0.001, as mmcv). */
  readonly scoreThreshold?: number;
  /** Keep at most this many boxes. Integer ≥ 0 or `Infinity` (default). */
  readonly maxOutput?: number;
}

/** Result of {@link softNms}. */
export interface SoftNmsResult {
  /** `[K]` kept indices into the input, in selection order (non-increasing updated score; ties: lower index). */
  readonly indices: Int32Array;
  /** `[K]` updated scores of the kept boxes, aligned with `indices`. */
  readonly scores: Float32Array;
}

/**
 * Soft-NMS (Bodla et al., "Soft-NMS: Improving Object Detection With One Line of Code", ICCV 2017).
 *
 * Repeatedly selects the box M with the highest current score (ties: lower index), keeps it, and
 * decays the score of every remaining box b: linear `s_b ← s_b·(1 − IoU(M, b))` when
 * `IoU(M, b) > iouThreshold` (strict, like {@link nms}; the paper writes ≥), gaussian
 * `s_b ← s_b·exp(−IoU(M, b)²/σ)` for every b. Boxes whose score is no longer `> scoreThreshold` are
 * dropped. Scores are tracked in float64. O(N²).
 *
 * @param boxes `[N, 4]` boxes, any format and units, valid.
 * @param scores `[N]` scores, finite and ≥ 0 (probabilities; decay by multiplication needs them).
 * @param options method, sigma, iouThreshold, scoreThreshold, maxOutput (see {@link SoftNmsOptions}).
 * @returns kept indices and their updated scores, in selection order.
 * @throws BoxesError `SHAPE_MISMATCH` when lengths differ; `INVALID_ARGUMENT` for a NaN, negative or
 * infinite score or an option out of its domain; `NOT_BOXES`; `INVALID_BOX` for a non-finite or
 * inverted box.
 */
export function softNms<F extends BoxFormat, U extends BoxUnits>(
  boxes: Boxes<F, U>,
  scores: ArrayLike<number>,
  options: SoftNmsOptions = {},
): SoftNmsResult {
  const fn = "softNms";
  checkBoxes(fn, "boxes", boxes);
  checkCoords(fn, "boxes", boxes);
  checkScores(fn, boxes, scores);
  const method = options.method ?? "linear";
  if (method !== "linear" && method !== "gaussian") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.method must be "linear" or "gaussian"; got ${describeValue(method)}`,
      { arg: "options.method", value: method },
    );
  }
  const sigma = options.sigma ?? 0.5;
  if (typeof sigma !== "number" || !Number.isFinite(sigma) || !(sigma > 0)) {
    fail("INVALID_ARGUMENT", fn, `options.sigma must be a finite number > 0; got ${describeValue(sigma)}`, {
      arg: "options.sigma",
      value: sigma,
    });
  }
  const nt = options.iouThreshold ?? 0.3;
  checkNumberIn(fn, "options.iouThreshold", nt, 0, 1);
  const minScore = options.scoreThreshold ?? 0.001;
  if (typeof minScore !== "number" || Number.isNaN(minScore)) {
    fail("INVALID_ARGUMENT", fn, `options.scoreThreshold must be a number; got ${describeValue(minScore)}`, {
      arg: "options.scoreThreshold",
      value: minScore,
    });
  }
  const [maxOutput] = readOptions(fn, { maxOutput: options.maxOutput ?? Number.POSITIVE_INFINITY });
  const n = boxes.length;
  const s = new Float64Array(n);
  const active = new Int32Array(n);
  let na = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      fail("INVALID_ARGUMENT", fn, `scores[${i}] must be a finite number >= 0; got ${describeValue(v)}`, {
        arg: "scores",
        index: i,
        value: v,
      });
    }
    s[i] = v;
    if (v > minScore) active[na++] = i;
  }
  const X = xyxyData(boxes);
  const area = new Float64Array(n);
  for (let i = 0, t = 0; i < n; i++, t += 4) area[i] = (X[t + 2]! - X[t]!) * (X[t + 3]! - X[t + 1]!);
  const cap = Math.min(na, maxOutput);
  const outIdx = new Int32Array(cap);
  const outScore = new Float32Array(cap);
  const gaussian = method === "gaussian";
  let kept = 0;
  while (na > 0 && kept < cap) {
    // `active` stays in increasing index order, so the first maximum is the lowest index.
    let best = 0;
    let bestScore = s[active[0]!]!;
    for (let q = 1; q < na; q++) {
      const v = s[active[q]!]!;
      if (v > bestScore) {
        bestScore = v;
        best = q;
      }
    }
    const m = active[best]!;
    outIdx[kept] = m;
    outScore[kept] = bestScore;
    kept++;
    const t = m * 4;
    const ax1 = X[t]!;
    const ay1 = X[t + 1]!;
    const ax2 = X[t + 2]!;
    const ay2 = X[t + 3]!;
    const areaA = area[m]!;
    let w = 0;
    for (let q = 0; q < na; q++) {
      const b = active[q]!;
      if (b === m) continue;
      const u = b * 4;
      const o = iouOf(ax1, ay1, ax2, ay2, areaA, X[u]!, X[u + 1]!, X[u + 2]!, X[u + 3]!, area[b]!);
      let v = s[b]!;
      if (gaussian) v *= Math.exp((-o * o) / sigma);
      else if (o > nt) v *= 1 - o;
      s[b] = v;
      if (v > minScore) active[w++] = b;
    }
    na = w;
  }
  return {
    indices: kept === cap ? outIdx : outIdx.slice(0, kept),
    scores: kept === cap ? outScore : outScore.slice(0, kept),
  };
}
