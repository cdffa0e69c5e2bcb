import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BCCD, od, vocFixture } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("odet data check", () => {
  test("finds the zero-area box; policy error exits 1 and lists it", async () => {
    const r = await od(["data", "check", root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /Annotations\/img1\.xml\s+object\[1\]\s+\[40, 10, 40, 10\]\s+zero-area\s+rejected/,
    );
    expect(r.stdout).toContain("issues: 1 (zero-area: 1)");
    expect(r.stderr).toBe("");
  });

  test("policy drop handles it: exit 0 with the report", async () => {
    const r = await od(["data", "check", root, "--policy", "drop"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/zero-area\s+dropped/);
    expect(r.stdout).toContain("images: 2 read, 2 kept; boxes: 3 read, 2 kept");
  });

  test("--json parses and carries every field", async () => {
    const r = await od(["data", "check", root, "--json", "--split", "all"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      format: "voc",
      split: "all",
      policy: "error",
      ok: false,
      summary: { "zero-area": 1 },
    });
    expect(j.classNames).toEqual(["blob", "cell"]);
    expect(j.issues).toEqual([
      {
        file: "Annotations/img1.xml",
        image: "img1",
        index: 1,
        where: "object[1]",
        value: [40, 10, 40, 10],
        reason: "zero-area",
        action: "rejected",
      },
    ]);
  });

  test("a missing split is a one-line load failure (exit 2)", async () => {
    const r = await od(["data", "check", root, "--split", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^odet data check: loadVoc: cannot read split list .*nope\.txt.*\n$/);
  });

  test("the shipped demo slice is clean", async () => {
    const demo = fileURLToPath(new URL("../demo-data/bccd", import.meta.url));
    for (const split of ["trainval", "test"]) {
      const r = await od(["data", "check", demo, "--split", split, "--json"]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.imagesKept).toBe(split === "test" ? 20 : 60);
      expect(j.classNames).toEqual(["Platelets", "RBC", "WBC"]);
    }
  });

  test.skipIf(!existsSync(BCCD))("BCCD: the two zero-area boxes", async () => {
    const r = await od(["data", "check", BCCD, "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.issues.map((i: { image: string }) => i.image)).toEqual(["BloodImage_00338", "BloodImage_00343"]);
  });
});

describe("odet data stats", () => {
  test("JSON statistics and SVG plots in --out", async () => {
    const out = path.join(root, "stats");
    const r = await od(["data", "stats", root, "--out", out, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("note: 1 issue(s) handled by policy clip (zero-area: 1)");
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ images: 2, boxes: 2, negatives: 0 });
    expect(j.classes.map((c: { name: string; boxes: number }) => [c.name, c.boxes])).toEqual([
      ["blob", 1],
      ["cell", 1],
    ]);
    const files = (await readdir(out)).sort();
    expect(files).toContain("stats.json");
    expect(files).toContain("classes.svg");
    expect(await readFile(path.join(out, "sizePx.svg"), "utf8")).toMatch(/^<svg /);
  });

  test("text summary", async () => {
    const r = await od(["data", "stats", root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("images: 2 (0 without boxes); boxes: 2");
    expect(r.stdout).toMatch(/cell\s+1\s+50\.0%/);
  });
});
