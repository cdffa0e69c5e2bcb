import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isOdError } from "@od/boxes";
import { syntheticShapes } from "@od/data";
import { writeSyntheticVoc } from "@od/data/node";
import {
  isBackboneParam,
  isClassHeadParam,
  type SsdDetector,
  ssdlite320MobilenetV3LargeConfig,
} from "@od/ssd";
import { saveDetector } from "@od/ssd/node";
import { tf } from "@od/tf";
import { type AnyTorchTensor, writeSafetensors } from "@od/torch";
import { readPthFile } from "@od/torch/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  backboneFrozenAt,
  collate,
  createRunDetector,
  createRunOptimizer,
  Optimizer,
  resolveTrainConfig,
  runDetectorConfig,
  type TrainConfig,
  type TrainingBatch,
  trainingPipeline,
  trainStep,
} from "../src/index.js";
import {
  DataParallel,
  loadInitialWeights,
  loadRunDetector,
  type TrainEvent,
  train,
  weightsKind,
} from "../src/node.js";

const FIXTURES = fileURLToPath(new URL("../../ssd/test/fixtures/ssdlite320/", import.meta.url));
const MODEL_PTH = path.join(FIXTURES, "model.pth");
const IMAGENET_PTH = path.join(FIXTURES, "mobilenet_v3_large.pth");
const SSDLITE = "ssdlite320_mobilenet_v3_large";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-finetune-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The message of what `f` throws, checked to be the od error `code`. */
async function errorOf(f: () => unknown, code: string): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(isOdError(e, code), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("model.architecture and the fine-tuning settings of resolveTrainConfig", () => {
  const own = ssdlite320MobilenetV3LargeConfig({ numClasses: 2 });
  test.each([
    ["default: od's SSD", {}, { architecture: "ssd", head: "separable", inputFit: "letterbox" }],
    [
      "ssdlite: torchvision's input, fit, head, backbone and priors",
      { architecture: SSDLITE },
      {
        architecture: SSDLITE,
        inputSize: { width: 320, height: 320 },
        inputFit: "resize",
        head: "ssdlite",
        backbone: { kind: "mobilenet_v3_large", widthMultiplier: 1, reducedTail: false },
        priors: own.priors,
      },
    ],
    [
      "ssdlite options under model.backbone",
      {
        architecture: SSDLITE,
        backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.5, reducedTail: true },
      },
      { backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.5, reducedTail: true } },
    ],
    [
      "ssdlite with its own values written out",
      { architecture: SSDLITE, inputSize: { width: 320, height: 320 }, inputFit: "resize", head: "ssdlite" },
      { architecture: SSDLITE, inputFit: "resize" },
    ],
    [
      "ssdlite priors fitted when asked",
      { architecture: SSDLITE, priors: { fit: {} } },
      { priors: { fit: {} } },
    ],
    ["weights", { weights: "w.pth" }, { weights: "w.pth" }],
  ])("%s", (_, model, want) => {
    const c = resolveTrainConfig({ data: { root: "ds" }, model });
    const expected = structuredClone(want) as Record<string, unknown>;
    if ((expected.priors as { fit?: unknown } | undefined)?.fit !== undefined)
      expect("fit" in c.model.priors).toBe(true);
    else expect(c.model).toMatchObject(expected);
    // what config.json holds reads back unchanged
    expect(resolveTrainConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  test("train.freezeBackboneEpochs and train.backboneLrScale: defaults 0 and 1", () => {
    const c = resolveTrainConfig({ data: { root: "ds" } });
    expect(c.train.freezeBackboneEpochs).toBe(0);
    expect(c.train.backboneLrScale).toBe(1);
    const d = resolveTrainConfig({
      data: { root: "ds" },
      train: { freezeBackboneEpochs: 3, backboneLrScale: 0.1 },
    });
    expect([d.train.freezeBackboneEpochs, d.train.backboneLrScale]).toEqual([3, 0.1]);
    expect(c.model.weights).toBeUndefined();
  });

  test.each([
    [{ model: { architecture: "yolo" } }, "model.architecture"],
    [
      { model: { architecture: SSDLITE, inputSize: { width: 300, height: 300 } } },
      "model.inputSize: is 300x300 but",
    ],
    [{ model: { architecture: SSDLITE, inputFit: "letterbox" } }, "model.inputFit: is letterbox but"],
    [{ model: { architecture: SSDLITE, head: "separable" } }, "model.head: is separable but"],
    [
      { model: { architecture: SSDLITE, backbone: { kind: "mobilenet", widthMultiplier: 1 } } },
      "model.backbone.kind: is mobilenet but",
    ],
    [
      { model: { backbone: { kind: "mobilenet_v3_large" } } },
      "model.backbone.kind: mobilenet_v3_large is the backbone of",
    ],
    [{ model: { head: "ssdlite" } }, "model.head: ssdlite is the head of"],
    [{ model: { weights: "" } }, "model.weights"],
    [{ train: { freezeBackboneEpochs: -1 } }, "train.freezeBackboneEpochs"],
    [{ train: { freezeBackboneEpochs: 1.5 } }, "train.freezeBackboneEpochs"],
    [{ train: { backboneLrScale: -0.5 } }, "train.backboneLrScale"],
    [{ train: { backboneLrScale: Number.NaN } }, "train.backboneLrScale"],
  ])("refuses %j naming %s", async (over, field) => {
    const msg = await errorOf(() => resolveTrainConfig({ data: { root: "ds" }, ...over }), "INVALID_CONFIG");
    expect(msg).toContain(field);
  });

  test("backboneFrozenAt: the first freezeBackboneEpochs epochs", () => {
    const c = resolveTrainConfig({ data: { root: "ds" }, train: { freezeBackboneEpochs: 2 } });
    expect([0, 1, 2, 3].map((e) => backboneFrozenAt(c, e))).toEqual([true, true, false, false]);
    const none = resolveTrainConfig({ data: { root: "ds" } });
    expect(backboneFrozenAt(none, 0)).toBe(false);
  });

  test("runDetectorConfig of ssdlite is ssdlite320MobilenetV3LargeConfig's (one definition)", () => {
    const c = resolveTrainConfig({
      data: { root: "ds" },
      model: { architecture: SSDLITE, backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.5 } },
      train: { seed: 7 },
    });
    expect(runDetectorConfig(c, ["a", "b"])).toEqual(
      ssdlite320MobilenetV3LargeConfig({ classNames: ["a", "b"], widthMultiplier: 0.5, seed: 7 }),
    );
  });
});

/** A small od SSD (64×64) and one batch of synthetic shapes. */
function smallSetup(
  train: Record<string, unknown> = {},
  model: Record<string, unknown> = {},
): {
  config: TrainConfig;
  make: () => SsdDetector;
  batch: Promise<TrainingBatch>;
} {
  const config = resolveTrainConfig({
    data: { root: "." },
    model: {
      inputSize: { width: 64, height: 64 },
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      priors: { minScale: 0.2, maxScale: 0.8 },
      ...model,
    },
    augment: { preset: "none" },
    train: { batchSize: 2, backends: ["cpu"], optimizer: "sgd", momentum: 0, weightDecay: 0, ...train },
  });
  const make = () => createRunDetector(config, ["a", "b"]);
  const batch = (async () => {
    const { dataset, images } = syntheticShapes({ count: 2, size: 64, objects: [1, 2], seed: 3 });
    const det = make();
    let b: TrainingBatch | undefined;
    const load = async (r: { readonly file: string }) => images.get(r.file)!;
    for await (const x of trainingPipeline(config, { ...dataset, classNames: ["a", "b"] }, det, load).epoch(
      0,
    ))
      b = collate(x);
    det.dispose();
    return b!;
  })();
  return { config, make, batch };
}

/** Every parameter's values (trainable and batch-norm state) by name. */
function snapshot(d: SsdDetector): Map<string, Float32Array> {
  return new Map(d.params.names().map((n) => [n, d.params.get(n).dataSync() as Float32Array]));
}

/** Byte equality of two float arrays (views into larger buffers included). */
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("backbone freezing and the backbone learning-rate scale", () => {
  test("frozen backbone: every backbone parameter and batch-norm statistic byte-identical after 3 steps; the heads changed; no leaks", async () => {
    const { config, make, batch } = smallSetup();
    const b = await batch;
    const det = make();
    const opt = createRunOptimizer(config, det);
    const before = snapshot(det);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++)
      expect(trainStep(det, opt, b, config, 0.05, { frozenBackbone: true }).applied).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    const after = snapshot(det);
    const backbone = [...before.keys()].filter(isBackboneParam);
    const heads = [...before.keys()].filter((n) => !isBackboneParam(n) && det.params.isTrainable(n));
    expect(backbone.length).toBeGreaterThan(10);
    expect(backbone.some((n) => n.endsWith(".mean"))).toBe(true);
    for (const n of backbone) expect(same(before.get(n)!, after.get(n)!), n).toBe(true);
    // the heads trained (a head whose input the untrained frozen features leave at zero gets no gradient)
    const movedHeads = heads.filter((n) => !same(before.get(n)!, after.get(n)!));
    expect(movedHeads).toContain("head0.cls.pw.w");
    expect(movedHeads).toContain("head0.loc.pw.w");
    // not frozen: the same step moves the backbone and its statistics
    trainStep(det, opt, b, config, 0.05);
    const moved = snapshot(det);
    expect(backbone.filter((n) => !same(after.get(n)!, moved.get(n)!)).length).toBe(backbone.length);
    opt.dispose();
    det.dispose();
  }, 60_000);

  test("backboneLrScale 0 leaves the backbone's weights byte-identical, as freezing does", async () => {
    const { config, make, batch } = smallSetup({ backboneLrScale: 0, optimizer: "adamw", weightDecay: 0.01 });
    const b = await batch;
    const det = make();
    const opt = createRunOptimizer(config, det);
    const before = snapshot(det);
    for (let i = 0; i < 2; i++) trainStep(det, opt, b, config, 0.01);
    const after = snapshot(det);
    const trainable = [...before.keys()].filter((n) => det.params.isTrainable(n));
    for (const n of trainable.filter(isBackboneParam))
      expect(same(before.get(n)!, after.get(n)!), n).toBe(true);
    const movedHeads = trainable.filter((n) => !isBackboneParam(n) && !same(before.get(n)!, after.get(n)!));
    expect(movedHeads).toContain("head0.cls.pw.w");
    opt.dispose();
    det.dispose();
  }, 60_000);

  test("one plain SGD step: backboneLrScale 0.5 moves the backbone by half of what 1 does, the heads by the same", async () => {
    const moves = async (scale: number) => {
      const { config, make, batch } = smallSetup({ backboneLrScale: scale });
      const b = await batch;
      const det = make();
      const opt = createRunOptimizer(config, det);
      const before = snapshot(det);
      trainStep(det, opt, b, config, 0.05);
      const after = snapshot(det);
      const names = det.params.names().filter((n) => det.params.isTrainable(n));
      opt.dispose();
      det.dispose();
      return new Map(names.map((n) => [n, after.get(n)!.map((v, i) => v - before.get(n)![i]!)]));
    };
    const full = await moves(1);
    const half = await moves(0.5);
    let checked = 0;
    for (const [n, d1] of full) {
      const d2 = half.get(n)!;
      const f = isBackboneParam(n) ? 0.5 : 1;
      for (let i = 0; i < d1.length; i++) {
        // w − lr·s·g in float32: the difference of two float32 values near w, so within w's ulp
        expect(Math.abs(d2[i]! - f * d1[i]!), `${n}[${i}]`).toBeLessThanOrEqual(1e-6);
        if (Math.abs(d1[i]!) > 1e-4) checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  }, 60_000);

  test("Optimizer: lrScale scales the whole update (AdamW with decay); a negative or NaN scale is refused", async () => {
    const run = (scale: number) => {
      const w = tf.variable(tf.tensor1d([1, -2, 3]));
      const opt = new Optimizer({ kind: "adamw", weightDecay: 0.1 }, [
        { name: "x.w", variable: w, lrScale: scale },
      ]);
      const g = tf.tensor1d([0.5, 0.25, -1]);
      opt.apply({ "x.w": g }, 0.1);
      const out = Array.from(w.dataSync());
      tf.dispose([w, g]);
      opt.dispose();
      return out.map((v, i) => v - [1, -2, 3][i]!);
    };
    const [one, half, zero] = [run(1), run(0.5), run(0)];
    for (const [i, d] of one.entries()) expect(half[i]!).toBeCloseTo(d / 2, 6);
    expect(zero).toEqual([0, 0, 0]);
    const w = tf.variable(tf.zeros([1]));
    for (const bad of [-1, Number.NaN])
      expect(
        await errorOf(
          () => new Optimizer({ kind: "sgd" }, [{ name: "w", variable: w, lrScale: bad }]),
          "INVALID_CONFIG",
        ),
      ).toContain("lrScale of w");
    w.dispose();
  });
});

describe("per-variable update counts (AdamW after unfreezing)", () => {
  test("a variable first updated after k steps takes a fresh variable's first step; the counts survive getState/setState", async () => {
    const make = () => ({
      a: tf.variable(tf.tensor1d([1, 2])),
      b: tf.variable(tf.tensor1d([0.5, -1, 3])),
    });
    const ga = tf.tensor1d([0.1, -0.2]);
    const gb = tf.tensor1d([0.3, 0.01, -2]);
    const cfg = { kind: "adamw", weightDecay: 0.01 } as const;
    const v = make();
    const opt = new Optimizer(cfg, [
      { name: "a.w", variable: v.a },
      { name: "b.w", variable: v.b },
    ]);
    for (let i = 0; i < 5; i++) opt.apply({ "a.w": ga }, 0.1);
    const st = await opt.getState();
    expect(st.step).toBe(5);
    expect(st.updates).toEqual({ "a.w": 5, "b.w": 0 });
    opt.apply({ "a.w": ga, "b.w": gb }, 0.1);
    // a fresh optimizer's first step on b
    const fresh = make();
    const one = new Optimizer(cfg, [{ name: "b.w", variable: fresh.b }]);
    one.apply({ "b.w": gb }, 0.1);
    expect(Array.from(v.b.dataSync())).toEqual(Array.from(fresh.b.dataSync()));
    // restored from the state taken before, the same step gives the same bytes
    const w = make();
    const again = new Optimizer(cfg, [
      { name: "a.w", variable: w.a },
      { name: "b.w", variable: w.b },
    ]);
    again.setState(st);
    again.apply({ "b.w": gb }, 0.1);
    expect(Array.from(w.b.dataSync())).toEqual(Array.from(fresh.b.dataSync()));
    // an older state without counts: every variable at `step`
    const u = make();
    const old = new Optimizer(cfg, [{ name: "b.w", variable: u.b }]);
    old.setState({ step: 3, slots: { "b.w": [new Float32Array(3), new Float32Array(3)] } });
    expect((await old.getState()).updates).toEqual({ "b.w": 3 });
    expect(
      await errorOf(
        () =>
          old.setState({
            step: 3,
            slots: { "b.w": [new Float32Array(3), new Float32Array(3)] },
            updates: { "b.w": -1 },
          }),
        "BAD_CHECKPOINT",
      ),
    ).toContain("update count of b.w");
    for (const o of [opt, one, again, old]) o.dispose();
    tf.dispose([v.a, v.b, fresh.a, fresh.b, w.a, w.b, u.a, u.b, ga, gb]);
  });
});

describe("loadInitialWeights", () => {
  const ssdliteConfig = resolveTrainConfig({
    data: { root: "ds" },
    model: {
      architecture: SSDLITE,
      backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.5, reducedTail: true },
    },
  });

  test("torchvision's state dict at the same class count loads strictly: every parameter equals the file's", async () => {
    const det = createRunDetector(ssdliteConfig, ["a", "b", "c"]);
    const r = await loadInitialWeights(det, MODEL_PTH);
    expect(r).toMatchObject({
      format: "pth",
      kind: "detector",
      strict: true,
      reinitialised: [],
      missing: [],
      unexpected: [],
      message: "",
    });
    expect(r.loaded).toBe(det.params.names().length);
    expect(r.ignored.length).toBe(70);
    // a .pth holds no class names: the report says its outputs are read in the run's order
    expect(r.classNames).toEqual(["a", "b", "c"]);
    expect(r.fileClassNames).toBeNull();
    const sd = await readPthFile(MODEL_PTH);
    const key = det.params.names().filter((n) => n.endsWith(".running_var"))[5]!;
    expect(Array.from(det.params.get(key).dataSync())).toEqual(Array.from(sd.get(key)!.data as Float32Array));
    det.dispose();
  });

  test("another class count: the class head is re-initialised (seeded) and named; everything else loaded", async () => {
    const det = createRunDetector(ssdliteConfig, ["a"]);
    const fresh = createRunDetector(ssdliteConfig, ["a"]);
    const r = await loadInitialWeights(det, MODEL_PTH);
    expect(r.strict).toBe(false);
    expect(r.reinitialised.length).toBe(12);
    expect(r.reinitialised.every(isClassHeadParam)).toBe(true);
    expect(r.reinitialised).toContain("head.classification_head.module_list.0.1.weight");
    expect(r.mismatched.map((m) => m.key)).toEqual(r.reinitialised);
    expect(r.message).toContain("size mismatch for head.classification_head.module_list.0.1.weight");
    expect(r.loaded).toBe(det.params.names().length - 12);
    for (const k of r.reinitialised)
      expect(
        same(det.params.get(k).dataSync() as Float32Array, fresh.params.get(k).dataSync() as Float32Array),
      ).toBe(true);
    const sd = await readPthFile(MODEL_PTH);
    const k = "head.classification_head.module_list.0.0.0.weight"; // the depthwise conv before the class conv: loaded
    expect(isClassHeadParam(k)).toBe(true);
    expect(r.reinitialised).not.toContain(k);
    expect(sd.has(k)).toBe(true);
    det.dispose();
    fresh.dispose();
  });

  test("an ImageNet mobilenet_v3_large classifier loads into the backbone alone (reported)", async () => {
    const det = createRunDetector(ssdliteConfig, ["a", "b", "c"]);
    const r = await loadInitialWeights(det, IMAGENET_PTH);
    expect(r.kind).toBe("imagenet-mobilenet_v3_large");
    expect(r.unexpected).toEqual([
      "classifier.0.weight",
      "classifier.0.bias",
      "classifier.3.weight",
      "classifier.3.bias",
    ]);
    const loadedNames = det.params.names().filter((n) => n.startsWith("backbone.features."));
    expect(r.loaded).toBe(loadedNames.length);
    expect(r.missing.some((k) => k.startsWith("head."))).toBe(true);
    expect(r.missing.some((k) => k.startsWith("backbone.extra"))).toBe(true);
    expect(r.missing.some((k) => k.startsWith("backbone.features."))).toBe(false);
    det.dispose();
  });

  test("weightsKind tells an ImageNet classifier from a detector by its keys", () => {
    expect(weightsKind(["features.0.0.weight", "features.1.block.0.0.weight", "classifier.0.weight"])).toBe(
      "imagenet-mobilenet_v3_large",
    );
    expect(weightsKind(["backbone.features.0.0.0.weight"])).toBe("detector");
    expect(weightsKind(["features.0.0.weight", "head.x"])).toBe("detector");
    expect(weightsKind([])).toBe("detector");
  });

  test("an od model folder (and its model.json) loads strictly into the same model", async () => {
    const { config, make } = smallSetup({ seed: 1 });
    const src = make();
    const dir = path.join(root, "od-model");
    await saveDetector(src, dir);
    const other = createRunDetector({ ...config, train: { ...config.train, seed: 2 } }, ["a", "b"]);
    for (const where of [dir, path.join(dir, "model.json")]) {
      const r = await loadInitialWeights(other, where);
      expect(r).toMatchObject({ format: "od", kind: "detector", strict: true, fileClassNames: ["a", "b"] });
    }
    for (const n of src.params.names())
      expect(
        same(src.params.get(n).dataSync() as Float32Array, other.params.get(n).dataSync() as Float32Array),
        n,
      ).toBe(true);
    src.dispose();
    other.dispose();
  });

  test("an od model with the run's classes in another order is refused (labels would be permuted), the detector unchanged; other names load and are reported", async () => {
    const { config } = smallSetup({ seed: 1 });
    const src = createRunDetector(config, ["b", "a"]);
    const dir = path.join(root, "od-model-ba");
    await saveDetector(src, dir);
    const det = createRunDetector({ ...config, train: { ...config.train, seed: 2 } }, ["a", "b"]);
    const before = det.params.names().map((n) => Array.from(det.params.get(n).dataSync()));
    const msg = await errorOf(() => loadInitialWeights(det, dir), "BAD_WEIGHTS");
    expect(msg).toContain('holds the classes ["b","a"] and this run has ["a","b"]');
    expect(msg).toContain('Set data.classNames to ["b","a"]');
    for (const [i, n] of det.params.names().entries())
      expect(Array.from(det.params.get(n).dataSync()), n).toEqual(before[i]);
    const renamed = createRunDetector(config, ["x", "y"]);
    const r = await loadInitialWeights(renamed, dir);
    expect(r).toMatchObject({ strict: true, classNames: ["x", "y"], fileClassNames: ["b", "a"] });
    for (const d of [src, det, renamed]) d.dispose();
  });

  test.each([
    [
      "another architecture (torchvision SSDlite into od's SSD)",
      "ssd",
      MODEL_PTH,
      ['first key at fault: "backbone.stem.conv.w"', "Missing key(s)", "Unexpected key(s)"],
    ],
    [
      "an ImageNet classifier into od's SSD",
      "ssd",
      IMAGENET_PTH,
      ["ImageNet mobilenet_v3_large classifier", "not mobilenet"],
    ],
    ["a missing file", SSDLITE, "nope.pth", ["does not exist"]],
  ])("refuses %s (BAD_WEIGHTS naming the file and key)", async (_, arch, file, parts) => {
    const config =
      arch === "ssd"
        ? resolveTrainConfig({ data: { root: "ds" }, model: { priors: { minScale: 0.2, maxScale: 0.8 } } })
        : ssdliteConfig;
    const det = createRunDetector(config, ["a", "b", "c"]);
    const msg = await errorOf(() => loadInitialWeights(det, file), "BAD_WEIGHTS");
    expect(msg).toContain(`model.weights ${path.resolve(file)}`);
    for (const p of parts) expect(msg).toContain(p);
    det.dispose();
  });

  test("refuses NaN weights, another width, garbage bytes; the detector is left unchanged", async () => {
    const sd = await readPthFile(MODEL_PTH);
    const key = "backbone.features.0.2.block.1.0.weight";
    const t = sd.get(key)!;
    const data = new Float32Array(t.data as Float32Array);
    data[3] = Number.NaN;
    const nanFile = path.join(root, "nan.safetensors");
    await writeFile(
      nanFile,
      writeSafetensors(
        new Map(
          [...sd].map(([k, v]): [string, AnyTorchTensor] => [
            k,
            k === key ? { dtype: "float32", shape: v.shape, data } : v,
          ]),
        ),
      ),
    );
    const garbage = path.join(root, "garbage.pth");
    await writeFile(garbage, "PK\u0003\u0004 not really a zip");
    const text = path.join(root, "weights.txt");
    await writeFile(text, "hello");
    const det = createRunDetector(ssdliteConfig, ["a", "b", "c"]);
    const before = snapshot(det);
    expect(await errorOf(() => loadInitialWeights(det, nanFile), "BAD_WEIGHTS")).toContain(`"${key}"`);
    expect(await errorOf(() => loadInitialWeights(det, nanFile), "BAD_WEIGHTS")).toContain(
      "non-finite values in",
    );
    expect(await errorOf(() => loadInitialWeights(det, garbage), "BAD_WEIGHTS")).toContain("cannot be read");
    expect(await errorOf(() => loadInitialWeights(det, text), "BAD_WEIGHTS")).toContain(
      "is neither a PyTorch .pth",
    );
    const wide = createRunDetector(
      resolveTrainConfig({
        data: { root: "ds" },
        model: {
          architecture: SSDLITE,
          backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.75, reducedTail: true },
        },
      }),
      ["a", "b", "c"],
    );
    expect(await errorOf(() => loadInitialWeights(wide, MODEL_PTH), "BAD_WEIGHTS")).toContain(
      "size mismatch for",
    );
    wide.dispose();
    const after = snapshot(det);
    for (const n of before.keys()) expect(same(before.get(n)!, after.get(n)!), n).toBe(true);
    det.dispose();
  });
});

