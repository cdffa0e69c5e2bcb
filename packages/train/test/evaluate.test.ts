import { makeImage } from "@od/augment";
import { boxes } from "@od/boxes";
import type { ImageRecord } from "@od/data";
import type { Detections } from "@od/ssd";
import { describe, expect, test } from "vitest";
import { evaluateDetector, type Predictor } from "../src/index.js";

const A = [0, 0, 10, 10] as const;
const B = [20, 0, 30, 10] as const;

function record(id: string, rows: (readonly number[])[], labels: number[]): ImageRecord {
  return {
    id,
    file: `${id}.png`,
    size: { width: 40, height: 20 },
    boxes: boxes(rows as [number, number, number, number][], "xyxy", "px"),
    labels: Int32Array.from(labels),
    difficult: new Uint8Array(labels.length),
    crowd: new Uint8Array(labels.length),
    truncated: new Uint8Array(labels.length),
  };
}

/** A predictor that returns fixed detections (labels ≥ 1) per call, in order. */
function fixed(numClasses: number, per: Detections[]): Predictor {
  let i = 0;
  return {
    numClasses,
    predict: async (images) => images.map(() => per[i++] as Detections),
  };
}

const dets = (rows: (readonly number[])[], scores: number[], labels: number[]): Detections => ({
  boxes: boxes(rows as [number, number, number, number][], "xyxy", "px"),
  scores: Float32Array.from(scores),
  labels: Int32Array.from(labels),
});

const image = async () => makeImage(new Uint8Array(40 * 20 * 3), 40, 20, 3);

describe("evaluateDetector: confusion matrix", () => {
  test("rows predicted, columns true, background last; detector labels are 1-based", async () => {
    const records = [record("a", [A, B], [0, 1]), record("b", [A], [1])];
    const p = fixed(3, [dets([A, [50, 0, 60, 10]], [0.9, 0.8], [2, 1]), dets([A], [0.2], [2])]);
    const ev = await evaluateDetector(p, records, image, ["cat", "dog"], { batchSize: 1 });
    expect(ev.confusion.classNames).toEqual(["cat", "dog"]);
    // image a: A(cat) matched by a dog detection -> [dog][cat]; B(dog) missed; det at 50 is a false cat
    // image b: the only detection scores 0.2 <= 0.25, so A(dog) is missed
    expect(ev.confusion.matrix).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 2, 0],
    ]);
    expect(ev.confusion).toMatchObject({ iouThreshold: 0.45, confThreshold: 0.25, numImages: 2 });
  });

  test("thresholds are options; a class-agnostic detector gets one class", async () => {
    const records = [record("a", [A, B], [0, 1])];
    const ev = await evaluateDetector(
      fixed(2, [dets([A, B], [0.2, 0.9], [1, 1])]),
      records,
      image,
      ["cat", "dog"],
      {
        confusion: { confThreshold: 0.1 },
      },
    );
    expect(ev.confusion.classNames).toEqual(["object"]);
    expect(ev.confusion.matrix).toEqual([
      [2, 0],
      [0, 0],
    ]);
  });
});
