import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { COLORS, PALETTE, seriesColor } from "../src/index.js";

describe("palette", () => {
  test("ten distinct #rrggbb colours, frozen; semantic colours are #rrggbb too", () => {
    expect(PALETTE.length).toBe(10);
    expect(new Set(PALETTE).size).toBe(10);
    for (const c of [...PALETTE, ...Object.values(COLORS)]) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(Object.isFrozen(PALETTE)).toBe(true);
    expect(Object.isFrozen(COLORS)).toBe(true);
    expect(COLORS.bar).toBe(PALETTE[0]);
  });
  test.each([
    [0, "#1f77b4"],
    [3, "#d62728"],
    [10, "#1f77b4"],
    [-1, "#17becf"],
  ])("seriesColor(%d) = %s", (i, c) => {
    expect(seriesColor(i)).toBe(c);
  });
  ftest.prop([fc.integer({ min: -1000, max: 1000 })])("cycles with period 10", (i) => {
    expect(seriesColor(i + 10)).toBe(seriesColor(i));
    expect(PALETTE).toContain(seriesColor(i));
  });
});
