import { describeValue } from "@od/boxes";
import { type Rng, seededRng } from "@od/random";
import { fail } from "./internal/check.js";

/**
 * The random generator every transform draws from (`Rng` of `@od/random`: pure-rand's xoroshiro128+,
 * advanced in place). The pipeline owns it; transforms never create their own. The draws (`random`,
 * `uniform`, `randomInt`, `normal`) are `@od/random`'s, re-exported here.
 */
export { normal, type Rng, random, randomInt, uniform } from "@od/random";

/**
 * A seeded generator (`seededRng` of `@od/random`: xoroshiro128+ with its state filled from the seed by
 * splitmix32). The same seed gives the same draws, hence the same augmented bytes, on every platform.
 * @param seed any integer (truncated to int32).
 * @throws AugmentError `INVALID_ARGUMENT` for a non-integer seed.
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    fail("INVALID_ARGUMENT", "createRng", `seed must be an integer; got ${describeValue(seed)}`, {
      value: seed,
    });
  }
  return seededRng(seed);
}
