import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { chartSvg } from "../src/index.js";
import { expectLegendClear, HOSTILE, HOSTILE_ESCAPED, LONG_NAME } from "./charts.js";
import { viewBox } from "./geometry.js";

describe("chartSvg", () => {
  test("a standalone document: namespace, viewBox, background, escaped <title>, the plot body", () => {
    const svg = chartSvg(
      { width: 200, height: 120, title: HOSTILE[0] },
      ({ plot }) => `<g id="body" data-w="${plot.width}"/>`,
    );
    expect(
      svg.startsWith(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120"',
      ),
    ).toBe(true);
    expect(svg).toContain(`<title>${HOSTILE_ESCAPED[0]}</title>`);
    expect(svg).toContain('<rect width="200" height="120" fill="#ffffff"/>');
    expect(svg).toContain('<g id="body" data-w="184"/>');
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/<script|href=|src=/);
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  test("no title: no <title> and no title group", () => {
    const svg = chartSvg({ width: 100, height: 50 }, () => "");
    expect(svg).not.toContain("<title>");
    expect(svg).not.toContain('class="title"');
  });

  test.each(["line", "dashed", "circle", "square", "bar"] as const)(
    "legend swatch %s and long legend text stay inside the viewBox, clear of a long title",
    (marker) => {
      const svg = chartSvg(
        {
          width: 160,
          height: 80,
          title: LONG_NAME,
          legend: [LONG_NAME, ...HOSTILE].map((name) => ({ name, color: "#1f77b4", marker })),
        },
        () => "",
      );
      expectLegendClear(svg);
      expect(viewBox(svg).height).toBeGreaterThan(80);
    },
  );
});
