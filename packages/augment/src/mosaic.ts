import { describeValue } from "@od/boxes";
import { type BoxFilter, clipAndFilter, readFilter } from "./filter.js";
import { allocLike, type Pixels } from "./image.js";
import { checkInterval, checkPositiveInt, fail } from "./internal/check.js";
import { forwardInPlace, type ShiftRecord } from "./records.js";
import { randomInt, uniform } from "./rng.js";
import { readSample, type Sample, unsafeSample } from "./sample.js";
import {
  checkP,
  type DropReason,
  defineTransform,
  type ProbabilityOptions,
  type Transform,
} from "./transform.js";

/** Mosaic quadrant: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
export type MosaicQuadrant = 0 | 1 | 2 | 3;

/** Options for {@link mosaic}. */
export interface MosaicOptions extends ProbabilityOptions {
  /** Canvas width, px (positive integer). */
  readonly width: number;
  /** Canvas height, px (positive integer). */
  readonly height: number;
  /**
   * The pool the three other images are drawn from (uniformly, with replacement), validated once here;
   * same channels and dtype as the samples the transform is applied to. Must not be empty.
   */
  readonly sources: readonly Sample[];
  /** Range of the mosaic centre as a fraction of the canvas width and height (default `[0.25, 0.75]`). */
  readonly center?: readonly [number, number];
  /** The quadrant that shows the current sample (default `"random"`: drawn uniformly). */
  readonly quadrant?: MosaicQuadrant | "random";
  /** Box filter applied to every image's boxes after clipping to its quadrant (default none). */
  readonly filter?: BoxFilter;
}

/**
 * Mosaic augmentation of 4 images (Bochkovskiy et al., "YOLOv4", 2020; placement as ultralytics'
 * `load_mosaic`): a centre `(cx, cy)` is drawn at integer px with `cx / width`, `cy / height ∈ center`;
 * the canvas is split into four quadrants at it. The current sample fills one quadrant, three samples
 * drawn from `sources` the others, each placed unscaled with a corner at the centre (top-left quadrant:
 * the image's bottom-right corner, and so on) and cut to its quadrant; the rest of the canvas is zero.
 * Every image's boxes are shifted, clipped to its quadrant and filtered; boxes of the pool images are
 * appended after the sample's own (`report.kept` −1; a dropped one is reported with index −1 and its
 * coordinates in its pool image).
 *
 * Records an `od.shift` (op `mosaic`, `window` = the original's quadrant) for the current sample, so
 * {@link invertRecords} maps the boxes of the ORIGINAL's region back exactly; boxes from the pool
 * images (outside `window`, `report.kept` −1) have no counterpart in the original image: select
 * `report.kept[j] ≥ 0` before inverting. Resize or letterbox the pool images beforehand if their
 * sizes differ a lot from the canvas.
 * @example mosaic({ width: 640, height: 640, sources: trainingSamples })
 * @throws AugmentError `INVALID_ARGUMENT` for an empty or invalid pool, bad sizes, centre range or
 *   quadrant; `SHAPE_MISMATCH` (at apply) when a drawn pool image has other channels or dtype.
 */
