import { evaluateCoco, evaluateVoc, formatMetricsTable } from "@od/metrics";
import { describe, expect, test } from "vitest";
import { det, gt } from "./helpers.js";

const A = [0, 0, 10, 10] as const;
const B = [20, 0, 30, 10] as const;
const far = [200, 200, 210, 210] as const;
const g = [gt([A, B], [0, 0])];
const d = [det([far, A, B], [0.9, 0.8, 0.7], [0, 0, 0])];

describe("formatMetricsTable", () => {
  test("VOC: one row per class, undefined AP as '-', the mean last", () => {
    const text = formatMetricsTable(evaluateVoc(g, d, { classNames: ["cell", "platelet"] }));
    expect(text).toBe(
      [
        "PASCAL VOC, all-point (VOC2010+), IoU > 0.5, 1 images",
        "| class    |    AP | GT | dets | TP | FP |",
        "|----------|------:|---:|-----:|---:|---:|",
        "| cell     | 0.667 |  2 |    3 |  2 |  1 |",
        "| platelet |     - |  0 |    0 |  0 |  0 |",
        "| mAP      | 0.667 |    |      |    |    |",
      ].join("\n"),
    );
  });

  test("COCO: per-class table, then pycocotools' 12-line summary with -1.000 where undefined", () => {
    const text = formatMetricsTable(evaluateCoco(g, d, { classNames: ["cell"] }), { digits: 4 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("COCO bbox, 1 images");
    expect(lines[1]).toBe("| class |     AP |   AP50 |   AP75 |  AR100 | GT | dets |");
    expect(lines[3]).toBe("| cell  | 0.6667 | 0.6667 | 0.6667 | 1.0000 |  2 |    3 |");
    expect(lines[6]).toBe(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.6667");
    expect(lines[10]).toBe(
      " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.0000",
    );
    expect(lines[12]).toBe(
      " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.0000",
    );
    expect(lines.length).toBe(18);
  });
});
