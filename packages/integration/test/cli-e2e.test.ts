import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "@od/cli";
import { writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, expect, test } from "vitest";

// The whole user journey through the `odet` CLI on a tiny slice: check the data, train with checkpoints,
// resume, evaluate, predict. Kept small (64 px synthetic images, a narrow model, 3 epochs) so it runs
// in well under 3 minutes on 2 cores.
let root: string;
let data: string;

function capture() {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-e2e-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 16, size: 64, seed: 21, trainCount: 12 });
  await writeFile(
    path.join(root, "train.json"),
    JSON.stringify({
      model: {
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      },
      augment: { preset: "light" },
      train: { batchSize: 4, warmupSteps: 2, lr: 3e-3 },
      eval: { everyEpochs: 1, samples: 2 },
    }),
  );
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

test("data check → train → resume → eval → predict", async () => {
  const run = path.join(root, "runs", "tiny");
  let c = capture();
  expect(await runCli(["data", "check", data, "--json"], c.io)).toBe(0);
  expect(JSON.parse(c.out()).issues ?? []).toEqual([]);

  c = capture();
  const cfg = path.join(root, "train.json");
  expect(
    await runCli(
      ["train", "--data", data, "--out", run, "--config", cfg, "--epochs", "2", "--backend", "cpu"],
      c.io,
    ),
  ).toBe(0);
  expect(JSON.parse(await readFile(path.join(run, "checkpoints", "last.json"), "utf8"))).toMatchObject({
    epoch: 2,
  });

  c = capture();
  expect(
    await runCli(
      [
        "train",
        "--data",
        data,
        "--out",
        run,
        "--config",
        cfg,
        "--epochs",
        "3",
        "--resume",
        "--backend",
        "cpu",
      ],
      c.io,
    ),
  ).toBe(0);
  expect(JSON.parse(await readFile(path.join(run, "summary.json"), "utf8"))).toMatchObject({
    epochsCompleted: 3,
  });

  c = capture();
  const evalOut = path.join(root, "eval");
  expect(
    await runCli(
      [
        "eval",
        "--model",
        run,
        "--data",
        data,
        "--split",
        "test",
        "--out",
        evalOut,
        "--json",
        "--backend",
        "cpu",
      ],
      c.io,
    ),
  ).toBe(0);
  const metrics = JSON.parse(c.out());
  expect(JSON.stringify(metrics)).toMatch(/mAP/);
  expect((await readdir(evalOut)).some((f) => f.endsWith(".svg"))).toBe(true);

  c = capture();
  const predOut = path.join(root, "pred");
  const img = path.join(data, "JPEGImages", "synthetic-0013.png");
  expect(
    await runCli(
      ["predict", "--model", run, img, "--out", predOut, "--score", "0.05", "--backend", "cpu"],
      c.io,
    ),
  ).toBe(0);
  const files = await readdir(predOut);
  expect(files).toContain("detections.json");
  expect(files.some((f) => f.endsWith(".png"))).toBe(true);
  const dets = JSON.parse(await readFile(path.join(predOut, "detections.json"), "utf8")) as {
    bbox: number[];
  }[];
  for (const d of dets) expect(d.bbox).toHaveLength(4);

  c = capture();
  expect(await runCli(["train", "--data", path.join(root, "missing"), "--out", run], c.io)).toBe(2);
  expect(c.err().trim().split("\n")).toHaveLength(1);
}, 180_000);
