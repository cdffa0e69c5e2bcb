/**
 * Seeded randomness of the data pipeline and of everything that visits data in a random order: seed
 * derivation from a path of integers, a generator per path, and the one Fisher–Yates shuffle.
 * @module
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** murmur3 fmix32: a well-mixed 32-bit hash of a 32-bit integer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * A 32-bit seed derived from a base seed and a path of integers (e.g. stream, epoch, position): each
 * step mixes the next integer into a murmur3 finaliser, so nearby paths give unrelated seeds. A pure
 * function: the same seed and path always give the same value. Non-integers are truncated to int32.
 * @param seed base seed (any integer).
 * @param path integers naming the draw, outermost first.
 * @returns a signed 32-bit integer.
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix(seed | 0);
  for (const p of path) h = fmix(h ^ Math.imul(p | 0, 0x9e3779b1));
  return h;
}

/**
 * A seeded xoroshiro128+ generator (`pure-rand`) for `deriveSeed(seed, ...path)`; `@od/augment`
 * transforms draw from it directly (its `Rng` is this generator type).
 */
export function rngFor(seed: number, ...path: number[]): RandomGenerator {
  return xoroshiro128plus(deriveSeed(seed, ...path));
}

/**
 * Shuffles `a` in place with the Fisher–Yates algorithm (Durstenfeld's version: for i from the end,
 * swap `a[i]` with a uniform `a[j]`, `0 ≤ j ≤ i`), drawing from `rng`, and returns `a`. Every
 * permutation is equally likely; the same generator state gives the same permutation.
 */
export function shuffleInPlace<T>(a: T[], rng: RandomGenerator): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
