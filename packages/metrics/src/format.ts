import type { CocoResult, MetricsResult, VocResult } from "./types.js";

/** Options of {@link formatMetricsTable}. */
export interface FormatOptions {
  /** Digits after the decimal point (default 3). */
  readonly digits?: number;
}

/**
 * A Markdown-compatible text table: first column left-aligned, the others right-aligned.
 * @internal shared by the text reports of this package; not re-exported.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function vocTable(r: VocResult, num: (v: number) => string): string {
  const interp = r.interpolation === "allpoint" ? "all-point (VOC2010+)" : "11-point (VOC2007)";
  const rows = r.classes.map((c) => [
    c.name,
    num(c.ap),
    String(c.numGt),
    String(c.numDetections),
    String(c.truePositives),
    String(c.falsePositives),
  ]);
  rows.push(["mAP", num(r.mAP), "", "", "", ""]);
  return [
    `PASCAL VOC, ${interp}, IoU > ${r.iouThreshold}, ${r.numImages} images`,
    table(["class", "AP", "GT", "dets", "TP", "FP"], rows),
  ].join("\n");
}

function cocoTable(r: CocoResult, num: (v: number) => string, digits: number): string {
  const rows = r.classes.map((c) => [
    c.name,
    num(c.ap),
    num(c.ap50),
    num(c.ap75),
    num(c.ar),
    String(c.numGt),
    String(c.numDetections),
  ]);
  rows.push(["mean", num(r.mAP), num(r.stats.AP50), num(r.stats.AP75), num(r.stats.AR100), "", ""]);
  const [m1, m10, m100] = r.maxDets;
  const pad = (n: number) => String(n).padStart(3);
  const lines: [boolean, string, string, number][] = [
    [true, "0.50:0.95", "   all", m100],
    [true, "0.50     ", "   all", m100],
    [true, "0.75     ", "   all", m100],
    [true, "0.50:0.95", " small", m100],
    [true, "0.50:0.95", "medium", m100],
    [true, "0.50:0.95", " large", m100],
    [false, "0.50:0.95", "   all", m1],
    [false, "0.50:0.95", "   all", m10],
    [false, "0.50:0.95", "   all", m100],
    [false, "0.50:0.95", " small", m100],
    [false, "0.50:0.95", "medium", m100],
    [false, "0.50:0.95", " large", m100],
  ];
  const summary = lines.map(
    ([ap, iou, area, md], i) =>
      ` Average ${ap ? "Precision" : "Recall   "}  (${ap ? "AP" : "AR"}) @[ IoU=${iou} | area=${area} | maxDets=${pad(md)} ] = ${r.statsArray[i]!.toFixed(digits)}`,
  );
  return [
    `COCO bbox, ${r.numImages} images`,
    table(["class", "AP", "AP50", "AP75", `AR${m100}`, "GT", "dets"], rows),
    "",
    ...summary,
  ].join("\n");
}

/**
 * A plain-text report of a VOC or COCO result, as the CLI prints it: a Markdown-compatible table
 * with one row per class (undefined values, -1 in the result, print as `-`) and the mean; for COCO
 * followed by the 12-line summary in pycocotools' `summarize()` layout (which prints -1 as `-1.000`).
 *
 * @param result from {@link evaluateVoc}, {@link evaluateCoco} or {@link DetectionEvaluator}.
 * @returns lines joined with `\n`, no trailing newline.
 */
export function formatMetricsTable(result: MetricsResult, options: FormatOptions = {}): string {
  const digits = options.digits ?? 3;
  const num = (v: number) => (v < 0 ? "-" : v.toFixed(digits));
  return result.protocol === "voc" ? vocTable(result, num) : cocoTable(result, num, digits);
}
