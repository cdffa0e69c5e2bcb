import { describeValue } from "@od/boxes";
import { normal, seededRng } from "@od/random";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { ExplicitPriorConfig, PriorConfig, PriorLayout, PriorShape, Step } from "./config.js";
import { priorLayout } from "./config.js";
import {
  analyzeCoverage,
  type CoverageImage,
  type CoverageOptions,
  type CoverageReport,
} from "./coverage.js";
import { generatePriors } from "./generate.js";
import { checkInt, checkUnit, fail } from "./internal/fail.js";
import { kmeansIou } from "./internal/kmeans.js";

/**
 * How many priors {@link fitPriors} may use. Every level keeps at least one shape, so the model's taps all
 * get a head.
 * - `{ shapesPerLevel }`: exactly this many shapes per location on each level.
 * - `{ shapes }`: at most this many shapes in total (summed over levels), ≥ L.
 * - `{ priors }`: at most this many priors in total (`Σ rows·cols·shapes`), ≥ one shape per level.
 * - `{ addPriors }`: keep the base config's shapes and add shapes costing at most this many priors, aimed at
 *   the GT the base leaves uncovered (the recipe's "extra priors for small objects").
 */
export type FitBudget =
  | { readonly shapesPerLevel: readonly number[] }
  | { readonly shapes: number }
  | { readonly priors: number }
  | { readonly addPriors: number };

/** Options for {@link fitPriors}. */
export interface FitOptions extends Pick<CoverageOptions, "resize" | "letterbox" | "invalid" | "classNames"> {
  /** The budget. */
  readonly budget: FitBudget;
  /** Match threshold whose recall is maximised (default 0.5). */
  readonly threshold?: number;
  /** Seed of the k-means seeding and the local search (default 0). Same seed, same result. */
  readonly seed?: number;
  /** Local-search mutations (default 400). */
  readonly iterations?: number;
}

/** Result of {@link fitPriors}. */
export interface FitResult {
  /** The fitted configuration: the base grid with explicit shapes per level. */
  readonly config: ExplicitPriorConfig;
  /** Number of priors of `config`. */
  readonly numPriors: number;
  /** Coverage of the base config's priors. */
  readonly before: CoverageReport;
  /** Coverage of the fitted priors. */
  readonly after: CoverageReport;
}

interface Gt {
  readonly n: number;
  /** [N, 4] cx, cy, w, h rel */
  readonly b: Float64Array;
}

interface Level {
  readonly rows: number;
  readonly cols: number;
  /** step / input size, rel */
  readonly sx: number;
  readonly sy: number;
  readonly cells: number;
}

/** Shapes per level as flat (w, h) rel lists; `fixed[l]` leading shapes are not mutated. */
type Shapes = number[][];

/**
 * Best IoU of every GT with a prior set given as a grid plus shapes, exactly: for axis-aligned boxes the
 * prior centre nearest to the GT centre on each axis maximises the overlap, so only that centre is tried.
 */
function bestIous(gt: Gt, levels: readonly Level[], shapes: Shapes, out: Float64Array): void {
  const b = gt.b;
  for (let i = 0; i < gt.n; i++) {
    const cx = b[4 * i]!;
    const cy = b[4 * i + 1]!;
    const w = b[4 * i + 2]!;
    const h = b[4 * i + 3]!;
    let best = 0;
    for (let l = 0; l < levels.length; l++) {
      const lv = levels[l]!;
      const j = Math.min(lv.cols - 1, Math.max(0, Math.round(cx / lv.sx - 0.5)));
      const r = Math.min(lv.rows - 1, Math.max(0, Math.round(cy / lv.sy - 0.5)));
      const s = shapes[l]!;
      for (let k = 0; k < s.length; k += 2) {
        const pw = s[k]!;
        const ph = s[k + 1]!;
        const ox =
          Math.min(cx + w / 2, (j + 0.5) * lv.sx + pw / 2) - Math.max(cx - w / 2, (j + 0.5) * lv.sx - pw / 2);
        if (ox <= 0) continue;
        const oy =
          Math.min(cy + h / 2, (r + 0.5) * lv.sy + ph / 2) - Math.max(cy - h / 2, (r + 0.5) * lv.sy - ph / 2);
        if (oy <= 0) continue;
        const inter = ox * oy;
        const v = inter / (w * h + pw * ph - inter);
        if (v > best) best = v;
      }
    }
    out[i] = best;
  }
}

