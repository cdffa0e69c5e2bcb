import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { drawSample, makeSample } from "@od/augment";
import { decodeImageFile } from "@od/data/node";
import { configFromFeatureMaps } from "@od/priors";
import { CropClassifier, featureSize, SsdDetector } from "@od/ssd";
import { loadDetector, saveClassifier, saveDetector } from "@od/ssd/node";
import { initBackend } from "@od/tf";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import {
  errorLine,
  od,
  png,
  RUN_DIRS,
  saveTinyDetector,
  tinyDetectorConfig,
  trainNotUsed,
} from "./helpers.js";

let root: string;
let model: string;
let fitted: string;
let oddSteps: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-cli-predict-"));
  await mkdir(path.join(root, "imgs", "sub"), { recursive: true });
  await mkdir(path.join(root, "empty"));
  await writeFile(path.join(root, "imgs", "b.png"), png(64, 48, 2));
  await writeFile(path.join(root, "imgs", "a.png"), png(48, 40, 1));
  await writeFile(path.join(root, "imgs", "notes.txt"), "not an image");
  await writeFile(path.join(root, "imgs", "sub", "c.png"), png(40, 40, 3));
  await writeFile(path.join(root, "empty", "readme.md"), "no images here");
  await initBackend({ prefer: ["cpu"] });
  model = path.join(root, "model");
  await saveTinyDetector(model);
  // explicit prior configs (as priors fit and train's default write): one whose grid can follow another
  // input size (stride spacing), one whose 7 px spacing has no counterpart at another size
  const explicitModel = async (dir: string, steps: number[]) => {
    const config = configFromFeatureMaps(
      [8, 16, 32].map((s) => ({ width: featureSize(64, s), height: featureSize(64, s) })),
      { width: 64, height: 64 },
      { minScale: 0.1, maxScale: 0.6, aspectRatios: [2], steps },
    );
    const f = new SsdDetector(tinyDetectorConfig({ priors: { config } }));
    await saveDetector(f, dir);
    f.dispose();
  };
  fitted = path.join(root, "fitted");
  await explicitModel(fitted, [8, 16, 32]);
  oddSteps = path.join(root, "odd");
  await explicitModel(oddSteps, [7, 16, 32]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const predict = (args: string[]) =>
  od(["predict", "--model", model, "--out", path.join(root, "out"), "--backend", "cpu", "--json", ...args], {
    cwd: root,
  });
const imagesOf = (stdout: string) =>
  (JSON.parse(stdout).images as { id: number; file: string }[]).map((i) => [
    i.id,
    path.relative(root, i.file),
  ]);

describe("odet predict: folders and globs", () => {
  test("a folder: its images sorted by path, not its sub-folders; other files skipped with a note", async () => {
    const r = await predict(["imgs"]);
    expect(r.code).toBe(0);
    expect(imagesOf(r.stdout)).toEqual([
      [1, path.join("imgs", "a.png")],
      [2, path.join("imgs", "b.png")],
    ]);
    expect(r.stderr).toMatch(
      /^note: skipped 1 file\(s\) that are not JPEG or PNG \(e\.g\. .*notes\.txt\)\n$/,
    );
  });

  test("--recursive reads sub-folders too", async () => {
    const r = await predict(["imgs", "--recursive"]);
    expect(imagesOf(r.stdout).map((x) => x[1])).toEqual([
      path.join("imgs", "a.png"),
      path.join("imgs", "b.png"),
      path.join("imgs", "sub", "c.png"),
    ]);
  });

  test("glob patterns (as a quoted argument reaches the program), in argument order, no duplicates", async () => {
    const r = await predict(["imgs/sub/*.png", "imgs/*.png"]);
    expect(r.code).toBe(0);
    expect(imagesOf(r.stdout)).toEqual([
      [1, path.join("imgs", "sub", "c.png")],
      [2, path.join("imgs", "a.png")],
      [3, path.join("imgs", "b.png")],
    ]);
    const deep = await predict(["imgs/**/*.png", "imgs/a.png"]);
    expect(imagesOf(deep.stdout)).toHaveLength(3);
    expect(deep.stderr).toMatch(/note: 1 image\(s\) named more than once are predicted once/);
  });

  test.each([
    [["imgs/*.jpg"], "odet predict: no JPEG or PNG image matches imgs/*.jpg"],
    [
      ["empty"],
      "odet predict: folder empty has no JPEG or PNG images (add --recursive to look into its sub-folders)",
    ],
    [["nope.png"], "odet predict: image nope.png does not exist"],
  ])("%j: one-line error", async (args, message) => {
    const r = await predict(args);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "predict")).toBe(message);
  });
});

