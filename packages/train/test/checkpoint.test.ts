import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { CropClassifier } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { classifierParameterNames, Optimizer, resolveTrainConfig } from "../src/index.js";
import { Checkpoints, classifierCheckpoint } from "../src/node/checkpoint.js";
import { fitScheduleToTime, initialRunState, lrSchedule, readRunState } from "../src/node/epochs.js";
import { RunFolder } from "../src/node/run-folder.js";
import { readClassifierState } from "../src/node/stage2.js";

let root: string;
beforeAll(async () => {
  await initBackend({ prefer: ["cpu"] });
  root = await mkdtemp(path.join(tmpdir(), "od-ckpt-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A tiny classifier with an AdamW optimizer that has taken one step (so its moments are non-zero). */
function model(seed: number) {
  const classifier = new CropClassifier({ classNames: ["a", "b"], cropSize: 8, width: 2, seed });
  const vars = classifier.trainableVariables();
  const optimizer = new Optimizer(
    { kind: "adamw", weightDecay: 0 },
    classifierParameterNames(classifier).map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
  );
  const grads: Record<string, tf.Tensor> = {};
  classifierParameterNames(classifier).forEach((n, i) => {
    grads[n] = tf.onesLike(vars[i] as tf.Variable);
  });
  optimizer.apply(grads, 1e-2);
  tf.dispose(Object.values(grads));
  const dispose = () => {
    optimizer.dispose();
    classifier.dispose();
  };
  return { classifier, optimizer, dispose };
}

const values = async (c: CropClassifier) =>
  Promise.all(c.params.names().map(async (n) => Array.from(await c.params.get(n).data())));

describe("Checkpoints", () => {
  test("save → restore round trip: parameters, optimizer state and stage state; last.json; pruning", async () => {
    const ckpts = new Checkpoints(path.join(root, "a"), readClassifierState);
    expect(await ckpts.latest()).toBeUndefined();
    const src = model(1);
    const state = { epochsCompleted: 1, step: 5, detectorStoppedBy: "epochs" as const };
    const dir = await ckpts.save(1, classifierCheckpoint(src.classifier), src.optimizer, state);
    expect(dir).toBe(path.join(root, "a", "epoch-0001"));
    expect(await ckpts.latest()).toEqual({ dir, name: "epoch-0001", epoch: 1 });
    expect(await readdir(dir)).toEqual(
      ["classifier.bin", "classifier.json", "optimizer.bin", "optimizer.json", "state.json"].sort(),
    );
    const before = tf.memory().numTensors;
    const dst = model(2);
    expect(await values(dst.classifier)).not.toEqual(await values(src.classifier));
    const back = await ckpts.restore(dir, classifierCheckpoint(dst.classifier), dst.optimizer);
    expect(back).toEqual(state);
    expect(await ckpts.readState({ dir, name: "epoch-0001", epoch: 1 })).toEqual(state);
    expect(await values(dst.classifier)).toEqual(await values(src.classifier));
    expect(await dst.optimizer.getState()).toEqual(await src.optimizer.getState());
    dst.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Older checkpoints but the previous one are removed.
    for (const e of [2, 3, 4])
      await ckpts.save(e, classifierCheckpoint(src.classifier), src.optimizer, state);
    expect((await readdir(path.join(root, "a"))).sort()).toEqual(["epoch-0003", "epoch-0004", "last.json"]);
    expect(await ckpts.latest()).toEqual({
      dir: path.join(root, "a", "epoch-0004"),
      name: "epoch-0004",
      epoch: 4,
    });
    // `keep` protects a checkpoint (the best epoch's) from pruning; a mid-epoch one is named by its batch.
    await ckpts.save(5, classifierCheckpoint(src.classifier), src.optimizer, state, { keep: ["epoch-0003"] });
    await ckpts.save(5, classifierCheckpoint(src.classifier), src.optimizer, state, {
      batch: 2,
      keep: ["epoch-0003"],
    });
    expect((await readdir(path.join(root, "a"))).sort()).toEqual([
      "epoch-0003",
      "epoch-0005",
      "epoch-0005-b0002",
      "last.json",
    ]);
    expect(await ckpts.latest()).toMatchObject({ name: "epoch-0005-b0002", epoch: 5 });
    src.dispose();
  });

  test("a missing or mismatching file is BAD_CHECKPOINT naming the folder or file", async () => {
    const ckpts = new Checkpoints(path.join(root, "b"), readClassifierState);
    const m = model(1);
    const dir = await ckpts.save(1, classifierCheckpoint(m.classifier), m.optimizer, {
      epochsCompleted: 1,
      step: 1,
      detectorStoppedBy: "epochs",
    });
    await rm(path.join(dir, "optimizer.bin"));
    const e1 = await ckpts
      .restore(dir, classifierCheckpoint(m.classifier), m.optimizer)
      .catch((e: unknown) => e);
    expect(isOdError(e1, "BAD_CHECKPOINT")).toBe(true);
    expect((e1 as Error).message).toMatch(
      /^Checkpoints\.restore: cannot read .*epoch-0001\/optimizer\.bin: ENOENT/,
    );
    await writeFile(path.join(dir, "optimizer.bin"), new Uint8Array(8));
    const e2 = await ckpts
      .restore(dir, classifierCheckpoint(m.classifier), m.optimizer)
      .catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(/optimizer\.bin holds 2 values; optimizer\.json lists \d+$/);
    await writeFile(path.join(dir, "state.json"), JSON.stringify({ epochsCompleted: "three", step: 1 }));
    const pointer = { dir, name: "epoch-0001", epoch: 1 };
    const e3 = await ckpts.readState(pointer).catch((e: unknown) => e);
    expect(isOdError(e3, "BAD_CHECKPOINT")).toBe(true);
    expect((e3 as Error).message).toMatch(
      /^readClassifierState: .*state\.json: epochsCompleted must be an integer >= 0; got "three"$/,
    );
    await writeFile(path.join(dir, "state.json"), '{"epochsCompleted": 1, "st');
    const e5 = await ckpts.readState(pointer).catch((e: unknown) => e);
    expect(isOdError(e5, "BAD_CHECKPOINT")).toBe(true);
    expect((e5 as Error).message).toMatch(
      /^Checkpoints\.readState: .*epoch-0001\/state\.json is not valid JSON/,
    );
    await rm(path.join(dir, "state.json"));
    const e4 = await ckpts.readState(pointer).catch((e: unknown) => e);
    expect((e4 as Error).message).toMatch(/^Checkpoints\.readState: cannot read .*state\.json/);
    // A last.json that does not point at a checkpoint folder is named, with the field.
    await writeFile(path.join(root, "b", "last.json"), JSON.stringify({ dir: "../../etc", epoch: 1 }));
    const e6 = await ckpts.latest().catch((e: unknown) => e);
    expect(isOdError(e6, "BAD_CHECKPOINT")).toBe(true);
    expect((e6 as Error).message).toMatch(/^Checkpoints\.latest: .*last\.json: dir must be a folder name/);
    m.dispose();
  });
});

describe("readRunState", () => {
  test.each([
    [null, /state\.json: must hold a JSON object; got null$/],
    [
      { ...initialRunState(), epochsCompleted: "three" },
      /epochsCompleted must be an integer >= 0; got "three"$/,
    ],
    [{ ...initialRunState(), epochsCompleted: 2.5 }, /epochsCompleted must be an integer >= 0; got 2\.5$/],
    [{ ...initialRunState(), step: -1 }, /step must be an integer >= 0; got -1$/],
    [{ ...initialRunState(), step: undefined }, /step must be an integer >= 0; missing$/],
    [{ ...initialRunState(), bestMap: null }, /bestMap must be a finite number; got null$/],
    [{ ...initialRunState(), history: { loss: [] } }, /history\.lr must be an array of \[x, y\] points/],
    [
      { ...initialRunState(), history: { ...initialRunState().history, loss: [[1, "x"]] } },
      /history\.loss\.0\.1 /,
    ],
    [{ ...initialRunState(), inEpoch: { batches: 0 } }, /inEpoch\.batches must be an integer >= 1; got 0$/],
  ])("%j is refused", (json, re) => {
    let err: unknown;
    try {
      readRunState(json, "x/state.json");
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "BAD_CHECKPOINT")).toBe(true);
    expect((err as Error).message).toMatch(/^readRunState: x\/state\.json: /);
    expect((err as Error).message).toMatch(re);
  });
  test("a valid state passes through", () => {
    const s = { ...initialRunState(), epochsCompleted: 2, step: 10, bestEpoch: 2, bestMap: 0.5 };
    expect(readRunState(JSON.parse(JSON.stringify(s)), "f")).toEqual(s);
  });
});

describe("lrSchedule / fitScheduleToTime", () => {
  const config = (train: Record<string, unknown>) =>
    resolveTrainConfig({ data: { root: "." }, train: { epochs: 10, warmupSteps: 5, ...train } });
  test("total steps = epochs × steps per epoch; milestones in steps", () => {
    expect(lrSchedule(config({ schedule: "step", milestones: [3, 6] }), 20)).toMatchObject({
      kind: "step",
      totalSteps: 200,
      warmupSteps: 5,
      milestones: [60, 120],
    });
  });
  test("the cosine is fitted to the epochs the remaining time allows (3% kept), never below the steps taken", () => {
    const c = config({ timeLimitSeconds: 100 });
    const sched = lrSchedule(c, 20);
    // 2 epochs in 20 s: 10 s per epoch, 97 − 20 = 77 s left → 7 more epochs → 9 × 20 steps.
    const s = { ...initialRunState(), epochsCompleted: 2, step: 40, trainSeconds: 20 };
    expect(fitScheduleToTime(sched, c, s, 20).totalSteps).toBe(180);
    // Out of time: the schedule ends now.
    const late = { ...s, trainSeconds: 120 };
    expect(fitScheduleToTime(sched, c, late, 20).totalSteps).toBe(41);
    // No time limit, or not a cosine: unchanged.
    expect(fitScheduleToTime(sched, config({}), s, 20)).toBe(sched);
    const step = lrSchedule(config({ timeLimitSeconds: 100, schedule: "step" }), 20);
    expect(fitScheduleToTime(step, c, s, 20)).toBe(step);
  });
});

describe("RunFolder", () => {
  test("atomic writes leave no temporary files; JSON with typed arrays as arrays; unreadable JSON is undefined", async () => {
    const run = new RunFolder(path.join(root, "run"));
    await run.create();
    await run.writeJson("sub/x.json", { a: Float32Array.from([1, 2]) }, undefined, true);
    expect(await readFile(run.path("sub/x.json"), "utf8")).toBe('{"a":[1,2]}\n');
    expect(await run.readJson("sub/x.json")).toEqual({ a: [1, 2] });
    await run.write("y.txt", "not json");
    expect(await run.readJson("y.txt")).toBeUndefined();
    expect(await run.readJson("missing.json")).toBeUndefined();
    expect(await run.readText("missing.json")).toBeUndefined();
    expect(await run.exists("y.txt")).toBe(true);
    expect((await readdir(run.dir)).sort()).toEqual(["sub", "y.txt"]);
  });
  test("replaceModel swaps the whole folder; a failed save leaves the old one", async () => {
    const run = new RunFolder(path.join(root, "run2"));
    await run.create();
    const save = (files: Record<string, string>) => async (dir: string) => {
      const { mkdir } = await import("node:fs/promises");
      await mkdir(dir, { recursive: true });
      for (const [f, t] of Object.entries(files)) await writeFile(path.join(dir, f), t);
    };
    await run.replaceModel("best", save({ "a.bin": "1", "old.bin": "x" }));
    await run.replaceModel("best", save({ "a.bin": "2" }));
    expect(await readdir(run.path("best"))).toEqual(["a.bin"]);
    expect(await readFile(run.path("best", "a.bin"), "utf8")).toBe("2");
    await expect(
      run.replaceModel("best", async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await readFile(run.path("best", "a.bin"), "utf8")).toBe("2");
    expect((await readdir(run.dir)).filter((d) => d.startsWith("best"))).toEqual(["best"]);
  });
  test("the event log appends one line per event, in order, each with its time first", async () => {
    const run = new RunFolder(path.join(root, "run3"));
    await run.create();
    const log = await run.openLog();
    for (let i = 0; i < 50; i++) log.append({ type: "step", step: i });
    await log.close();
    const lines = (await readFile(run.path("log.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual(["time", "type", "step"]);
  });
});
