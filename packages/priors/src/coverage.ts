import {
  type Boxes,
  type BoxIssueAction,
  type BoxIssueReason,
  type Coords,
  describeValue,
  type ImageSize,
  isOdError,
  type LetterboxOptions,
  letterboxRecord,
  validateBoxes,
} from "@od/boxes";
import { checkPositive, checkUnit, fail } from "./internal/fail.js";
import { preparePriors } from "./internal/prepared.js";
import { scanGt } from "./internal/scan.js";

/** One image of the dataset whose ground truth is analysed. */
export interface CoverageImage {
  /** Size of the image in px (before resizing to the network input). */
  readonly size: ImageSize;
  /** `[M, 4]` xyxy px GT boxes of this image. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[M]` class ids. */
  readonly labels: ArrayLike<number>;
  /** Optional name used in orphan and issue reports (e.g. the file stem). */
  readonly id?: string;
}

/** Options for {@link analyzeCoverage}. */
export interface CoverageOptions {
  /** IoU at which a prior "covers" a GT (default 0.5, SSD's match threshold). */
  readonly threshold?: number;
  /** How images reach the network input: `"letterbox"` (default, keeps the aspect ratio) or `"stretch"`. */
  readonly resize?: "letterbox" | "stretch";
  /** Passed to `letterboxRecord` for `"letterbox"`. */
  readonly letterbox?: LetterboxOptions;
  /**
   * What to do with zero-area, inverted, NaN or out-of-image GT: `"error"` (default) throws `INVALID_GT` naming
   * the image and box; `"drop"` leaves them out; `"clip"` clips boxes crossing the border and drops the rest.
   * Dropped and clipped boxes are listed in {@link CoverageReport.issues}.
   */
  readonly invalid?: "error" | "drop" | "clip";
  /** Upper edges of the size buckets, on `√(w·h)` in px at the network input (default `[16, 32, 64, 128]`). */
  readonly sizeBuckets?: readonly number[];
  /** Upper edges of the aspect-ratio buckets, on `w / h` at the network input (default `[1/3, 2/3, 1.5, 3]`). */
  readonly aspectBuckets?: readonly number[];
  /** Class names by label, for the per-class table (default `"class <label>"`). */
  readonly classNames?: Readonly<Record<number, string>>;
}

/**
 * Units of the coverage sizes (`bySize`, `gtInput`, the size scatter): px of the network input, after
 * the letterbox (or stretch), not of the original image.
 */
export const INPUT_PX_UNITS = "px at the network input";

/** The display name of class `label`: `options.classNames[label]`, else `"class <label>"`. */
function classNameOf(options: Pick<CoverageOptions, "classNames">, label: number): string {
  return options.classNames?.[label] ?? `class ${label}`;
}

/** Recall of one bucket. */
export interface BucketStat {
  /** Display name, e.g. `"16–32 px"`, `"w/h 0.67–1.5"`, `"RBC"`. */
  readonly name: string;
  /** Lower edge (inclusive) of the bucket, or the label for class buckets. */
  readonly lo: number;
  /** Upper edge (exclusive); `Infinity` for the last, the label for class buckets. */
  readonly hi: number;
  /** GT in the bucket. */
  readonly count: number;
  /** GT with at least one prior at IoU ≥ threshold. */
  readonly covered: number;
  /** `covered / count` (NaN for an empty bucket). */
  readonly recall: number;
  /** Mean best-prior IoU (NaN for an empty bucket). */
  readonly meanBestIou: number;
}

/** A GT without any prior at IoU ≥ threshold. */
export interface Orphan {
  /** Index of the image in the input list. */
  readonly image: number;
  /** Index of the box in that image's `boxes` (input indexing, before any drop). */
  readonly index: number;
  /** The image's `id`, when given. */
  readonly id?: string;
  /** Class id. */
  readonly label: number;
  /** Class name: `options.classNames[label]`, else `"class <label>"` (as the per-class buckets). */
  readonly className: string;
  /** The box as given, xyxy px of its image. */
  readonly box: Coords;
  /** Best IoU any prior reaches. */
  readonly bestIou: number;
  /** That prior (−1 when no prior overlaps it). */
  readonly bestPrior: number;
}

/** A GT that was dropped or clipped before the analysis. */
export interface CoverageIssue {
  /** Index of the image in the input list. */
  readonly image: number;
  /** Index of the box in that image's `boxes`. */
  readonly index: number;
  /** The image's `id`, when given. */
  readonly id?: string;
  /** The box as given, xyxy px. */
  readonly value: Coords;
  /** Why, as `validateBoxes` reports it. */
  readonly reason: BoxIssueReason;
  /** `dropped` or `clipped` (never `rejected`: the `error` policy throws instead). */
  readonly action: BoxIssueAction;
}

