import { describeValue } from "@od/boxes";
import { type Image, maxValue, type Pixels, readPixels } from "./image.js";
import { checkInterval, checkRange, fail } from "./internal/check.js";
import { channelMean } from "./internal/kernels.js";
import { coveredArea } from "./internal/rects.js";
import { type Rng, random, randomInt, uniform } from "./rng.js";
import { unsafeSample } from "./sample.js";
import {
  checkP,
  type DropReason,
  defineTransform,
  type ProbabilityOptions,
  type Transform,
} from "./transform.js";

/** How a cut-out is filled: zeros, the image's per-channel mean, uniform noise, or a patch of another image. */
export type OcclusionFill = "zero" | "mean" | "noise" | "patch";

/** Options for {@link occlusion}. */
export interface OcclusionOptions extends ProbabilityOptions {
  /** Cut-out area as a fraction of its box's area (default `[0.1, 0.4]`). */
  readonly fraction?: readonly [number, number];
  /** Cut-out width / height ratio range (default `[0.5, 2]`). */
  readonly aspect?: readonly [number, number];
  /** Probability that each box gets a cut-out (default 0.5). */
  readonly perBox?: number;
  /** Fill (default `"zero"`). */
  readonly fill?: OcclusionFill;
  /** Images patches are taken from when `fill` is `"patch"` (same channels and dtype as the samples). */
  readonly patches?: readonly Image[];
  /** Boxes whose unoccluded fraction falls below this are dropped with reason `occluded` (default 0.25). */
  readonly minVisible?: number;
}

/**
 * The recipe's artificial occlusion: cut-out rectangles placed on object regions. For each box (with
 * probability `perBox`) a rectangle of `fraction` of the box's area and `aspect` width/height is placed
 * at a random integer position inside the box's interior pixels (`[⌈x1⌉, ⌊x2⌋) × [⌈y1⌉, ⌊y2⌋)`, so
 * pixels outside every box never change) and filled. Then every box's visible fraction
 * (1 − area covered by the union of cut-outs / box area, exact) is computed; boxes below `minVisible`
 * are dropped (`occluded`), the others kept unchanged. No geometric record.
 * @throws AugmentError `INVALID_ARGUMENT` (ranges, fill, missing patches), `SHAPE_MISMATCH` (patch channels or dtype).
 */
export function occlusion(options: OcclusionOptions = {}): Transform {
  const fn = "occlusion";
  const fraction = options.fraction ?? [0.1, 0.4];
  const aspect = options.aspect ?? [0.5, 2];
  checkInterval(fn, "options.fraction", fraction, 0, 1);
  checkInterval(fn, "options.aspect", aspect, Number.MIN_VALUE, Number.MAX_VALUE);
  const perBox = options.perBox ?? 0.5;
  checkRange(fn, "options.perBox", perBox, 0, 1);
  const minVisible = options.minVisible ?? 0.25;
  checkRange(fn, "options.minVisible", minVisible, 0, 1);
  const fill = options.fill ?? "zero";
  if (fill !== "zero" && fill !== "mean" && fill !== "noise" && fill !== "patch") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.fill must be "zero", "mean", "noise" or "patch"; got ${describeValue(fill)}`,
    );
  }
  const patches = (options.patches ?? []).map((im, i) => readPixels(fn, `options.patches[${i}]`, im));
  if (fill === "patch" && patches.length === 0)
    fail("INVALID_ARGUMENT", fn, 'options.fill "patch" needs options.patches');
  return defineTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const { px, boxes: b, labels } = parts;
    const n = labels.length;
    const rects: number[] = [];
    const out = px.data.slice();
    const mean = fill === "mean" ? channelMean(px) : undefined;
    for (let i = 0; i < n; i++) {
      if (!(random(rng) < perBox)) continue;
      const x1 = b[i * 4]!;
      const y1 = b[i * 4 + 1]!;
      const x2 = b[i * 4 + 2]!;
      const y2 = b[i * 4 + 3]!;
      const ix1 = Math.ceil(x1);
      const iy1 = Math.ceil(y1);
      const ix2 = Math.floor(x2);
      const iy2 = Math.floor(y2);
      if (ix2 <= ix1 || iy2 <= iy1) continue;
      const area = (x2 - x1) * (y2 - y1) * uniform(rng, fraction[0], fraction[1]);
      const a = uniform(rng, aspect[0], aspect[1]);
      const w = Math.min(ix2 - ix1, Math.max(1, Math.round(Math.sqrt(area * a))));
      const h = Math.min(iy2 - iy1, Math.max(1, Math.round(Math.sqrt(area / a))));
      const x0 = randomInt(rng, ix1, ix2 - w);
      const y0 = randomInt(rng, iy1, iy2 - h);
      fillRect(out, px, x0, y0, w, h, fill, mean, patches, rng, fn);
      rects.push(x0, y0, x0 + w, y0 + h);
    }
    const keep: number[] = [];
    const dropped: { index: number; reason: DropReason }[] = [];
    for (let i = 0; i < n; i++) {
      const x1 = b[i * 4]!;
      const y1 = b[i * 4 + 1]!;
      const x2 = b[i * 4 + 2]!;
      const y2 = b[i * 4 + 3]!;
      const A = (x2 - x1) * (y2 - y1);
      const visible = A > 0 ? 1 - coveredArea(x1, y1, x2, y2, rects) / A : 1;
      if (visible < minVisible) dropped.push({ index: i, reason: "occluded" });
      else keep.push(i);
    }
    const kept = Int32Array.from(keep);
    const nb = new Float32Array(kept.length * 4);
    kept.forEach((i, k) => {
      nb.set(b.subarray(i * 4, i * 4 + 4), k * 4);
    });
    return {
      sample: unsafeSample(
        { ...px, data: out },
        nb,
        Int32Array.from(kept, (i) => labels[i]!),
        parts.records,
      ),
      kept,
      dropped,
    };
  });
}

function fillRect(
  out: Pixels["data"],
  px: Pixels,
  x0: number,
  y0: number,
  w: number,
  h: number,
  fill: OcclusionFill,
  mean: Float64Array | undefined,
  patches: readonly Pixels[],
  rng: Rng,
  fn: string,
): void {
  const { width: W, channels: C } = px;
  const M = maxValue(px.data);
  const u8 = px.data instanceof Uint8Array;
  let patch: Pixels | undefined;
  let offX = 0;
  let offY = 0;
  if (fill === "patch") {
    patch = patches[randomInt(rng, 0, patches.length - 1)]!;
    if (patch.channels !== C || patch.data instanceof Uint8Array !== u8) {
      fail(
        "SHAPE_MISMATCH",
        fn,
        `options.patches must match the image: ${C} channels ${u8 ? "uint8" : "float32"}; got ${patch.channels} channels ${patch.data instanceof Uint8Array ? "uint8" : "float32"}`,
      );
    }
    offX = randomInt(rng, 0, Math.max(0, patch.width - w));
    offY = randomInt(rng, 0, Math.max(0, patch.height - h));
  }
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const d = (y * W + x) * C;
      for (let c = 0; c < C; c++) {
        let v = 0;
        if (fill === "mean") v = mean?.[c] ?? 0;
        else if (fill === "noise") v = random(rng) * M;
        else if (patch !== undefined) {
          const px2 = (offX + (x - x0)) % patch.width;
          const py2 = (offY + (y - y0)) % patch.height;
          v = patch.data[(py2 * patch.width + px2) * C + c]!;
        }
        out[d + c] = u8 ? Math.round(v) : v;
      }
    }
  }
}
