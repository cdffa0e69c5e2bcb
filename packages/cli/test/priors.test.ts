import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errorLine, od, vocFixture } from "./helpers.js";

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
    const r = await od(["priors", "analyze", "--data", root, "--input", "64x64", "--out", html, "--json"]);
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
    const r = await od(["priors", "analyze", "--data", root, "--preset", "ssd300"]);
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
    const a = await od(["priors", "analyze", "--data", root, "--config", cfg, "--json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).numPriors).toBe(j.numPriors);
  });

  test("a budget below one shape per cell is a one-line error", async () => {
    const r = await od(["priors", "fit", "--data", root, "--input", "64x64", "--budget", "10"]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "priors fit")).toMatch(
      /^odet priors fit: fitPriors: options\.budget\.priors \(10\) is smaller/,
    );
  });
});
