import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resolveTrainConfig } from "../src/index.js";
import { loadPriorsFile, prepareRunDir, type TrainEvent, train } from "../src/node.js";

// What a run folder holds and what a resumed run trains: the folder policy (refuse, existOk), resume
// with the run's own settings (epochs, time limit) or changed ones, and prior configs read from a file.
let root: string;
let data: string;
/** A finished 1-epoch run (config below), copied by tests that change it. */
let finished: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-train-options-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 8, size: 64, seed: 9, trainCount: 6 });
  finished = path.join(root, "finished");
  await train(config({ epochs: 1 }), { out: finished });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const config = (train: Record<string, unknown> = {}, model: Record<string, unknown> = {}) => ({
  data: { root: data },
  model: {
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
    ...model,
  },
  augment: { preset: "none" },
  train: { batchSize: 3, warmupSteps: 1, backends: ["cpu"], seed: 1, ...train },
  eval: { everyEpochs: 1, samples: 1 },
});

/** A copy of the finished run. */
async function copyOfFinished(name: string): Promise<string> {
  const dir = path.join(root, name);
  await cp(finished, dir, { recursive: true });
  return dir;
}

const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8"));

function recorder() {
  const events: TrainEvent[] = [];
  return { events, onEvent: (e: TrainEvent) => events.push(e), types: () => events.map((e) => e.type) };
}

