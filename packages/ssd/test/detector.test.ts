import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test as propTest } from "@fast-check/vitest";
import {
  type Boxes,
  batchedNms,
  clip,
  convert,
  decode,
  isOdError,
  type LetterboxRecord,
  letterboxRecord,
  select,
  toPx,
  unletterboxBoxes,
  type Variances,
} from "@od/boxes";
import { tempPathOf } from "@od/boxes/node";
import { toUnitImage, uint8Image, unsafeImage } from "@od/image";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  defaultSsdConfig,
  deserializeDetector,
  featureSize,
  postprocess,
  SsdDetector,
  serializeDetector,
} from "../src/index.js";
import { loadDetector, saveDetector } from "../src/node.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

const tiny = (over: Partial<Parameters<typeof defaultSsdConfig>[0]> = {}) =>
  defaultSsdConfig({
    classNames: ["cell", "platelet"],
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
    ...over,
  });

describe("SsdDetector", () => {
  test.each([
    [64, 64, "separable"],
    [96, 64, "conv"],
    [64, 128, "separable"],
  ] as const)("output shapes match the priors for a %ix%i input (%s heads)", (w, h, head) => {
    const d = new SsdDetector(tiny({ inputSize: { width: w, height: h }, head }));
    const P = [8, 16, 32].reduce((s, st) => s + featureSize(h, st) * featureSize(w, st) * 4, 0);
    expect(d.priors.length).toBe(P);
    const before = tf.memory().numTensors;
    const x = tf.zeros([2, h, w, 3]) as tf.Tensor4D;
    const o = d.forward(x, true);
    expect(o.loc.shape).toEqual([2, P, 4]);
    expect(o.logits.shape).toEqual([2, P, 3]);
    tf.dispose([x, o.loc, o.logits]);
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });

  test("vgg backbone works too", () => {
    const d = new SsdDetector(tiny({ backbone: { kind: "vgg", baseChannels: 8, taps: [8, 16] } }));
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const o = d.forward(x);
    expect(o.logits.shape).toEqual([1, 64 * 4 + 16 * 4, 3]);
    tf.dispose([x, o.loc, o.logits]);
    d.dispose();
  });

  test("initial weights are a pure function of the seed", async () => {
    const a = new SsdDetector(tiny({ seed: 3 }));
    const b = new SsdDetector(tiny({ seed: 3 }));
    const c = new SsdDetector(tiny({ seed: 4 }));
    const w = (d: SsdDetector) => Array.from(d.params.get("backbone.b1.pw.conv.w").dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    for (const d of [a, b, c]) d.dispose();
  });

  test("inference folds batch norm into fused conv ops: same outputs as layer by layer", () => {
    const d = new SsdDetector(tiny({ seed: 5 }));
    // Non-trivial batch-norm statistics and affine parameters everywhere.
    let k = 0;
    for (const name of d.params.names()) {
      if (!/\.(gamma|beta|mean|var)$/.test(name)) continue;
      const v = d.params.get(name);
      const u = tf.randomUniform(v.shape, 0.5, 1.5, "float32", 100 + k++);
      tf.tidy(() =>
        (v as tf.Variable).assign(name.endsWith(".mean") || name.endsWith(".beta") ? tf.sub(u, 1) : u),
      );
      u.dispose();
    }
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1, "float32", 9) as tf.Tensor4D;
    const warm = d.forward(x); // folds batch norm into cached filters
    tf.dispose([warm.loc, warm.logits]);
    const before = tf.memory().numTensors;
    const a = d.forward(x);
    const b = d.forward(x, false, { foldBatchNorm: false });
    const err = (p: tf.Tensor, q: tf.Tensor) =>
      tf.tidy(
        () => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]! / Math.max(1e-6, tf.max(tf.abs(q)).dataSync()[0]!),
      );
    expect(err(a.loc, b.loc)).toBeLessThan(1e-4);
    expect(err(a.logits, b.logits)).toBeLessThan(1e-4);
    // While a gradient is recorded (tfjs has no gradient for a fused relu6) the unfolded layers run.
    const g = tf.grad((t: tf.Tensor) => tf.sum(d.forward(t as tf.Tensor4D).logits))(x);
    expect(Number.isFinite(tf.tidy(() => tf.sum(g).dataSync()[0]!))).toBe(true);
    tf.dispose([a.loc, a.logits, b.loc, b.logits, g]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    d.dispose();
  });

  test("folded filters are cached, recomputed after a parameter changes, and freed by dispose", () => {
    const start = tf.memory().numTensors;
    const d = new SsdDetector(tiny({ seed: 6 }));
    const afterBuild = tf.memory().numTensors;
    const x = tf.randomUniform([1, 64, 64, 3], -1, 1, "float32", 10) as tf.Tensor4D;
    const run = () => {
      const o = d.forward(x);
      const v = o.logits.dataSync().slice();
      tf.dispose([o.loc, o.logits]);
      return v;
    };
    const first = run();
    const cached = tf.memory().numTensors;
    expect(cached).toBeGreaterThan(afterBuild + 1); // x plus the folded filters and biases
    expect(run()).toEqual(first);
    expect(tf.memory().numTensors).toBe(cached);
    // Training-style update of one batch-norm scale: the next inference must see it.
    const g = d.params.get("backbone.stem.bn.gamma");
    tf.tidy(() => g.assign(tf.mul(g, 2)));
    const changed = run();
    expect(changed).not.toEqual(first);
    expect(tf.memory().numTensors).toBe(cached); // the stale entry was replaced, not added to
    const unfolded = d.forward(x, false, { foldBatchNorm: false });
    const ref = unfolded.logits.dataSync();
    const err = Math.max(...changed.map((v, i) => Math.abs(v - (ref[i] as number))));
    expect(err).toBeLessThan(1e-4);
    tf.dispose([unfolded.loc, unfolded.logits, x]);
    d.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test("starts predicting background with probability 0.99", () => {
    const d = new SsdDetector(tiny());
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const o = d.forward(x);
    const p = tf.softmax(o.logits).dataSync();
    expect(p[0]).toBeCloseTo(0.99, 2);
    tf.dispose([x, o.loc, o.logits]);
    d.dispose();
  });

  test("predict on images of any size: typed result, no leaks", async () => {
    const d = new SsdDetector(tiny());
    const imgs = [
      tf.randomUniform([50, 80, 3], 0, 256, "int32", 1) as tf.Tensor3D,
      { data: new Uint8Array(30 * 20 * 4), width: 20, height: 30 },
    ];
    await d.predict(imgs, { scoreThreshold: 0.001 }); // the first inference folds batch norm into cached filters
    const before = tf.memory().numTensors;
    const res = await d.predict(imgs, { scoreThreshold: 0.001 });
    expect(tf.memory().numTensors).toBe(before);
    expect(res).toHaveLength(2);
    for (const [i, r] of res.entries()) {
      expect(r.boxes.format).toBe("xyxy");
      expect(r.boxes.units).toBe("px");
      expect(r.scores.length).toBe(r.boxes.length);
      const W = i === 0 ? 80 : 20;
      const H = i === 0 ? 50 : 30;
      for (let k = 0; k < r.boxes.data.length; k += 4) {
        expect(r.boxes.data[k]).toBeGreaterThanOrEqual(0);
        expect(r.boxes.data[k + 2]).toBeLessThanOrEqual(W);
        expect(r.boxes.data[k + 3]).toBeLessThanOrEqual(H);
      }
    }
    tf.dispose(imgs[0] as tf.Tensor);
    d.dispose();
  });

  test("bad images give typed errors naming the image", async () => {
    const d = new SsdDetector(tiny());
    const cases: [unknown, RegExp][] = [
      [tf.zeros([4, 4]), /image 0 \(tensor \[4, 4\] float32\) must have rank 3/],
      [tf.zeros([4, 4, 2]), /must have 3 \(RGB\) or 4 \(RGBA\) channels/],
      [tf.zeros([0, 4, 3]), /has size 0/],
      [tf.zeros([4, 4, 3], "bool"), /must be an int32 tensor of values 0\.\.255/],
      [tf.zeros([4, 4, 3]), /is a float32 tensor, whose value range is unknown; tf\.cast\(\) it to int32/],
      [tf.fill([2, 2, 3], 300, "int32"), /has value 300 at flat index 0, outside 0\.\.255/],
      [{ data: new Uint8Array(5), shape: [2, 2, 3] }, /has 5 values; expected 2×2×3 = 12/],
      [{ data: new Float32Array(12), shape: [2, 2, 3] }, /data is a Float32Array; only bytes .* unitImage\(/],
    ];
    for (const [img, msg] of cases) {
      await expect(d.predict([img as tf.Tensor3D])).rejects.toSatisfy(
        (e: unknown) => isOdError(e, "BAD_IMAGE") && msg.test((e as Error).message),
      );
      if (img instanceof tf.Tensor) img.dispose();
    }
    await expect(
      // an untagged float ndarray (shape, stride, offset), as plain JS might pass
      d.predict([{ data: new Float32Array(12), shape: [2, 2, 3], stride: [6, 3, 1], offset: 0 } as never]),
    ).rejects.toSatisfy(
      (e: unknown) =>
        isOdError(e, "UNKNOWN_RANGE") &&
        /^predict: images\[0\] is a float32 ndarray/.test((e as Error).message),
    );
    await expect(
      d.predict([
        uint8Image(new Uint8Array(12), 2, 2),
        unsafeImage(new Float32Array(12), 2, 2, 3, "network") as never,
      ]),
    ).rejects.toSatisfy(
      (e: unknown) =>
        isOdError(e, "RANGE_MISMATCH") &&
        /^predict: images\[1\] must be a "0-255" or "0-1" image/.test((e as Error).message),
    );
    d.dispose();
  });

  test("a [0, 1] image predicts exactly as its bytes; RGBA as its RGB", async () => {
    const d = new SsdDetector(tiny({ seed: 2 }));
    const bytes = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => Math.imul(i + 7, 2654435761) >>> 24);
    const rgb = uint8Image(bytes, 40, 30);
    const rgba = new Uint8Array(40 * 30 * 4);
    for (let p = 0; p < 40 * 30; p++) rgba.set([...bytes.subarray(3 * p, 3 * p + 3), 9], 4 * p);
    const [a, b, c] = await d.predict([rgb, toUnitImage(rgb), { data: rgba, width: 40, height: 30 }], {
      scoreThreshold: 0.001,
    });
    expect(a!.boxes.length).toBeGreaterThan(0);
    for (const r of [b!, c!]) {
      expect(Array.from(r.boxes.data)).toEqual(Array.from(a!.boxes.data));
      expect(Array.from(r.scores)).toEqual(Array.from(a!.scores));
    }
    d.dispose();
  });
});

describe("postprocess", () => {
  test("maps a prior back to the original image through the exact inverse letterbox", () => {
    // A 200x100 image letterboxed into 64x64: resized 64x32 at offset (0, 16).
    const d = new SsdDetector(tiny());
    const rec = letterboxRecord({ width: 200, height: 100 }, { width: 64, height: 64 });
    const P = d.priors.length;
    const probs = new Float32Array(P * 3);
    for (let p = 0; p < P; p++) probs[p * 3] = 1;
    const target = 100; // level 0 (8x8 cells, 4 shapes): row 3, column 1, shape 0 — inside the content rows 2..5
    probs[target * 3] = 0.1;
    probs[target * 3 + 2] = 0.9;
    const det = postprocess(new Float32Array(P * 4), probs, d.priors, [0.1, 0.1, 0.2, 0.2], rec, {
      scoreThreshold: 0.5,
    });
    expect(Array.from(det.labels)).toEqual([2]);
    expect(det.scores[0]).toBeCloseTo(0.9, 6);
    const one = select(d.priors, [target]);
    const expected = unletterboxBoxes(toPx(convert(one, "xyxy"), rec.target), rec);
    const e = Array.from(expected.data).map((v, k) => Math.min(Math.max(v, 0), k % 2 === 0 ? 200 : 100));
    for (const [k, v] of Array.from(det.boxes.data).entries()) expect(v).toBeCloseTo(e[k] as number, 3);
    d.dispose();
  });
});

/** Post-processing as it was written first: decode all P priors, then select the candidates (reference). */
function postprocessAllPriors(
  deltas: Float32Array,
  probs: Float32Array,
  priors: Boxes<"cxcywh", "rel">,
  variances: Variances,
  record: LetterboxRecord,
  o: { scoreThreshold: number; iouThreshold: number; topKPerClass: number; maxDetections: number },
) {
  const P = priors.length;
  const C = probs.length / P;
  const px = toPx(convert(decode(deltas, priors, { variances }), "xyxy"), record.target);
  const idx: number[] = [];
  const cls: number[] = [];
  const sc: number[] = [];
  for (let c = 1; c < C; c++) {
    let order: number[] = [];
    for (let p = 0; p < P; p++) if (probs[p * C + c]! > o.scoreThreshold) order.push(p);
    if (order.length > o.topKPerClass)
      order = order.sort((a, b) => probs[b * C + c]! - probs[a * C + c]! || a - b).slice(0, o.topKPerClass);
    for (const p of order) {
      idx.push(p);
      cls.push(c);
      sc.push(probs[p * C + c]!);
    }
  }
  const cand = select(px, idx);
  const keep = batchedNms(cand, sc, cls, o.iouThreshold, { maxOutput: o.maxDetections });
  return {
    boxes: clip(unletterboxBoxes(select(cand, keep), record), record.source),
    scores: Float32Array.from(keep, (k) => sc[k]!),
    labels: Int32Array.from(keep, (k) => cls[k]!),
  };
}

describe("postprocess decodes only the candidates", () => {
  const d = new SsdDetector(tiny());
  const P = d.priors.length;
  afterAll(() => d.dispose());
  propTest.prop(
    [
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.double({ min: 0, max: 0.9, noNaN: true }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 30 }),
    ],
    { numRuns: 30 },
  )(
    "the same detections as decoding every prior first",
    (seed, scoreThreshold, topKPerClass, maxDetections) => {
      let s = seed;
      const rnd = () => {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        return s / 2 ** 32;
      };
      const deltas = Float32Array.from({ length: P * 4 }, () => (rnd() - 0.5) * 3);
      const probs = new Float32Array(P * 3);
      for (let p = 0; p < P; p++) {
        const a = rnd();
        const b = rnd() * (1 - a);
        probs.set([1 - a - b, a, b], p * 3);
      }
      const rec = letterboxRecord({ width: 200, height: 100 }, { width: 64, height: 64 });
      const o = { scoreThreshold, iouThreshold: 0.45, topKPerClass, maxDetections };
      const got = postprocess(deltas, probs, d.priors, [0.1, 0.1, 0.2, 0.2], rec, o);
      const want = postprocessAllPriors(deltas, probs, d.priors, [0.1, 0.1, 0.2, 0.2], rec, o);
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
      expect(Array.from(got.boxes.data)).toEqual(Array.from(want.boxes.data));
    },
  );
  test("deltas of another length than the priors' are refused", () => {
    const rec = letterboxRecord({ width: 64, height: 64 }, { width: 64, height: 64 });
    let err: unknown;
    try {
      postprocess(new Float32Array(8), new Float32Array(P * 3), d.priors, [0.1, 0.1, 0.2, 0.2], rec);
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "INVALID_ARGUMENT")).toBe(true);
    expect((err as Error).message).toBe(`postprocess: deltas must be [${P}, 4]; got 8 values`);
  });
});