describe("data parallelism with SSDlite", () => {
  test("worker replicas rebuild SSDlite from its config; a sharded step with a frozen backbone leaves it byte-identical", async () => {
    const config = resolveTrainConfig({
      data: { root: "." },
      model: {
        architecture: SSDLITE,
        backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.25, reducedTail: true },
      },
      augment: { preset: "none" },
      train: { batchSize: 2, backends: ["wasm", "cpu"], optimizer: "sgd", momentum: 0, weightDecay: 0 },
    });
    const det = createRunDetector(config, ["a", "b"]);
    const { dataset, images } = syntheticShapes({ count: 2, size: 320, objects: [1, 2], seed: 3 });
    let batch: TrainingBatch | undefined;
    const load = async (r: { readonly file: string }) => images.get(r.file)!;
    for await (const x of trainingPipeline(config, { ...dataset, classNames: ["a", "b"] }, det, load).epoch(
      0,
    ))
      batch = collate(x);
    const opt = createRunOptimizer(config, det);
    const before = snapshot(det);
    const parallel = await DataParallel.start(det, config, 1);
    try {
      expect(parallel.workers).toBe(1);
      const r = await parallel.step(opt, batch!, 0.05, { frozenBackbone: true });
      expect(r.applied).toBe(true);
      expect(Number.isFinite(r.loss)).toBe(true);
    } finally {
      await parallel.dispose();
    }
    const after = snapshot(det);
    const names = [...before.keys()];
    for (const n of names.filter(isBackboneParam)) expect(same(before.get(n)!, after.get(n)!), n).toBe(true);
    expect(
      names.filter((n) => isClassHeadParam(n) && !same(before.get(n)!, after.get(n)!)).length,
    ).toBeGreaterThan(0);
    opt.dispose();
    det.dispose();
  }, 120_000);
});

