import { describeValue, type ImageSize } from "@od/boxes";
import { checkInt, checkPositive, fail } from "./internal/fail.js";

/** Size of one feature map (one detection level), in cells: `height` rows by `width` columns. */
export interface FeatureMapSize {
  /** Rows (the feature map's H). */
  readonly height: number;
  /** Columns (the feature map's W). */
  readonly width: number;
}

/** Distance between neighbouring prior centres in input pixels: one number for both axes, or per axis. */
export type Step = number | { readonly x: number; readonly y: number };

/**
 * One prior shape by scale and aspect ratio: `w = scale · √ratio`, `h = scale / √ratio`, relative to the
 * scale base (see {@link PriorGrid.scaleBase}). `ratio = w / h`.
 */
export interface PriorShape {
  /** Size `√(w·h)` as a fraction of the scale base, > 0. */
  readonly scale: number;
  /** `w / h`, > 0. */
  readonly ratio: number;
}

/** Where priors sit: the network input and one feature map per level. Shared by both shape specs. */
export interface PriorGrid {
  /** Network input size in px. */
  readonly imageSize: ImageSize;
  /** One feature map per level, finest first. */
  readonly featureMaps: readonly FeatureMapSize[];
  /**
   * Per level, the distance between neighbouring centres in input px (SSD300: `[8, 16, 32, 64, 100, 300]`).
   * Centres are `(j + 0.5) · step / imageSize`, so a step need not divide the input (300 / 8 = 37.5 cells for a
   * 38×38 map, as torchvision). Default: `imageSize / featureMap`, i.e. centres `(j + 0.5) / width`.
   */
  readonly steps?: readonly Step[];
  /**
   * Clamp prior widths and heights to [0, 1] (default `true`). As torchvision `DefaultBoxGenerator(clip=True)`,
   * only sizes are clamped, never centres, so a clipped prior may still reach past the image border.
   */
  readonly clip?: boolean;
  /**
   * What a scale is a fraction of. `"image"` (default, torchvision): widths of the input width and heights of
   * the input height, so on a non-square input a ratio-1 prior is not square in pixels. `"short-side"`: both
   * of `min(width, height)`, so a ratio-1 prior is square in pixels.
   */
  readonly scaleBase?: "image" | "short-side";
}

/**
 * SSD's shape spec (Liu et al. 2016, §2.2; torchvision `DefaultBoxGenerator`): per level `k` a square box of
 * scale `s_k`, the extra square box `√(s_k · s_{k+1})`, and for each aspect ratio `a` the pair
 * `(s_k·√a, s_k/√a)` and `(s_k/√a, s_k·√a)`.
 */
export interface SsdShapeSpec {
  /** `L + 1` scales (`s_{L}` only feeds the last extra box), or `L` when `extraBox` is false. Each > 0. */
  readonly scales: readonly number[];
  /** Per level the aspect ratios (> 0) that get a `(a, 1/a)` pair; `[]` for squares only. */
  readonly aspectRatios: readonly (readonly number[])[];
  /** Add the extra `√(s_k · s_{k+1})` square box per location (default `true`). */
  readonly extraBox?: boolean;
  /** Not used by this spec. */
  readonly shapes?: undefined;
}

/** An explicit shape list per level, in the order boxes are emitted at every location (used by fitted configs). */
export interface ExplicitShapeSpec {
  /** Per level, at least one shape. */
  readonly shapes: readonly (readonly PriorShape[])[];
  /** Not used by this spec. */
  readonly scales?: undefined;
  /** Not used by this spec. */
  readonly aspectRatios?: undefined;
  /** Not used by this spec. */
  readonly extraBox?: undefined;
}

/** A grid with SSD's scale/aspect-ratio shapes (what the presets and {@link configFromFeatureMaps} produce). */
export type SsdPriorConfig = PriorGrid & SsdShapeSpec;

/** A grid with an explicit shape list per level (what {@link fitPriors} produces). */
export type ExplicitPriorConfig = PriorGrid & ExplicitShapeSpec;

/** A full prior configuration: a grid plus one of the two shape specs. */
export type PriorConfig = SsdPriorConfig | ExplicitPriorConfig;

/** One level of a {@link PriorLayout}. */
export interface PriorLevel {
  /** Index of the level's first prior in the generated array. */
  readonly start: number;
  /** Number of priors on this level: `rows · cols · boxesPerCell`. */
  readonly count: number;
  /** Feature-map rows. */
  readonly rows: number;
  /** Feature-map columns. */
  readonly cols: number;
  /** Shapes per location. */
  readonly boxesPerCell: number;
  /** Centre spacing in input px along x. */
  readonly stepX: number;
  /** Centre spacing in input px along y. */
  readonly stepY: number;
  /** `[boxesPerCell, 2]` (w, h) rel to the input, in emission order, after clipping when `clip` is on. */
  readonly sizes: Float64Array;
}

