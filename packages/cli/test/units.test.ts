import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { od, vocFixture } from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocFixture({ clean: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("units are labelled", () => {
  test("data stats: sizes are px of the original image (text and JSON)", async () => {
    const r = await od(["data", "stats", root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^class +boxes +share +images +difficult +crowd +median size √\(w·h\), px of the original image$/m,
    );
    expect(r.stdout).toMatch(/^box size sqrt\(w\*h\), px of the original image: /m);
    const j = JSON.parse((await od(["data", "stats", root, "--json"])).stdout);
    expect(j.sizePx.label).toBe("box size sqrt(w*h), px of the original image");
  });

  test("priors analyze: sizes are px at the network input (and says which input)", async () => {
    const r = await od(["priors", "analyze", "--data", root, "--split", "all", "--input", "64x64"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^size √\(w·h\), px at the network input 64x64 +GT +covered/m);
  });
});