describe("data parallelism with a frozen backbone", () => {
  test("replicas normalise with the main thread's batch-norm statistics: a sharded step equals the single-thread step", async () => {
    // conv heads have no batch norm, and the frozen backbone's runs in inference mode, so the loss
    // splits over images exactly and the sharded step must give the single-thread weights
    const { config, batch } = smallSetup({ batchSize: 4 }, { head: "conv" });
    const b = await batch;
    const make = () => {
      const d = createRunDetector(config, ["a", "b"]);
      for (const n of d.params.names().filter((x) => /\.(mean|var)$/.test(x))) {
        const v = d.params.get(n);
        tf.tidy(() =>
          v.assign(
            tf.add(
              tf.mul(tf.randomUniform(v.shape, 0, 1, "float32", 7), 0.5),
              n.endsWith(".var") ? 0.8 : -0.2,
            ),
          ),
        );
      }
      return d;
    };
    const single = make();
    const sharded = make();
    const o1 = createRunOptimizer(config, single);
    const o2 = createRunOptimizer(config, sharded);
    trainStep(single, o1, b, config, 0.05, { frozenBackbone: true });
    const parallel = await DataParallel.start(sharded, config, 1);
    try {
      await parallel.step(o2, b, 0.05, { frozenBackbone: true });
    } finally {
      await parallel.dispose();
    }
    let worst = 0;
    for (const n of single.params.names()) {
      const a = single.params.get(n).dataSync();
      const c = sharded.params.get(n).dataSync();
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - c[i]!));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
    for (const d of [single, sharded]) d.dispose();
    o1.dispose();
    o2.dispose();
  }, 120_000);
});

