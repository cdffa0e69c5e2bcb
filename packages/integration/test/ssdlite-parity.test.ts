import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { uint8Image } from "@od/image";
import {
  mapMobilenetV3LargeKeys,
  preprocessBatch,
  type SsdDetector,
  ssdlite320MobilenetV3Large,
} from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { exportStateDict, loadStateDict } from "@od/torch";
import { readPthFile } from "@od/torch/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectSameDetections, type TorchDetections } from "./helpers/detections.js";

// Forward parity with torchvision 0.14's ssdlite320_mobilenet_v3_large: the fixtures are made by
// packages/ssd/scripts/ssdlite_fixtures.py (width 0.5, reduced tail, 4 classes, perturbed batch norm)
// from three 320×320 inputs; od loads the .pth through @od/torch and must give the same head outputs
// (relative error ≤ 1e-4) and the same detections (boxes within 1e-3 px, same labels, scores within 1e-4).
const FIXTURES = new URL("../../ssd/test/fixtures/ssdlite320/", import.meta.url);
const SIZE = 320;

const reference = JSON.parse(readFileSync(new URL("detections.json", FIXTURES), "utf8")) as {
  numClasses: number;
  widthMultiplier: number;
  reducedTail: boolean;
  inputs: number;
  detections: TorchDetections[];
};
const inputs = new Uint8Array(readFileSync(new URL("inputs.bin", FIXTURES)));
const floats = (name: string) => {
  const b = readFileSync(new URL(name, FIXTURES));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** max |a − b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

let detector: SsdDetector;

beforeAll(async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
  detector = ssdlite320MobilenetV3Large({
    numClasses: reference.numClasses,
    widthMultiplier: reference.widthMultiplier,
    reducedTail: reference.reducedTail,
  });
  const stateDict = await readPthFile(fileURLToPath(new URL("model.pth", FIXTURES)));
  const p = detector.params;
  const targets = p.layout();
  const { values, report } = loadStateDict(targets, stateDict);
  expect(report.missing).toEqual([]);
  expect(report.unexpected).toEqual([]);
  expect(report.ignored.length).toBe(70); // BatchNorm's num_batches_tracked: od keeps no counter
  for (const [key, data] of values) {
    const v = p.get(key);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
  }
});

afterAll(() => {
  detector.dispose();
});

describe("ssdlite320_mobilenet_v3_large: od vs torchvision", () => {
  const images = Array.from({ length: reference.inputs }, (_, i) =>
    uint8Image(inputs.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3), SIZE, SIZE),
  );

  test.each([
    [true, "batch norm folded"],
    [false, "layer by layer"],
  ])("head outputs: class logits and box regression (%s, %s)", (fold) => {
    const { batch } = preprocessBatch(images, detector.config, "parity");
    const x = tf.tensor4d(batch, [images.length, SIZE, SIZE, 3]);
    const warm = detector.forward(x, false, { foldBatchNorm: fold }); // caches the folded filters
    tf.dispose([warm.loc, warm.logits]);
    const before = tf.memory().numTensors;
    const out = detector.forward(x, false, { foldBatchNorm: fold });
    const logits = out.logits.dataSync();
    const loc = out.loc.dataSync();
    tf.dispose([out.loc, out.logits]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(out.logits.shape).toEqual([images.length, 3234, reference.numClasses]);
    expect(relErr(logits, floats("cls_logits.bin"))).toBeLessThanOrEqual(1e-4);
    expect(relErr(loc, floats("bbox_regression.bin"))).toBeLessThanOrEqual(1e-4);
  });

  test("detections: same labels, boxes within 1e-3 px, scores within 1e-4 (torchvision's post-processing)", async () => {
    const got = await detector.predict(images);
    got.forEach((det, i) => {
      expectSameDetections(det, reference.detections[i]!, `image ${i}`);
    });
  }, 60_000);
});

describe("an ImageNet mobilenet_v3_large checkpoint into the SSDlite backbone", () => {
  test("every features.* tensor lands on its backbone parameter (strict over the backbone's features)", async () => {
    const sd = await readPthFile(fileURLToPath(new URL("mobilenet_v3_large.pth", FIXTURES)));
    const { mapped, unmapped } = mapMobilenetV3LargeKeys(sd.keys());
    expect(unmapped.every((k) => k.startsWith("classifier."))).toBe(true);
    const renamed = new Map([...sd].filter(([k]) => mapped.has(k)).map(([k, t]) => [mapped.get(k)!, t]));
    const targets = detector.params.layout().filter((t) => t.key.startsWith("backbone.features."));
    const { values, report } = loadStateDict(targets, renamed);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(values.size).toBe(targets.length);
    const want = sd.get("features.16.1.running_var")!;
    expect(Array.from(values.get("backbone.features.1.3.1.running_var")!)).toEqual(
      Array.from(want.data as Float32Array),
    );
  });
});

describe("od's SSDlite exported with torchvision's keys", () => {
  test("exportStateDict gives torchvision's state_dict keys, order and shapes (what a strict load checks)", async () => {
    const keys = JSON.parse(readFileSync(new URL("keys.json", FIXTURES), "utf8")) as [string, number[]][];
    const exported = exportStateDict(await detector.params.snapshot());
    expect([...exported].map(([k, t]) => [k, [...t.shape]])).toEqual(keys);
    // and back: the weights loaded from torchvision's file come out as torchvision's tensors
    const original = await readPthFile(fileURLToPath(new URL("model.pth", FIXTURES)));
    for (const [k, t] of exported) {
      if (t.dtype !== "float32") continue;
      expect(Array.from(t.data as Float32Array), k).toEqual(
        Array.from(original.get(k)!.data as Float32Array),
      );
    }
  });
});