/** Fitness maximised by the search: recall at the threshold plus a tenth of the mean best IoU (tie-breaker). */
function fitness(gt: Gt, levels: readonly Level[], shapes: Shapes, t: number, buf: Float64Array): number {
  if (gt.n === 0) return 0;
  bestIous(gt, levels, shapes, buf);
  let hit = 0;
  let sum = 0;
  for (let i = 0; i < gt.n; i++) {
    const v = buf[i]!;
    if (v >= t) hit++;
    sum += v;
  }
  return hit / gt.n + (0.1 * sum) / gt.n;
}

function toConfig(base: PriorConfig, layout: PriorLayout, shapes: Shapes): ExplicitPriorConfig {
  const steps: Step[] = layout.levels.map((l) =>
    l.stepX === l.stepY ? l.stepX : { x: l.stepX, y: l.stepY },
  );
  return {
    imageSize: { width: base.imageSize.width, height: base.imageSize.height },
    featureMaps: base.featureMaps.map((m) => ({ height: m.height, width: m.width })),
    steps,
    clip: base.clip ?? true,
    scaleBase: "image",
    shapes: shapes.map((s) => {
      const out: PriorShape[] = [];
      for (let k = 0; k < s.length; k += 2) {
        const w = s[k]!;
        const h = s[k + 1]!;
        out.push({ scale: Math.sqrt(w * h), ratio: w / h });
      }
      return out;
    }),
  };
}

/**
 * Fits prior shapes to a dataset's ground truth under a budget, keeping the base config's grid (feature maps
 * and steps), as YOLOv5's autoanchor does for anchors:
 * 1. GT are mapped to the network input as training sees them (letterbox by default), see {@link analyzeCoverage}.
 * 2. Initial shapes by k-means on (w, h) with distance 1 − IoU (YOLOv2), sorted by area and dealt to levels
 *    finest first; with a `shapes` / `priors` / `addPriors` budget, shapes are then added greedily: each step
 *    clusters the GT still uncovered and adds the (level, centroid) with the best fitness gain per prior spent.
 * 3. A seeded local search mutates shapes (×exp(N(0, 0.1)) per side, clipped to 1) and keeps improvements.
 *
 * Fitness is recall at `threshold` plus 0.1 × mean best IoU, computed exactly from the grid (the nearest prior
 * centre per axis). The budget may be left partly unspent when more priors would not raise it (fewer, well-chosen
 * priors).
 *
 * @param dataset images with xyxy px GT (as {@link analyzeCoverage}).
 * @param base the configuration whose grid is kept (and whose shapes are kept for `addPriors`, and reported as `before`).
 * @returns the fitted config (explicit shapes, `scaleBase: "image"`) with coverage before and after.
 * @throws PriorsError `BUDGET_TOO_SMALL` (fewer shapes than levels, fewer priors than one shape per level's cells),
 *   `INVALID_CONFIG`, `INVALID_GT`, `INVALID_ARGUMENT` (threshold, seed, iterations, budget form; an empty
 *   dataset or one without a usable ground-truth box).
 */
