import { readFileSync } from "node:fs";
import { boxes, emptyBoxes } from "@od/boxes";
import type { Detections, GroundTruth } from "@od/metrics";

type Row = readonly [number, number, number, number];

/** Ground truth from rows of xyxy px, labels and optional flags. */
export function gt(
  rows: readonly Row[],
  labels: readonly number[],
  flags: { difficult?: readonly number[]; crowd?: readonly number[] } = {},
): GroundTruth {
  return {
    boxes: rows.length ? boxes(rows, "xyxy", "px") : emptyBoxes("xyxy", "px"),
    labels: Int32Array.from(labels),
    ...(flags.difficult ? { difficult: Uint8Array.from(flags.difficult) } : {}),
    ...(flags.crowd ? { crowd: Uint8Array.from(flags.crowd) } : {}),
  };
}

/** Detections from rows of xyxy px, scores and labels. */
export function det(rows: readonly Row[], scores: readonly number[], labels: readonly number[]): Detections {
  return {
    boxes: rows.length ? boxes(rows, "xyxy", "px") : emptyBoxes("xyxy", "px"),
    scores: Float32Array.from(scores),
    labels: Int32Array.from(labels),
  };
}

/** No detections. */
export const noDet: Detections = det([], [], []);

/** One fixture case written by scripts/reference.py. */
export interface ReferenceCase {
  readonly name: string;
  readonly numClasses: number;
  readonly images: readonly {
    readonly gt: { boxes: Row[]; labels: number[]; difficult: number[]; crowd: number[] };
    readonly det: { boxes: Row[]; scores: number[]; labels: number[] };
  }[];
  readonly coco: { stats: number[]; ap: number[]; ap50: number[]; statsDifficultCount: number[] };
  readonly voc: { allpoint: number[]; point11: number[] };
}

/** The reference fixtures (pycocotools / voc_eval transcribed to numpy, see scripts/reference.py). */
export function referenceCases(): { cases: ReferenceCase[]; gts: GroundTruth[][]; dets: Detections[][] } {
  const raw = JSON.parse(readFileSync(new URL("./fixtures/reference.json", import.meta.url), "utf8")) as {
    cases: ReferenceCase[];
  };
  const gts = raw.cases.map((c) =>
    c.images.map((im) => gt(im.gt.boxes, im.gt.labels, { difficult: im.gt.difficult, crowd: im.gt.crowd })),
  );
  const dets = raw.cases.map((c) => c.images.map((im) => det(im.det.boxes, im.det.scores, im.det.labels)));
  return { cases: raw.cases, gts, dets };
}

/** What an untyped (plain-JS) caller may pass where Detections are expected: the one cast in the tests. */
export function fromPlainJs(value: unknown): Detections {
  return value as Detections;
}
