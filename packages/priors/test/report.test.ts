import { boxes } from "@od/boxes";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import {
  analyzeCoverage,
  generatePriors,
  INPUT_PX_UNITS,
  iouHistogramSvg,
  levelGridSvg,
  priorLayout,
  recallBarsSvg,
  renderCoverageReport,
  SSD300_VGG16,
  sizeScatterSvg,
} from "../src/index.js";
import { errorOf } from "./helpers.js";

const input = { width: 300, height: 300 };
const dataset = [
  {
    size: { width: 640, height: 480 },
    boxes: boxes(
      [
        [10, 10, 200, 150],
        [300, 300, 310, 305],
        [0, 0, 640, 480],
      ],
      "xyxy",
      "px",
    ),
    labels: [1, 2, 1],
    id: "x<&>",
  },
];
const report = analyzeCoverage(dataset, generatePriors(SSD300_VGG16), input, {
  classNames: { 1: "RBC", 2: "Platelets" },
});
const layout = priorLayout(SSD300_VGG16);

const count = (s: string, tag: string) => s.split(`<${tag} `).length - 1;

describe("SVG plots", () => {
  test("each plot is a well-formed standalone SVG", () => {
    for (const svg of [
      sizeScatterSvg(report, layout),
      iouHistogramSvg(report),
      recallBarsSvg(report.bySize),
      levelGridSvg(layout, 0),
    ]) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(XMLValidator.validate(svg)).toBe(true);
    }
  });

  test("scatter: one dot per GT, one square per prior shape (+ legend), log axes titled in px", () => {
    const svg = sizeScatterSvg(report, layout);
    expect(count(svg, "circle")).toBe(report.numGt + 2);
    const shapes = layout.levels.reduce((s, l) => s + l.boxesPerCell, 0);
    // background and plot frame, the shapes, one legend square per level
    expect(count(svg, "rect")).toBe(2 + shapes + layout.levels.length);
    expect(svg).toContain(`>width (${INPUT_PX_UNITS})</text>`);
    expect(svg).toContain(`>height (${INPUT_PX_UNITS})</text>`);
    expect(svg).toContain(">level 5 (1×1)</text>");
  });

  test("recall bars: hostile bucket names are escaped, one row shows, no rows say so", () => {
    const hostile = [
      {
        name: `<script>alert("x")</script> & 'co'`,
        lo: 1,
        hi: 1,
        count: 3,
        covered: 2,
        recall: 2 / 3,
        meanBestIou: 0.5,
      },
    ];
    const svg = recallBarsSvg(hostile);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(svg).toContain(">66.7% (n=3)</text>");
    expect(svg).toContain(">recall</text>");
    const empty = recallBarsSvg([]);
    expect(XMLValidator.validate(empty)).toBe(true);
    expect(empty).toContain(">no data</text>");
  });

  test("histogram: 20 bins holding every GT, the threshold marked, axes titled", () => {
    const svg = iouHistogramSvg(report);
    expect(svg).toContain(`>threshold ${report.threshold}</text>`);
    expect(svg).toContain(">best IoU with any prior</text>");
    expect(svg).toContain(">GT boxes</text>");
    const titles = [...svg.matchAll(/<title>[^:]+: (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(titles.length).toBe(20);
    expect(titles.reduce((a, b) => a + b, 0)).toBe(report.numGt);
  });

  test("level grid: one dot per cell, one rectangle per shape; bad level is a typed error", () => {
    const svg = levelGridSvg(layout, 4, { gt: report.gtInput });
    expect(count(svg, "circle")).toBe(9);
    expect(errorOf(() => levelGridSvg(layout, 6))).toEqual({
      code: "INVALID_ARGUMENT",
      message: "levelGridSvg: level must be in [0, 6); got 6",
    });
  });
});

describe("renderCoverageReport", () => {
  test("one HTML page, escaped ids, no external assets or scripts", () => {
    const html = renderCoverageReport(report, SSD300_VGG16, { title: "BCCD <test>" });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>BCCD &lt;test&gt;</title>");
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(count(html, "svg")).toBe(2 + 3 + 6);
    expect(html).toContain("x&lt;&amp;&gt;");
    expect(html).toContain("RBC");
    // the body without the doctype is valid XML, so every SVG inside is well formed
    expect(
      XMLValidator.validate(
        html.replace("<!doctype html>", "").replace('<meta charset="utf-8">', '<meta charset="utf-8"/>'),
      ),
    ).toBe(true);
  });
});

describe("renderCoverageReport: names and units", () => {
  test("the orphan table names classes, not indices, and says which px its boxes are in", () => {
    expect(report.orphans.length).toBeGreaterThan(0);
    const html = renderCoverageReport(report, SSD300_VGG16);
    const orphanTable = html.slice(html.indexOf("<h2>Orphan GT"));
    expect(orphanTable).toContain("<th>class</th>");
    for (const o of report.orphans) expect(orphanTable).toContain(`<td>${o.className}</td>`);
    expect(orphanTable).not.toMatch(/<td>[12]<\/td><td>[\d.]+, /);
    expect(orphanTable).toContain("xyxy, px of the original image");
  });
  test("size buckets are labelled as px at the network input", () => {
    const html = renderCoverageReport(report, SSD300_VGG16);
    expect(html).toContain(`<th>size √(w·h), ${INPUT_PX_UNITS}</th>`);
    expect(INPUT_PX_UNITS).toBe("px at the network input");
  });
});
