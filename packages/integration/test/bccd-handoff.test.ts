import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { boxes } from "@od/boxes";
import { loadVoc } from "@od/data/node";
import { uint8Image } from "@od/image";
import { evaluateVoc, type GroundTruth, type Detections as MetricsDetections } from "@od/metrics";
import { type Detections, isBackboneParam, type SsdDetector, ssdlite320MobilenetV3Large } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { loadStateDict, type StateDict } from "@od/torch";
import { readPthFile, readSafetensorsFile } from "@od/torch/node";
import { loadRunDetector, type TrainEvent, train } from "@od/train/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectSameDetections, type TorchDetections } from "./helpers/detections.js";

// Training hand-off between torchvision and od on BCCD, both directions, with one metric (od's VOC
// mAP@0.5, ported line for line to Python in bench/torchvision_common.py):
// (a) bench/bccd_torchvision_train.py trained the reduced-width ssdlite320_mobilenet_v3_large in
//     torchvision and evaluated torchvision.pth on six BCCD test images (torchvision-eval.json);
// (b) scripts/bccd-od-train.ts trained the same architecture in od and exported od.safetensors, which
//     bench/bccd_torchvision_eval.py loaded strictly into torchvision and evaluated (od-eval.json).
// od loads each file, predicts on the same 320×320 bytes and must give torchvision's detections and mAP.
const FIXTURES = new URL("fixtures/bccd-handoff/", import.meta.url);
const DEMO_BCCD = fileURLToPath(new URL("../../cli/demo-data/bccd", import.meta.url));
const SIZE = 320;
/** |od mAP − torchvision mAP| allowed, per model and per class. */
const MAP_TOLERANCE = 0.005;

interface ImagesJson {
  readonly classNames: string[];
  readonly model: { numClasses: number; widthMultiplier: number; reducedTail: boolean };
  readonly images: {
    id: string;
    sourceSize: [number, number];
    boxes: number[][];
    labels: number[];
    difficult: number[];
  }[];
}
interface EvalJson {
  readonly ap: number[];
  readonly mAP: number;
  readonly detections: TorchDetections[];
}

const json = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as T;
const meta = json<ImagesJson>("images.json");
const inputs = new Uint8Array(gunzipSync(readFileSync(new URL("inputs.bin.gz", FIXTURES))));
const images = meta.images.map((_, i) =>
  uint8Image(inputs.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3), SIZE, SIZE),
);
const groundTruth: GroundTruth[] = meta.images.map((im) => ({
  boxes: boxes(im.boxes, "xyxy", "px"),
  labels: Int32Array.from(im.labels, (l) => l - 1),
  difficult: Uint8Array.from(im.difficult),
}));

/** od's detections (labels ≥ 1, background 0) as @od/metrics takes them (labels in [0, K)). */
const forMetrics = (d: Detections): MetricsDetections => ({
  boxes: d.boxes,
  scores: d.scores,
  labels: Int32Array.from(d.labels, (l) => l - 1),
});

/** The hand-off SSDlite with a state dict loaded strictly (only BatchNorm's counters left out). */
function detectorFrom(stateDict: StateDict, file: string): SsdDetector {
  const det = ssdlite320MobilenetV3Large({
    classNames: meta.classNames,
    widthMultiplier: meta.model.widthMultiplier,
    reducedTail: meta.model.reducedTail,
  });
  const p = det.params;
  const targets = p.layout();
  const { values, report } = loadStateDict(targets, stateDict, { file });
  expect(report.ignored.every((k) => k.endsWith(".num_batches_tracked"))).toBe(true);
  for (const [key, data] of values) {
    const v = p.get(key);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
  }
  return det;
}

beforeAll(async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
});

describe("the hand-off evaluation images", () => {
  test("six 320×320 inputs; ground truth is the demo slice's VOC annotations scaled to the input", async () => {
    expect(inputs.length).toBe(meta.images.length * SIZE * SIZE * 3);
    expect(meta.images.length).toBe(6);
    expect(meta.model.numClasses).toBe(meta.classNames.length + 1);
    const voc = await loadVoc(DEMO_BCCD, { split: "test", classNames: meta.classNames });
    for (const im of meta.images) {
      const record = voc.images.find((r) => r.file.endsWith(`/${im.id}.jpg`))!;
      const [w, h] = im.sourceSize;
      expect([record.size.width, record.size.height]).toEqual([w, h]);
      const want = Array.from(record.boxes.data, (v, i) => (i % 2 === 0 ? (v * SIZE) / w : (v * SIZE) / h));
      expect(im.boxes.flat().map((v) => Math.fround(v))).toEqual(want.map((v) => Math.fround(v)));
      expect(im.labels).toEqual(Array.from(record.labels, (l) => l + 1));
      expect(im.difficult).toEqual(Array.from(record.difficult));
    }
  });
});

