import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fsStepCount } from "../src/node/fs-steps.js";
import { type TrainEvent, type TrainSummary, train } from "../src/node.js";

/** A tiny run: 4 training images of 64², 2 steps per epoch, 3 epochs, cpu. */
export const tinyConfig = (data: string, over: Record<string, unknown> = {}) => ({
  data: { root: data },
  model: {
    inputSize: { width: 32, height: 32 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
  },
  augment: { preset: "light" },
  train: { epochs: 3, batchSize: 2, warmupSteps: 1, backends: ["cpu"], workers: 0, seed: 3, ...over },
  eval: { everyEpochs: 1, samples: 1 },
});

let root: string;
let data: string;
let ref: string;
let refSteps: number;
beforeAll(async () => {
  root = await (await import("node:fs/promises")).mkdtemp(path.join(tmpdir(), "od-runfolder-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 6, size: 64, seed: 5, trainCount: 4 });
  ref = path.join(root, "ref");
  const s0 = fsStepCount();
  await train(tinyConfig(data), { out: ref });
  refSteps = fsStepCount() - s0;
}, 120_000);
afterAll(async () => {
  if (process.env.KEEP !== "1") await rm(root, { recursive: true, force: true });
  else console.log(root);
});

const bytes = (dir: string, ...f: string[]) => readFile(path.join(dir, ...f));
const summaryOf = async (dir: string) => {
  const s = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as Record<string, unknown>;
  for (const k of ["out", "trainSeconds", "imagesPerSecond", "peakRssMb"]) delete s[k];
  return s;
};
/** The run folder `dir` has the reference run's final weights in `model/` and `best/`, and its summary. */
async function expectSameResult(dir: string): Promise<void> {
  for (const m of ["model", "best"])
    for (const f of ["model.json", "weights.bin"])
      expect((await bytes(dir, m, f)).equals(await bytes(ref, m, f)), `${m}/${f}`).toBe(true);
  expect(await summaryOf(dir)).toEqual(await summaryOf(ref));
  expect(JSON.parse(await readFile(path.join(dir, "eval.json"), "utf8")).epoch).toBe(
    (await summaryOf(dir)).bestEpoch,
  );
  const left = (await readdir(dir)).filter((n) => n.includes(".tmp-") || n.includes(".old-"));
  expect(left).toEqual([]);
}
const copyRun = async (name: string) => {
  const dir = path.join(root, name);
  await cp(ref, dir, { recursive: true });
  return dir;
};
const resume = (dir: string, over: Record<string, unknown> = {}) =>
  train(tinyConfig(data, over), { out: dir, resume: true });

describe("run folder: what a kill leaves resumes to the uninterrupted result", () => {
  test("the best epoch's checkpoint is kept; eval.json, best/ and summary.json name the same epoch", async () => {
    const s = await summaryOf(ref);
    const best = `epoch-${String(s.bestEpoch).padStart(4, "0")}`;
    expect(await readdir(path.join(ref, "checkpoints"))).toContain(best);
    const ck = path.join(ref, "checkpoints", best);
    expect((await bytes(ck, "weights.bin")).equals(await bytes(ref, "best", "weights.bin"))).toBe(true);
    expect((await bytes(ck, "eval.json")).equals(await bytes(ref, "eval.json"))).toBe(true);
    expect(refSteps).toBeGreaterThan(50);
  });

  test("a finished run whose best/ was deleted resumes and writes best/ again, byte-identical", async () => {
    const dir = await copyRun("no-best");
    await rm(path.join(dir, "best"), { recursive: true });
    await resume(dir);
    await expectSameResult(dir);
  });

  test("best/ one epoch behind eval.json and summary.json (a kill after the commit) is repaired", async () => {
    const dir = await copyRun("stale-best");
    const s = await summaryOf(dir);
    const other = (await readdir(path.join(dir, "checkpoints"))).find(
      (d) => d.startsWith("epoch-") && d !== `epoch-${String(s.bestEpoch).padStart(4, "0")}`,
    );
    expect(other).toBeDefined();
    for (const f of ["model.json", "weights.bin"])
      await cp(path.join(dir, "checkpoints", other!, f), path.join(dir, "best", f));
    expect((await bytes(dir, "best", "weights.bin")).equals(await bytes(ref, "best", "weights.bin"))).toBe(
      false,
    );
    await resume(dir);
    await expectSameResult(dir);
  });

  test("a kill between the renames of a model folder (best/ absent, best.old-*, *.tmp-*) is repaired", async () => {
    const dir = await copyRun("renamed-aside");
    await rename(path.join(dir, "best"), path.join(dir, "best.old-999999"));
    await cp(path.join(dir, "model"), path.join(dir, "model.tmp-999999"), { recursive: true });
    await writeFile(path.join(dir, "eval.json.tmp-999999"), "{");
    await mkdir(path.join(dir, "checkpoints", "epoch-0004.tmp-999999"));
    await resume(dir);
    await expectSameResult(dir);
  });

  test("a run stopped before its first checkpoint resumes from epoch 0 with its saved config", async () => {
    const dir = path.join(root, "no-checkpoint");
    await mkdir(dir);
    await writeFile(path.join(dir, "config.json"), await readFile(path.join(ref, "config.json")));
    const events: TrainEvent[] = [];
    await train(tinyConfig(data), { out: dir, resume: true, onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === "start")).toMatchObject({ startEpoch: 0 });
    await expectSameResult(dir);
  });
});

describe("train: signal", () => {
  test.each([1, 2, 5])(
    "aborted after step %i: INTERRUPTED naming the checkpoint; resuming gives the uninterrupted result",
    async (after) => {
      const dir = path.join(root, `abort-${after}`);
      const ac = new AbortController();
      let steps = 0;
      const err = await train(tinyConfig(data), {
        out: dir,
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === "step" && ++steps === after) ac.abort();
        },
      }).catch((e: unknown) => e);
      expect(isOdError(err, "INTERRUPTED")).toBe(true);
      // 2 steps per epoch: step 1 stops within epoch 0; steps 2 and 5 end an epoch or stop within one.
      const name =
        after % 2 === 1 ? `epoch-${String((after - 1) / 2).padStart(4, "0")}-b0001` : `epoch-000${after / 2}`;
      const ckpt = path.join(dir, "checkpoints", name);
      expect((err as Error).message).toBe(`train: interrupted: checkpoint written to ${ckpt}`);
      expect((err as { details: { checkpoint: string } }).details.checkpoint).toBe(ckpt);
      expect(JSON.parse(await readFile(path.join(dir, "checkpoints", "last.json"), "utf8")).dir).toBe(name);
      const s: TrainSummary = await resume(dir);
      expect(s.steps).toBe(6);
      await expectSameResult(dir);
    },
    120_000,
  );
});

describe("resume: a bad checkpoint is BAD_CHECKPOINT naming the file and the field", () => {
  const last = async (dir: string) =>
    path.join(
      dir,
      "checkpoints",
      JSON.parse(await readFile(path.join(dir, "checkpoints", "last.json"), "utf8")).dir,
    );
  const editState = (f: (s: Record<string, unknown>) => unknown) => async (dir: string) => {
    const file = path.join(await last(dir), "state.json");
    await writeFile(file, JSON.stringify(f(JSON.parse(await readFile(file, "utf8")))));
  };
  test.each<[string, (dir: string) => Promise<void>, RegExp]>([
    [
      'epochsCompleted "three"',
      editState((s) => ({ ...s, epochsCompleted: "three" })),
      /^readRunState: .*epoch-0003\/state\.json: epochsCompleted must be an integer >= 0; got "three"$/,
    ],
    [
      "a missing field",
      editState(({ step: _, ...s }) => s),
      /^readRunState: .*epoch-0003\/state\.json: step must be an integer >= 0; missing$/,
    ],
    [
      "truncated JSON",
      async (dir) => writeFile(path.join(await last(dir), "state.json"), '{"epochsCompleted": 3, "st'),
      /^Checkpoints\.restore: .*epoch-0003\/state\.json is not valid JSON/,
    ],
    [
      "a missing weights file",
      async (dir) => rm(path.join(await last(dir), "weights.bin")),
      /^Checkpoints\.restore: cannot read .*epoch-0003\/weights\.bin: ENOENT/,
    ],
    [
      "a truncated weights file",
      async (dir) => writeFile(path.join(await last(dir), "weights.bin"), new Uint8Array(12)),
      /^Checkpoints\.restore: cannot resume from .*epoch-0003: .*weights/,
    ],
    [
      "a last.json of the wrong kind",
      async (dir) => writeFile(path.join(dir, "checkpoints", "last.json"), '{"dir": 3, "epoch": 3}'),
      /^Checkpoints\.latest: .*last\.json: dir must be a folder name; got 3$/,
    ],
  ])("%s", async (name, damage, re) => {
    const dir = await copyRun(`bad-${name.replace(/\W+/g, "-")}`);
    await damage(dir);
    const err = await resume(dir).catch((e: unknown) => e);
    expect(isOdError(err, "BAD_CHECKPOINT")).toBe(true);
    expect((err as Error).name).toBe("TrainError");
    expect((err as Error).message).toMatch(re);
  });
});
