import { test as ftest } from "@fast-check/vitest";
import { cocoPrCurve, evaluateCoco, evaluateVoc, prCurveSvg } from "@od/metrics";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { det, gt } from "./helpers.js";

const A = [0, 0, 10, 10] as const;
const B = [20, 0, 30, 10] as const;
const far = [200, 200, 210, 210] as const;
const g = [gt([A, B], [0, 0])];
const d = [det([A, A, B], [0.9, 0.8, 0.7], [0, 0, 0])];

describe("cocoPrCurve", () => {
  test("reads precision[t, :, k, a, m]: the duplicate example gives p1 up to recall .5, then 2/3", () => {
    const r = evaluateCoco(g, d, { numClasses: 2 });
    const c = cocoPrCurve(r, { classIndex: 0 });
    expect(c.recall.length).toBe(101);
    expect(c.precision[50]).toBeCloseTo(1, 14);
    expect(c.precision[51]).toBeCloseTo(2 / 3, 15);
    expect(Array.from(cocoPrCurve(r, { classIndex: 1 }).precision)).toEqual(new Array(101).fill(-1));
    expect(() => cocoPrCurve(r, { classIndex: 2 })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: "cocoPrCurve: classIndex must be an integer in [0, 2); got 2",
      }),
    );
    expect(() => cocoPrCurve(r, { classIndex: 0, iouThreshold: 0.9 })).toThrow(
      /cocoPrCurve: iouThreshold must be one of/,
    );
  });
});

describe("prCurveSvg", () => {
  test("one polyline and one legend entry per series, labels escaped, -1 points skipped", () => {
    const voc = evaluateVoc(g, [det([far, A, B], [0.9, 0.8, 0.7], [0, 0, 0])], { numClasses: 1 });
    const svg = prCurveSvg(
      [
        { label: "cell <1> & co", ...voc.classes[0]!.curve },
        { label: "none", recall: [0, 0.5], precision: [-1, -1] },
      ],
      { title: "PR", width: 200, height: 100 },
    );
    // 100 px cannot hold the title, the legend and a plot: the chart grows taller instead of overlapping
    const [, w, h] =
      svg.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="([\d.]+)"/) ?? [];
    expect(Number(w)).toBe(200);
    expect(Number(h)).toBeGreaterThan(100);
    expect(svg.match(/<polyline/g)?.length).toBe(2);
    expect(svg).toContain("cell &lt;1&gt; &amp; co");
    expect(svg).toContain('points=""');
    expect(svg).toContain(">recall</text>");
    expect(svg).toContain(">precision</text>");
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  test("a curve of one evaluation point still shows it; hostile class names are escaped", () => {
    const svg = prCurveSvg([
      { label: `<script>alert('x')</script> "RBC" & co`, recall: [0.5], precision: [1] },
    ]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;RBC&quot; &amp; co");
    expect(svg.match(/<circle /g)?.length).toBe(1);
  });

  test("no series: axes and a 'no data' note", () => {
    const svg = prCurveSvg([]);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">no data</text>");
  });

  test("rejects mismatched series", () => {
    expect(() => prCurveSvg([{ label: "x", recall: [0], precision: [] }])).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: 'prCurveSvg: series 0 ("x") has 1 recall but 0 precision values',
      }),
    );
  });

  ftest.prop([fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 30 }), fc.string()])(
    "never prints NaN or Infinity, and is deterministic",
    (pts, label) => {
      const s = { label, recall: pts.map((p) => p[0]), precision: pts.map((p) => p[1]) };
      const svg = prCurveSvg([s]);
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(prCurveSvg([s])).toBe(svg);
    },
  );
});
