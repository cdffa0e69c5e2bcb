import { fc, test } from "@fast-check/vitest";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect } from "vitest";
import {
  deriveSeed,
  normal,
  random,
  randomInt,
  rngFor,
  seededRng,
  shuffleInPlace,
  splitmix32,
  uniform,
} from "../src/index.js";

describe("deriveSeed", () => {
  test("a pure function of the seed and the path; order and length of the path matter", () => {
    expect(deriveSeed(7, 1, 2)).toBe(deriveSeed(7, 1, 2));
    expect(deriveSeed(7, 1, 2)).not.toBe(deriveSeed(7, 2, 1));
    expect(deriveSeed(7, 1)).not.toBe(deriveSeed(7, 1, 0));
    expect(deriveSeed(7)).not.toBe(deriveSeed(8));
    expect(Number.isInteger(deriveSeed(7, 1e12, -3.7))).toBe(true);
  });
  test.prop([fc.integer(), fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 })])(
    "signed 32-bit integers",
    (seed, path) => {
      const h = deriveSeed(seed, ...path);
      expect(h | 0).toBe(h);
    },
  );
  test("neighbouring positions give unrelated seeds (no two equal among 10,000)", () => {
    const seen = new Set<number>();
    for (let p = 0; p < 10_000; p++) seen.add(deriveSeed(0, 3, 2, p));
    expect(seen.size).toBe(10_000);
  });
});

/** Mean and the fraction below 0.1 of the first `uniformFloat64` draw of `make(s)` over 20,000 seeds. */
function firstDraws(make: (seed: number) => ReturnType<typeof seededRng>, from: number) {
  let mean = 0;
  let low = 0;
  const n = 20_000;
  for (let s = from; s < from + n; s++) {
    const u = uniformFloat64(make(s));
    mean += u / n;
    if (u < 0.1) low++;
  }
  return { mean, low: low / n };
}

describe("splitmix32", () => {
  test("worked example: the state advances by 0x9e3779b9 and each output is murmur3's fmix32 of it", () => {
    // fmix32(0x9e3779b9), computed step by step: h ^= h>>>16; h *= 0x85ebca6b; h ^= h>>>13; h *= 0xc2b2ae35; h ^= h>>>16.
    let h = 0x9e3779b9 | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    expect(splitmix32(0, 1)).toEqual([h | 0]);
    expect(splitmix32(0, 3)[1]).toBe(splitmix32(0x9e3779b9, 1)[0]);
  });
});

describe("seededRng", () => {
  test("pure-rand's own seeding is what this replaces: its first draw is ~1 for seeds >= 0, ~0 below", () => {
    expect(firstDraws(xoroshiro128plus, 0).mean).toBeGreaterThan(0.99);
    expect(firstDraws(xoroshiro128plus, -20_000).mean).toBeLessThan(0.01);
  });
  test.each([0, -20_000, 1_000_000])(
    "first draws uniform across 20,000 consecutive seeds from %d",
    (from) => {
      const { mean, low } = firstDraws(seededRng, from);
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(low - 0.1)).toBeLessThan(0.01);
    },
  );
  test("is xoroshiro128+ from the state splitmix32 fills; fixed draws for seed 0 (the bytes every platform gives)", () => {
    const a = seededRng(0);
    const b = xoroshiro128plusFromState(splitmix32(0, 4));
    const draws = [random(a), random(a), random(a)];
    expect(draws).toEqual([uniformFloat64(b), uniformFloat64(b), uniformFloat64(b)]);
    expect(seededRng(0).getState()).toEqual(splitmix32(0, 4));
  });
  test.prop([fc.integer()])("the same seed gives the same draws", (seed) => {
    const a = seededRng(seed);
    const b = seededRng(seed);
    for (let i = 0; i < 5; i++) expect(random(a)).toBe(random(b));
  });
  test.each([1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses seed %s", (seed) => {
    expect(() => seededRng(seed)).toThrow(/seed must be an integer; got/);
  });
});

describe("draws", () => {
  test("uniform in [lo, hi), lo when equal; randomInt in [lo, hi], lo when lo >= hi", () => {
    const rng = seededRng(3);
    for (let i = 0; i < 1000; i++) {
      const u = uniform(rng, -2, 5);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(5);
      const k = randomInt(rng, 1, 3);
      expect([1, 2, 3]).toContain(k);
    }
    expect(uniform(rng, 4, 4)).toBe(4);
    expect(randomInt(rng, 7, 2)).toBe(7);
  });
  test("normal: mean ~0 and variance ~1 over 20,000 draws", () => {
    const rng = seededRng(11);
    let m = 0;
    let m2 = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const z = normal(rng);
      m += z / n;
      m2 += (z * z) / n;
    }
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(m2 - m * m - 1)).toBeLessThan(0.04);
  });
});

describe("rngFor", () => {
  test("is seededRng of deriveSeed", () => {
    const a = rngFor(5, 1, 2);
    const b = seededRng(deriveSeed(5, 1, 2));
    expect([uniformInt(a, 0, 1e6), uniformInt(a, 0, 1e6)]).toEqual([
      uniformInt(b, 0, 1e6),
      uniformInt(b, 0, 1e6),
    ]);
  });
});

describe("shuffleInPlace", () => {
  test.each<[unknown[]]>([[[]], [[1]], [["a", "b"]]])("%j: short arrays", (a) => {
    const copy = [...a];
    expect(shuffleInPlace(a, rngFor(0))).toBe(a);
    expect([...a].sort()).toEqual(copy.sort());
  });
  test("Durstenfeld's swaps with uniformInt(0, i) from the end (worked out for 4 elements)", () => {
    const rng = rngFor(9);
    const ref = rngFor(9);
    const want = [0, 1, 2, 3];
    for (let i = 3; i > 0; i--) {
      const j = uniformInt(ref, 0, i);
      [want[i], want[j]] = [want[j] as number, want[i] as number];
    }
    expect(shuffleInPlace([0, 1, 2, 3], rng)).toEqual(want);
  });
  test.prop([fc.array(fc.integer(), { maxLength: 50 }), fc.integer()])(
    "a permutation; the same seed gives the same order",
    (a, seed) => {
      const x = shuffleInPlace([...a], rngFor(seed));
      expect([...x].sort((p, q) => p - q)).toEqual([...a].sort((p, q) => p - q));
      expect(shuffleInPlace([...a], rngFor(seed))).toEqual(x);
    },
  );
  test("uniform: each of the 6 orders of 3 elements about 1/6 of 6,000 shuffles", () => {
    const counts = new Map<string, number>();
    const rng = rngFor(1);
    for (let k = 0; k < 6000; k++) {
      const key = shuffleInPlace([0, 1, 2], rng).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});