describe("odet predict: post-processing flags", () => {
  const count = async (...args: string[]) => {
    const r = await predict(["imgs/b.png", "--conf", "0", ...args]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).detections.length as number;
  };

  test("--max-det caps the detections per image", async () => {
    expect(await count()).toBeGreaterThan(1);
    expect(await count("--max-det", "1")).toBe(1);
    const bad = await predict(["imgs/b.png", "--max-det", "0"]);
    expect(bad.code).toBe(2);
  });

  test("--iou is the NMS threshold: a lower one suppresses more", async () => {
    expect(await count("--iou", "0.1")).toBeLessThan(await count("--iou", "1"));
    expect((await predict(["imgs/b.png", "--iou", "1.5"])).code).toBe(2);
  });

  test("--conf and --score are the same option", async () => {
    const a = await predict(["imgs/b.png", "--conf", "0.4"]);
    const b = await predict(["imgs/b.png", "--score", "0.4"]);
    expect(JSON.parse(a.stdout).detections).toEqual(JSON.parse(b.stdout).detections);
    expect(JSON.parse(a.stdout).detections).not.toEqual(
      JSON.parse((await predict(["imgs/b.png", "--conf", "0"])).stdout).detections,
    );
  });

  test("--imgsz runs the model at another input size when its priors follow the input", async () => {
    const a = await predict(["imgs/b.png", "--conf", "0", "--max-det", "500"]);
    const b = await predict(["imgs/b.png", "--conf", "0", "--max-det", "500", "--imgsz", "96"]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).detections).not.toEqual(JSON.parse(a.stdout).detections);
    for (const d of JSON.parse(b.stdout).detections) {
      expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(64.01);
      expect(d.bbox[1] + d.bbox[3]).toBeLessThanOrEqual(48.01);
    }
    expect((await predict(["imgs/b.png", "--imgsz", "96x64"])).code).toBe(0);
    expect((await predict(["imgs/b.png", "--imgsz", "0"])).code).toBe(2);
  });

  test("--imgsz keeps the crop classifier of a staged run", async () => {
    const run = path.join(root, "staged");
    await saveTinyDetector(path.join(run, "model"), { classNames: ["object"] });
    const k = new CropClassifier({ classNames: ["blob", "cell"], cropSize: 16, width: 4, seed: 1 });
    await saveClassifier(k, path.join(run, "classifier"));
    k.dispose();
    const { loadRunPredictor } = await import("@od/train/node");
    const node: TrainNode = { ...RUN_DIRS, train: trainNotUsed, loadRunPredictor };
    const args = [
      "predict",
      "--model",
      run,
      "--out",
      path.join(run, "p"),
      "--backend",
      "cpu",
      "--conf",
      "0",
      "--json",
    ];
    const a = await od([...args, "imgs/b.png"], { cwd: root, loadTrainNode: async () => node });
    const b = await od([...args, "--imgsz", "96", "imgs/b.png"], {
      cwd: root,
      loadTrainNode: async () => node,
    });
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).categories).toEqual([
      { id: 1, name: "blob" },
      { id: 2, name: "cell" },
    ]);
    expect(JSON.parse(b.stdout).detections.length).toBeGreaterThan(0);
    expect(JSON.parse(b.stdout).detections).not.toEqual(JSON.parse(a.stdout).detections);
  });

  test("--imgsz on a model with an explicit (fitted) prior config: its shapes on the new grid", async () => {
    const args = ["predict", "--model", fitted, "--out", path.join(root, "o2"), "--backend", "cpu", "--json"];
    const a = await od([...args, "--conf", "0", "imgs/a.png"], { cwd: root });
    const b = await od([...args, "--conf", "0", "--imgsz", "96", "imgs/a.png"], { cwd: root });
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).detections).not.toEqual(JSON.parse(a.stdout).detections);
  });

  test("--imgsz on a model whose prior grid cannot follow: one-line error naming its size and why", async () => {
    const r = await od(
      [
        "predict",
        "--model",
        oddSteps,
        "--out",
        path.join(root, "o3"),
        "--backend",
        "cpu",
        "--imgsz",
        "96",
        "imgs/a.png",
      ],
      { cwd: root },
    );
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "predict")).toBe(
      "odet predict: withInputSize: the detector cannot change its 64x64 input size: level 0 of its prior config has centre spacing 7 px, which is neither input / cells nor a power-of-two stride",
    );
  });
});