/** Result of {@link analyzeCoverage}. All per-GT arrays have one entry per analysed GT (N), in dataset order. */
export interface CoverageReport {
  /** The IoU threshold used. */
  readonly threshold: number;
  /** Network input in px. */
  readonly inputSize: ImageSize;
  /** Images analysed. */
  readonly numImages: number;
  /** N, the GT analysed (after dropping invalid ones). */
  readonly numGt: number;
  /** Number of priors P. */
  readonly numPriors: number;
  /** `[N]` image index of each GT. */
  readonly gtImage: Int32Array;
  /** `[N]` index of each GT in its image's input boxes. */
  readonly gtIndex: Int32Array;
  /** `[N]` class ids. */
  readonly gtLabel: Int32Array;
  /** `[N, 4]` xyxy px of each GT at the network input (after letterbox or stretch). */
  readonly gtInput: Float32Array;
  /** `[N]` best IoU of each GT with any prior. */
  readonly bestIou: Float32Array;
  /** `[N]` the prior reaching it (lowest index on ties; −1 when none overlaps). */
  readonly bestPrior: Int32Array;
  /** `[N]` number of priors with IoU ≥ threshold. */
  readonly numAbove: Int32Array;
  /** Share of GT with at least one prior at IoU ≥ threshold (NaN when N = 0). */
  readonly recall: number;
  /** Mean best IoU (NaN when N = 0). */
  readonly meanBestIou: number;
  /** Recall by `√(w·h)` px at the input. */
  readonly bySize: readonly BucketStat[];
  /** Recall by `w / h` at the input. */
  readonly byAspect: readonly BucketStat[];
  /** Recall by class, ascending label. */
  readonly byClass: readonly BucketStat[];
  /** Every GT with no prior at IoU ≥ threshold. */
  readonly orphans: readonly Orphan[];
  /** `[P]` number of GT each prior covers at IoU ≥ threshold. */
  readonly priorHits: Int32Array;
  /** Priors that cover no GT of the dataset (ascending). */
  readonly unmatchedPriors: Int32Array;
  /** GT dropped or clipped before the analysis. */
  readonly issues: readonly CoverageIssue[];
}