describe("train() with fine-tuning settings", () => {
  let data: string;
  beforeAll(async () => {
    data = await writeSyntheticVoc(path.join(root, "data"), { count: 10, size: 64, seed: 5, trainCount: 8 });
  });
  const runConfig = (train: Record<string, unknown>, model: Record<string, unknown> = {}) => ({
    data: { root: data },
    model: {
      inputSize: { width: 64, height: 64 },
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      ...model,
    },
    augment: { preset: "light" },
    train: {
      epochs: 2,
      batchSize: 4,
      warmupSteps: 1,
      backends: ["cpu"],
      seed: 3,
      freezeBackboneEpochs: 1,
      ...train,
    },
    eval: { everyEpochs: 1, samples: 0 },
  });
  const modelBytes = async (dir: string) => {
    const files = await readdir(dir);
    const hash = async (f: string) =>
      createHash("sha256")
        .update(await readFile(path.join(dir, f)))
        .digest("hex");
    return Object.fromEntries(await Promise.all(files.map(async (f) => [f, await hash(f)])));
  };

  test("resume across the freeze boundary gives the uninterrupted run's model; the frozen epoch kept the initial backbone", async () => {
    const full = path.join(root, "full");
    const part = path.join(root, "part");
    await train(runConfig({}), { out: full });
    await train(runConfig({ epochs: 1 }), { out: part });
    // after the frozen epoch: the backbone is the seeded initial one, batch-norm statistics included
    const saved = resolveTrainConfig(JSON.parse(await readFile(path.join(part, "config.json"), "utf8")));
    const afterFrozen = await loadRunDetector(path.join(part, "model"));
    const initial = createRunDetector(saved, afterFrozen.config.classNames);
    const names = initial.params.names();
    for (const n of names.filter(isBackboneParam))
      expect(
        same(
          initial.params.get(n).dataSync() as Float32Array,
          afterFrozen.params.get(n).dataSync() as Float32Array,
        ),
        n,
      ).toBe(true);
    expect(
      names
        .filter((n) => !isBackboneParam(n))
        .some(
          (n) =>
            !same(
              initial.params.get(n).dataSync() as Float32Array,
              afterFrozen.params.get(n).dataSync() as Float32Array,
            ),
        ),
    ).toBe(true);
    initial.dispose();
    afterFrozen.dispose();
    await train({ train: { epochs: 2 } }, { out: part, resume: true });
    expect(await modelBytes(path.join(part, "model"))).toEqual(await modelBytes(path.join(full, "model")));
  }, 180_000);

  test("model.weights: loaded into a new run, reported as an event and in weights.json", async () => {
    const src = path.join(root, "full", "model");
    const out = path.join(root, "from-weights");
    const events: TrainEvent[] = [];
    await train(runConfig({ epochs: 1, freezeBackboneEpochs: 0 }, { weights: src }), {
      out,
      onEvent: (e) => events.push(e),
    });
    const ev = events.find((e): e is Extract<TrainEvent, { type: "weights" }> => e.type === "weights");
    expect(ev?.report).toMatchObject({ file: src, format: "od", kind: "detector", strict: true });
    const saved = JSON.parse(await readFile(path.join(out, "weights.json"), "utf8"));
    expect(saved).toEqual(JSON.parse(JSON.stringify(ev?.report)));
    expect(JSON.parse(await readFile(path.join(out, "config.json"), "utf8")).model.weights).toBe(src);
  }, 120_000);

  test("bad model.weights: BAD_WEIGHTS, and a new run leaves no folder behind", async () => {
    const out = path.join(root, "bad-weights");
    const msg = await errorOf(
      () => train(runConfig({ epochs: 1 }, { weights: MODEL_PTH }), { out }),
      "BAD_WEIGHTS",
    );
    expect(msg).toContain(MODEL_PTH);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

describe("weight decay of torchvision-named parameters", () => {
  test("SSDlite (`.weight` for kernels and batch-norm scales alike): AdamW with zero gradients decays every kernel by lr·λ and no batch-norm scale or bias", () => {
    const config = resolveTrainConfig({
      data: { root: "ds" },
      model: {
        architecture: SSDLITE,
        backbone: { kind: "mobilenet_v3_large", widthMultiplier: 0.25, reducedTail: true },
      },
      train: { optimizer: "adamw", weightDecay: 0.1 },
    });
    const det = createRunDetector(config, ["a", "b"]);
    const opt = createRunOptimizer(config, det);
    const before = snapshot(det);
    const names = [...before.keys()].filter((n) => det.params.isTrainable(n));
    const zeros = Object.fromEntries(names.map((n) => [n, tf.zerosLike(det.params.get(n))]));
    const n0 = tf.memory().numTensors;
    opt.apply(zeros, 0.5);
    expect(tf.memory().numTensors).toBe(n0);
    const after = snapshot(det);
    const kernels = names.filter((n) => det.params.kind(n) !== "vector");
    const vectors = names.filter((n) => det.params.kind(n) === "vector");
    expect(kernels.length).toBeGreaterThan(50);
    expect(vectors.some((n) => n.endsWith(".weight"))).toBe(true); // batch-norm scales named like kernels
    for (const n of kernels) {
      const b = before.get(n)!;
      const a = after.get(n)!;
      const i = b.findIndex((v) => v !== 0);
      expect(a[i]! / b[i]!, n).toBeCloseTo(1 - 0.5 * 0.1, 6); // w ← w − lr·λ·w
    }
    for (const n of vectors) expect(same(before.get(n)!, after.get(n)!), n).toBe(true);
    tf.dispose(Object.values(zeros));
    opt.dispose();
    det.dispose();
  });
});
