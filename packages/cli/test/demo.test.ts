import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { od } from "./helpers.js";

// `odet demo` trains a fixed number of epochs from a fixed seed: two runs print the same evaluation and
// save the same weights, whatever the machine's load (a short variant: 1 epoch, the real trainer).
let runs: string;
beforeAll(async () => {
  runs = await mkdtemp(path.join(tmpdir(), "od-cli-demo-repro-"));
});
afterAll(async () => {
  await rm(runs, { recursive: true, force: true });
});

/** stdout from the evaluation on (tables, confusion matrix, the mAP lines), without file paths. */
const evaluation = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => !l.startsWith("epoch ") && !l.startsWith("annotated predictions"))
    .join("\n");

test("two demo runs with the same seed print the same mAP and save the same weights", async () => {
  const load = async () => import("@od/train/node");
  const a = await od(["demo", "--epochs", "1", "--backend", "wasm"], { cwd: runs, loadTrainNode: load });
  expect(a.code, a.stderr).toBe(0);
  const b = await od(["demo", "--epochs", "1", "--backend", "wasm"], { cwd: runs, loadTrainNode: load });
  expect(b.code, b.stderr).toBe(0);
  // without --out: runs/demo, then runs/demo2
  expect(a.stderr).toContain(`into ${path.join("runs", "demo")}\n`);
  expect(b.stderr).toContain(`into ${path.join("runs", "demo2")}\n`);
  const last = (s: string) => s.trimEnd().split("\n").at(-1);
  expect(last(a.stdout)).toMatch(/^mAP@0\.5 \(VOC\): \d\.\d{3}$/);
  expect(last(b.stdout)).toBe(last(a.stdout));
  expect(evaluation(b.stdout)).toBe(evaluation(a.stdout));
  const weights = (dir: string) => readFile(path.join(runs, "runs", dir, "model", "weights.bin"));
  expect((await weights("demo2")).equals(await weights("demo"))).toBe(true);
  const config = JSON.parse(await readFile(path.join(runs, "runs", "demo", "config.json"), "utf8"));
  expect(config.train).toMatchObject({ epochs: 1, seed: 0, timeLimitSeconds: 0, workers: 1 });
}, 300_000);
