import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { lineChartSvg, MARKER_MAX_POINTS } from "../src/index.js";
import { errorText, expectLegendClear, HOSTILE, HOSTILE_ESCAPED, LONG_NAME } from "./charts.js";
import { viewBox } from "./geometry.js";

const axes = { x: { label: "step" }, y: { label: "loss" } } as const;
const count = (s: string, tag: string) => s.split(`<${tag} `).length - 1;

describe("lineChartSvg", () => {
  test("hostile series names and title are escaped; the document is well-formed", () => {
    const svg = lineChartSvg({
      ...axes,
      title: HOSTILE[0],
      series: HOSTILE.map((name, i) => ({ name, x: [0, 1], y: [i, i + 1] })),
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain("<script");
    for (const e of HOSTILE_ESCAPED) expect(svg).toContain(e);
  });

  test("axes are titled with their units", () => {
    const svg = lineChartSvg({
      x: { label: "time", unit: "s" },
      y: { label: "learning rate" },
      series: [{ name: "lr", x: [0, 1], y: [0.1, 0.2] }],
    });
    expect(svg).toContain(">time (s)</text>");
    expect(svg).toContain(">learning rate</text>");
  });

  test("no series, or no drawable point: axes and 'no data'", () => {
    for (const series of [[], [{ name: "nan", x: [Number.NaN], y: [1] }]]) {
      const svg = lineChartSvg({ ...axes, series });
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toContain(">no data</text>");
    }
  });

  test("one point is visible: a dot inside the plot", () => {
    const svg = lineChartSvg({ ...axes, series: [{ name: "one", x: [3], y: [0.5] }] });
    expect(count(svg, "circle")).toBe(1);
    const frame = svg.match(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/);
    const [cx, cy] = (svg.match(/<circle cx="([\d.]+)" cy="([\d.]+)"/) ?? []).slice(1).map(Number);
    const [x, y, w, h] = (frame ?? []).slice(1).map(Number);
    expect(cx).toBeGreaterThan(x!);
    expect(cx).toBeLessThan(x! + w!);
    expect(cy).toBeGreaterThan(y!);
    expect(cy).toBeLessThan(y! + h!);
    expect(svg).not.toContain(">no data</text>");
  });

  test(`dots on every point up to ${MARKER_MAX_POINTS} points, none beyond`, () => {
    const pts = (n: number) => Array.from({ length: n }, (_, i) => i);
    const few = lineChartSvg({
      ...axes,
      series: [{ name: "", x: pts(MARKER_MAX_POINTS), y: pts(MARKER_MAX_POINTS) }],
    });
    const many = lineChartSvg({
      ...axes,
      series: [{ name: "", x: pts(MARKER_MAX_POINTS + 1), y: pts(MARKER_MAX_POINTS + 1) }],
    });
    expect(count(few, "circle")).toBe(MARKER_MAX_POINTS);
    expect(count(many, "circle")).toBe(0);
    expect(few).not.toContain('class="legend"');
  });

  test("log axis: values ≤ 0 are not drawn", () => {
    const svg = lineChartSvg({
      x: { label: "step" },
      y: { label: "loss", scale: "log" },
      series: [{ name: "", x: [0, 1, 2], y: [1, 0, 0.1] }],
    });
    expect(svg.match(/points="([^"]*)"/)?.[1]?.split(" ").length).toBe(2);
  });

  test("long legends wrap inside the viewBox and stay clear of the title", () => {
    const svg = lineChartSvg({
      ...axes,
      width: 240,
      height: 120,
      title: `${LONG_NAME} as a title`,
      series: [LONG_NAME, "b", LONG_NAME, "d"].map((name, i) => ({ name, x: [0, 1], y: [0, i] })),
    });
    expectLegendClear(svg);
    expect(viewBox(svg).height).toBeGreaterThan(120);
  });

  test("errors: mismatched series, bad size, bad range", () => {
    expect(errorText(() => lineChartSvg({ ...axes, series: [{ name: "a", x: [1, 2], y: [1] }] }))).toBe(
      'SHAPE_MISMATCH: lineChartSvg: series 0 ("a") has 2 x but 1 y values',
    );
    expect(errorText(() => lineChartSvg({ ...axes, width: -1, series: [] }))).toBe(
      "INVALID_ARGUMENT: layoutChart: width must be a finite number > 0; got -1",
    );
    expect(
      errorText(() => lineChartSvg({ x: { label: "x", min: 2, max: 1 }, y: { label: "y" }, series: [] })),
    ).toBe("INVALID_ARGUMENT: lineChartSvg: x.min must be < x.max; got 2 and 1");
  });

  ftest.prop(
    [
      fc.array(
        fc.record({
          name: fc.string(),
          pts: fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 30 }),
        }),
        { maxLength: 4 },
      ),
      fc.option(fc.string(), { nil: undefined }),
    ],
    { numRuns: 80 },
  )("any input: well-formed, no NaN/Infinity, deterministic, legend clear of the title", (series, title) => {
    const spec = {
      ...axes,
      ...(title === undefined ? {} : { title }),
      series: series.map((s) => ({ name: s.name, x: s.pts.map((p) => p[0]), y: s.pts.map((p) => p[1]) })),
    };
    const svg = lineChartSvg(spec);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(lineChartSvg(spec)).toBe(svg);
    expectLegendClear(svg);
  });
});
