import { describeValue } from "@od/boxes";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { fail } from "./internal/check.js";

/**
 * The random generator every transform draws from: a `pure-rand` generator, advanced in place by the
 * transforms (pure-rand's `next()` style). The pipeline owns it; transforms never create their own.
 */
export type Rng = RandomGenerator;

/**
 * A seeded generator (xoroshiro128+ from `pure-rand`). The same seed gives the same draws, hence the
 * same augmented bytes, on every platform.
 * @param seed any 32-bit integer.
 * @throws AugmentError `INVALID_ARGUMENT` for a non-integer seed.
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    fail("INVALID_ARGUMENT", "createRng", `seed must be an integer; got ${describeValue(seed)}`, {
      value: seed,
    });
  }
  return xoroshiro128plus(seed | 0);
}

/** A uniform float in [0, 1) (53 bits). */
export function random(rng: Rng): number {
  return uniformFloat64(rng);
}

/** A uniform float in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo === hi ? lo : lo + (hi - lo) * uniformFloat64(rng);
}

/** A uniform integer in [lo, hi] (both included). */
export function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo >= hi ? lo : uniformInt(rng, lo, hi);
}

/** A standard normal draw (Box–Muller, one of the pair). */
export function normal(rng: Rng): number {
  const u = 1 - uniformFloat64(rng);
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