describe("odet predict: outputs", () => {
  test("boxes are drawn with class names and scores", async () => {
    const out = path.join(root, "drawn");
    const r = await od(
      [
        "predict",
        "--model",
        model,
        "--out",
        out,
        "--backend",
        "cpu",
        "--conf",
        "0",
        "--max-det",
        "3",
        "imgs/b.png",
      ],
      { cwd: root },
    );
    expect(r.code).toBe(0);
    const written = PNG.sync.read(await readFile(path.join(out, "b.png")));
    const image = await decodeImageFile(path.join(root, "imgs", "b.png"));
    const detector = await loadDetector(model);
    const [det] = await detector.predict([{ data: image.data, shape: image.shape }], {
      scoreThreshold: 0,
      maxDetections: 3,
    });
    detector.dispose();
    const sample = makeSample(
      image,
      det!.boxes,
      Int32Array.from(det!.labels, (l) => l - 1),
    );
    const withScores = drawSample(sample, { labelNames: ["blob", "cell"], scores: det!.scores });
    const namesOnly = drawSample(sample, { labelNames: ["blob", "cell"] });
    const rgb = (data: Uint8Array) =>
      Uint8Array.from({ length: 64 * 48 * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]!);
    expect(Buffer.from(rgb(written.data)).equals(Buffer.from(withScores.data as Uint8Array))).toBe(true);
    expect(Buffer.from(rgb(written.data)).equals(Buffer.from(namesOnly.data as Uint8Array))).toBe(false);
  });

  test("--save-json writes the COCO results (ids as documented) to a file of your choice", async () => {
    const out = path.join(root, "saved");
    const file = path.join(root, "results", "coco.json");
    const r = await od(
      [
        "predict",
        "--model",
        model,
        "--out",
        out,
        "--backend",
        "cpu",
        "--conf",
        "0.2",
        "--save-json",
        file,
        "imgs",
      ],
      { cwd: root },
    );
    expect(r.code).toBe(0);
    const saved = JSON.parse(await readFile(file, "utf8"));
    expect(saved).toEqual(JSON.parse(await readFile(path.join(out, "detections.json"), "utf8")));
    expect(r.stdout).toContain(`${path.join(root, "imgs", "a.png")} (image_id 1)`);
    expect(r.stdout).toContain(`${path.join(root, "imgs", "b.png")} (image_id 2)`);
    expect(r.stdout).toContain("category_id: 1 blob, 2 cell");
    for (const d of saved) {
      expect(Object.keys(d).sort()).toEqual(["bbox", "category_id", "image_id", "score"]);
      expect([1, 2]).toContain(d.image_id);
      expect(d.score).toBeGreaterThan(0.2);
    }
  });
});