export function fitPriors(
  dataset: readonly CoverageImage[],
  base: PriorConfig,
  options: FitOptions,
): FitResult {
  const fn = "fitPriors";
  if (!Array.isArray(dataset) || dataset.length === 0)
    fail("INVALID_ARGUMENT", fn, "dataset is empty; priors are fitted to ground-truth boxes", {
      field: "dataset",
    });
  const layout = priorLayout(base);
  const L = layout.levels.length;
  const t = checkUnit(fn, "options.threshold", options.threshold ?? 0.5);
  const seed = checkInt("INVALID_ARGUMENT", fn, "options.seed", options.seed ?? 0, 0);
  const iterations = checkInt("INVALID_ARGUMENT", fn, "options.iterations", options.iterations ?? 400, 0);
  const covOpts: CoverageOptions = {
    threshold: t,
    ...(options.resize === undefined ? {} : { resize: options.resize }),
    ...(options.letterbox === undefined ? {} : { letterbox: options.letterbox }),
    ...(options.invalid === undefined ? {} : { invalid: options.invalid }),
    ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
  };
  const budget = options.budget as Record<string, unknown> | undefined;
  if (typeof budget !== "object" || budget === null)
    fail("INVALID_ARGUMENT", fn, `options.budget must be an object; got ${describeValue(budget)}`, {
      field: "options.budget",
    });
  const cells = layout.levels.map((l) => l.rows * l.cols);
  const minPriors = cells.reduce((a, b) => a + b, 0);

  // budget: fixed counts, or a greedy allowance in priors with a per-level cost
  let counts: number[] | undefined;
  let allowance = 0;
  let cost: number[] = cells;
  let keepBase = false;
  if ("shapesPerLevel" in budget) {
    const spl = budget.shapesPerLevel;
    if (!Array.isArray(spl) || spl.length !== L)
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.budget.shapesPerLevel must have one entry per level (${L}); got ${describeValue(spl)}`,
        { field: "options.budget.shapesPerLevel" },
      );
    counts = spl.map((v: unknown, i: number) => {
      if (typeof v === "number" && Number.isInteger(v) && v < 1) {
        fail(
          "BUDGET_TOO_SMALL",
          fn,
          `options.budget.shapesPerLevel[${i}] must be >= 1 (every level needs a shape); got ${v}`,
          { field: "options.budget.shapesPerLevel", value: v },
        );
      }
      return checkInt("INVALID_ARGUMENT", fn, `options.budget.shapesPerLevel[${i}]`, v, 1);
    });
  } else if ("shapes" in budget) {
    const s = checkInt("INVALID_ARGUMENT", fn, "options.budget.shapes", budget.shapes, 0);
    if (s < L)
      fail(
        "BUDGET_TOO_SMALL",
        fn,
        `options.budget.shapes (${s}) is smaller than the number of levels (${L}); every level needs a shape`,
        { field: "options.budget.shapes", value: s },
      );
    allowance = s - L;
    cost = cells.map(() => 1);
  } else if ("priors" in budget) {
    const p = checkInt("INVALID_ARGUMENT", fn, "options.budget.priors", budget.priors, 0);
    if (p < minPriors) {
      fail(
        "BUDGET_TOO_SMALL",
        fn,
        `options.budget.priors (${p}) is smaller than one shape per cell on every level (${minPriors} = ${cells.join(" + ")})`,
        { field: "options.budget.priors", value: p },
      );
    }
    allowance = p - minPriors;
  } else if ("addPriors" in budget) {
    allowance = checkInt("INVALID_ARGUMENT", fn, "options.budget.addPriors", budget.addPriors, 0);
    keepBase = true;
  } else {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.budget must be { shapesPerLevel }, { shapes }, { priors } or { addPriors }; got ${describeValue(budget)}`,
      { field: "options.budget" },
    );
  }

  const before = analyzeCoverage(dataset, generatePriors(base), base.imageSize, covOpts);
  const W = base.imageSize.width;
  const H = base.imageSize.height;
  const n = before.numGt;
  if (n === 0) {
    const given = dataset.reduce((t, im) => t + im.boxes.length, 0);
    fail(
      "INVALID_ARGUMENT",
      fn,
      `dataset has no usable ground-truth box (${dataset.length} image${dataset.length === 1 ? "" : "s"}, ${given} box${given === 1 ? "" : "es"}); priors are fitted to ground-truth boxes`,
      { field: "dataset" },
    );
  }
  const gb = new Float64Array(n * 4);
  const wh = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const g = before.gtInput;
    const x1 = g[4 * i]! / W;
    const y1 = g[4 * i + 1]! / H;
    const x2 = g[4 * i + 2]! / W;
    const y2 = g[4 * i + 3]! / H;
    gb[4 * i] = (x1 + x2) / 2;
    gb[4 * i + 1] = (y1 + y2) / 2;
    gb[4 * i + 2] = x2 - x1;
    gb[4 * i + 3] = y2 - y1;
    wh[2 * i] = x2 - x1;
    wh[2 * i + 1] = y2 - y1;
  }
  const gt: Gt = { n, b: gb };
  const levels: Level[] = layout.levels.map((l) => ({
    rows: l.rows,
    cols: l.cols,
    sx: l.stepX / W,
    sy: l.stepY / H,
    cells: l.rows * l.cols,
  }));
  const clip = base.clip ?? true;
  const rng = seededRng(seed);
  const buf = new Float64Array(n);

  // initial shapes
  let shapes: Shapes;
  const fixed: number[] = layout.levels.map(() => 0);
  if (keepBase) {
    shapes = layout.levels.map((l) => Array.from(l.sizes));
    shapes.forEach((s, l) => {
      fixed[l] = s.length >> 1;
    });
  } else {
    const c0 = counts ?? layout.levels.map(() => 1);
    const total = c0.reduce((a, b) => a + b, 0);
    const cent = kmeansIou(wh, total, rng);
    shapes = [];
    let k = 0;
    for (let l = 0; l < L; l++) {
      const s: number[] = [];
      for (let q = 0; q < c0[l]!; q++) {
        // fewer distinct GT sizes than shapes (or no GT): fall back to the base level's first shape
        const src = cent.length >> 1;
        if (k < src) s.push(cent[2 * k]!, cent[2 * k + 1]!);
        else s.push(layout.levels[l]!.sizes[0]!, layout.levels[l]!.sizes[1]!);
        k++;
      }
      shapes.push(s);
    }
  }
  const clamp = (v: number) => (clip ? Math.min(1, Math.max(1e-4, v)) : Math.max(1e-4, v));
  let f = fitness(gt, levels, shapes, t, buf);

  // greedy additions under the allowance
  if (counts === undefined) {
    for (;;) {
      bestIous(gt, levels, shapes, buf);
      const pool: number[] = [];
      for (let i = 0; i < n; i++) if (buf[i]! < t) pool.push(wh[2 * i]!, wh[2 * i + 1]!);
      if (pool.length === 0) {
        // everything covered: candidates from the worst-matched quarter, to raise the mean IoU
        const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => buf[a]! - buf[b]!);
        for (const i of idx.slice(0, Math.ceil(n / 4))) pool.push(wh[2 * i]!, wh[2 * i + 1]!);
      }
      if (pool.length === 0) break;
      const cand = kmeansIou(Float64Array.from(pool), 8, rng);
      let bestGain = 0;
      let bestL = -1;
      let bestC = -1;
      let bestF = f;
      for (let l = 0; l < L; l++) {
        if (cost[l]! > allowance) continue;
        const s = shapes[l]!;
        for (let c = 0; c < cand.length; c += 2) {
          s.push(clamp(cand[c]!), clamp(cand[c + 1]!));
          const f2 = fitness(gt, levels, shapes, t, buf);
          s.length -= 2;
          const gain = (f2 - f) / cost[l]!;
          if (gain > bestGain) {
            bestGain = gain;
            bestL = l;
            bestC = c;
            bestF = f2;
          }
        }
      }
      if (bestL < 0 || bestF - f < 1e-6) break;
      shapes[bestL]!.push(clamp(cand[bestC]!), clamp(cand[bestC + 1]!));
      allowance -= cost[bestL]!;
      f = bestF;
    }
  }

  // local search (autoanchor-style mutation), on the shapes that are not kept from the base
  const movable: [number, number][] = [];
  shapes.forEach((s, l) => {
    for (let k = fixed[l]! * 2; k < s.length; k += 2) movable.push([l, k]);
  });
  for (let it = 0; it < iterations && movable.length > 0; it++) {
    const [l, k] = movable[Math.min(movable.length - 1, Math.floor(uniformFloat64(rng) * movable.length))]!;
    const s = shapes[l]!;
    const ow = s[k]!;
    const oh = s[k + 1]!;
    s[k] = clamp(ow * Math.exp(0.1 * normal(rng)));
    s[k + 1] = clamp(oh * Math.exp(0.1 * normal(rng)));
    const f2 = fitness(gt, levels, shapes, t, buf);
    if (f2 > f) f = f2;
    else {
      s[k] = ow;
      s[k + 1] = oh;
    }
  }

  const config = toConfig(base, layout, shapes);
  const priors = generatePriors(config);
  const after = analyzeCoverage(dataset, priors, base.imageSize, covOpts);
  return { config, numPriors: priors.length, before, after };
}
