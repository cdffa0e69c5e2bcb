import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { scatterChartSvg } from "../src/index.js";
import { errorText, expectLegendClear, HOSTILE, HOSTILE_ESCAPED, LONG_NAME } from "./charts.js";

const axes = {
  x: { label: "width", unit: "px", scale: "log", min: 1, max: 1000 },
  y: { label: "height", unit: "px", scale: "log", min: 1, max: 1000 },
} as const;
const count = (s: string, tag: string) => s.split(`<${tag} `).length - 1;

describe("scatterChartSvg", () => {
  test("one marker per drawable point, a legend swatch per named series, axes titled with units", () => {
    const svg = scatterChartSvg({
      ...axes,
      series: [
        { name: HOSTILE[0], x: [10, 20, 0], y: [10, 20, 5], opacity: 0.5 },
        { name: HOSTILE[2], x: [30], y: [40], marker: "square" },
      ],
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(count(svg, "circle")).toBe(2 + 1); // x = 0 is not on a log axis
    expect(count(svg, "rect")).toBe(2 + 1 + 1); // background, frame, the square, its legend swatch
    expect(svg).toContain('fill-opacity="0.5"');
    expect(svg).toContain(HOSTILE_ESCAPED[0]);
    expect(svg).toContain(HOSTILE_ESCAPED[2]);
    expect(svg).toContain(">width (px)</text>");
    expect(svg).toContain(">height (px)</text>");
  });

  test("one point shows; none says 'no data'", () => {
    expect(count(scatterChartSvg({ ...axes, series: [{ name: "", x: [5], y: [5] }] }), "circle")).toBe(1);
    expect(scatterChartSvg({ ...axes, series: [] })).toContain(">no data</text>");
  });

  test("points beyond a fixed range are drawn on the border", () => {
    const svg = scatterChartSvg({ ...axes, series: [{ name: "", x: [5000], y: [0.5] }] });
    const frame = svg.match(
      /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/,
    )!;
    const [cx, cy] = svg
      .match(/<circle cx="([\d.]+)" cy="([\d.]+)"/)!
      .slice(1)
      .map(Number);
    expect(cx).toBeCloseTo(Number(frame[1]) + Number(frame[3]), 1);
    expect(cy).toBeCloseTo(Number(frame[2]) + Number(frame[4]), 1);
  });

  test("bad marker size or opacity is a typed error", () => {
    expect(
      errorText(() => scatterChartSvg({ ...axes, series: [{ name: "a", x: [1], y: [1], size: 0 }] })),
    ).toBe("INVALID_ARGUMENT: scatterChartSvg: series 0 size must be a finite number > 0; got 0");
    expect(
      errorText(() => scatterChartSvg({ ...axes, series: [{ name: "a", x: [1], y: [1], opacity: 2 }] })),
    ).toBe("INVALID_ARGUMENT: scatterChartSvg: series 0 opacity must be in [0, 1]; got 2");
  });

  ftest.prop([fc.array(fc.oneof(fc.string(), fc.constant(LONG_NAME)), { maxLength: 10 }), fc.string()], {
    numRuns: 60,
  })("many and long legend entries stay inside the viewBox, clear of the title", (names, title) => {
    const svg = scatterChartSvg({ ...axes, title, series: names.map((name) => ({ name, x: [2], y: [3] })) });
    expect(XMLValidator.validate(svg)).toBe(true);
    expectLegendClear(svg);
  });
});