describe("predict reuses its input buffer", () => {
  test("a prediction does not depend on the batches predicted before it", async () => {
    const d = new SsdDetector(tiny({ seed: 3 }));
    const a = uint8Image(
      Uint8Array.from({ length: 50 * 30 * 3 }, (_, i) => (i * 37) & 255),
      50,
      30,
    );
    const b = uint8Image(
      Uint8Array.from({ length: 20 * 70 * 3 }, (_, i) => (i * 11) & 255),
      20,
      70,
    );
    const opts = { scoreThreshold: 0.01 };
    const [first] = await d.predict([a], opts);
    await d.predict([b, a, b], opts);
    const [again] = await d.predict([a], opts);
    const other = new SsdDetector(tiny({ seed: 3 }));
    const [alone] = await other.predict([b], opts);
    other.dispose();
    const [, inBatch] = await d.predict([a, b], opts);
    expect(Array.from(again!.scores)).toEqual(Array.from(first!.scores));
    expect(Array.from(again!.boxes.data)).toEqual(Array.from(first!.boxes.data));
    expect(Array.from(inBatch!.scores)).toEqual(Array.from(alone!.scores));
    d.dispose();
  });
});

describe("persistence", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "od-ssd-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("save/load round trip is bit exact", async () => {
    const a = new SsdDetector(tiny({ seed: 9 }));
    // Move the batch-norm statistics away from their initial values.
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, "float32", 2) as tf.Tensor4D;
    const o = a.forward(x, true);
    tf.dispose([o.loc, o.logits]);
    await saveDetector(a, dir);
    const b = await loadDetector(dir);
    for (const n of a.params.names()) {
      expect(Array.from(b.params.get(n).dataSync())).toEqual(Array.from(a.params.get(n).dataSync()));
    }
    const ya = a.forward(x);
    const yb = b.forward(x);
    expect(Array.from(yb.logits.dataSync())).toEqual(Array.from(ya.logits.dataSync()));
    tf.dispose([x, ya.loc, ya.logits, yb.loc, yb.logits]);
    a.dispose();
    b.dispose();
  });

  test("a write that fails is IO_FAILED naming the path; the saved files stay as they were", async () => {
    const a = new SsdDetector(tiny({ seed: 4 }));
    const target = join(dir, "io");
    await saveDetector(a, target);
    const before = await readFile(join(target, "model.json"), "utf8");
    await mkdir(tempPathOf(join(target, "model.json")));
    const e = await saveDetector(a, target).catch((x: unknown) => x);
    expect(isOdError(e, "IO_FAILED")).toBe(true);
    expect((e as Error).name).toBe("SsdError");
    expect((e as Error).message).toMatch(
      `saveDetector: writeFileAtomic: cannot write ${join(target, "model.json")}: `,
    );
    expect(((e as Error).cause as Error).name).toBe("BoxesError");
    expect(await readFile(join(target, "model.json"), "utf8")).toBe(before);
    await rm(tempPathOf(join(target, "model.json")), { recursive: true });
    const blocked = join(dir, "a-file");
    await writeFile(blocked, "x");
    await expect(saveDetector(a, join(blocked, "model"))).rejects.toThrow(
      `saveDetector: cannot create ${join(blocked, "model")}: `,
    );
    expect((await readdir(target)).sort()).toEqual(["model.json", "weights.bin"]);
    a.dispose();
  });

  test("a missing file, wrong shapes or another version are refused with the file named", async () => {
    const a = new SsdDetector(tiny());
    const { json, weights } = await serializeDetector(a);
    const expectBad = (f: () => unknown, msg: RegExp) => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isOdError(err, "BAD_CHECKPOINT")).toBe(true);
      expect((err as Error).message).toMatch(msg);
    };
    expectBad(
      () => deserializeDetector({ ...json, formatVersion: 99 }, weights, "m.json"),
      /m.json: was written by format version 99/,
    );
    expectBad(() => deserializeDetector(json, weights.slice(0, 100), "m.json"), /weights hold 100 bytes/);
    const w0 = json.weightsManifest[0]!.weights;
    const wrong = {
      ...json,
      weightsManifest: [
        { paths: ["weights.bin"], weights: w0.map((s, i) => (i === 0 ? { ...s, shape: [1, 2, 3] } : s)) },
      ],
    };
    expectBad(
      () => deserializeDetector(wrong, weights),
      /parameter backbone.stem.conv.w has shape \[1, 2, 3\] but the model needs \[3, 3, 3, 8\]/,
    );
    const missing = { ...json, weightsManifest: [{ paths: ["weights.bin"], weights: w0.slice(1) }] };
    expectBad(() => deserializeDetector(missing, weights), /lacks 1 parameter\(s\): backbone.stem.conv.w/);
    await writeFile(join(dir, "model.json"), "{");
    await expect(loadDetector(dir)).rejects.toThrow(/model.json is not valid JSON/);
    await expect(loadDetector(join(dir, "nope"))).rejects.toThrow(/cannot read .*nope\/model.json/);
    a.dispose();
  });
});
