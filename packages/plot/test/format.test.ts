import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatCoord, formatTick } from "../src/index.js";

describe("formatTick", () => {
  test.each([
    [0, "0"],
    [-0, "0"],
    [1, "1"],
    [0.25, "0.25"],
    [0.1 + 0.2, "0.3"],
    [1234, "1230"],
    [-2.5, "-2.5"],
    [0.0005, "5e-4"],
    [0.00015, "1.5e-4"],
    [123456, "1.2e+5"],
    [Number.NaN, "NaN"],
  ])("%d -> %s", (v, s) => {
    expect(formatTick(v)).toBe(s);
  });
});

describe("formatCoord", () => {
  test.each([
    [0, "0"],
    [-0.001, "0"],
    [12.345, "12.35"],
    [-3.5, "-3.5"],
    [100, "100"],
    [Number.NaN, "0"],
    [Number.POSITIVE_INFINITY, "0"],
  ])("%d -> %s", (v, s) => {
    expect(formatCoord(v)).toBe(s);
  });
  ftest.prop([fc.double()])("always a finite number within 0.005 of a finite input", (v) => {
    const s = formatCoord(v);
    expect(Number.isFinite(Number(s))).toBe(true);
    if (Number.isFinite(v) && Math.abs(v) < 1e12)
      expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});