describe.each([
  ["torchvision → od: torchvision.pth, trained in torchvision", "torchvision.pth", "torchvision-eval.json"],
  ["od → torchvision: od.safetensors, trained and exported by od", "od.safetensors", "od-eval.json"],
])("%s", (_title, weights, evaluation) => {
  const want = json<EvalJson>(evaluation);
  let det: SsdDetector;
  let got: Detections[];

  beforeAll(async () => {
    const file = fileURLToPath(new URL(weights, FIXTURES));
    const sd = weights.endsWith(".pth") ? await readPthFile(file) : (await readSafetensorsFile(file)).tensors;
    det = detectorFrom(sd, file);
    got = await det.predict(images);
  }, 120_000);

  afterAll(() => {
    det?.dispose();
  });

  test("od's detections are torchvision's (boxes within 1e-3 px, scores within 1e-4, same labels)", () => {
    expect(got.length).toBe(want.detections.length);
    got.forEach((d, i) => {
      expectSameDetections(d, want.detections[i]!, `image ${i} (${meta.images[i]!.id})`);
    });
  });

  test(`od's VOC mAP@0.5 is torchvision's within ${MAP_TOLERANCE}, and so is every class's AP`, () => {
    const result = evaluateVoc(groundTruth, got.map(forMetrics), { classNames: meta.classNames });
    expect(want.mAP).toBeGreaterThan(0);
    expect(Math.abs(result.mAP - want.mAP)).toBeLessThanOrEqual(MAP_TOLERANCE);
    result.classes.forEach((c, k) => {
      expect(Math.abs(c.ap - want.ap[k]!), c.name).toBeLessThanOrEqual(MAP_TOLERANCE);
    });
  });

  test("od's metric on torchvision's own detections gives torchvision's numbers (the Python port is od's metric)", () => {
    const dets: MetricsDetections[] = want.detections.map((d) => ({
      boxes: boxes(d.boxes, "xyxy", "px"),
      scores: Float32Array.from(d.scores),
      labels: Int32Array.from(d.labels, (l) => l - 1),
    }));
    const result = evaluateVoc(groundTruth, dets, { classNames: meta.classNames });
    expect(Math.abs(result.mAP - want.mAP)).toBeLessThanOrEqual(1e-12);
    result.classes.forEach((c, k) => {
      expect(Math.abs(c.ap - want.ap[k]!), c.name).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe("torchvision → od, continued: od fine-tunes torchvision's checkpoint further", () => {
  test("train() with model.weights = torchvision.pth: loaded strictly, the frozen first epoch keeps torchvision's backbone bit for bit, the second moves it; the result predicts and evaluates", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "od-handoff-finetune-"));
    const file = fileURLToPath(new URL("torchvision.pth", FIXTURES));
    const events: TrainEvent[] = [];
    const n0 = tf.memory().numTensors;
    try {
      const imported = detectorFrom(await readPthFile(file), file);
      const backbone = imported.params.names().filter(isBackboneParam);
      const snapshot = (d: SsdDetector) =>
        new Map(backbone.map((n) => [n, Array.from(d.params.get(n).dataSync())]));
      const want = snapshot(imported);
      imported.dispose();
      const config = {
        // the checkpoint's class order (a .pth holds no names; VOC's default order is sorted)
        data: { root: DEMO_BCCD, classNames: meta.classNames, maxTrainImages: 8, maxValImages: 4 },
        model: {
          architecture: "ssdlite320_mobilenet_v3_large",
          backbone: {
            kind: "mobilenet_v3_large",
            widthMultiplier: meta.model.widthMultiplier,
            reducedTail: meta.model.reducedTail,
          },
          weights: file,
        },
        train: {
          epochs: 1,
          batchSize: 4,
          backends: ["wasm", "cpu"],
          workers: 0,
          freezeBackboneEpochs: 1,
          backboneLrScale: 0.1,
        },
        eval: { everyEpochs: 1, samples: 0 },
      };
      const first = await train(config, { out, onEvent: (e) => events.push(e) });
      const report = events.find((e) => e.type === "weights");
      expect(report && report.type === "weights" && report.report.strict).toBe(true);
      expect(first.steps).toBeGreaterThan(0);
      // torchvision's detector, evaluated by the run after a frozen epoch: with the labels permuted
      // (no data.classNames, VOC's sorted order) this is about 0.03
      expect(first.best?.vocMap ?? 0).toBeGreaterThan(0.2);
      const frozen = await loadRunDetector(path.join(out, "model"));
      expect(snapshot(frozen)).toEqual(want);
      frozen.dispose();
      // one more epoch, resumed past the freeze: the backbone trains at a tenth of the rate
      const second = await train({ ...config, train: { ...config.train, epochs: 2 } }, { out, resume: true });
      expect(second.epochsCompleted).toBe(2);
      const tuned = await loadRunDetector(path.join(out, "model"));
      const moved = snapshot(tuned);
      expect(
        backbone.filter((n) => n.endsWith(".weight") && moved.get(n)!.some((v, i) => v !== want.get(n)![i]))
          .length,
      ).toBeGreaterThan(0);
      const result = evaluateVoc(groundTruth, (await tuned.predict(images)).map(forMetrics), {
        classNames: meta.classNames,
      });
      expect(Number.isFinite(result.mAP)).toBe(true);
      tuned.dispose();
      expect(tf.memory().numTensors).toBe(n0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
