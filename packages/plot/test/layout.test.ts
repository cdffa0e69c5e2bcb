import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { layoutChart, MIN_PLOT_HEIGHT, type Rect, rectContains, rectsOverlap } from "../src/index.js";
import { errorText } from "./charts.js";

describe("rectsOverlap / rectContains", () => {
  const a: Rect = { x: 0, y: 0, width: 10, height: 10 };
  test.each([
    [{ x: 5, y: 5, width: 10, height: 10 }, true],
    [{ x: 10, y: 0, width: 5, height: 5 }, false],
    [{ x: 2, y: 2, width: 1, height: 1 }, true],
    [{ x: -5, y: 20, width: 30, height: 1 }, false],
  ])("%o overlaps: %s", (b, overlap) => {
    expect(rectsOverlap(a, b)).toBe(overlap);
    expect(rectsOverlap(b, a)).toBe(overlap);
  });
  test("contains", () => {
    expect(rectContains(a, { x: 0, y: 0, width: 10, height: 10 })).toBe(true);
    expect(rectContains(a, { x: 1, y: 1, width: 10, height: 1 })).toBe(false);
  });
});

const viewBoxOf = (l: { width: number; height: number }): Rect => ({
  x: 0,
  y: 0,
  width: l.width,
  height: l.height,
});
const arbName = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ minLength: 40, maxLength: 300 }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "Platelets & co",
    "漢字のクラス名".repeat(12),
    "x".repeat(500),
  ),
);

describe("layoutChart", () => {
  ftest.prop(
    [
      fc.option(arbName, { nil: undefined }),
      fc.array(arbName, { maxLength: 12 }),
      fc.integer({ min: 64, max: 900 }),
      fc.integer({ min: 32, max: 600 }),
      fc.record({
        top: fc.integer({ min: 0, max: 30 }),
        right: fc.integer({ min: 0, max: 30 }),
        bottom: fc.integer({ min: 0, max: 60 }),
        left: fc.integer({ min: 0, max: 40 }),
      }),
    ],
    { numRuns: 300 },
  )(
    "title, legend items and plot lie inside the viewBox and never overlap",
    (title, names, width, height, margins) => {
      const l = layoutChart({
        width,
        height,
        title,
        legend: names.map((name) => ({ name, color: "#000000" })),
        margins,
      });
      const vb = viewBoxOf(l);
      expect(l.width).toBe(width);
      expect(l.height).toBeGreaterThanOrEqual(height);
      expect(l.plot.height).toBeGreaterThanOrEqual(MIN_PLOT_HEIGHT - 1e-9);
      expect(rectContains(vb, l.plot)).toBe(true);
      const boxes = [...(l.title ? [l.title.box] : []), ...l.legend.map((i) => i.box)];
      for (const b of boxes) {
        expect(rectContains(vb, b)).toBe(true);
        expect(rectsOverlap(b, l.plot)).toBe(false);
      }
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) expect(rectsOverlap(boxes[i]!, boxes[j]!)).toBe(false);
      expect(l.legend.map((i) => i.lines.join(" ").replace(/\s/g, ""))).toEqual(
        names.map((n) => n.replace(/\s/g, "")),
      );
    },
  );

  test("no title and no legend: the plot fills the padded chart inside the margins", () => {
    const l = layoutChart({ width: 200, height: 100, margins: { top: 1, right: 2, bottom: 3, left: 4 } });
    expect(l.title).toBeUndefined();
    expect(l.plot).toEqual({ x: 12, y: 9, width: 178, height: 80 });
  });

  test("the chart grows taller rather than squeezing the plot below its minimum", () => {
    const l = layoutChart({ width: 100, height: 40, title: "a title that wraps over lines" });
    expect(l.height).toBeGreaterThan(40);
    expect(l.plot.height).toBe(MIN_PLOT_HEIGHT);
  });

  test.each([
    [{ width: 0, height: 100 }, "layoutChart: width must be a finite number > 0; got 0"],
    [{ width: 100, height: Number.NaN }, "layoutChart: height must be a finite number > 0; got NaN"],
    [{ width: 63, height: 100 }, "layoutChart: width × height must be at least 64 × 32; got 63 × 100"],
  ])("%o is rejected", (size, message) => {
    expect(errorText(() => layoutChart(size))).toBe(`INVALID_ARGUMENT: ${message}`);
  });
});
