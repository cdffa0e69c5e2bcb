import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { axisTitle } from "../src/index.js";
import { logTicks, niceTicks, resolveScale } from "../src/scale.js";
import { errorText } from "./charts.js";

describe("axisTitle", () => {
  test("label, and unit in parentheses when given", () => {
    expect(axisTitle({ label: "width", unit: "px at input" })).toBe("width (px at input)");
    expect(axisTitle({ label: "recall" })).toBe("recall");
    expect(axisTitle({ label: "recall", unit: "" })).toBe("recall");
  });
});

describe("niceTicks", () => {
  test.each([
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 4000, [0, 1000, 2000, 3000, 4000]],
    [0.3, 4.9, [1, 2, 3, 4]],
    [-1, 1, [-1, -0.5, 0, 0.5, 1]],
  ])("[%d, %d]", (lo, hi, ticks) => {
    expect(niceTicks(lo, hi)).toEqual(ticks);
  });
  ftest.prop([
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  ])("2 to 11 increasing ticks inside the range", (lo, span) => {
    const t = niceTicks(lo, lo + span);
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(t.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
    expect(t[0]!).toBeGreaterThanOrEqual(lo - span * 1e-6);
    expect(t[t.length - 1]!).toBeLessThanOrEqual(lo + span + span * 1e-6);
  });
});

describe("logTicks", () => {
  test.each([
    [1, 450, [1, 10, 100]],
    [0.5, 5, [0.5, 1, 2, 5]],
    [1e-6, 1e6, [1e-6, 1e-4, 0.01, 1, 100, 10000, 1e6]],
  ])("[%d, %d]", (lo, hi, ticks) => {
    expect(logTicks(lo, hi)).toEqual(ticks);
  });
});

describe("resolveScale", () => {
  test("data extent, fixed ends, empty and single-valued ranges", () => {
    const at = (axis: Parameters<typeof resolveScale>[2], v: number[]) => {
      const s = resolveScale("f", "x", axis, v);
      return [s.lo, s.hi];
    };
    expect(at({ label: "x" }, [2, 5, Number.NaN, 3])).toEqual([2, 5]);
    expect(at({ label: "x" }, [])).toEqual([0, 1]);
    expect(at({ label: "x" }, [3])).toEqual([2, 4]);
    expect(at({ label: "x", min: 0 }, [-5])).toEqual([0, 1]);
    expect(at({ label: "x", scale: "log" }, [0, -1])).toEqual([1, 10]);
    expect(at({ label: "x", scale: "log" }, [100])).toEqual([10, 1000]);
    expect(at({ label: "x", min: 0, max: 1 }, [7])).toEqual([0, 1]);
  });
  test("maps to [0, 1], clamps outside a fixed range, log is logarithmic", () => {
    const lin = resolveScale("f", "x", { label: "x", min: 0, max: 10 }, []);
    expect([lin.at(0), lin.at(5), lin.at(10), lin.at(20), lin.at(-3)]).toEqual([0, 0.5, 1, 1, 0]);
    const log = resolveScale("f", "x", { label: "x", scale: "log", min: 1, max: 100 }, []);
    expect(log.at(10)).toBeCloseTo(0.5, 12);
    expect(log.drawable(0)).toBe(false);
    expect(lin.drawable(0)).toBe(true);
    expect(lin.drawable(Number.POSITIVE_INFINITY)).toBe(false);
  });
  test("bad ranges are typed errors naming the axis", () => {
    expect(errorText(() => resolveScale("lineChartSvg", "y", { label: "y", min: 1, max: 1 }, []))).toBe(
      "INVALID_ARGUMENT: lineChartSvg: y.min must be < y.max; got 1 and 1",
    );
    expect(errorText(() => resolveScale("f", "x", { label: "x", scale: "log", min: 0 }, []))).toBe(
      "INVALID_ARGUMENT: f: x.min must be a finite number > 0 on a log axis; got 0",
    );
    expect(errorText(() => resolveScale("f", "x", { label: "x", max: Number.NaN }, []))).toBe(
      "INVALID_ARGUMENT: f: x.max must be a finite number; got NaN",
    );
  });
});
