import { unsafeBoxes } from "@od/boxes";
import { type Uint8Image, uint8Image } from "@od/image";
import { seededRng } from "@od/random";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { createDataset } from "./dataset.js";
import { fail } from "./internal/fail.js";
import type { DetectionDataset, ImageRecord } from "./types.js";

/** Options of {@link syntheticShapes}. */
export interface SyntheticShapesOptions {
  /** Number of images (default 16). */
  readonly count?: number;
  /** Image width and height in px (default 64). */
  readonly size?: number;
  /** Objects per image, inclusive range (default [1, 3]). */
  readonly objects?: readonly [number, number];
  /** Object side in px, inclusive range (default [size/6, size/3]). */
  readonly side?: readonly [number, number];
  /** Share of images with no objects (background-only negatives), default 0. */
  readonly negativeShare?: number;
  /** Seed; the same seed gives the same images and boxes. */
  readonly seed?: number;
}

/** Class names of {@link syntheticShapes}: filled squares, in three colours. */
export const SYNTHETIC_CLASSES = ["red", "green", "blue"] as const;

const COLORS: readonly (readonly [number, number, number])[] = [
  [220, 40, 40],
  [40, 200, 60],
  [50, 70, 230],
];

/**
 * A deterministic toy detection dataset for tests, demos and benchmarks: grey noisy backgrounds with
 * filled coloured squares, one class per colour ({@link SYNTHETIC_CLASSES}), boxes exactly on the
 * squares' pixel edges (xyxy px, continuous coordinates). Images live in memory; `file` names are
 * `synthetic-<i>.png` for writers.
 * @throws DataError `INVALID_ARGUMENT` for non-positive counts or sizes.
 */
export function syntheticShapes(options: SyntheticShapesOptions = {}): {
  dataset: DetectionDataset;
  images: Map<string, Uint8Image>;
} {
  const fn = "syntheticShapes";
  const n = options.count ?? 16;
  const S = options.size ?? 64;
  const [omin, omax] = options.objects ?? [1, 3];
  const [smin, smax] = options.side ?? [Math.max(4, Math.round(S / 6)), Math.max(5, Math.round(S / 3))];
  if (!Number.isInteger(n) || n < 1) fail("INVALID_ARGUMENT", fn, `count must be an integer >= 1; got ${n}`);
  if (!Number.isInteger(S) || S < 8) fail("INVALID_ARGUMENT", fn, `size must be an integer >= 8; got ${S}`);
  if (!(Number.isInteger(omin) && Number.isInteger(omax) && 0 <= omin && omin <= omax)) {
    fail("INVALID_ARGUMENT", fn, `objects must be integers 0 <= min <= max; got [${omin}, ${omax}]`);
  }
  if (!(Number.isInteger(smin) && Number.isInteger(smax) && 1 <= smin && smin <= smax && smax <= S)) {
    fail("INVALID_ARGUMENT", fn, `side must be integers 1 <= min <= max <= size; got [${smin}, ${smax}]`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) fail("INVALID_ARGUMENT", fn, `seed must be an integer; got ${seed}`);
  const rng = seededRng(seed);
  const neg = options.negativeShare ?? 0;
  const records: ImageRecord[] = [];
  const images = new Map<string, Uint8Image>();
  for (let i = 0; i < n; i++) {
    const px = new Uint8Array(S * S * 3);
    for (let p = 0; p < px.length; p++) px[p] = 100 + uniformInt(rng, 0, 40);
    const isNeg = neg > 0 && uniformInt(rng, 0, 9999) < neg * 10000;
    const m = isNeg ? 0 : uniformInt(rng, omin, omax);
    const boxes: number[] = [];
    const labels: number[] = [];
    for (let k = 0; k < m; k++) {
      const side = uniformInt(rng, smin, smax);
      const x = uniformInt(rng, 0, S - side);
      const y = uniformInt(rng, 0, S - side);
      const c = uniformInt(rng, 0, COLORS.length - 1);
      const col = COLORS[c]!;
      for (let yy = y; yy < y + side; yy++) {
        for (let xx = x; xx < x + side; xx++) {
          const o = (yy * S + xx) * 3;
          px[o] = col[0];
          px[o + 1] = col[1];
          px[o + 2] = col[2];
        }
      }
      boxes.push(x, y, x + side, y + side);
      labels.push(c);
    }
    const file = `synthetic-${String(i).padStart(4, "0")}.png`;
    images.set(file, uint8Image(px, S, S, 3));
    records.push({
      id: `synthetic-${String(i).padStart(4, "0")}`,
      file,
      size: { width: S, height: S },
      boxes: unsafeBoxes(Float32Array.from(boxes), "xyxy", "px"),
      labels: Int32Array.from(labels),
      difficult: new Uint8Array(m),
      crowd: new Uint8Array(m),
      truncated: new Uint8Array(m),
    });
  }
  return { dataset: createDataset({ classNames: [...SYNTHETIC_CLASSES], images: records }), images };
}
