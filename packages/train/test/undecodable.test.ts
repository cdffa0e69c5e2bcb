import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadVoc, writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resolveTrainConfig } from "../src/index.js";
import { loadTrainingData } from "../src/node.js";

let root: string;
let data: string;
const cut: string[] = [];
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-train-undecodable-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 8, size: 64, seed: 2, trainCount: 6 });
  for (const split of ["trainval", "test"]) {
    const r = (await loadVoc(data, { split })).images[0]!;
    const file = path.join(data, r.file);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    cut.push(r.file);
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loadTrainingData: images that do not decode", () => {
  test("are dropped under the data policy (clip by default) and reported, in train and val alike", async () => {
    const { train, val } = await loadTrainingData(resolveTrainConfig({ data: { root: data } }));
    expect([train.images.length, val.images.length]).toEqual([5, 1]);
    for (const [ds, file] of [
      [train, cut[0]],
      [val, cut[1]],
    ] as const) {
      expect(ds.images.map((r) => r.file)).not.toContain(file);
      expect(ds.report.issues).toContainEqual(
        expect.objectContaining({ file, reason: "unreadable-image", action: "image-dropped" }),
      );
    }
  });
  test("policy error stops before training, naming the file", async () => {
    await expect(
      loadTrainingData(resolveTrainConfig({ data: { root: data, policy: "error" } })),
    ).rejects.toThrow(new RegExp(`image "${cut[0]}" cannot be decoded`));
  });
});
