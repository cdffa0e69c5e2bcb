import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeImageFile } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errorLine, od, vocFixture } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("odet show", () => {
  test("writes a grid PNG of n versions, the same bytes for the same seed", async () => {
    const a = path.join(root, "a.png");
    const b = path.join(root, "b.png");
    const r = await od(["show", "--data", root, "--n", "4", "--seed", "3", "--out", a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${a}: 4 versions of img1 (augment ssd, seed 3)`);
    await od(["show", "--data", root, "--n", "4", "--seed", "3", "--out", b]);
    const bytes = await readFile(a);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(bytes.equals(await readFile(b))).toBe(true);
    const img = await decodeImageFile(a);
    expect(img.shape).toEqual([2 * 258 + 2, 2 * 258 + 2, 3]);
  });

  test("--augment from a YAML training config, --index, --json", async () => {
    const cfg = path.join(root, "aug.yaml");
    await writeFile(cfg, "augment:\n  preset: light\nmodel:\n  inputSize: { width: 64, height: 64 }\n");
    const out = path.join(root, "c.png");
    const r = await od([
      "show",
      "--data",
      root,
      "--augment",
      cfg,
      "--index",
      "1",
      "--n",
      "2",
      "--out",
      out,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      out,
      image: "img2",
      n: 2,
      augment: `${cfg} (preset light)`,
    });
  });

  test("bad --augment and --index", async () => {
    const a = await od(["show", "--data", root, "--augment", "heavy"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(
      /^odet show: --augment must be ssd, light, none or a .json\/.yaml training config/,
    );
    const b = await od(["show", "--data", root, "--index", "9"]);
    expect(b.code).toBe(2);
    expect(errorLine(b.stderr, "show")).toBe(
      "odet show: --index 9 is out of range: the dataset has 2 image(s)",
    );
  });
});
