import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { barChartSvg, horizontalBarChartSvg, MAX_ROTATED_LABEL } from "../src/index.js";
import { errorText, expectLegendClear, HOSTILE, HOSTILE_ESCAPED, LONG_NAME } from "./charts.js";
import { textBoxes, viewBox } from "./geometry.js";

const axes = { x: { label: "class" }, y: { label: "boxes" } } as const;
const count = (s: string, tag: string) => s.split(`<${tag} `).length - 1;

describe("barChartSvg", () => {
  test("hostile labels are escaped in the text and the tooltips", () => {
    const svg = barChartSvg({
      ...axes,
      title: HOSTILE[1],
      bars: HOSTILE.map((label, i) => ({ label, value: i + 1 })),
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain("<script");
    for (const e of HOSTILE_ESCAPED) expect(svg).toContain(`<title>${e}: `);
  });

  test("one bar per value with its value above it; axes titled with units", () => {
    const svg = barChartSvg({
      x: { label: "box size", unit: "px" },
      y: { label: "boxes" },
      bars: [
        { label: "0", value: 3 },
        { label: "8", value: 0 },
      ],
    });
    expect(count(svg, "rect")).toBe(1 + 2);
    expect(svg).toContain(">3</text>");
    expect(svg).toContain(">box size (px)</text>");
    expect(svg).toContain(">boxes</text>");
  });

  test("one bar is drawn; no bars say 'no data'", () => {
    const one = barChartSvg({ ...axes, bars: [{ label: "only", value: 5 }] });
    expect(one).toMatch(
      /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[1-9][\d.]*" fill="#1f77b4"><title>only: 5<\/title>/,
    );
    const none = barChartSvg({ ...axes, bars: [] });
    expect(XMLValidator.validate(none)).toBe(true);
    expect(none).toContain(">no data</text>");
  });

  test("long labels are rotated, shortened with the full text in the tooltip, and stay inside the viewBox", () => {
    const svg = barChartSvg({
      ...axes,
      bars: [LONG_NAME, "b", LONG_NAME].map((label) => ({ label, value: 1 })),
    });
    expect(svg).toContain("rotate(-45");
    expect(svg).toContain(`<title>${LONG_NAME}: 1</title>`);
    expect(svg).toContain(`>${LONG_NAME.slice(0, MAX_ROTATED_LABEL - 1)}…</text>`);
    const vb = viewBox(svg);
    // rotated by -45° about its end: a label of width w spans w / √2 to the left and below its anchor
    for (const m of svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*rotate\(-45[^>]*>([^<]*)<\/text>/g)) {
      const w = textBoxes(m[0]).map((t) => t.box.width)[0]!;
      expect(Number(m[1]) - w * Math.SQRT1_2).toBeGreaterThanOrEqual(0);
      expect(Number(m[2]) + w * Math.SQRT1_2).toBeLessThanOrEqual(vb.height);
    }
  });

  test("markers are dashed lines listed in the legend, clear of the title", () => {
    const svg = barChartSvg({
      ...axes,
      title: LONG_NAME,
      bars: Array.from({ length: 20 }, (_, i) => ({ label: String(i), value: i })),
      markers: [{ at: 10, label: "threshold 0.5" }],
      legend: [{ name: LONG_NAME, color: "#d62728", marker: "bar" }],
    });
    expect(svg).toContain('stroke-dasharray="4 3"');
    expect(svg).toMatch(/<g class="legend">.*threshold 0\.5/s);
    expectLegendClear(svg);
  });

  test.each([
    [
      { bars: [{ label: "a", value: Number.NaN }] },
      "INVALID_ARGUMENT: barChartSvg: bars[0].value must be a finite number >= 0; got NaN",
    ],
    [
      {
        bars: [
          { label: "a", value: 1 },
          { label: "b", value: -2 },
        ],
      },
      "INVALID_ARGUMENT: barChartSvg: bars[1].value must be a finite number >= 0; got -2",
    ],
    [
      { bars: [{ label: "a", value: 1 }], markers: [{ at: 2, label: "m" }] },
      "INVALID_ARGUMENT: barChartSvg: markers[0].at must be in [0, 1]; got 2",
    ],
  ])("%o is rejected", (spec, message) => {
    expect(errorText(() => barChartSvg({ ...axes, ...spec }))).toBe(message);
  });

  ftest.prop([fc.array(fc.record({ label: fc.string(), value: fc.nat() }), { maxLength: 60 }), fc.string()], {
    numRuns: 60,
  })("any bars: well-formed, deterministic, legend clear of the title", (bars, title) => {
    const svg = barChartSvg({ ...axes, title, bars, legend: [{ name: title, color: "#000000" }] });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(barChartSvg({ ...axes, title, bars, legend: [{ name: title, color: "#000000" }] })).toBe(svg);
    expectLegendClear(svg);
  });
});

describe("horizontalBarChartSvg", () => {
  test("a row per bar: label, track, bar and text; long labels wrap; the value axis is titled", () => {
    const svg = horizontalBarChartSvg({
      x: { label: "recall", min: 0, max: 1 },
      bars: [
        { label: HOSTILE[0], value: 0.5, text: "50.0% (n=2)" },
        { label: LONG_NAME, value: 1 },
      ],
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(HOSTILE_ESCAPED[0]);
    expect(svg).toContain(">50.0% (n=2)</text>");
    expect(svg).toContain(">recall</text>");
    expect(count(svg, "rect")).toBe(1 + 2 * 2);
    const vb = viewBox(svg);
    for (const t of textBoxes(svg)) expect(t.box.x).toBeGreaterThanOrEqual(0);
    expect(vb.height).toBeGreaterThan(2 * 22);
  });

  test("no rows: 'no data'; a bad value is a typed error", () => {
    expect(horizontalBarChartSvg({ x: { label: "recall" }, bars: [] })).toContain(">no data</text>");
    expect(
      errorText(() =>
        horizontalBarChartSvg({ x: { label: "r" }, bars: [{ label: "a", value: Number.POSITIVE_INFINITY }] }),
      ),
    ).toBe(
      "INVALID_ARGUMENT: horizontalBarChartSvg: bars[0].value must be a finite number >= 0; got Infinity",
    );
  });
});
