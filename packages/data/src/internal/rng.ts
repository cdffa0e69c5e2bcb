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

/** A seed derived from a base seed and a path of integers (epoch, sample index, ...). */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix(seed | 0);
  for (const p of path) h = fmix(h ^ Math.imul(p | 0, 0x9e3779b1));
  return h;
}

/** A seeded xoroshiro128+ generator for `deriveSeed(seed, ...path)`. */
export function rngFor(seed: number, ...path: number[]): RandomGenerator {
  return xoroshiro128plus(deriveSeed(seed, ...path));
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(a: T[], rng: RandomGenerator): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}
