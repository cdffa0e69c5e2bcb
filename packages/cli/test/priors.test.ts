import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadCoco } from "@od/data/node";
import { resolveTrainConfig, trainValSplit } from "@od/train";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cocoFixture, errorLine, od, vocFixture, vocSplitFixture } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("odet priors analyze", () => {
  test("--json on the fixture: recall, buckets, classes, orphans and the HTML report", async () => {
    const html = path.join(root, "coverage.html");
    const r = await od([
      "priors",
      "analyze",
      "--data",
      root,
      "--split",
      "all",
      "--input",
      "64x64",
      "--out",
      html,
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ numImages: 2, numGt: 2, inputSize: { width: 64, height: 64 }, threshold: 0.5 });
    expect(j.numPriors).toBe((8 * 8 + 4 * 4 + 2 * 2) * 4);
    expect(j.recall).toBeGreaterThanOrEqual(0);
    expect(j.recall).toBeLessThanOrEqual(1);
    expect(typeof j.orphans).toBe("number");
    expect(j.byClass.map((b: { name: string }) => b.name)).toEqual(["blob", "cell"]);
    expect(j.report).toBe(html);
    expect(await readFile(html, "utf8")).toMatch(/^<!doctype html>/);
  });

  test("text output and presets", async () => {
    const r = await od(["priors", "analyze", "--data", root, "--split", "all", "--preset", "ssd300"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("priors: 8732 at 300x300, preset ssd300");
    expect(r.stdout).toMatch(/recall@0\.5: \d+\.\d%/);
  });

  test("--input that contradicts the preset is refused", async () => {
    const r = await od(["priors", "analyze", "--data", root, "--preset", "ssd300", "--input", "320x320"]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "priors analyze")).toMatch(
      /^odet priors analyze: --input 320x320 differs from the preset ssd300 input 300x300/,
    );
  });
});

describe("odet priors fit", () => {
  test("fits under the budget and writes a config analyze accepts", async () => {
    const cfg = path.join(root, "fitted.json");
    const r = await od([
      "priors",
      "fit",
      "--data",
      root,
      "--split",
      "all",
      "--input",
      "64x64",
      "--budget",
      "200",
      "--iterations",
      "20",
      "--out",
      cfg,
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.numPriors).toBeLessThanOrEqual(200);
    expect(j.after.recall).toBeGreaterThanOrEqual(j.before.recall - 1e-9);
    const a = await od(["priors", "analyze", "--data", root, "--split", "all", "--config", cfg, "--json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).numPriors).toBe(j.numPriors);
  });

  test("a budget below one shape per cell is a one-line error", async () => {
    const r = await od([
      "priors",
      "fit",
      "--data",
      root,
      "--split",
      "all",
      "--input",
      "64x64",
      "--budget",
      "10",
    ]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "priors fit")).toMatch(
      /^odet priors fit: fitPriors: options\.budget\.priors \(10\) is smaller/,
    );
  });
});

describe("odet priors: sizes beyond the documented bound", () => {
  test("a prior config over MAX_PRIORS is exit 2 before allocating", async () => {
    const cfg = path.join(root, "huge-priors.json");
    await writeFile(
      cfg,
      JSON.stringify({
        imageSize: { width: 320, height: 320 },
        featureMaps: [{ height: 100000, width: 100000 }],
        scales: [0.2, 0.4],
        aspectRatios: [[2]],
      }),
    );
    const r = await od(["priors", "analyze", "--data", root, "--config", cfg]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "priors analyze")).toMatch(
      /priorLayout: the config describes \d+ priors, over the limit of 4194304 \(MAX_PRIORS\)/,
    );
  });
});

describe("odet priors analyze / fit: which images (--split)", () => {
  let split: string;
  let coco: string;
  beforeAll(async () => {
    split = await vocSplitFixture();
    coco = await cocoFixture(10);
  });
  afterAll(async () => {
    await rm(split, { recursive: true, force: true });
    await rm(coco, { recursive: true, force: true });
  });
  const analyze = async (...args: string[]) => {
    const r = await od(["priors", "analyze", "--data", split, "--input", "64x64", "--json", ...args]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  test("by default train's training images only, never the test images (VOC trainval list)", async () => {
    const j = await analyze();
    expect(j).toMatchObject({ numImages: 2, numGt: 2 });
    expect(j.split).toEqual({
      name: "train",
      description: "train's training images (VOC list ImageSets/Main/trainval.txt)",
      images: 2,
    });
    const text = await od(["priors", "analyze", "--data", split, "--input", "64x64"]);
    expect(text.stdout).toContain(
      "split: train, train's training images (VOC list ImageSets/Main/trainval.txt): 2 images\n",
    );
  });

  test.each([
    ["test", 1, 2],
    ["val", 1, 2], // train validates a VOC dataset on its test list (data.valSplit)
    ["all", 3, 4],
    ["trainval", 2, 2], // any other name is the dataset's own split
  ])("--split %s: %i images, %i boxes", async (name, images, gt) => {
    const j = await analyze("--split", name);
    expect(j).toMatchObject({ numImages: images, numGt: gt, split: { name, images } });
  });

  test("fit: training images by default; a note when fitting on test images", async () => {
    const fit = async (...args: string[]) =>
      od([
        "priors",
        "fit",
        "--data",
        split,
        "--input",
        "64x64",
        "--budget",
        "200",
        "--iterations",
        "5",
        ...args,
      ]);
    const d = await fit("--json");
    expect(d.code).toBe(0);
    expect(d.stderr).toBe("");
    expect(JSON.parse(d.stdout)).toMatchObject({ split: { name: "train", images: 2 }, before: { numGt: 2 } });
    const t = await fit("--split", "test");
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('split: test, the dataset\'s split "test": 1 images');
    expect(t.stderr).toMatch(
      /^note: fitting priors on the test images makes the test mAP look better than it is/,
    );
  });

  test("COCO: the same seeded 80/20 split train makes", async () => {
    const file = path.join(coco, "instances.json");
    const r = await od(["priors", "analyze", "--data", file, "--input", "64x64", "--json"]);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    const expected = trainValSplit(
      await loadCoco(file, { policy: "clip" }),
      resolveTrainConfig({ data: { root: file } }),
    );
    expect(got.split).toEqual({
      name: "train",
      description: "train's training images (seeded split: 80% of 10 images, seed 0)",
      images: 8,
    });
    expect(got.numImages).toBe(expected.train.images.length);
    const val = JSON.parse(
      (await od(["priors", "analyze", "--data", file, "--split", "val", "--input", "64x64", "--json"]))
        .stdout,
    );
    expect(val.numImages).toBe(expected.val.images.length);
  });

  test("a VOC dataset without train's list: one-line error naming it and the way out", async () => {
    const r = await od(["priors", "analyze", "--data", root]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "priors analyze")).toMatch(
      /--split train means the training images of train, the VOC list ImageSets[/\\]Main[/\\]trainval\.txt, which .* does not have; pass --split all/,
    );
  });
});

describe("units", () => {
  test("priors analyze labels its size buckets as px at the network input", async () => {
    const r = await od(["priors", "analyze", "--data", root, "--split", "all", "--input", "64x64"]);
    expect(r.stdout).toMatch(/^size √\(w·h\), px at the network input 64x64 +GT/m);
    const j = JSON.parse(
      (await od(["priors", "analyze", "--data", root, "--split", "all", "--input", "64x64", "--json"]))
        .stdout,
    );
    expect(j.sizeUnits).toBe("px at the network input (64x64)");
  });
  test("the orphan list names classes", async () => {
    const j = JSON.parse(
      (await od(["priors", "analyze", "--data", root, "--split", "all", "--input", "64x64", "--json"]))
        .stdout,
    );
    expect(j.orphans).toBeGreaterThan(0);
    for (const o of j.orphanList) expect(["blob", "cell"]).toContain(o.className);
  });
});

describe("defaultPriorConfig", () => {
  test("is the grid of train's default detector with the scales prior fitting starts from (one home: @od/ssd)", async () => {
    const { defaultPriorConfig } = await import("../src/internal/priors-commands.js");
    const { defaultSsdConfig, PRIOR_FIT_DEFAULTS, SSD_DEFAULTS, SsdDetector } = await import("@od/ssd");
    for (const input of [SSD_DEFAULTS.inputSize, { width: 250, height: 190 }]) {
      const d = new SsdDetector(
        defaultSsdConfig({ classNames: ["a"], inputSize: input, priors: { ...PRIOR_FIT_DEFAULTS } }),
      );
      try {
        expect(defaultPriorConfig(input)).toEqual(d.priorConfig);
      } finally {
        d.dispose();
      }
    }
  });
});
