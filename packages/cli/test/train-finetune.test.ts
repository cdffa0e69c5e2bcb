import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { WeightsReport } from "@od/train/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { weightsClassLine, weightsLines } from "../src/internal/train-command.js";
import { od, recordingTrainNode, vocFixture, vocSplitFixture } from "./helpers.js";

// `odet train --model / --weights / --freeze-backbone-epochs / --backbone-lr-scale`: what each flag
// sets, what is refused, and how the weights report is printed.
let data: string;
let n = 0;
beforeAll(async () => {
  data = await vocFixture({ clean: true });
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

async function cwd(): Promise<string> {
  const dir = path.join(data, `ft${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

const SSDLITE = "ssdlite320_mobilenet_v3_large";

describe("odet train fine-tuning flags", () => {
  test.each([
    [["--model", SSDLITE], { model: { architecture: SSDLITE, inputFit: "resize", head: "ssdlite" } }],
    [["--model", "ssd"], { model: { architecture: "ssd", inputFit: "letterbox" } }],
    [["--weights", "w.pth"], { model: { weights: "<cwd>/w.pth" } }],
    [["--freeze-backbone-epochs", "2"], { train: { freezeBackboneEpochs: 2 } }],
    [["--freeze-backbone-epochs", "0"], { train: { freezeBackboneEpochs: 0 } }],
    [["--backbone-lr-scale", "0.1"], { train: { backboneLrScale: 0.1 } }],
    [["--backbone-lr-scale", "0"], { train: { backboneLrScale: 0 } }],
    [[], { model: { architecture: "ssd" }, train: { freezeBackboneEpochs: 0, backboneLrScale: 1 } }],
  ])("%j sets %j (resolved config)", async (flags, want) => {
    const dir = await cwd();
    const s = recordingTrainNode();
    const r = await od(["train", "--data", data, "--out", "r", ...flags], {
      cwd: dir,
      loadTrainNode: s.load,
    });
    expect(r.code, r.stderr).toBe(0);
    const expected = JSON.parse(JSON.stringify(want).replace("<cwd>", dir));
    expect(s.calls[0]?.input).toMatchObject(expected);
  });

  test.each([
    [["--model", "yolo"], "--model"],
    [["--freeze-backbone-epochs", "-1"], "--freeze-backbone-epochs"],
    [["--freeze-backbone-epochs", "1.5"], "--freeze-backbone-epochs"],
    [["--backbone-lr-scale", "-0.5"], "--backbone-lr-scale"],
    [["--backbone-lr-scale", "x"], "--backbone-lr-scale"],
    [["--weights"], "--weights"],
  ])("%j: exit 2 naming %s", async (flags, name) => {
    const s = recordingTrainNode();
    const r = await od(["train", "--data", data, "--out", "r", ...flags], {
      cwd: await cwd(),
      loadTrainNode: s.load,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
    expect(s.calls).toEqual([]);
  });

  test("model.weights in a config file is relative to the file; --weights to the working directory", async () => {
    const dir = await cwd();
    const sub = path.join(dir, "cfg");
    await mkdir(sub);
    const cfg = path.join(sub, "train.json");
    await writeFile(cfg, JSON.stringify({ model: { architecture: SSDLITE, weights: "w/ssdlite.pth" } }));
    const s = recordingTrainNode();
    await od(["train", "--data", data, "--out", "a", "--config", cfg], { cwd: dir, loadTrainNode: s.load });
    expect(s.calls[0]?.input).toMatchObject({
      model: { architecture: SSDLITE, weights: path.join(sub, "w", "ssdlite.pth") },
    });
    await od(["train", "--data", data, "--out", "b", "--config", cfg, "--weights", "x.pth"], {
      cwd: dir,
      loadTrainNode: s.load,
    });
    expect(s.calls[1]?.input).toMatchObject({ model: { weights: path.join(dir, "x.pth") } });
  });

  test("--resume passes on only the fine-tuning flags given", async () => {
    const s = recordingTrainNode();
    await od(
      ["train", "--out", "r", "--resume", "--freeze-backbone-epochs", "3", "--backbone-lr-scale", "0.5"],
      {
        cwd: await cwd(),
        loadTrainNode: s.load,
      },
    );
    expect(s.calls[0]?.input).toEqual({ train: { freezeBackboneEpochs: 3, backboneLrScale: 0.5 } });
  });

  test("--print-config shows the architecture's settings", async () => {
    const r = await od(
      ["train", "--print-config", "--json", "--model", SSDLITE, "--backbone-lr-scale", "0.2"],
      {
        cwd: await cwd(),
      },
    );
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.model).toMatchObject({
      architecture: SSDLITE,
      inputSize: { width: 320, height: 320 },
      inputFit: "resize",
      head: "ssdlite",
      backbone: { kind: "mobilenet_v3_large", widthMultiplier: 1, reducedTail: false },
    });
    expect(c.train).toMatchObject({ freezeBackboneEpochs: 0, backboneLrScale: 0.2 });
  });

  test("the help lists the flags", async () => {
    const r = await od(["train", "--help"], { cwd: await cwd() });
    for (const f of [
      "--model <architecture>",
      "--weights <file>",
      "--freeze-backbone-epochs <n>",
      "--backbone-lr-scale <x>",
    ])
      expect(r.stdout).toContain(f);
    expect(r.stdout).toContain(SSDLITE);
  });
});

const REPORT: WeightsReport = {
  file: "/w/ssdlite.pth",
  format: "pth",
  kind: "detector",
  strict: false,
  loaded: 464,
  reinitialised: [
    "head.classification_head.module_list.0.1.weight",
    "head.classification_head.module_list.0.1.bias",
  ],
  missing: [],
  unexpected: [],
  mismatched: [],
  ignored: [],
  message: "",
  classNames: ["RBC", "WBC", "Platelets"],
  fileClassNames: null,
};

describe("the weights report", () => {
  test("weightsLines: what was loaded, the re-initialised head keys, missing and unexpected keys", () => {
    expect(weightsLines(REPORT)).toEqual([
      "weights: /w/ssdlite.pth (pth, a detector): 464 tensors loaded",
      "weights: class head re-initialised (another number of classes): head.classification_head.module_list.0.1.weight, head.classification_head.module_list.0.1.bias",
    ]);
    expect(weightsLines({ ...REPORT, reinitialised: [], strict: true })).toEqual([
      "weights: /w/ssdlite.pth (pth, a detector): 464 tensors loaded, every parameter (strict)",
      "weights: the file holds no class names; its class outputs are read in this run's order: RBC, WBC, Platelets (data.classNames sets it; it must be the order the weights were trained with)",
    ]);
    const imagenet = weightsLines({
      ...REPORT,
      kind: "imagenet-mobilenet_v3_large",
      reinitialised: [],
      missing: Array.from({ length: 8 }, (_, i) => `backbone.extra.${i}`),
      unexpected: ["classifier.0.weight"],
    });
    expect(imagenet[0]).toContain("an ImageNet mobilenet_v3_large classifier, into the backbone");
    expect(imagenet[1]).toBe(
      "weights: missing (initial values kept): backbone.extra.0, backbone.extra.1, backbone.extra.2, backbone.extra.3, backbone.extra.4, backbone.extra.5 and 2 more",
    );
    expect(imagenet[2]).toBe("weights: unexpected (not loaded): classifier.0.weight");
  });

  test("weightsClassLine: states the order a file without class names is read in; names an od model's other classes", () => {
    const loaded = { ...REPORT, reinitialised: [], strict: true };
    expect(weightsClassLine(loaded)).toContain("read in this run's order: RBC, WBC, Platelets");
    // an od model with the run's names: nothing to say; with other names: both lists
    expect(weightsClassLine({ ...loaded, format: "od", fileClassNames: loaded.classNames })).toBeUndefined();
    expect(weightsClassLine({ ...loaded, format: "od", fileClassNames: ["cat", "dog", "bird"] })).toBe(
      "weights: the file's classes (cat, dog, bird) are not this run's (RBC, WBC, Platelets); its class head is loaded as is, its output k read as this run's class k",
    );
    // a re-initialised class head or a backbone-only file: no class head was loaded
    expect(weightsClassLine(REPORT)).toBeUndefined();
    expect(weightsClassLine({ ...loaded, kind: "imagenet-mobilenet_v3_large" })).toBeUndefined();
  });

  test("printed on stderr as train() reports it; --json prints the event", async () => {
    const s = recordingTrainNode([{ type: "weights", report: REPORT }]);
    const r = await od(["train", "--data", data, "--out", "r"], { cwd: await cwd(), loadTrainNode: s.load });
    expect(r.stderr).toContain(
      "weights: class head re-initialised (another number of classes): head.classification_head.module_list.0.1.weight",
    );
    const j = await od(["train", "--data", data, "--out", "r2", "--json"], {
      cwd: await cwd(),
      loadTrainNode: s.load,
    });
    expect(j.stdout.split("\n").map((l) => (l === "" ? undefined : JSON.parse(l)))).toContainEqual({
      type: "weights",
      report: REPORT,
    });
  });

  test("a weights file that cannot be read: exit 2 naming it, no run folder (real train())", async () => {
    const dir = await cwd();
    const split = await vocSplitFixture();
    await writeFile(path.join(dir, "bad.pth"), "not a checkpoint");
    for (const f of ["bad.pth", "missing.pth"]) {
      const r = await od(["train", "--data", split, "--out", "r", "--weights", f, "--backend", "cpu"], {
        cwd: dir,
        loadTrainNode: async () => import("@od/train/node"),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(path.join(dir, f));
      expect(r.stderr.trim().split("\n").at(-1)).toContain(`model.weights ${path.join(dir, f)}`);
      expect(await readdir(dir)).toEqual(["bad.pth"]);
    }
    await rm(split, { recursive: true, force: true });
  }, 60_000);
});