describe("train() and the run folder", () => {
  test("a new run that cannot start leaves no files: a missing folder stays missing, an empty one empty", async () => {
    // tfjs-node is not a dependency: asking for it fails after config.json was written, before training
    const missing = path.join(root, "cannot-start");
    const noBackend = config({ epochs: 1, backends: ["tensorflow"] });
    await expect(train(noBackend, { out: missing })).rejects.toThrow(/tensorflow/);
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
    const empty = path.join(root, "cannot-start-empty");
    await mkdir(empty);
    await expect(train(noBackend, { out: empty })).rejects.toThrow(/tensorflow/);
    expect(await readdir(empty)).toEqual([]);
    // a dataset error (no such folder) undoes the same way, and the corrected command then starts there
    const bad = { ...config({ epochs: 1 }), data: { root: path.join(root, "no-such-data") } };
    await expect(train(bad, { out: missing })).rejects.toThrow();
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
  });
  test("a new run into a finished run's folder is refused (RUN_EXISTS) and leaves it as it was", async () => {
    const dir = await copyOfFinished("refused");
    const before = (await readdir(dir)).sort();
    const log = await readFile(path.join(dir, "log.jsonl"), "utf8");
    const e = await train(config({ epochs: 1 }), { out: dir }).catch((x: unknown) => x);
    expect(isOdError(e, "RUN_EXISTS")).toBe(true);
    expect((e as Error).message).toMatch(/is not empty \(a run from \d{4}-\d\d-\d\dT/);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect(await readFile(path.join(dir, "log.jsonl"), "utf8")).toBe(log);
  });

  test("every entry a finished run writes is an entry existOk removes (the list is complete)", async () => {
    const dir = await copyOfFinished("cleared");
    await prepareRunDir(dir, { existOk: true });
    expect(await readdir(dir)).toEqual([]);
  });

  test("existOk: the new run starts from scratch; nothing of the old run survives", async () => {
    const dir = await copyOfFinished("exist-ok");
    await writeFile(path.join(dir, "predictions", "stale.png"), "old");
    const r = recorder();
    const s = await train(config({ epochs: 1, seed: 2 }), { out: dir, existOk: true, onEvent: r.onEvent });
    expect(s.epochsCompleted).toBe(1);
    expect(r.events.find((e) => e.type === "start")).toMatchObject({ startEpoch: 0 });
    const lines = (await readFile(path.join(dir, "log.jsonl"), "utf8")).trim().split("\n");
    expect(lines.filter((l) => l.includes('"type":"start"'))).toHaveLength(1);
    expect(await readdir(path.join(dir, "predictions"))).not.toContain("stale.png");
    expect((await readJson(path.join(dir, "config.json"))).train.seed).toBe(2);
  });
});

describe("train({ resume }) keeps the run's own settings", () => {
  test("resumed with no settings: the saved epochs, not the default; no override", async () => {
    const dir = await copyOfFinished("resume-as-saved");
    const r = recorder();
    const s = await train({}, { out: dir, resume: true, onEvent: r.onEvent });
    expect(s.epochsCompleted).toBe(1);
    expect(r.types()).not.toContain("step");
    expect(r.events.find((e) => e.type === "resume")).toEqual({
      type: "resume",
      epochsCompleted: 1,
      overrides: [],
    });
  });

  test("a changed setting is reported, trained with and written to config.json", async () => {
    const dir = await copyOfFinished("resume-more");
    const r = recorder();
    const s = await train({ train: { epochs: 2 } }, { out: dir, resume: true, onEvent: r.onEvent });
    expect(s.epochsCompleted).toBe(2);
    expect(r.events.find((e) => e.type === "resume")).toEqual({
      type: "resume",
      epochsCompleted: 1,
      overrides: [{ key: "train.epochs", from: 1, to: 2 }],
    });
    const start = r.events.find((e) => e.type === "start") as Extract<TrainEvent, { type: "start" }>;
    expect(start).toMatchObject({ startEpoch: 1, epochs: 2, timeLimitSeconds: 0 });
    expect(start.elapsedSeconds).toBeGreaterThan(0);
    expect((await readJson(path.join(dir, "config.json"))).train.epochs).toBe(2);
    // step and epoch events carry the run's training time, the time before the resume included
    const t = r.events
      .filter((e) => e.type === "step" || e.type === "epoch")
      .map((e) => (e as { elapsedSeconds: number }).elapsedSeconds);
    expect(t.length).toBeGreaterThan(2);
    expect(t[0]!).toBeGreaterThan(start.elapsedSeconds);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
  });

  test("the model cannot change on resume: INVALID_CONFIG naming the key", async () => {
    const dir = await copyOfFinished("resume-model");
    await expect(train({ model: { head: "conv" } }, { out: dir, resume: true })).rejects.toSatisfy(
      (e: unknown) =>
        isOdError(e, "INVALID_CONFIG") &&
        /model\.head cannot change when resuming .*saved "separable", given "conv"/.test(
          (e as Error).message,
        ),
    );
  });

  test("a time-limited run keeps its limit: time spent counts, and a spent limit trains nothing more", async () => {
    const dir = path.join(root, "limited");
    // 1 ms: the limit is crossed after the first step
    const first = await train(config({ epochs: 3, timeLimitSeconds: 0.001 }), { out: dir });
    expect(first.stoppedBy).toBe("time-limit");
    expect(first.epochsCompleted).toBe(1);
    const again = recorder();
    const resumed = await train({}, { out: dir, resume: true, onEvent: again.onEvent });
    expect(resumed.stoppedBy).toBe("time-limit");
    expect(resumed.epochsCompleted).toBe(1);
    expect(again.types()).not.toContain("step");
    const stopped = again.events.find((e) => e.type === "stopped");
    expect(stopped).toMatchObject({ reason: expect.stringMatching(/time limit of 0.001 s already reached/) });
    const start = again.events.find((e) => e.type === "start");
    expect(start).toMatchObject({ timeLimitSeconds: 0.001, epochs: 3 });
    expect((start as { elapsedSeconds: number }).elapsedSeconds).toBeGreaterThan(0.001);
    // lifting the limit continues to the saved 3 epochs
    const lifted = recorder();
    const done = await train(
      { train: { timeLimitSeconds: 0 } },
      { out: dir, resume: true, onEvent: lifted.onEvent },
    );
    expect(done.epochsCompleted).toBe(3);
    expect(done.stoppedBy).toBe("epochs");
    expect(lifted.events.find((e) => e.type === "resume")).toMatchObject({
      overrides: [{ key: "train.timeLimitSeconds", from: 0.001, to: 0 }],
    });
  });
});

describe("model.priors from a file", () => {
  /** The prior config the finished run fitted (what `odet priors fit --out` writes has this shape). */
  const fitted = async () => (await readJson(path.join(finished, "config.json"))).model.priors.config;

  test("a path (string or { file }) is read; config.json records the path and the prior config", async () => {
    const prior = await fitted();
    const file = path.join(root, "priors.json");
    await writeFile(file, JSON.stringify(prior));
    const wrapped = path.join(root, "priors-wrapped.json");
    await writeFile(wrapped, JSON.stringify({ config: prior, numPriors: 1 }));
    for (const p of [file, { file: wrapped }]) {
      const c = await loadPriorsFile(resolveTrainConfig(config({}, { priors: p })));
      expect(c.model.priors).toEqual({ file: typeof p === "string" ? p : p.file, config: prior });
    }
    const dir = path.join(root, "from-file");
    const s = await train(config({ epochs: 1 }, { priors: file }), { out: dir });
    expect(s.epochsCompleted).toBe(1);
    const saved = await readJson(path.join(dir, "config.json"));
    expect(saved.model.priors).toEqual({ file, config: prior });
    expect(await readdir(dir)).not.toContain("priors.json"); // nothing was fitted
    // the saved config resolves as it is (a resumed run does not read the file again)
    await rm(file);
    expect(resolveTrainConfig(saved).model.priors).toEqual({ file, config: prior });
  });

  test("bad files are INVALID_CONFIG naming the file, before the run folder is made", async () => {
    const prior = await fitted();
    const cases: [string, string | undefined, RegExp][] = [
      ["missing.json", undefined, /missing\.json: does not exist/],
      ["broken.json", "{ not json", /broken\.json: is not valid JSON/],
      [
        "grid.json",
        JSON.stringify({ ...prior, featureMaps: [] }),
        /grid\.json: not a prior config: priorLayout: .*featureMaps/,
      ],
      [
        "size.json",
        JSON.stringify({ ...prior, imageSize: { width: 128, height: 128 } }),
        /size\.json: its priors are laid out for a 128x128 input but model\.inputSize is 64x64/,
      ],
    ];
    for (const [name, text, want] of cases) {
      const file = path.join(root, name);
      if (text !== undefined) await writeFile(file, text);
      const out = path.join(root, `bad-${name}`);
      const e = await train(config({ epochs: 1 }, { priors: file }), { out }).catch((x: unknown) => x);
      expect(isOdError(e, "INVALID_CONFIG"), String(e)).toBe(true);
      expect((e as Error).message).toMatch(/^train: model\.priors\.file /);
      expect((e as Error).message).toMatch(want);
      await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