/** Where every prior comes from: levels in order, each a `rows × cols × boxesPerCell` block. */
export interface PriorLayout {
  /** Levels, finest first, in generation order. */
  readonly levels: readonly PriorLevel[];
  /** Total number of priors P. */
  readonly total: number;
  /** Network input size in px. */
  readonly imageSize: ImageSize;
}

/**
 * Most priors a configuration may describe: 2^22 = 4,194,304 (480 × SSD300's 8,732; the priors alone
 * are 64 MiB of float32, and matching holds a `[G, P]` IoU matrix). A larger config is refused by
 * {@link priorLayout} (and so by `generatePriors`, `priorCount`, fitting and coverage) before anything
 * is allocated.
 */
export const MAX_PRIORS = 2 ** 22;

function stepXY(s: Step): { x: number; y: number } {
  return typeof s === "number" ? { x: s, y: s } : { x: s.x, y: s.y };
}

/**
 * Validates a prior configuration and expands it into its {@link PriorLayout}: per level the grid, the
 * centre spacing and the (w, h) of every shape in emission order.
 * @throws PriorsError `INVALID_CONFIG` naming the field and value: non-positive sizes, scales, steps or
 *   ratios, per-level lists whose lengths differ from `featureMaps.length`, both or neither shape spec,
 *   more than {@link MAX_PRIORS} priors.
 */
export function priorLayout(config: PriorConfig): PriorLayout {
  const fn = "priorLayout";
  const C = "INVALID_CONFIG";
  if (typeof config !== "object" || config === null)
    fail(C, fn, `config must be an object; got ${describeValue(config)}`);
  const img = config.imageSize;
  if (typeof img !== "object" || img === null)
    fail(C, fn, `config.imageSize must be { width, height }; got ${describeValue(img)}`);
  checkPositive(C, fn, "config.imageSize.width", img.width);
  checkPositive(C, fn, "config.imageSize.height", img.height);
  const maps = config.featureMaps;
  if (!Array.isArray(maps) || maps.length === 0) {
    fail(
      C,
      fn,
      `config.featureMaps must be a non-empty array of { height, width }; got ${describeValue(maps)}`,
    );
  }
  const L = maps.length;
  maps.forEach((m: FeatureMapSize, k: number) => {
    checkInt(C, fn, `config.featureMaps[${k}].height`, m?.height, 1);
    checkInt(C, fn, `config.featureMaps[${k}].width`, m?.width, 1);
  });
  if (config.steps !== undefined) {
    if (!Array.isArray(config.steps) || config.steps.length !== L) {
      fail(C, fn, `config.steps must have one entry per level (${L}); got ${describeValue(config.steps)}`, {
        field: "steps",
      });
    }
    config.steps.forEach((s: Step, k: number) => {
      if (typeof s === "number") checkPositive(C, fn, `config.steps[${k}]`, s);
      else {
        checkPositive(C, fn, `config.steps[${k}].x`, s?.x);
        checkPositive(C, fn, `config.steps[${k}].y`, s?.y);
      }
    });
  }
  const base = config.scaleBase ?? "image";
  if (base !== "image" && base !== "short-side")
    fail(C, fn, `config.scaleBase must be "image" or "short-side"; got ${describeValue(base)}`);
  const short = Math.min(img.width, img.height);
  const bx = base === "image" ? 1 : short / img.width;
  const by = base === "image" ? 1 : short / img.height;
  const clip = config.clip ?? true;
  const perLevel: number[][] = shapeSizes(fn, config, L);
  const described = maps.reduce((t, m, k) => t + m.height * m.width * ((perLevel[k]?.length ?? 0) >> 1), 0);
  if (described > MAX_PRIORS)
    fail(
      C,
      fn,
      `the config describes ${described} priors, over the limit of ${MAX_PRIORS} (MAX_PRIORS); use fewer or smaller feature maps or fewer shapes per cell`,
      { field: "featureMaps", value: described },
    );
  const levels: PriorLevel[] = [];
  let start = 0;
  for (let k = 0; k < L; k++) {
    const m = maps[k]!;
    const st =
      config.steps === undefined
        ? { x: img.width / m.width, y: img.height / m.height }
        : stepXY(config.steps[k]!);
    const wh = perLevel[k]!;
    const K = wh.length >> 1;
    const sizes = new Float64Array(K * 2);
    for (let i = 0; i < K; i++) {
      let w = wh[2 * i]! * bx;
      let h = wh[2 * i + 1]! * by;
      if (clip) {
        w = Math.min(Math.max(w, 0), 1);
        h = Math.min(Math.max(h, 0), 1);
      }
      sizes[2 * i] = w;
      sizes[2 * i + 1] = h;
    }
    const count = m.height * m.width * K;
    levels.push({
      start,
      count,
      rows: m.height,
      cols: m.width,
      boxesPerCell: K,
      stepX: st.x,
      stepY: st.y,
      sizes,
    });
    start += count;
  }
  return { levels, total: start, imageSize: { width: img.width, height: img.height } };
}

