/**
 * Seeded randomness for every od package, in one place: how a seed becomes a generator
 * ({@link seededRng}), how nearby seeds and paths become unrelated seeds ({@link deriveSeed},
 * {@link rngFor}), the draws (uniform, integer, normal) and the one Fisher–Yates shuffle.
 *
 * The generator is `pure-rand`'s xoroshiro128+, advanced in place (pure-rand's `next()` style). Its
 * 128-bit state is filled from the seed by splitmix32, as the xoroshiro authors recommend for seeding
 * from a small integer; seeding the state with the integer itself makes the first draws far from
 * uniform (the first `uniformFloat64` of pure-rand's `xoroshiro128plus(seed)` is ≈ 1 for every seed
 * ≥ 0 and ≈ 0 for every seed < 0).
 * @packageDocumentation
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/**
 * A seeded generator: pure-rand's `RandomGenerator` (xoroshiro128+), advanced in place by every draw.
 * Its state (`rng.getState()`, four int32) rebuilds it with pure-rand's `xoroshiro128plusFromState`.
 */
export type Rng = RandomGenerator;

/** Golden-ratio increment of splitmix32 (⌊2³² / φ⌋). */
const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3's fmix32 finaliser: a bijective, well-mixed 32-bit hash of a 32-bit integer (int32 out). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * The first `count` outputs of splitmix32 started at `seed`: the state advances by the golden-ratio
 * increment and each output is `fmix32` of it. Consecutive seeds give unrelated words.
 * @returns `count` int32 values.
 */
export function splitmix32(seed: number, count: number): number[] {
  const out: number[] = [];
  let s = seed | 0;
  for (let i = 0; i < count; i++) {
    s = (s + GOLDEN_GAMMA) | 0;
    out.push(fmix32(s));
  }
  return out;
}

/**
 * The generator for `seed`: xoroshiro128+ with its four state words filled by {@link splitmix32}.
 * The same seed gives the same draws on every platform; different seeds (including 0, −1 and
 * neighbours) start from unrelated states, so even the first draw is uniform across seeds.
 * @param seed any integer; values outside int32 are truncated to int32 (`seed | 0`).
 * @throws RangeError for a seed that is not a finite integer.
 */
export function seededRng(seed: number): Rng {
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new RangeError(`seededRng: seed must be an integer; got ${String(seed)}`);
  }
  const [a, b, c, d] = splitmix32(seed, 4) as [number, number, number, number];
  // xoroshiro's state must not be all zero; splitmix32 never yields four zeros in a row, but keep the
  // guarantee local rather than argued.
  return xoroshiro128plusFromState(a === 0 && b === 0 && c === 0 && d === 0 ? [0, 1, 0, 0] : [a, b, c, d]);
}

/**
 * A 32-bit seed derived from a base seed and a path of integers (e.g. stream, epoch, position): each
 * step mixes the next integer into murmur3's finaliser, so nearby paths give unrelated seeds. A pure
 * function: the same seed and path always give the same value. Non-integers are truncated to int32.
 * @param seed base seed (any integer).
 * @param path integers naming the draw, outermost first.
 * @returns a signed 32-bit integer.
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix32(seed | 0);
  for (const p of path) h = fmix32(h ^ Math.imul(p | 0, 0x9e3779b1));
  return h;
}

/** The generator of the draw named by `path` under `seed`: `seededRng(deriveSeed(seed, ...path))`. */
export function rngFor(seed: number, ...path: number[]): Rng {
  return seededRng(deriveSeed(seed, ...path));
}

/** A uniform float in [0, 1) (53 bits). */
export function random(rng: Rng): number {
  return uniformFloat64(rng);
}

/** A uniform float in [lo, hi); `lo` itself when `lo === hi`. */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo === hi ? lo : lo + (hi - lo) * uniformFloat64(rng);
}

/** A uniform integer in [lo, hi] (both included); `lo` when `lo ≥ hi`. */
export function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo >= hi ? lo : uniformInt(rng, lo, hi);
}

/** A standard normal draw (Box–Muller, the cosine one of the pair; two uniform draws). */
export function normal(rng: Rng): number {
  const u = 1 - uniformFloat64(rng);
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Shuffles `a` in place with the Fisher–Yates algorithm (Durstenfeld's version: for i from the end,
 * swap `a[i]` with a uniform `a[j]`, `0 ≤ j ≤ i`), drawing from `rng`, and returns `a`. Every
 * permutation is equally likely; the same generator state gives the same permutation.
 */
export function shuffleInPlace<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
