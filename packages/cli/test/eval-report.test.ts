import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { boxes } from "@od/boxes";
import type { Detections } from "@od/ssd";
import type { RunPredictor } from "@od/train/node";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import { od, RUN_DIRS, trainNotUsed, vocSplitFixture } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocSplitFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const det = (rows: number[][], scores: number[], labels: number[]): Detections => ({
  boxes: boxes(rows as [number, number, number, number][], "xyxy", "px"),
  scores: Float32Array.from(scores),
  labels: Int32Array.from(labels),
});

/**
 * A model with fixed detections for img1, img2, img3 (`--split all`, in that order; labels 1 = blob,
 * 2 = cell): img1's cell found as cell; img2's blob found as cell; img3: one cell found as blob, the
 * other missed, a false cell, and a 0.1-score blob below the matrix's 0.25.
 */
function fixedModel(): RunPredictor {
  const per = [
    det([[5, 5, 25, 25]], [0.9], [2]),
    det([[20, 10, 40, 30]], [0.8], [2]),
    det(
      [
        [2, 2, 42, 42],
        [50, 40, 60, 48],
        [10, 4, 50, 44],
      ],
      [0.7, 0.6, 0.1],
      [1, 2, 1],
    ),
  ];
  let next = 0;
  return {
    classNames: ["blob", "cell"],
    numClasses: 3,
    // `odet eval` only predicts; the detector and classifier are not read.
    detector: undefined as unknown as RunPredictor["detector"],
    classifier: undefined,
    predict: async (images) => images.map(() => per[next++] as Detections),
    dispose: () => {},
  };
}

const node = (): TrainNode => ({
  ...RUN_DIRS,
  train: trainNotUsed,
  loadRunPredictor: async () => fixedModel(),
});
const evalArgs = ["eval", "--model", ".", "--split", "all", "--backend", "cpu"];
const run = (...args: string[]) =>
  od([...evalArgs, "--data", root, ...args], { cwd: root, loadTrainNode: async () => node() });

// rows predicted, columns true (blob, cell, background), worked out from the detections above
const MATRIX = [
  [0, 1, 0],
  [1, 1, 1],
  [0, 1, 0],
];

describe("odet eval: confusion matrix", () => {
  test("printed as a table with class names, before the summary lines", async () => {
    const r = await run();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        "Confusion matrix, 3 images: IoU > 0.45, score > 0.25; rows: predicted class, columns: true class",
        "| predicted \\ true | blob | cell | background |",
        "|------------------|-----:|-----:|-----------:|",
        "| blob             |    0 |    1 |          0 |",
        "| cell             |    1 |    1 |          1 |",
        "| background       |    0 |    1 |          - |",
      ].join("\n"),
    );
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^mAP@0\.5 \(VOC\): \d\.\d{3}$/);
  });

  test("--json and --out carry it as JSON", async () => {
    const out = path.join(root, "ev-json");
    const r = await run("--json", "--out", out);
    expect(r.code).toBe(0);
    const expected = {
      classNames: ["blob", "cell"],
      labels: ["blob", "cell", "background"],
      rows: "predicted class",
      columns: "true class",
      iouThreshold: 0.45,
      confThreshold: 0.25,
      numImages: 3,
      matrix: MATRIX,
    };
    expect(JSON.parse(r.stdout).confusion).toEqual(expected);
    expect(JSON.parse(await readFile(path.join(out, "confusion.json"), "utf8"))).toEqual(expected);
    expect(JSON.parse(await readFile(path.join(out, "metrics.json"), "utf8")).confusion).toEqual(expected);
  });
});

describe("odet eval: ground truth and predictions side by side", () => {
  test("a few images per class in <out>/samples, each ground truth | prediction", async () => {
    const out = path.join(root, "ev-samples");
    const r = await run("--out", out);
    expect(r.code).toBe(0);
    // blob: img2 (its only image); cell: img1, then img3 (default 2 per class)
    expect((await readdir(path.join(out, "samples"))).sort()).toEqual([
      "blob-1-img2.png",
      "cell-1-img1.png",
      "cell-2-img3.png",
    ]);
    const png = PNG.sync.read(await readFile(path.join(out, "samples", "cell-2-img3.png")));
    expect([png.width, png.height]).toEqual([64 + 4 + 64, 9 + 48]);
    expect(r.stdout).toContain(`wrote 3 ground truth | prediction image(s) to ${path.join(out, "samples")}`);
  });

  test("--samples sets how many per class; 0 writes none", async () => {
    const one = path.join(root, "ev-one");
    expect((await run("--out", one, "--samples", "1")).code).toBe(0);
    expect((await readdir(path.join(one, "samples"))).sort()).toEqual(["blob-1-img2.png", "cell-1-img1.png"]);
    const none = path.join(root, "ev-none");
    const r = await run("--out", none, "--samples", "0", "--json");
    expect(JSON.parse(r.stdout).samples).toEqual([]);
    expect(await readdir(none)).not.toContain("samples");
  });
});