export function mosaic(options: MosaicOptions): Transform {
  const fn = "mosaic";
  checkPositiveInt(fn, "options.width", options?.width);
  checkPositiveInt(fn, "options.height", options.height);
  if (!Array.isArray(options.sources) || options.sources.length === 0) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.sources must be a non-empty array of samples (the pool); got ${describeValue(options.sources)}`,
      { arg: "options.sources" },
    );
  }
  const pool = options.sources.map((s, i) => readSample(`${fn} (options.sources[${i}])`, s));
  const center = options.center ?? [0.25, 0.75];
  checkInterval(fn, "options.center", center, 0, 1);
  const quadrant = options.quadrant ?? "random";
  if (quadrant !== "random" && quadrant !== 0 && quadrant !== 1 && quadrant !== 2 && quadrant !== 3) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.quadrant must be 0, 1, 2, 3 or "random"; got ${describeValue(quadrant)}`,
      { value: quadrant },
    );
  }
  const filter = readFilter(fn, options.filter);
  const W = options.width;
  const H = options.height;

  return defineTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const cx = Math.round(uniform(rng, center[0] * W, center[1] * W));
    const cy = Math.round(uniform(rng, center[0] * H, center[1] * H));
    const own = quadrant === "random" ? (randomInt(rng, 0, 3) as MosaicQuadrant) : quadrant;
    const picks: number[] = [];
    for (let k = 0; k < 3; k++) picks.push(randomInt(rng, 0, pool.length - 1));
    const C = parts.px.channels;
    const u8 = parts.px.data instanceof Uint8Array;
    for (const i of picks) {
      const src = pool[i]!;
      if (src.px.channels !== C || src.px.data instanceof Uint8Array !== u8) {
        fail(
          "SHAPE_MISMATCH",
          fn,
          `options.sources[${i}] has ${src.px.channels} channels ${src.px.data instanceof Uint8Array ? "uint8" : "float32"}; the sample has ${C} channels ${u8 ? "uint8" : "float32"}`,
          { index: i },
        );
      }
    }
    const out = allocLike(parts.px.data, W * H * C);
    const boxes: number[] = [];
    const labels: number[] = [];
    const kept: number[] = [];
    const dropped: {
      index: number;
      reason: DropReason;
      box?: [number, number, number, number];
      label?: number;
    }[] = [];
    let record: ShiftRecord | undefined;
    let p = 0;
    for (let q = 0 as MosaicQuadrant; q < 4; q++) {
      const isOwn = q === own;
      const part = isOwn ? parts : pool[picks[p++]!]!;
      const { width: w, height: h } = part.px;
      const left = q === 0 || q === 2;
      const top = q === 0 || q === 1;
      const dx = left ? cx - w : cx;
      const dy = top ? cy - h : cy;
      // the quadrant, cut to the placed image
      const x0 = Math.max(left ? 0 : cx, dx);
      const x1 = Math.min(left ? cx : W, dx + w);
      const y0 = Math.max(top ? 0 : cy, dy);
      const y1 = Math.min(top ? cy : H, dy + h);
      const ww = Math.max(0, x1 - x0);
      const wh = Math.max(0, y1 - y0);
      blit(part.px, out, W, x0 - dx, y0 - dy, x0, y0, ww, wh);
      const rec: ShiftRecord = {
        kind: "od.shift",
        op: "mosaic",
        source: { width: w, height: h },
        target: { width: W, height: H },
        dx,
        dy,
        window: [x0, y0, x0 + ww, y0 + wh],
      };
      if (isOwn) record = rec;
      const t = Float64Array.from(part.boxes);
      forwardInPlace(fn, rec, t);
      const f = clipAndFilter(t, part.labels, { width: ww, height: wh }, filter, undefined, x0, y0);
      for (let j = 0; j < f.kept.length; j++) {
        for (let k = 0; k < 4; k++) boxes.push(f.boxes[j * 4 + k]!);
        labels.push(f.labels[j]!);
        kept.push(isOwn ? f.kept[j]! : -1);
      }
      for (const d of f.dropped) {
        if (isOwn) dropped.push(d);
        else {
          const b = part.boxes;
          const s = d.index * 4;
          dropped.push({
            index: -1,
            reason: d.reason,
            box: [b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!],
            label: part.labels[d.index]!,
          });
        }
      }
    }
    return {
      sample: unsafeSample(
        { data: out, width: W, height: H, channels: C },
        Float32Array.from(boxes),
        Int32Array.from(labels),
        [...parts.records, record as ShiftRecord],
      ),
      kept: Int32Array.from(kept),
      dropped,
    };
  });
}

/** Copies the `w × h` block at `(sx, sy)` of `src` to `(x, y)` of `out` (`outW` px wide, same channels). */
function blit(
  src: Pixels,
  out: Pixels["data"],
  outW: number,
  sx: number,
  sy: number,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  if (w <= 0 || h <= 0) return;
  const C = src.channels;
  for (let r = 0; r < h; r++) {
    const s = ((sy + r) * src.width + sx) * C;
    out.set(src.data.subarray(s, s + w * C), ((y + r) * outW + x) * C);
  }
}
