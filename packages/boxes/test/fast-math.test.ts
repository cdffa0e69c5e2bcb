import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { expFast, logFast } from "../src/internal/fast-math.js";

const relErr = (x: number): number => Math.abs(expFast(x) - Math.exp(x)) / Math.exp(x);

describe("expFast (decode's exp)", () => {
  test.prop([fc.double({ min: -707.9, max: 708.9, noNaN: true })], { numRuns: 2000 })(
    "agrees with Math.exp to 1e-12 relative over its polynomial range",
    (x) => {
      expect(relErr(x)).toBeLessThan(1e-12);
    },
  );

  test.prop([fc.double({ min: -5, max: 5, noNaN: true })], { numRuns: 2000 })(
    "agrees to 1e-12 where SSD decoding lives (|σ·t| ≤ log(1000/16) ≈ 4.1)",
    (x) => {
      expect(relErr(x)).toBeLessThan(1e-12);
    },
  );

  it("is exact at 0 and matches Math.exp at the range edges and beyond", () => {
    expect(expFast(0)).toBe(1);
    expect(relErr(1)).toBeLessThan(1e-12);
    expect(Math.abs(expFast(Math.LN2 * 10) - 1024)).toBeLessThan(1e-9);
    for (const x of [-708, 709, -745, -746, 709.8, 710, -1e9, 1e9]) expect(expFast(x)).toBe(Math.exp(x));
    expect(expFast(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(expFast(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(expFast(Number.NaN)).toBeNaN();
  });

  it("handles half-way points of the ln 2 grid (largest |r|)", () => {
    for (let k = -20; k <= 20; k++) {
      const x = (k + 0.5) * Math.LN2;
      expect(relErr(x)).toBeLessThan(1e-12);
      expect(relErr(x * (1 + 1e-15))).toBeLessThan(1e-12);
    }
  });
});

describe("logFast (encode's log)", () => {
  test.prop([fc.double({ min: 2.2250738585072014e-308, max: Number.MAX_VALUE, noNaN: true })], {
    numRuns: 2000,
  })("agrees with Math.log to 1e-13 absolute over all positive normal doubles", (x) => {
    expect(Math.abs(logFast(x) - Math.log(x))).toBeLessThan(1e-13 * Math.max(1, Math.abs(Math.log(x))));
  });

  test.prop([fc.double({ min: 1e-3, max: 1e3, noNaN: true })], { numRuns: 2000 })(
    "agrees to 1e-13 for the size ratios encode sees",
    (x) => {
      expect(Math.abs(logFast(x) - Math.log(x))).toBeLessThan(1e-13 * Math.max(1, Math.abs(Math.log(x))));
    },
  );

  it("is exact-ish at powers of two and √2 boundaries, and defers to Math.log outside its range", () => {
    for (let e = -30; e <= 30; e++) {
      expect(Math.abs(logFast(2 ** e) - e * Math.LN2)).toBeLessThan(1e-13);
      const b = Math.SQRT2 * 2 ** e; // where m crosses √2: s = 0
      expect(Math.abs(logFast(b) - Math.log(b))).toBeLessThan(1e-13);
    }
    expect(logFast(1)).toBe(0);
    for (const x of [0, -0, -1, 5e-324, 1e-310, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(logFast(x)).toBe(Math.log(x));
    }
    expect(logFast(Number.NaN)).toBeNaN();
  });
});