/** Per level the flat [w0, h0, w1, h1, ...] list relative to the scale base (before clipping). */
function shapeSizes(fn: string, config: PriorConfig, L: number): number[][] {
  const C = "INVALID_CONFIG";
  const hasShapes = config.shapes !== undefined;
  const hasScales = config.scales !== undefined || config.aspectRatios !== undefined;
  if (hasShapes === hasScales) {
    fail(
      C,
      fn,
      `config must have either shapes, or scales and aspectRatios; got ${hasShapes ? "both" : "neither"}`,
    );
  }
  if (config.shapes !== undefined) {
    const shapes = config.shapes;
    if (!Array.isArray(shapes) || shapes.length !== L) {
      fail(C, fn, `config.shapes must have one list per level (${L}); got ${describeValue(shapes)}`, {
        field: "shapes",
      });
    }
    return shapes.map((lvl: readonly PriorShape[], k: number) => {
      if (!Array.isArray(lvl) || lvl.length === 0) {
        fail(
          C,
          fn,
          `config.shapes[${k}] must be a non-empty list of { scale, ratio }; got ${describeValue(lvl)}`,
          { field: "shapes" },
        );
      }
      const out: number[] = [];
      lvl.forEach((s: PriorShape, i: number) => {
        const sc = checkPositive(C, fn, `config.shapes[${k}][${i}].scale`, s?.scale);
        const r = checkPositive(C, fn, `config.shapes[${k}][${i}].ratio`, s?.ratio);
        const q = Math.sqrt(r);
        out.push(sc * q, sc / q);
      });
      return out;
    });
  }
  const scales = config.scales;
  const ars = config.aspectRatios;
  const extra = config.extraBox ?? true;
  if (!Array.isArray(scales))
    fail(C, fn, `config.scales must be an array of numbers; got ${describeValue(scales)}`, {
      field: "scales",
    });
  if (!Array.isArray(ars) || ars.length !== L) {
    fail(C, fn, `config.aspectRatios must have one list per level (${L}); got ${describeValue(ars)}`, {
      field: "aspectRatios",
    });
  }
  const need = extra ? L + 1 : L;
  if (scales.length !== need && !(scales.length === L + 1 && !extra)) {
    fail(
      C,
      fn,
      `config.scales must have ${need} entries for ${L} levels${extra ? " (the last feeds the extra box)" : ""}; got ${scales.length}`,
      {
        field: "scales",
        value: scales,
      },
    );
  }
  scales.forEach((s: number, k: number) => {
    checkPositive(C, fn, `config.scales[${k}]`, s);
  });
  const out: number[][] = [];
  for (let k = 0; k < L; k++) {
    const s = scales[k]!;
    const wh: number[] = [s, s];
    if (extra) {
      const sp = Math.sqrt(s * scales[k + 1]!);
      wh.push(sp, sp);
    }
    const list = ars[k];
    if (!Array.isArray(list))
      fail(C, fn, `config.aspectRatios[${k}] must be an array; got ${describeValue(list)}`, {
        field: "aspectRatios",
      });
    list.forEach((a: number, i: number) => {
      checkPositive(C, fn, `config.aspectRatios[${k}][${i}]`, a);
      const q = Math.sqrt(a);
      wh.push(s * q, s / q, s / q, s * q);
    });
    out.push(wh);
  }
  return out;
}

/**
 * Number of priors a configuration generates: `Σ_k rows_k · cols_k · boxesPerCell_k`, where
 * `boxesPerCell_k = 1 + [extraBox] + 2 · |aspectRatios_k|` for the SSD spec and `|shapes_k|` for explicit shapes.
 * @throws PriorsError `INVALID_CONFIG` as {@link priorLayout}.
 */
export function priorCount(config: PriorConfig): number {
  return priorLayout(config).total;
}
