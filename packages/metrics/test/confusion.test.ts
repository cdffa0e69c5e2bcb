import { readFileSync } from "node:fs";
import { test as ftest } from "@fast-check/vitest";
import {
  CONFUSION_CONF_THRESHOLD,
  CONFUSION_IOU_THRESHOLD,
  confusionMatrix,
  DetectionEvaluator,
  type Detections,
  formatConfusionMatrix,
  type GroundTruth,
} from "@od/metrics";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbDataset } from "./arbitraries.js";
import { det, gt, noDet } from "./helpers.js";

// Reference semantics: Ultralytics `ConfusionMatrix.process_batch` (ultralytics/utils/metrics.py,
// task "detect", conf 0.25, iou_thres 0.45): rows = predicted class, columns = true class, index K =
// background. The expected matrices below are worked out by hand from that code.
const A = [0, 0, 10, 10] as const;
const B = [20, 0, 30, 10] as const;
const two = { classNames: ["a", "b"] } as const; // K = 2, background = index 2

const one = (g: GroundTruth, d: Detections) => confusionMatrix([g], [d], two).matrix;

describe("confusionMatrix", () => {
  test("defaults are Ultralytics': IoU 0.45, confidence 0.25", () => {
    expect(CONFUSION_IOU_THRESHOLD).toBe(0.45);
    expect(CONFUSION_CONF_THRESHOLD).toBe(0.25);
    const cm = confusionMatrix([], [], two);
    expect(cm).toEqual({
      classNames: ["a", "b"],
      iouThreshold: 0.45,
      confThreshold: 0.25,
      numImages: 0,
      matrix: [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
  });

  test.each([
    {
      name: "a correct detection counts on the diagonal",
      g: gt([A], [0]),
      d: det([A], [0.9], [0]),
      m: [
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    },
    {
      name: "the wrong class on the right box: predicted b, true a",
      g: gt([A], [0]),
      d: det([A], [0.9], [1]),
      m: [
        [0, 0, 0],
        [1, 0, 0],
        [0, 0, 0],
      ],
    },
    {
      name: "score exactly 0.25 does not take part (score > conf): missed a in the background row",
      g: gt([A], [0]),
      d: det([A], [0.25], [0]),
      m: [
        [0, 0, 0],
        [0, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: "IoU exactly 0.45 does not match (IoU > iou_thres): one miss and one false detection",
      g: gt([A], [0]),
      d: det([[0, 0, 4.5, 10]], [0.9], [0]),
      m: [
        [0, 0, 1],
        [0, 0, 0],
        [1, 0, 0],
      ],
    },
    {
      name: "two detections on one box: the higher IoU matches, the other is a false detection",
      g: gt([A], [1]),
      d: det(
        [
          [1, 0, 11, 10],
          [0, 0, 10, 10],
        ],
        [0.9, 0.5],
        [1, 0],
      ),
      m: [
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
      ],
    },
    {
      // det0 overlaps A (0.739) and B' (0.6) but keeps only its best, A; A keeps det1 (IoU 1), so det0
      // is a false detection and B' a miss: no second-choice matching, as in Ultralytics.
      name: "each detection keeps only its best ground truth (no greedy re-matching)",
      g: gt(
        [
          [0, 0, 10, 10],
          [4, 0, 14, 10],
        ],
        [0, 1],
      ),
      d: det(
        [
          [1.5, 0, 11.5, 10],
          [0, 0, 10, 10],
        ],
        [0.9, 0.8],
        [1, 0],
      ),
      m: [
        [1, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
      ],
    },
    {
      name: "an image without ground truth: every kept detection is a false detection",
      g: gt([], []),
      d: det([A, B, A], [0.9, 0.3, 0.1], [0, 1, 1]),
      m: [
        [0, 0, 1],
        [0, 0, 1],
        [0, 0, 0],
      ],
    },
    {
      name: "an image without detections: every ground truth is missed",
      g: gt([A, B], [0, 1]),
      d: noDet,
      m: [
        [0, 0, 0],
        [0, 0, 0],
        [1, 1, 0],
      ],
    },
    {
      // Ultralytics skips the background-column loop when an image has no match at all (`if n:`),
      // which would leave this detection uncounted; here it is counted.
      name: "detections but no match at all: the false detection is still counted",
      g: gt([A], [0]),
      d: det([B], [0.9], [1]),
      m: [
        [0, 0, 0],
        [0, 0, 1],
        [1, 0, 0],
      ],
    },
    {
      name: "equal IoU with two ground truths: the lower index wins",
      g: gt(
        [
          [0, 0, 10, 10],
          [10, 0, 20, 10],
        ],
        [0, 1],
      ),
      d: det([[5, 0, 15, 10]], [0.9], [0]),
      // IoU 50/150 = 1/3 with both: below 0.45, so use a lower threshold in the call below
      m: [
        [1, 0, 0],
        [0, 0, 0],
        [0, 1, 0],
      ],
      iou: 0.3,
    },
    {
      name: "zero-area ground truth and detection on the same spot: IoU 0, no match",
      g: gt([[5, 5, 5, 5]], [0]),
      d: det([[5, 5, 5, 5]], [0.9], [0]),
      m: [
        [0, 0, 1],
        [0, 0, 0],
        [1, 0, 0],
      ],
    },
  ])("$name", ({ g, d, m, iou }) => {
    const r = confusionMatrix([g], [d], { ...two, ...(iou === undefined ? {} : { iouThreshold: iou }) });
    expect(r.matrix).toEqual(m);
  });

  test("images add up", () => {
    const g = [gt([A], [0]), gt([B], [1]), gt([], [])];
    const d = [det([A], [0.9], [0]), det([B], [0.9], [0]), det([A], [0.9], [1])];
    expect(confusionMatrix(g, d, two)).toMatchObject({
      numImages: 3,
      matrix: [
        [1, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
      ],
    });
    expect(one(g[0]!, d[0]!)).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  test("thresholds are options", () => {
    const g = [gt([A], [0])];
    const d = [det([[0, 0, 4.5, 10]], [0.1], [0])];
    expect(confusionMatrix(g, d, { ...two, iouThreshold: 0.4, confThreshold: 0.05 }).matrix[0]).toEqual([
      1, 0, 0,
    ]);
  });

  test.each([
    { o: { iouThreshold: 1 }, msg: "confusionMatrix: iouThreshold must be in [0, 1); got 1" },
    { o: { iouThreshold: Number.NaN }, msg: "confusionMatrix: iouThreshold must be in [0, 1); got NaN" },
    { o: { confThreshold: -0.1 }, msg: "confusionMatrix: confThreshold must be in [0, 1); got -0.1" },
  ])("rejects $o", ({ o, msg }) => {
    expect(() => confusionMatrix([], [], { ...two, ...o })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: msg }),
    );
  });

  test("bad images are errors naming the image and field", () => {
    expect(() => confusionMatrix([gt([A], [0])], [], two)).toThrow(
      expect.objectContaining({
        code: "SHAPE_MISMATCH",
        message: "confusionMatrix: gts has 1 images but dets has 0",
      }),
    );
    expect(() => confusionMatrix([gt([A], [2])], [noDet], two)).toThrow(
      expect.objectContaining({
        code: "LABEL_OUT_OF_RANGE",
        message: "confusionMatrix: image 0: gt.labels[0] = 2 is not a class index in [0, 2)",
      }),
    );
  });

  ftest.prop([arbDataset(3), fc.integer({ min: 0, max: 31 })], { numRuns: 60 })(
    "columns sum to the ground truth per class, rows to the kept detections per class; [K][K] = 0",
    (images, c) => {
      const conf = c / 32;
      const cm = confusionMatrix(
        images.map((x) => x.gt),
        images.map((x) => x.det),
        { numClasses: 3, confThreshold: conf },
      );
      const K = 3;
      for (let t = 0; t < K; t++) {
        const n = images.reduce((s, x) => s + x.gt.labels.filter((l) => l === t).length, 0);
        expect(cm.matrix.reduce((s, row) => s + row[t]!, 0)).toBe(n);
      }
      for (let p = 0; p < K; p++) {
        const n = images.reduce(
          (s, x) => s + x.det.labels.filter((l, i) => l === p && x.det.scores[i]! > conf).length,
          0,
        );
        expect(cm.matrix[p]!.reduce((s, v) => s + v, 0)).toBe(n);
      }
      expect(cm.matrix[K]![K]).toBe(0);
    },
  );

  ftest.prop([arbDataset(2)], { numRuns: 40 })(
    "detections equal to the ground truth give a diagonal matrix; image order does not matter",
    (images) => {
      const gts = images.map((x) => x.gt);
      const perfect = gts.map((g) => ({
        boxes: g.boxes,
        scores: new Float32Array(g.labels.length).fill(1),
        labels: g.labels,
      }));
      const cm = confusionMatrix(gts, perfect, { numClasses: 2, iouThreshold: 0 });
      // duplicates of a box in the same image may swap their matches, so compare per class totals
      const diag = [cm.matrix[0]![0]!, cm.matrix[1]![1]!];
      const counts = [0, 1].map((k) => gts.reduce((s, g) => s + g.labels.filter((l) => l === k).length, 0));
      const distinct = gts.every((g) => {
        const rows = new Set<string>();
        for (let i = 0; i < g.labels.length; i++)
          rows.add(Array.from(g.boxes.data.subarray(4 * i, 4 * i + 4)).join());
        return rows.size === g.labels.length;
      });
      if (distinct) expect(diag).toEqual(counts);
      const rev = [...images].reverse();
      expect(
        confusionMatrix(
          rev.map((x) => x.gt),
          rev.map((x) => x.det),
          { numClasses: 2 },
        ).matrix,
      ).toEqual(
        confusionMatrix(
          images.map((x) => x.gt),
          images.map((x) => x.det),
          { numClasses: 2 },
        ).matrix,
      );
    },
  );

  ftest.prop([arbDataset(2)], { numRuns: 30 })(
    "DetectionEvaluator.computeConfusion equals confusionMatrix",
    (images) => {
      const ev = new DetectionEvaluator({ numClasses: 2 });
      for (const x of images) ev.add(x.gt, x.det);
      expect(ev.computeConfusion({ confThreshold: 0.1 })).toEqual(
        confusionMatrix(
          images.map((x) => x.gt),
          images.map((x) => x.det),
          { numClasses: 2, confThreshold: 0.1 },
        ),
      );
    },
  );
});

describe("confusionMatrix: reference fixtures (numpy transcription of Ultralytics' process_batch)", () => {
  // Written by scripts/confusion_reference.py; the transcription leaves out Ultralytics' `if n:`
  // guard, as documented on confusionMatrix.
  type Row = [number, number, number, number];
  const raw = JSON.parse(readFileSync(new URL("./fixtures/confusion.json", import.meta.url), "utf8")) as {
    cases: {
      name: string;
      numClasses: number;
      images: {
        gt: { boxes: Row[]; labels: number[] };
        det: { boxes: Row[]; scores: number[]; labels: number[] };
      }[];
      default: number[][];
      conf0iou05: number[][];
    }[];
  };
  for (const c of raw.cases) {
    test(c.name, () => {
      const gts = c.images.map((im) => gt(im.gt.boxes, im.gt.labels));
      const dets = c.images.map((im) => det(im.det.boxes, im.det.scores, im.det.labels));
      expect(confusionMatrix(gts, dets, { numClasses: c.numClasses }).matrix).toEqual(c.default);
      expect(
        confusionMatrix(gts, dets, { numClasses: c.numClasses, confThreshold: 0, iouThreshold: 0.5 }).matrix,
      ).toEqual(c.conf0iou05);
    });
  }
});

describe("formatConfusionMatrix", () => {
  test("class names label rows (predicted) and columns (true), background last", () => {
    const cm = confusionMatrix([gt([A, B], [0, 1])], [det([A, [50, 50, 60, 60]], [0.9, 0.8], [1, 0])], {
      classNames: ["RBC", "Platelets"],
    });
    expect(formatConfusionMatrix(cm)).toBe(
      [
        "Confusion matrix, 1 images: IoU > 0.45, score > 0.25; rows: predicted class, columns: true class",
        "| predicted \\ true | RBC | Platelets | background |",
        "|------------------|----:|----------:|-----------:|",
        "| RBC              |   0 |         0 |          1 |",
        "| Platelets        |   1 |         0 |          0 |",
        "| background       |   0 |         1 |          - |",
      ].join("\n"),
    );
  });
});
