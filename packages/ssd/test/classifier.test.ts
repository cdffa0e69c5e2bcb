import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boxes } from "@od/boxes";
import { uint8Image } from "@od/image";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import { CropClassifier, classifyBoxes, cropBoxes } from "../src/index.js";
import { loadClassifier, saveClassifier } from "../src/node.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

describe("cropBoxes", () => {
  test("crops the pixels of the box (xyxy px → yxyx rel at the call)", () => {
    // Left half of a 20x10 image is 0, right half 255. The box [12, 2, 18, 8] lies in the right half.
    const data = new Uint8Array(10 * 20 * 3);
    for (let y = 0; y < 10; y++) data.fill(255, (y * 20 + 10) * 3, (y * 20 + 20) * 3);
    const img = uint8Image(data, 20, 10);
    const before = tf.memory().numTensors;
    const c = cropBoxes(
      img,
      boxes(
        [
          [12, 2, 18, 8],
          [1, 1, 8, 9],
        ],
        "xyxy",
        "px",
      ),
      8,
    );
    expect(c.shape).toEqual([2, 8, 8, 3]);
    const v = c.arraySync() as number[][][][];
    expect(v[0]?.[4]?.[4]?.[0]).toBeCloseTo(1, 5); // 255 → +1
    expect(v[1]?.[4]?.[4]?.[0]).toBeCloseTo(-1, 5); // 0 → −1
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  test("no boxes gives [0, s, s, 3]", () => {
    const c = cropBoxes(uint8Image(new Uint8Array(4 * 4 * 3), 4, 4), boxes([], "xyxy", "px"), 8);
    expect(c.shape).toEqual([0, 8, 8, 3]);
    c.dispose();
  });
  test("an int32 tensor (tf.browser.fromPixels) gives the same crops as its bytes", () => {
    const bytes = Uint8Array.from({ length: 12 * 9 * 3 }, (_, i) => (i * 37) & 255);
    const t = tf.tensor3d(Int32Array.from(bytes), [9, 12, 3], "int32");
    const b = boxes([[1.5, 2, 10, 8.5]], "xyxy", "px");
    const a = cropBoxes(uint8Image(bytes, 12, 9), b, 6);
    const c = cropBoxes(t, b, 6);
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([t, a, c]);
  });
});

describe("CropClassifier", () => {
  test("logits shape, labels in range, no leaks, save/load round trip", async () => {
    const k = new CropClassifier({
      classNames: ["RBC", "WBC", "Platelets"],
      cropSize: 16,
      width: 4,
      seed: 1,
    });
    const img = uint8Image(
      Uint8Array.from({ length: 30 * 30 * 3 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24),
      30,
      30,
    );
    const b = boxes(
      [
        [0, 0, 10, 10],
        [5, 5, 25, 28],
      ],
      "xyxy",
      "px",
    );
    await classifyBoxes(k, img, b); // the first inference folds batch norm into cached filters
    const before = tf.memory().numTensors;
    const r = await classifyBoxes(k, img, b);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.labels.length).toBe(2);
    for (const l of r.labels) expect(l >= 1 && l <= 3).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), "od-cls-"));
    await saveClassifier(k, dir);
    const k2 = await loadClassifier(dir);
    const r2 = await classifyBoxes(k2, img, b);
    expect(Array.from(r2.scores)).toEqual(Array.from(r.scores));
    await rm(dir, { recursive: true, force: true });
    k.dispose();
    k2.dispose();
  });
  test("bad config and bad crops are typed errors", () => {
    expect(() => new CropClassifier({ classNames: ["only"] })).toThrow(
      /classNames must list at least 2 classes/,
    );
    const k = new CropClassifier({ classNames: ["a", "b"], cropSize: 16 });
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => k.forward(x)).toThrow(/crops must be \[N, 16, 16, 3\]; got \[1, 8, 8, 3\]/);
    x.dispose();
    k.dispose();
  });
});
