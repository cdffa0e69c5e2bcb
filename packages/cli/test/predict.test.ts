import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CropClassifier } from "@od/ssd";
import { saveClassifier } from "@od/ssd/node";
import { initBackend } from "@od/tf";
import type { TrainConfig } from "@od/train";
import { loadRunPredictor } from "@od/train/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import { fakeSummary, od, RUN_DIRS, saveTinyDetector, trainNotUsed, vocFixture } from "./helpers.js";

let root: string;
let model: string;
beforeAll(async () => {
  root = await vocFixture();
  model = await mkdtemp(path.join(tmpdir(), "od-cli-model-"));
  await initBackend({ prefer: ["cpu"] });
  await saveTinyDetector(model);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(model, { recursive: true, force: true });
});

describe("odet predict (untrained detector saved with saveDetector)", () => {
  test("annotated PNGs and detections.json in COCO results format", async () => {
    const out = path.join(root, "pred");
    const a = path.join(root, "JPEGImages", "img1.png");
    const b = path.join(root, "JPEGImages", "img2.png");
    const r = await od([
      "predict",
      "--model",
      model,
      "--out",
      out,
      "--score",
      "0",
      "--backend",
      "cpu",
      "--json",
      a,
      b,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.categories).toEqual([
      { id: 1, name: "blob" },
      { id: 2, name: "cell" },
    ]);
    expect(j.images.map((i: { id: number; output: string }) => [i.id, path.basename(i.output)])).toEqual([
      [1, "img1.png"],
      [2, "img2.png"],
    ]);
    const dets = JSON.parse(await readFile(path.join(out, "detections.json"), "utf8"));
    expect(dets).toEqual(j.detections);
    expect(dets.length).toBeGreaterThan(0);
    for (const d of dets) {
      expect(Object.keys(d).sort()).toEqual(["bbox", "category_id", "image_id", "score"]);
      expect([1, 2]).toContain(d.image_id);
      expect([1, 2]).toContain(d.category_id);
      const [x, y, w, h] = d.bbox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(64 + 0.01);
      expect(y + h).toBeLessThanOrEqual(48 + 0.01);
    }
    expect((await readFile(path.join(out, "img1.png"))).subarray(1, 4).toString()).toBe("PNG");
  });

  test("a corrupt image is a one-line error naming it", async () => {
    const bad = path.join(root, "broken.jpg");
    await writeFile(bad, Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    const r = await od([
      "predict",
      "--model",
      model,
      "--out",
      path.join(root, "p2"),
      "--backend",
      "cpu",
      bad,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^odet predict: .*broken\.jpg/);
  });

  test("missing model folder and missing image", async () => {
    const a = await od([
      "predict",
      "--model",
      path.join(root, "nope"),
      "--out",
      "x",
      path.join(root, "JPEGImages", "img1.png"),
    ]);
    expect(a.stderr).toMatch(/^odet predict: model folder .*nope does not exist\n$/);
    const b = await od(["predict", "--model", model, "--out", "x", "missing.png"], { cwd: root });
    expect(b.stderr).toBe("odet predict: image missing.png does not exist\n");
    expect(b.code).toBe(2);
  });
});

describe("odet eval (untrained detector)", () => {
  test("per-class tables, summary lines, PR curves in --out", async () => {
    const out = path.join(root, "eval");
    const r = await od([
      "eval",
      "--model",
      model,
      "--data",
      root,
      "--split",
      "all",
      "--backend",
      "cpu",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mAP@0\.5 \(VOC\): \d\.\d{3}\n/);
    expect(r.stdout).toContain("mAP@[.5:.95] (COCO):");
    expect(r.stdout).toContain("cell");
    expect(await readFile(path.join(out, "pr-voc.svg"), "utf8")).toMatch(/<svg/);
    const m = JSON.parse(await readFile(path.join(out, "metrics.json"), "utf8"));
    expect(m.voc.classes.map((c: { name: string }) => c.name)).toEqual(["blob", "cell"]);
  });

  test("--json", async () => {
    const r = await od([
      "eval",
      "--model",
      model,
      "--data",
      root,
      "--split",
      "all",
      "--backend",
      "cpu",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(typeof j.voc.mAP).toBe("number");
    expect(j.coco.stats).toHaveProperty("AP50");
  });
});

describe("odet predict / odet eval of a staged run (detector + crop classifier, via loadRunPredictor)", () => {
  test("labels come from the classifier's classes", async () => {
    const run = await mkdtemp(path.join(tmpdir(), "od-cli-staged-"));
    try {
      await saveTinyDetector(path.join(run, "model"), { classNames: ["object"] });
      const k = new CropClassifier({ classNames: ["blob", "cell"], cropSize: 16, width: 4, seed: 1 });
      await saveClassifier(k, path.join(run, "classifier"));
      k.dispose();
      const node: TrainNode = { ...RUN_DIRS, train: trainNotUsed, loadRunPredictor };
      const out = path.join(run, "pred");
      const img = path.join(root, "JPEGImages", "img1.png");
      const args = ["--model", run, "--score", "0", "--backend", "cpu", "--json"];
      const r = await od(["predict", ...args, "--out", out, img], { loadTrainNode: async () => node });
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.categories).toEqual([
        { id: 1, name: "blob" },
        { id: 2, name: "cell" },
      ]);
      expect(j.detections.length).toBeGreaterThan(0);
      for (const det of j.detections) expect([1, 2]).toContain(det.category_id);
      const e = await od(["eval", ...args, "--data", root, "--split", "all"], {
        loadTrainNode: async () => node,
      });
      expect(e.code).toBe(0);
      expect(JSON.parse(e.stdout).voc.classes.map((c: { name: string }) => c.name)).toEqual(["blob", "cell"]);
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});

describe("odet demo (train() replaced by copying an untrained detector into the run folder)", () => {
  test("evaluates the shipped test split, writes predictions, ends with the stable mAP line", async () => {
    const runs = await mkdtemp(path.join(tmpdir(), "od-cli-demo-"));
    const bccdModel = path.join(runs, "bccd-model");
    await saveTinyDetector(bccdModel, { classNames: ["Platelets", "RBC", "WBC"] });
    const seen: { epochs: number; timeLimit: number; root: string; seed: number; workers: unknown }[] = [];
    const node: TrainNode = {
      ...RUN_DIRS,
      async train(input, options) {
        const config = input as TrainConfig;
        seen.push({
          epochs: config.train.epochs,
          timeLimit: config.train.timeLimitSeconds,
          root: config.data.root,
          seed: config.train.seed,
          workers: config.train.workers,
        });
        await cp(bccdModel, options.out, { recursive: true });
        return fakeSummary({ out: options.out });
      },
      loadRunPredictor,
    };
    try {
      const r = await od(["demo", "--out", "run", "--epochs", "5", "--backend", "cpu"], {
        cwd: runs,
        loadTrainNode: async () => node,
      });
      expect(r.code).toBe(0);
      // a fixed number of epochs from a fixed seed and a fixed split of the work; no time budget
      expect(seen[0]).toMatchObject({ epochs: 5, timeLimit: 0, seed: 0, workers: 1 });
      expect(seen[0]?.root).toMatch(/demo-data[\\/]bccd$/);
      expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^mAP@0\.5 \(VOC\): \d\.\d{3}$/);
      expect(r.stdout).toContain("20 images");
      const preds = JSON.parse(
        await readFile(path.join(runs, "run", "predictions", "detections.json"), "utf8"),
      );
      expect(Array.isArray(preds)).toBe(true);
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  });
});
