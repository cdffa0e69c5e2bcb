import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TrainConfig } from "@od/train";
import type { TrainEvent, TrainOptions } from "@od/train/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import {
  errorLine,
  fakeSummary,
  noTrainNode,
  od,
  predictorNotUsed,
  RUN_DIRS,
  vocFixture,
} from "./helpers.js";

let root: string;
beforeAll(async () => {
  root = await vocFixture();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stand-in for `@od/train/node` that records its call and replays events. */
function stub(events: TrainEvent[]) {
  const calls: { config: TrainConfig; options: TrainOptions }[] = [];
  const node: TrainNode = {
    ...NO_PREDICTOR,
    ...RUN_DIRS,
    async train(config, options) {
      calls.push({ config: config as TrainConfig, options });
      for (const e of events) options.onEvent?.(e);
      return fakeSummary({
        bestEpoch: 1,
        best: { vocMap: 0.5, voc07Map: 0.5, cocoMap: 0.2, perClass: { blob: 0.5, cell: 0.5 } },
      });
    },
  };
  return { calls, load: async () => node };
}

/** `loadRunPredictor` of a fake that only trains. */
const NO_PREDICTOR: Pick<TrainNode, "loadRunPredictor"> = { loadRunPredictor: predictorNotUsed };

/** Events as `train()` of `@od/train/node` emits them (epochs from 0). */
const EVENTS: TrainEvent[] = [
  {
    type: "start",
    backend: "cpu",
    reason: "cpu ready",
    trainImages: 2,
    valImages: 2,
    parameters: 1000,
    priors: 84,
    stepsPerEpoch: 1,
    startEpoch: 0,
    workers: 1,
    epochs: 2,
    timeLimitSeconds: 30,
    elapsedSeconds: 0,
  },
  {
    type: "step",
    epoch: 0,
    step: 1,
    batch: 0,
    loss: 3.2,
    loc: 1.2,
    cls: 2,
    lr: 0.001,
    gradNorm: 1,
    imagesPerSecond: 4.5,
    elapsedSeconds: 0.4,
  },
  {
    type: "epoch",
    epoch: 0,
    loss: 3.2,
    loc: 1.2,
    cls: 2,
    lr: 0.001,
    seconds: 0.4,
    imagesPerSecond: 4.5,
    elapsedSeconds: 0.4,
  },
  {
    type: "eval",
    epoch: 0,
    vocMap: 0.25,
    voc07Map: 0.2,
    cocoMap: 0.1,
    perClass: { blob: 0.5, cell: 0 },
    seconds: 0.1,
  },
  { type: "checkpoint", epoch: 0, dir: "runs/x/checkpoints/epoch-0001", best: true },
  { type: "nonfinite", epoch: 0, step: 2, images: ["img1"], inARow: 1 },
  { type: "stage", stage: "classifier", detail: "12 crops" },
  { type: "classifier-epoch", epoch: 0, loss: 1.1, accuracy: 0.5, lr: 0.003, seconds: 0.2 },
  { type: "classifier-checkpoint", epoch: 0, dir: "runs/x/checkpoints/classifier/epoch-0001" },
  {
    type: "staged-eval",
    vocMap: 0.3,
    voc07Map: 0.28,
    cocoMap: 0.12,
    perClass: { blob: 0.6, cell: 0 },
    seconds: 0.1,
  },
  { type: "stopped", reason: "time limit of 30 s reached" },
];

describe("odet train", () => {
  test("config file + flags (flags win), validated, passed to train() with the run folder", async () => {
    const cfg = path.join(root, "train.yaml");
    await writeFile(
      cfg,
      "data:\n  root: .\n  policy: drop\ntrain:\n  epochs: 9\n  batchSize: 4\n  lr: 0.01\n",
    );
    const s = stub(EVENTS);
    const r = await od(
      [
        "train",
        "--config",
        cfg,
        "--out",
        "runs/x",
        "--epochs",
        "2",
        "--time-limit",
        "30",
        "--backend",
        "cpu",
      ],
      { loadTrainNode: s.load, cwd: root },
    );
    expect(r.stderr).toContain("training into");
    expect(r.code).toBe(0);
    const call = s.calls[0]!;
    expect(call.options.out).toBe(path.join(root, "runs/x"));
    expect(call.options).toMatchObject({ resume: false, existOk: false });
    expect(call.config.data.root).toBe(root); // relative to the config file
    expect(call.config.data.policy).toBe("drop");
    expect(call.config.train).toMatchObject({
      epochs: 2,
      batchSize: 4,
      lr: 0.01,
      timeLimitSeconds: 30,
      backends: ["cpu"],
    });
    expect(r.stdout).toContain(
      "epoch 1/2  loss 3.200  (loc 1.200, cls 2.000)  lr 1.00e-3  4.5 img/s  0.4 s  eta 0s",
    );
    expect(r.stderr).toContain("backend cpu (cpu ready)");
    expect(r.stderr).toContain(
      "2 training / 2 validation images, 1000 parameters, 84 priors, 1 steps per epoch, resuming after epoch 0".replace(
        ", resuming after epoch 0",
        "",
      ),
    );
    expect(r.stderr).toContain("warning: non-finite loss at step 2 (1 in a row); batch skipped");
    expect(r.stderr).toContain("stopped: time limit of 30 s reached");
    expect(r.stdout).toContain("eval epoch 1: mAP@0.5 (VOC) 0.250  mAP@[.5:.95] (COCO) 0.100");
    // Stage 2 of staged training (crop classifier) is reported too.
    expect(r.stdout).toContain("stage classifier: 12 crops");
    expect(r.stdout).toContain("classifier epoch 1  loss 1.100  accuracy 0.500  lr 3.00e-3");
    expect(r.stdout).toContain(
      "staged eval (detector + classifier): mAP@0.5 (VOC) 0.300  mAP@[.5:.95] (COCO) 0.120",
    );
    expect(r.stdout).toContain("best: mAP@0.5 (VOC) 0.500 at epoch 1");
  });

  test("--json streams one JSON object per event and the result", async () => {
    const s = stub(EVENTS);
    const r = await od(["train", "--data", root, "--out", path.join(root, "run"), "--json"], {
      loadTrainNode: s.load,
    });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(EVENTS.length + 1);
    expect(lines[1]).toEqual(EVENTS[1]);
    expect(lines.at(-1)).toMatchObject({ type: "result", result: { best: { vocMap: 0.5 } } });
  });

  test("--print-config prints the defaults (YAML, or JSON with --json)", async () => {
    const r = await od(["train", "--print-config", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.train.epochs).toBe(30);
    expect(j.data.root).toBe("<dataset folder>");
    const y = await od(["train", "--print-config", "--batch-size", "3"]);
    expect(y.stdout).toContain("batchSize: 3");
  });

  test("without @od/train/node: one line, exit 2", async () => {
    const r = await od(["train", "--data", root, "--out", path.join(root, "run")], {
      loadTrainNode: noTrainNode,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("odet train: @od/train/node is not available (test)\n");
  });

  test("missing dataset", async () => {
    const b = await od(["train", "--out", "x"]);
    expect(b.stderr).toBe("odet train: no dataset: pass --data <dir> or set data.root in --config\n");
  });

  test("an error thrown by train() is one line", async () => {
    const node: TrainNode = {
      ...NO_PREDICTOR,
      ...RUN_DIRS,
      async train() {
        const { TrainError } = await import("@od/train");
        throw new TrainError("BAD_DATASET", "train: the dataset has no images\n  (split trainval)");
      },
    };
    const r = await od(["train", "--data", root, "--out", "x"], {
      loadTrainNode: async () => node,
      cwd: root,
    });
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "train")).toBe(
      "odet train: train: the dataset has no images; (split trainval)",
    );
  });
});

describe("odet train finds the dataset as every other command does", () => {
  const coco = {
    images: [{ id: 1, file_name: "a.png", width: 64, height: 48 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, 20, 20] }],
    categories: [{ id: 1, name: "cell" }],
  };
  async function run(args: string[]) {
    const s = stub([]);
    const r = await od(["train", ...args, "--out", path.join(root, "run-detect")], { loadTrainNode: s.load });
    return { ...r, config: s.calls[0]?.config };
  }
  test("a COCO file, a folder holding one, a YOLO folder, a VOC folder", async () => {
    const dir = path.join(root, "detect");
    await mkdir(path.join(dir, "coco"), { recursive: true });
    await writeFile(path.join(dir, "coco", "instances.json"), JSON.stringify(coco));
    await mkdir(path.join(dir, "yolo", "images"), { recursive: true });
    await writeFile(path.join(dir, "yolo", "classes.txt"), "cell\n");
    const file = await run(["--data", path.join(dir, "coco", "instances.json")]);
    expect(file.code).toBe(0);
    expect(file.config?.data).toMatchObject({
      format: "coco",
      root: path.join(dir, "coco", "instances.json"),
    });
    const folder = await run(["--data", path.join(dir, "coco")]);
    expect(folder.config?.data).toMatchObject({
      format: "coco",
      root: path.join(dir, "coco", "instances.json"),
    });
    expect((await run(["--data", path.join(dir, "yolo")])).config?.data.format).toBe("yolo");
    expect((await run(["--data", root])).config?.data).toMatchObject({ format: "voc", root });
  });
  test("what cannot be detected is one line listing what was looked for (exit 2)", async () => {
    const empty = path.join(root, "detect-empty");
    await mkdir(empty, { recursive: true });
    const r = await run(["--data", empty]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "train")).toMatch(
      /cannot tell the format of .*detect-empty \(no Annotations\/ for VOC, no images\/ or classes\.txt for YOLO, no \*\.json for COCO\); pass --format voc\|coco\|yolo/,
    );
    const json = path.join(root, "detect-file.json");
    await writeFile(json, JSON.stringify(coco));
    const voc = await run(["--data", json, "--format", "voc"]);
    expect(voc.code).toBe(2);
    expect(errorLine(voc.stderr, "train")).toMatch(
      /a VOC dataset is a folder; .*detect-file\.json is a file/,
    );
    const missing = await run(["--data", path.join(root, "nope")]);
    expect(errorLine(missing.stderr, "train")).toMatch(/dataset .*nope does not exist/);
  });
});
