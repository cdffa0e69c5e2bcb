import { fc, test } from "@fast-check/vitest";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect } from "vitest";
import { deriveSeed, rngFor, shuffleInPlace } from "../src/index.js";

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

describe("rngFor", () => {
  test("is xoroshiro128+ seeded with deriveSeed", () => {
    const a = rngFor(5, 1, 2);
    const b = xoroshiro128plus(deriveSeed(5, 1, 2));
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
