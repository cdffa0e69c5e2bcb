import { rngFor, shuffleInPlace } from "@od/random";
import { fail } from "./internal/fail.js";
import type { DetectionDataset } from "./types.js";

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** Split name → fraction of the images, e.g. `{ train: 0.8, val: 0.2 }`. Fractions are ≥ 0 and sum to 1 (±1e-9). */
  readonly fractions: Readonly<Record<string, number>>;
  /** Seed of the shuffle (pure-rand xoroshiro128+); the same seed gives the same split. */
  readonly seed: number;
  /** Stratify by class (default `true`); otherwise one seeded shuffle of all images. */
  readonly stratify?: boolean;
}

/**
 * A seeded random split of a dataset's images, stratified by class.
 *
 * Stratification (multi-label images): each image is put in the stratum of its rarest class (the
 * class with the fewest boxes in the whole dataset; ties by class index), negatives in their own
 * stratum, so rare classes are spread over every split. Strata are shuffled with the seed and
 * concatenated (rarest first); images are then dealt in that order to the split whose share is most
 * behind its target (largest `fraction·(i+1) − assigned`, ties by the order of `fractions`). Every
 * split therefore gets `round(fraction·N)` images within ±1, and each stratum is spread in
 * proportion.
 * @returns split name → dataset (same classes, report and root; images in dealing order).
 * @throws DataError `INVALID_ARGUMENT` for negative fractions, fractions not summing to 1, or a non-integer seed.
 */
export function splitDataset(
  dataset: DetectionDataset,
  options: SplitOptions,
): Record<string, DetectionDataset> {
  const fn = "splitDataset";
  const names = Object.keys(options.fractions);
  const fr = names.map((n) => options.fractions[n]!);
  if (names.length === 0 || fr.some((f) => !(f >= 0)) || Math.abs(fr.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.fractions must be >= 0 and sum to 1; got ${JSON.stringify(options.fractions)}`,
    );
  }
  if (!Number.isInteger(options.seed))
    fail("INVALID_ARGUMENT", fn, `options.seed must be an integer; got ${options.seed}`);
  const rng = rngFor(options.seed, 0x5b1d);
  const C = dataset.classNames.length;
  let order: number[];
  if (options.stratify === false) {
    order = shuffleInPlace(
      dataset.images.map((_, i) => i),
      rng,
    );
  } else {
    const counts = new Array<number>(C).fill(0);
    for (const r of dataset.images) for (const l of r.labels) counts[l] = (counts[l] ?? 0) + 1;
    const strata = new Map<number, number[]>();
    dataset.images.forEach((r, i) => {
      let key = -1; // negatives
      for (const l of r.labels) {
        if (key < 0 || counts[l]! < counts[key]! || (counts[l]! === counts[key]! && l < key)) key = l;
      }
      const s = strata.get(key) ?? [];
      s.push(i);
      strata.set(key, s);
    });
    const ordered = [...strata].sort(([a], [b]) =>
      a < 0 ? 1 : b < 0 ? -1 : counts[a]! - counts[b]! || a - b,
    );
    order = ordered.flatMap(([, images]) => shuffleInPlace(images, rng));
  }
  const assigned = new Array<number>(names.length).fill(0);
  const out: number[][] = names.map(() => []);
  order.forEach((img, i) => {
    let best = 0;
    let bestDef = Number.NEGATIVE_INFINITY;
    fr.forEach((f, s) => {
      const def = f * (i + 1) - assigned[s]!;
      if (def > bestDef + 1e-12) {
        bestDef = def;
        best = s;
      }
    });
    assigned[best]!++;
    out[best]!.push(img);
  });
  return Object.fromEntries(
    names.map((n, s) => [n, { ...dataset, images: out[s]!.map((i) => dataset.images[i]!) }]),
  );
}
