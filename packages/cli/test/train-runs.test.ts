import { mkdir, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrainEvent } from "@od/train/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import { duration, epochLabel } from "../src/internal/train-command.js";
import { capture, errorLine, od, recordingTrainNode, vocFixture } from "./helpers.js";

// Where `odet train` runs go (refused folders, --exist-ok, runs/train, runs/train2, …), what --resume
// passes on (only the flags given), --priors, and the progress lines with their totals and ETA.
let data: string;
let n = 0;
beforeAll(async () => {
  data = await vocFixture({ clean: true });
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

/** A fresh working directory. */
async function cwd(): Promise<string> {
  const dir = path.join(data, `cwd${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The real `@od/train/node` (for what train() refuses before it trains). */
const realTrainNode = async (): Promise<TrainNode> => import("@od/train/node");

/** A run folder with a checkpoint pointer written `secondsAgo` seconds ago. */
async function runWithCheckpoint(dir: string, secondsAgo: number): Promise<void> {
  await mkdir(path.join(dir, "checkpoints"), { recursive: true });
  const f = path.join(dir, "checkpoints", "last.json");
  await writeFile(f, "{}");
  const t = new Date(Date.now() - secondsAgo * 1000);
  await utimes(f, t, t);
}

describe("odet train: where runs go", () => {
  test("without --out: runs/train, then runs/train2 (the first free name in the working directory)", async () => {
    const dir = await cwd();
    const s = recordingTrainNode();
    const a = await od(["train", "--data", data], { cwd: dir, loadTrainNode: s.load });
    expect(a.code).toBe(0);
    expect(s.calls[0]?.options.out).toBe(path.join(dir, "runs", "train"));
    expect(a.stderr).toContain(`training into ${path.join("runs", "train")}\n`);
    await mkdir(path.join(dir, "runs", "train"), { recursive: true });
    const b = await od(["train", "--data", data], { cwd: dir, loadTrainNode: s.load });
    expect(b.code).toBe(0);
    expect(s.calls[1]?.options.out).toBe(path.join(dir, "runs", "train2"));
  });

  test("--resume without --out: the run with the newest checkpoint, said which; none is exit 2", async () => {
    const dir = await cwd();
    const s = recordingTrainNode();
    const none = await od(["train", "--resume"], { cwd: dir, loadTrainNode: s.load });
    expect(none.code).toBe(2);
    expect(errorLine(none.stderr, "train")).toBe(
      `odet train: no run to resume: no runs/train*/checkpoints/last.json in ${dir}; pass --out <run folder>`,
    );
    await runWithCheckpoint(path.join(dir, "runs", "train"), 100);
    await runWithCheckpoint(path.join(dir, "runs", "train2"), 10);
    await runWithCheckpoint(path.join(dir, "runs", "train3"), 50);
    const r = await od(["train", "--resume"], { cwd: dir, loadTrainNode: s.load });
    expect(r.code).toBe(0);
    expect(s.calls[0]?.options).toMatchObject({ out: path.join(dir, "runs", "train2"), resume: true });
    expect(r.stderr).toContain(`resuming the most recent run, ${path.join("runs", "train2")}\n`);
  });

  test("a new run into a finished run's folder is refused: exit 2, one line naming it and the way out", async () => {
    const dir = await cwd();
    const run = path.join(dir, "runs", "x");
    await mkdir(path.join(run, "checkpoints"), { recursive: true });
    await writeFile(path.join(run, "config.json"), "{}");
    await writeFile(path.join(run, "log.jsonl"), '{"time":"2025-03-04T05:06:07.000Z","type":"start"}\n');
    // the real train() of @od/train/node refuses before it trains
    const r = await od(["train", "--data", data, "--out", "runs/x", "--backend", "cpu"], {
      cwd: dir,
      loadTrainNode: realTrainNode,
    });
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "train")).toBe(
      "odet train: runs/x is not empty (a run from 2025-03-04 05:06:07 UTC); use --resume to continue it or --exist-ok to train into it anyway",
    );
    const other = path.join(dir, "notes");
    await mkdir(other);
    await writeFile(path.join(other, "a.txt"), "mine");
    const o = await od(["train", "--data", data, "--out", "notes"], {
      cwd: dir,
      loadTrainNode: realTrainNode,
    });
    expect(errorLine(o.stderr, "train")).toBe(
      "odet train: notes is not empty (1 entry, not a run folder); use --resume to continue it or --exist-ok to train into it anyway",
    );
  });

  test("--exist-ok asks train() to clear the earlier run's files", async () => {
    const s = recordingTrainNode();
    const r = await od(["train", "--data", data, "--out", "runs/y", "--exist-ok"], {
      cwd: await cwd(),
      loadTrainNode: s.load,
    });
    expect(r.code).toBe(0);
    expect(s.calls[0]?.options).toMatchObject({ existOk: true, resume: false });
  });
});

describe("odet train --resume passes on only what is given", () => {
  test("no flags: {} (the run's own epochs, time limit, everything); flags: just those", async () => {
    const dir = await cwd();
    const s = recordingTrainNode();
    expect((await od(["train", "--out", "r", "--resume"], { cwd: dir, loadTrainNode: s.load })).code).toBe(0);
    expect(s.calls[0]?.input).toEqual({});
    await od(["train", "--out", "r", "--resume", "--epochs", "5", "--time-limit", "8"], {
      cwd: dir,
      loadTrainNode: s.load,
    });
    expect(s.calls[1]?.input).toEqual({ train: { epochs: 5, timeLimitSeconds: 8 } });
    await od(["train", "--out", "r", "--resume", "--data", data], { cwd: dir, loadTrainNode: s.load });
    expect(s.calls[2]?.input).toEqual({ data: { root: data, format: "voc" } });
  });

  test("the overrides train() reports are printed, one line each", async () => {
    const s = recordingTrainNode([
      {
        type: "resume",
        epochsCompleted: 2,
        overrides: [
          { key: "train.epochs", from: 2, to: 5 },
          { key: "train.backends", from: ["tensorflow", "wasm", "cpu"], to: ["cpu"] },
          { key: "data.maxTrainImages", from: undefined, to: 10 },
        ],
      },
    ]);
    const r = await od(["train", "--out", "r", "--resume", "--epochs", "5"], {
      cwd: await cwd(),
      loadTrainNode: s.load,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      [
        "overriding train.epochs: 2 → 5",
        'overriding train.backends: ["tensorflow","wasm","cpu"] → ["cpu"]',
        "overriding data.maxTrainImages: (none) → 10",
      ].join("\n"),
    );
  });
});

describe("odet train --priors", () => {
  test("the flag is relative to the working directory, model.priors in a config to the config file", async () => {
    const dir = await cwd();
    const s = recordingTrainNode();
    await od(["train", "--data", data, "--out", "a", "--priors", "p.json"], {
      cwd: dir,
      loadTrainNode: s.load,
    });
    expect(s.calls[0]?.input).toMatchObject({
      model: {
        priors: { file: path.join(dir, "p.json") },
      },
    });
    const sub = path.join(dir, "cfg");
    await mkdir(sub);
    for (const [i, priors] of ['"fitted.json"', '{ "file": "fitted.json" }'].entries()) {
      const cfg = path.join(sub, `train${i}.json`);
      await writeFile(cfg, `{ "model": { "priors": ${priors} } }`);
      await od(["train", "--data", data, "--out", `b${i}`, "--config", cfg], {
        cwd: dir,
        loadTrainNode: s.load,
      });
      expect(s.calls.at(-1)?.input).toMatchObject({
        model: { priors: { file: path.join(sub, "fitted.json") } },
      });
    }
  });

  test("a file that is not a prior config: exit 2 naming it (real train(), before any training)", async () => {
    const dir = await cwd();
    await writeFile(path.join(dir, "bad.json"), '{ "imageSize": 3 }');
    const r = await od(["train", "--data", data, "--out", "r", "--priors", "bad.json"], {
      cwd: dir,
      loadTrainNode: realTrainNode,
    });
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "train")).toMatch(
      new RegExp(
        `^odet train: train: model\\.priors\\.file ${path.join(dir, "bad.json")}: not a prior config: priorLayout: config\\.imageSize`,
      ),
    );
    const m = await od(["train", "--data", data, "--out", "r", "--priors", "missing.json"], {
      cwd: dir,
      loadTrainNode: realTrainNode,
    });
    expect(errorLine(m.stderr, "train")).toBe(
      `odet train: train: model.priors.file ${path.join(dir, "missing.json")}: does not exist`,
    );
  });
});

/** Events of a run of `epochs` epochs (2 steps each, 10 s per epoch), from `startEpoch`. */
function paced(o: { epochs: number; limit: number; upTo: number; startEpoch?: number }): TrainEvent[] {
  const s0 = o.startEpoch ?? 0;
  const events: TrainEvent[] = [
    {
      type: "start",
      backend: "cpu",
      reason: "test",
      trainImages: 16,
      valImages: 4,
      parameters: 1,
      priors: 1,
      stepsPerEpoch: 2,
      startEpoch: s0,
      workers: 0,
      epochs: o.epochs,
      timeLimitSeconds: o.limit,
      elapsedSeconds: s0 * 10,
    },
  ];
  for (let e = s0; e < o.upTo; e++) {
    for (const b of [0, 1])
      events.push({
        type: "step",
        epoch: e,
        step: e * 2 + b + 1,
        batch: b,
        loss: 1,
        loc: 0.5,
        cls: 0.5,
        lr: 1e-3,
        gradNorm: 1,
        imagesPerSecond: 1.6,
        elapsedSeconds: e * 10 + (b + 1) * 5,
      });
    events.push({
      type: "epoch",
      epoch: e,
      loss: 1,
      loc: 0.5,
      cls: 0.5,
      lr: 1e-3,
      seconds: 10,
      imagesPerSecond: 1.6,
      elapsedSeconds: (e + 1) * 10,
    });
  }
  return events;
}

describe("odet train progress: totals that mean what they say, and an ETA", () => {
  const lines = async (events: TrainEvent[], tty = false) => {
    const stderr = capture(tty);
    const r = await od(["train", "--data", data, "--out", `p${n++}`], {
      cwd: data,
      loadTrainNode: recordingTrainNode(events).load,
      stderr,
    });
    expect(r.code).toBe(0);
    return { epochs: r.stdout.split("\n").filter((l) => l.startsWith("epoch ")), stderr: stderr.text };
  };

  test("under a time limit: the epoch the limit ends the run in, at the measured pace (not 23/200)", async () => {
    const { epochs, stderr } = await lines(paced({ epochs: 200, limit: 680, upTo: 23 }));
    expect(epochs).toHaveLength(23);
    expect(epochs[0]).toBe(
      "epoch 1/~68 (time limit)  loss 1.000  (loc 0.500, cls 0.500)  lr 1.00e-3  1.6 img/s  10.0 s  eta 11m10s",
    );
    expect(epochs[22]).toMatch(/^epoch 23\/~68 \(time limit\) {2}.* {2}eta 7m30s$/);
    expect(stderr).toContain("time limit 11m20s of training, at most 200 epochs\n");
  });

  test("epochs end the run: N/epochs and the time the remaining epochs take", async () => {
    const { epochs } = await lines(paced({ epochs: 30, limit: 0, upTo: 3 }));
    expect(epochs[2]).toMatch(/^epoch 3\/30 {2}.* {2}eta 4m30s$/);
    const long = await lines(paced({ epochs: 30, limit: 10_000, upTo: 1 }));
    expect(long.epochs[0]).toMatch(/^epoch 1\/30 {2}.* {2}eta 4m50s$/);
  });

  test("a resumed run: the time spent before counts against the limit; the pace is this session's", async () => {
    const { epochs, stderr } = await lines(paced({ epochs: 200, limit: 680, upTo: 12, startEpoch: 10 }));
    expect(epochs[0]).toMatch(/^epoch 11\/~68 \(time limit\) {2}.* {2}eta 9m30s$/);
    expect(stderr).toContain(
      "time limit 11m20s of training (1m40s spent before this resume), at most 200 epochs",
    );
  });

  test("the progress bar on a terminal carries the same total and the ETA", async () => {
    const { stderr } = await lines(paced({ epochs: 200, limit: 680, upTo: 2 }), true);
    expect(stderr).toContain("epoch 2/~68 (time limit) [");
    expect(stderr).toMatch(/eta 11m0\ds/);
  });

  test("epochLabel and duration", () => {
    expect(epochLabel(1, { totalEpochs: undefined, byTimeLimit: true, etaSeconds: undefined })).toBe(
      "epoch 1/? (time limit)",
    );
    expect(epochLabel(4, { totalEpochs: 9, byTimeLimit: false, etaSeconds: 1 })).toBe("epoch 4/9");
    expect(epochLabel(4)).toBe("epoch 4");
    expect([0, 0.4, 59.6, 60, 250, 3599, 3600, 7380].map(duration)).toEqual([
      "0s",
      "0s",
      "1m00s",
      "1m00s",
      "4m10s",
      "59m59s",
      "1h00m",
      "2h03m",
    ]);
  });
});
