import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test as ftest } from "@fast-check/vitest";
import { splitDataset, syntheticShapes } from "@od/data";
import { loadCoco, loadVoc, writeCocoFile, writeSyntheticVoc } from "@od/data/node";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { resolveTrainConfig, trainValSplit } from "../src/index.js";
import { loadTrainingData } from "../src/node.js";

const files = (ds: { images: readonly { file: string }[] }) => ds.images.map((r) => r.file);

describe("trainValSplit", () => {
  test("default config: 80/20, seed 0, the same as splitDataset with those settings", () => {
    const { dataset } = syntheticShapes({ count: 20, seed: 1 });
    const c = resolveTrainConfig({ data: { root: "x" } });
    expect(c.data.valFraction).toBe(0.2);
    expect(c.train.seed).toBe(0);
    const s = trainValSplit(dataset, c);
    expect(s.train.images).toHaveLength(16);
    expect(s.val.images).toHaveLength(4);
    const ref = splitDataset(dataset, { fractions: { train: 0.8, val: 0.2 }, seed: 0 });
    expect(files(s.train)).toEqual(files(ref.train!));
    expect(files(s.val)).toEqual(files(ref.val!));
    expect(s.train.classNames).toEqual(dataset.classNames);
  });

  test("valFraction 0: every image trains, validation is empty", () => {
    const { dataset } = syntheticShapes({ count: 5 });
    const s = trainValSplit(dataset, resolveTrainConfig({ data: { root: "x", valFraction: 0 } }));
    expect(s.train.images).toHaveLength(5);
    expect(s.val.images).toHaveLength(0);
  });

  ftest.prop(
    [fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 1000 })],
    {
      numRuns: 30,
    },
  )("a partition of the images; the same seed gives the same split", (count, tenths, seed) => {
    const { dataset } = syntheticShapes({ count, seed: 2 });
    const c = { data: { valFraction: tenths / 10 }, train: { seed } };
    const s = trainValSplit(dataset, c);
    expect([...files(s.train), ...files(s.val)].sort()).toEqual(files(dataset).sort());
    expect(new Set([...files(s.train), ...files(s.val)]).size).toBe(count);
    expect(files(trainValSplit(dataset, c).val)).toEqual(files(s.val));
  });

  test("loadTrainingData splits a COCO dataset exactly as trainValSplit does", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "od-train-split-"));
    try {
      const voc = await writeSyntheticVoc(path.join(root, "voc"), { count: 15, seed: 4 });
      const file = path.join(root, "coco", "instances.json");
      await writeCocoFile(await loadVoc(voc), file, { copyImages: true });
      const c = resolveTrainConfig({
        data: { root: file, format: "coco", valFraction: 0.3 },
        train: { seed: 7 },
      });
      const loaded = await loadTrainingData(c);
      const expected = trainValSplit(await loadCoco(file, { policy: c.data.policy }), c);
      expect(files(loaded.train)).toEqual(files(expected.train));
      expect(files(loaded.val)).toEqual(files(expected.val));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("data.classNames sets a VOC dataset's class order (labels follow it); a COCO file's other order is refused", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "od-train-classes-"));
    try {
      const voc = await writeSyntheticVoc(path.join(root, "voc"), { count: 6, seed: 4 });
      const sorted = await loadTrainingData(resolveTrainConfig({ data: { root: voc } }));
      const reversed = [...sorted.classNames].reverse();
      expect(reversed).not.toEqual(sorted.classNames);
      const ordered = await loadTrainingData(
        resolveTrainConfig({ data: { root: voc, classNames: reversed } }),
      );
      expect(ordered.classNames).toEqual(reversed);
      expect(ordered.val.classNames).toEqual(reversed);
      // the same boxes, each label now the index of its name in the new order
      const names = (ds: typeof sorted.train) =>
        ds.images.flatMap((r) => Array.from(r.labels, (l) => ds.classNames[l]));
      expect(names(ordered.train)).toEqual(names(sorted.train));
      expect(ordered.train.images.flatMap((r) => Array.from(r.labels))).not.toEqual(
        sorted.train.images.flatMap((r) => Array.from(r.labels)),
      );
      const file = path.join(root, "coco", "instances.json");
      await writeCocoFile(await loadVoc(voc), file, { copyImages: true });
      await expect(
        loadTrainingData(resolveTrainConfig({ data: { root: file, format: "coco", classNames: reversed } })),
      ).rejects.toThrow(/data.classNames .* keeps its own order/);
      const same = await loadTrainingData(
        resolveTrainConfig({ data: { root: file, format: "coco", classNames: sorted.classNames } }),
      );
      expect(same.classNames).toEqual(sorted.classNames);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
