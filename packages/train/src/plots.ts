/**
 * The curves of a training run (loss, learning rate, validation mAP) as standalone SVG documents,
 * drawn with `@od/plot`.
 * @module
 */
import { lineChartSvg } from "@od/plot";

/** One point of a training curve: `[x, y]`, x a step or an epoch. */
export type CurvePoint = readonly [x: number, y: number];

const SIZE = { width: 520, height: 300 } as const;

function xs(points: readonly CurvePoint[]): number[] {
  return points.map((p) => p[0]);
}

function ys(points: readonly CurvePoint[]): number[] {
  return points.map((p) => p[1]);
}

/**
 * Training loss per step on a log y axis (520 × 300 px). Points with a non-finite or non-positive
 * loss are not drawn; a single step shows as a dot.
 * @param loss `[step, loss]` pairs.
 */
export function lossCurveSvg(loss: readonly CurvePoint[]): string {
  return lineChartSvg({
    ...SIZE,
    title: "training loss",
    x: { label: "step" },
    y: { label: "loss", scale: "log" },
    series: [{ name: "", x: xs(loss), y: ys(loss) }],
  });
}

/**
 * Learning rate per step (520 × 300 px).
 * @param lr `[step, learning rate]` pairs.
 */
export function learningRateCurveSvg(lr: readonly CurvePoint[]): string {
  return lineChartSvg({
    ...SIZE,
    title: "learning rate",
    x: { label: "step" },
    y: { label: "learning rate" },
    series: [{ name: "", x: xs(lr), y: ys(lr) }],
  });
}

/**
 * Validation mAP per epoch, VOC mAP@0.5 and COCO mAP@[.5:.95] (520 × 300 px, y from 0). A single
 * evaluation shows as a dot per metric.
 * @param voc `[epoch, VOC mAP]` pairs.
 * @param coco `[epoch, COCO mAP]` pairs.
 */
export function mapCurveSvg(voc: readonly CurvePoint[], coco: readonly CurvePoint[]): string {
  return lineChartSvg({
    ...SIZE,
    title: "validation mAP",
    x: { label: "epoch" },
    y: { label: "mAP", min: 0 },
    series: [
      { name: "VOC mAP@0.5", x: xs(voc), y: ys(voc) },
      { name: "COCO mAP", x: xs(coco), y: ys(coco) },
    ],
  });
}