function edgesOf(fn: string, field: string, v: readonly number[]): number[] {
  if (!Array.isArray(v))
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${field} must be an ascending array of numbers > 0; got ${describeValue(v)}`,
      { field },
    );
  v.forEach((x, i) => {
    checkPositive("INVALID_ARGUMENT", fn, `${field}[${i}]`, x);
    if (i > 0 && x <= v[i - 1]!)
      fail("INVALID_ARGUMENT", fn, `${field} must be strictly ascending; got ${describeValue(v)}`, { field });
  });
  return [...v];
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function buckets(
  edges: number[],
  values: Float64Array,
  iou: Float32Array,
  covered: Uint8Array,
  unit: string,
  prefix: string,
): BucketStat[] {
  const out: BucketStat[] = [];
  const lows = [0, ...edges];
  for (let b = 0; b < lows.length; b++) {
    const lo = lows[b]!;
    const hi = b < edges.length ? edges[b]! : Number.POSITIVE_INFINITY;
    let count = 0;
    let cov = 0;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v >= lo && v < hi) {
        count++;
        cov += covered[i]!;
        sum += iou[i]!;
      }
    }
    const name =
      hi === Number.POSITIVE_INFINITY
        ? `${prefix}≥ ${fmt(lo)}${unit}`
        : `${prefix}${fmt(lo)}–${fmt(hi)}${unit}`;
    out.push({
      name,
      lo,
      hi,
      count,
      covered: cov,
      recall: count > 0 ? cov / count : Number.NaN,
      meanBestIou: count > 0 ? sum / count : Number.NaN,
    });
  }
  return out;
}

/**
 * How well a set of priors covers a dataset's ground truth, before any training (the recipe's "look at how well
 * the priors overlap the GT"). Each image's GT is mapped to the network input exactly as training will see it
 * (letterbox by default, or stretch), then compared with every prior:
 * per GT the best IoU and the number of priors at IoU ≥ threshold; recall (share of GT with ≥ 1 such prior)
 * overall and by size, aspect ratio and class; the orphan GT; the priors that cover nothing.
 *
 * @param dataset images with `[M, 4]` xyxy px GT of the image at hand.
 * @param priors `[P, 4]` cxcywh rel priors of the network input (P ≥ 1).
 * @param inputSize network input in px (what the priors are relative to).
 * @throws PriorsError `INVALID_GT` (policy `error`: names image, box, value and reason; or a label/box count
 *   mismatch), `NO_PRIORS`, `INVALID_ARGUMENT` for options.
 * @example analyzeCoverage([{ size: { width: 640, height: 480 }, boxes: gt, labels: [1] }], generatePriors(SSD300_VGG16), { width: 300, height: 300 }).recall
 */
export function analyzeCoverage(
  dataset: readonly CoverageImage[],
  priors: Boxes<"cxcywh", "rel">,
  inputSize: ImageSize,
  options: CoverageOptions = {},
): CoverageReport {
  const fn = "analyzeCoverage";
  if (!Array.isArray(dataset))
    fail(
      "INVALID_ARGUMENT",
      fn,
      `dataset must be an array of { size, boxes, labels }; got ${describeValue(dataset)}`,
    );
  const threshold = checkUnit(fn, "options.threshold", options.threshold ?? 0.5);
  checkPositive("INVALID_ARGUMENT", fn, "inputSize.width", inputSize?.width);
  checkPositive("INVALID_ARGUMENT", fn, "inputSize.height", inputSize?.height);
  const resize = options.resize ?? "letterbox";
  if (resize !== "letterbox" && resize !== "stretch")
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.resize must be "letterbox" or "stretch"; got ${describeValue(resize)}`,
    );
  const policy = options.invalid ?? "error";
  if (policy !== "error" && policy !== "drop" && policy !== "clip")
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.invalid must be "error", "drop" or "clip"; got ${describeValue(policy)}`,
    );
  const sizeEdges = edgesOf(fn, "options.sizeBuckets", options.sizeBuckets ?? [16, 32, 64, 128]);
  const aspectEdges = edgesOf(fn, "options.aspectBuckets", options.aspectBuckets ?? [1 / 3, 2 / 3, 1.5, 3]);
  const P = preparePriors(fn, priors);
  const W = inputSize.width;
  const H = inputSize.height;

  const issues: CoverageIssue[] = [];
  const gtImage: number[] = [];
  const gtIndex: number[] = [];
  const gtLabel: number[] = [];
  const input: number[] = [];
  const original: Coords[] = [];
  dataset.forEach((im, i) => {
    const where = `dataset[${i}]${im?.id !== undefined ? ` (${im.id})` : ""}`;
    if (typeof im !== "object" || im === null)
      fail("INVALID_ARGUMENT", fn, `${where} must be { size, boxes, labels }; got ${describeValue(im)}`, {
        image: i,
      });
    const b = im.boxes;
    if (
      typeof b !== "object" ||
      b === null ||
      b.kind !== "od.boxes" ||
      b.format !== "xyxy" ||
      b.units !== "px"
    ) {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `${where}.boxes must be Boxes<"xyxy", "px">; got ${describeValue(b === undefined ? b : { format: b?.format, units: b?.units })}`,
        { image: i },
      );
    }
    if (im.labels === null || typeof im.labels !== "object" || im.labels.length !== b.length) {
      fail(
        "INVALID_GT",
        fn,
        `${where}.labels must have one entry per box (${b.length}); got ${describeValue(im.labels)}`,
        { image: i },
      );
    }
    let v: ReturnType<typeof validateBoxes<"xyxy", "px">>;
    try {
      v = validateBoxes(b.data, "xyxy", "px", {
        image: im.size,
        policy: policy === "clip" ? "clip" : "drop",
        allowEmpty: false,
      });
    } catch (e) {
      if (isOdError(e)) fail("INVALID_ARGUMENT", fn, `${where}.size: ${e.message}`, { image: i });
      throw e;
    }
    if (policy === "error" && v.issues.length > 0) {
      const f = v.issues[0];
      if (f !== undefined) {
        fail(
          "INVALID_GT",
          fn,
          `${where}.boxes[${f.index}] ${describeValue(f.value)} (xyxy px, image ${im.size.width}x${im.size.height}) is ${f.reason}${v.issues.length > 1 ? `; ${v.issues.length - 1} more invalid box(es) in this image` : ""}; pass options.invalid "drop" or "clip" to analyse the rest`,
          { image: i, index: f.index, value: f.value, reason: f.reason },
        );
      }
    }
    for (const s of v.issues) {
      issues.push({
        image: i,
        index: s.index,
        ...(im.id === undefined ? {} : { id: im.id }),
        value: s.value,
        reason: s.reason,
        action: s.action,
      });
    }
    let ax: number;
    let bx: number;
    let ay: number;
    let by: number;
    if (resize === "letterbox") {
      const r = letterboxRecord(im.size, inputSize, options.letterbox ?? {});
      ax = r.scaleX;
      bx = r.offset.x;
      ay = r.scaleY;
      by = r.offset.y;
    } else {
      ax = W / im.size.width;
      ay = H / im.size.height;
      bx = 0;
      by = 0;
    }
    const d = v.boxes.data;
    for (let k = 0; k < v.kept.length; k++) {
      const src = v.kept[k]!;
      gtImage.push(i);
      gtIndex.push(src);
      gtLabel.push(im.labels[src]!);
      input.push(
        d[4 * k]! * ax + bx,
        d[4 * k + 1]! * ay + by,
        d[4 * k + 2]! * ax + bx,
        d[4 * k + 3]! * ay + by,
      );
      const o = b.data;
      original.push([o[4 * src]!, o[4 * src + 1]!, o[4 * src + 2]!, o[4 * src + 3]!]);
    }
  });

  const N = gtImage.length;
  const gtInput = Float32Array.from(input);
  const bestIou = new Float32Array(N);
  const bestPrior = new Int32Array(N);
  const numAbove = new Int32Array(N);
  const priorHits = new Int32Array(P.n);
  const covered = new Uint8Array(N);
  const sizes = new Float64Array(N);
  const aspects = new Float64Array(N);
  const slot = new Float64Array(3);
  let sum = 0;
  let nCovered = 0;
  const orphans: Orphan[] = [];
  for (let g = 0; g < N; g++) {
    const x1 = input[4 * g]!;
    const y1 = input[4 * g + 1]!;
    const x2 = input[4 * g + 2]!;
    const y2 = input[4 * g + 3]!;
    scanGt(P, x1 / W, y1 / H, x2 / W, y2 / H, threshold, priorHits, slot);
    const best = slot[0]!;
    const prior = slot[1]!;
    const above = slot[2]!;
    const hit = above > 0 ? 1 : 0;
    bestIou[g] = best;
    bestPrior[g] = prior;
    numAbove[g] = above;
    covered[g] = hit;
    nCovered += hit;
    sum += best;
    sizes[g] = Math.sqrt((x2 - x1) * (y2 - y1));
    aspects[g] = (x2 - x1) / (y2 - y1);
    if (hit === 0) {
      const i = gtImage[g]!;
      const id = dataset[i]?.id;
      orphans.push({
        image: i,
        index: gtIndex[g]!,
        ...(id === undefined ? {} : { id }),
        label: gtLabel[g]!,
        className: classNameOf(options, gtLabel[g]!),
        box: original[g]!,
        bestIou: best,
        bestPrior: prior,
      });
    }
  }
  const labelsSorted = [...new Set(gtLabel)].sort((a, b) => a - b);
  const byClass: BucketStat[] = labelsSorted.map((l) => {
    let count = 0;
    let cov = 0;
    let s = 0;
    for (let g = 0; g < N; g++) {
      if (gtLabel[g] !== l) continue;
      count++;
      cov += covered[g]!;
      s += bestIou[g]!;
    }
    return {
      name: classNameOf(options, l),
      lo: l,
      hi: l,
      count,
      covered: cov,
      recall: cov / count,
      meanBestIou: s / count,
    };
  });
  const unmatched: number[] = [];
  for (let p = 0; p < P.n; p++) if (priorHits[p] === 0) unmatched.push(p);
  return {
    threshold,
    inputSize: { width: W, height: H },
    numImages: dataset.length,
    numGt: N,
    numPriors: P.n,
    gtImage: Int32Array.from(gtImage),
    gtIndex: Int32Array.from(gtIndex),
    gtLabel: Int32Array.from(gtLabel),
    gtInput,
    bestIou,
    bestPrior,
    numAbove,
    recall: N > 0 ? nCovered / N : Number.NaN,
    meanBestIou: N > 0 ? sum / N : Number.NaN,
    bySize: buckets(sizeEdges, sizes, bestIou, covered, " px", ""),
    byAspect: buckets(aspectEdges, aspects, bestIou, covered, "", "w/h "),
    byClass,
    orphans,
    priorHits,
    unmatchedPriors: Int32Array.from(unmatched),
    issues,
  };
}
