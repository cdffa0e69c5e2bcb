import { fc, test as ftest } from "@fast-check/vitest";
import { boxes, convert, decode, isOdError, select, toPx, unletterboxBoxes, unsafeBoxes } from "@od/boxes";
import { letterboxImage, toUnitImage, uint8Image } from "@od/image";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  defaultSsdConfig,
  inputRecord,
  NETWORK_INPUT_RANGE,
  normalizeBytes,
  normalizeTensor,
  preprocessBatch,
  preprocessImage,
  preprocessSample,
  SsdDetector,
} from "../src/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

/** Bytes from a cheap hash, so every sample differs and every case is reproducible. */
const hashed = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => Math.imul(i + 1 + seed * 7919, 2654435761) >>> 24);

const arbImage = fc
  .record({ w: fc.integer({ min: 1, max: 40 }), h: fc.integer({ min: 1, max: 40 }), seed: fc.nat(500) })
  .map(({ w, h, seed }) => uint8Image(hashed(w * h * 3, seed), w, h));

const arbFit = fc.constantFrom("letterbox" as const, "resize" as const);

describe("normalisation", () => {
  test("bytes map to lo + (hi − lo) · b / 255 of NETWORK_INPUT_RANGE = [−1, 1]", () => {
    expect(NETWORK_INPUT_RANGE).toEqual([-1, 1]);
    const out = normalizeBytes(Uint8Array.of(0, 51, 255, 128));
    expect(Array.from(out)).toEqual([-1, Math.fround(-0.6), 1, Math.fround(-1 + (2 * 128) / 255)]);
    expect(Array.from(normalizeBytes(new Uint8Array(0)))).toEqual([]);
  });
  test("writes into out; an out of another length is a typed error", () => {
    const out = new Float32Array(2);
    expect(normalizeBytes(Uint8Array.of(255, 0), out)).toBe(out);
    expect(() => normalizeBytes(Uint8Array.of(1), new Float32Array(2))).toThrow(
      /^normalizeBytes: out must have 1 values \(one per byte\); got 2/,
    );
  });
  test("the tensor form agrees with the byte form within one float32 rounding; no tensor leaks", () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const before = tf.memory().numTensors;
    const t = tf.tensor1d(Float32Array.from(all));
    const n = normalizeTensor(t);
    const v = n.dataSync();
    tf.dispose([t, n]);
    expect(tf.memory().numTensors).toBe(before);
    const ref = normalizeBytes(all);
    let worst = 0;
    for (let b = 0; b < 256; b++) worst = Math.max(worst, Math.abs((v[b] as number) - (ref[b] as number)));
    expect(worst).toBeLessThanOrEqual(2 ** -23);
  });
});

describe("inputRecord", () => {
  const size = { width: 320, height: 320 };
  test("letterbox 640×480 → 320×320: 320×240 at (0, 40); resize stretches; same size is the identity", () => {
    const lb = inputRecord({ width: 640, height: 480 }, { inputSize: size, inputFit: "letterbox" });
    expect([lb.resized, lb.offset]).toEqual([
      { width: 320, height: 240 },
      { x: 0, y: 40 },
    ]);
    expect(inputRecord({ width: 640, height: 480 }, { inputSize: size })).toEqual(lb); // default letterbox
    const rs = inputRecord({ width: 640, height: 480 }, { inputSize: size, inputFit: "resize" });
    expect([rs.resized, rs.offset, rs.scaleX, rs.scaleY]).toEqual([size, { x: 0, y: 0 }, 0.5, 320 / 480]);
    const id = inputRecord(size, { inputSize: size });
    expect([id.scaleX, id.scaleY, id.offset]).toEqual([1, 1, { x: 0, y: 0 }]);
  });
});

describe("preprocessImage", () => {
  const config = { inputSize: { width: 4, height: 4 } };
  test("a 4×2 image letterboxed into 4×4: rows 1–2 hold it, rows 0 and 3 are zero bytes (−1)", () => {
    const im = uint8Image(new Uint8Array(4 * 2 * 3).fill(255), 4, 2);
    const { input, record } = preprocessImage(im, config);
    expect([input.range, input.shape]).toEqual(["network", [4, 4, 3]]);
    expect(record.offset).toEqual({ x: 0, y: 1 });
    const row = (y: number) => Array.from(input.data.subarray(y * 12, (y + 1) * 12));
    expect(row(0)).toEqual(new Array(12).fill(-1));
    expect(row(1)).toEqual(new Array(12).fill(1));
    expect(row(2)).toEqual(new Array(12).fill(1));
    expect(row(3)).toEqual(new Array(12).fill(-1));
    const stretched = preprocessImage(im, { ...config, inputFit: "resize" }).input;
    expect(Array.from(stretched.data)).toEqual(new Array(48).fill(1));
  });
  test("bad input names the function and the image", () => {
    let err: unknown;
    try {
      preprocessImage({ data: new Uint8Array(3), shape: [1, 1] }, config, { index: 4 });
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "BAD_IMAGE")).toBe(true);
    expect((err as Error).message).toMatch(
      /^preprocessImage: image 4 \(array of shape \[1, 1\]\) must have rank 3/,
    );
  });
  ftest.prop([arbImage])(
    "an image already of the input size is not resampled: exactly its normalised bytes",
    (im) => {
      const [h, w] = im.shape as [number, number];
      const { input } = preprocessImage(im, { inputSize: { width: w, height: h } });
      expect(
        Buffer.compare(Buffer.from(input.data.buffer), Buffer.from(normalizeBytes(im.data).buffer)),
      ).toBe(0);
    },
  );
  ftest.prop([arbImage, fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 48 }), arbFit])(
    "every input value lies in NETWORK_INPUT_RANGE; the same image gives the same bytes",
    (im, w, h, inputFit) => {
      const c = { inputSize: { width: w, height: h }, inputFit };
      const a = preprocessImage(im, c).input.data;
      expect(a.length).toBe(w * h * 3);
      expect(a.every((v) => v >= -1 && v <= 1)).toBe(true);
      expect(
        Buffer.compare(Buffer.from(a.buffer), Buffer.from(preprocessImage(im, c).input.data.buffer)),
      ).toBe(0);
    },
  );
  ftest.prop([arbImage, arbImage, fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 32 }), arbFit])(
    "an image's input does not depend on the images prepared before it (the letterbox canvas is reused)",
    (a, b, w, h, inputFit) => {
      const c = { inputSize: { width: w, height: h }, inputFit };
      for (const im of [a, b, a]) {
        const [ih, iw] = im.shape as [number, number];
        const want = normalizeBytes(letterboxImage(im, inputRecord({ width: iw, height: ih }, c)).data);
        expect(Array.from(preprocessImage(im, c).input.data)).toEqual(Array.from(want));
      }
    },
  );
  ftest.prop([arbImage, arbImage, arbFit], { numRuns: 30 })(
    "preprocessBatch into a given buffer: the same batch, written there, whatever it held",
    (a, b, inputFit) => {
      const c = { inputSize: { width: 12, height: 10 }, inputFit };
      const fresh = preprocessBatch([a, b], c);
      const out = new Float32Array(2 * 12 * 10 * 3).fill(9);
      const into = preprocessBatch([a, b], c, "preprocessBatch", out);
      expect(into.batch).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(fresh.batch));
      expect(into.records).toEqual(fresh.records);
    },
  );
  test("preprocessBatch refuses an out of another length, naming the caller", () => {
    const im = uint8Image(new Uint8Array(2 * 2 * 3), 2, 2);
    let err: unknown;
    try {
      preprocessBatch([im, im], { inputSize: { width: 4, height: 4 } }, "predict", new Float32Array(48));
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "INVALID_ARGUMENT")).toBe(true);
    expect((err as Error).message).toBe("predict: out must hold 2 × 4 × 4 × 3 = 96 floats; got 48");
  });
  ftest.prop([arbImage, arbFit], { numRuns: 40 })(
    "[0, 1] floats give the bytes' input; RGBA gives the RGB input; a batch is its images side by side",
    (im, inputFit) => {
      const c = { inputSize: { width: 16, height: 12 }, inputFit };
      const ref = preprocessImage(im, c).input.data;
      const [h, w] = im.shape as [number, number];
      const rgba = new Uint8Array(w * h * 4);
      for (let p = 0; p < w * h; p++) rgba.set([...im.data.subarray(3 * p, 3 * p + 3), 77], 4 * p);
      const { batch, records } = preprocessBatch([toUnitImage(im), { data: rgba, width: w, height: h }], c);
      expect(records).toHaveLength(2);
      expect(Array.from(batch.subarray(0, ref.length))).toEqual(Array.from(ref));
      expect(Array.from(batch.subarray(ref.length))).toEqual(Array.from(ref));
    },
  );
});

describe("preprocessSample", () => {
  const make = (over: Parameters<typeof defaultSsdConfig>[0]) =>
    new SsdDetector(
      defaultSsdConfig({
        inputSize: { width: 64, height: 64 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
        ...over,
      }),
    );
  let det: SsdDetector;
  let wide: SsdDetector;
  let stretch: SsdDetector;
  beforeAll(() => {
    det = make({ classNames: ["a", "b"] });
    wide = make({ classNames: ["a", "b"], variances: [0.2, 0.2, 0.4, 0.4] });
    stretch = make({ classNames: ["a", "b"], inputFit: "resize" });
  });
  afterAll(() => {
    for (const d of [det, wide, stretch]) d.dispose();
  });

  test("input equals preprocessImage's; targets use the model's own variances", () => {
    const im = uint8Image(hashed(80 * 50 * 3, 3), 80, 50);
    const gt = boxes([[10, 5, 50, 40]], "xyxy", "px");
    const a = preprocessSample({ image: im, boxes: gt, labels: [2] }, det);
    expect(Array.from(a.input.data)).toEqual(Array.from(preprocessImage(im, det.config).input.data));
    expect(a.targets.numPositive).toBeGreaterThan(0);
    const b = preprocessSample({ image: im, boxes: gt, labels: [2] }, wide);
    expect(Array.from(b.targets.labels)).toEqual(Array.from(a.targets.labels));
    // doubling every variance halves every regression target
    const worst = a.targets.locTargets.reduce(
      (m, v, i) => Math.max(m, Math.abs(v - 2 * (b.targets.locTargets[i] as number))),
      0,
    );
    expect(worst).toBeLessThan(1e-5);
  });
  test("writes into the caller's slices; a stricter matcher finds fewer positives", () => {
    const im = uint8Image(hashed(64 * 64 * 3, 4), 64, 64);
    const gt = boxes([[3, 3, 30, 20]], "xyxy", "px");
    const P = det.priors.length;
    const out = {
      input: new Float32Array(64 * 64 * 3),
      locTargets: new Float32Array(P * 4),
      labels: new Int32Array(P),
    };
    const loose = preprocessSample({ image: im, boxes: gt, labels: [1] }, det, {
      out,
      matcher: { kind: "ssd", threshold: 0.3 },
    });
    expect(loose.input.data).toBe(out.input);
    expect(loose.targets.locTargets).toBe(out.locTargets);
    const strict = preprocessSample({ image: im, boxes: gt, labels: [1] }, det, {
      matcher: { kind: "ssd", threshold: 0.7 },
    });
    expect(strict.targets.numPositive).toBeLessThanOrEqual(loose.targets.numPositive);
    expect(strict.targets.numPositive).toBeGreaterThanOrEqual(1); // every GT keeps its best prior
  });
  const arbSample = fc
    .record({
      w: fc.integer({ min: 8, max: 120 }),
      h: fc.integer({ min: 8, max: 120 }),
      fit: fc.constantFrom(0, 1),
      raw: fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 0.8, noNaN: true }),
          fc.double({ min: 0, max: 0.8, noNaN: true }),
          fc.double({ min: 0.15, max: 1, noNaN: true }),
          fc.double({ min: 0.15, max: 1, noNaN: true }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ w, h, fit, raw }) => ({
      fit,
      image: uint8Image(hashed(w * h * 3, w + h), w, h),
      boxes: boxes(
        raw.map(([x, y, bw, bh]) => [
          x * w,
          y * h,
          Math.min(w, x * w + bw * w * 0.5),
          Math.min(h, y * h + bh * h * 0.5),
        ]),
        "xyxy",
        "px",
      ),
    }));
  ftest.prop([arbSample], { numRuns: 40 })(
    "round trip: each positive prior's target decodes, through the same record's inverse, to its box",
    ({ fit, image, boxes: gt }) => {
      const model = fit === 0 ? det : stretch;
      const labels = Array.from({ length: gt.length }, () => 1);
      const { targets, record } = preprocessSample({ image, boxes: gt, labels }, model);
      const pos: number[] = [];
      targets.labels.forEach((l, p) => {
        if (l > 0) pos.push(p);
      });
      expect(pos.length).toBeGreaterThanOrEqual(1);
      const deltas = new Float32Array(pos.length * 4);
      pos.forEach((p, k) => {
        deltas.set(targets.locTargets.subarray(4 * p, 4 * p + 4), 4 * k);
      });
      const rel = decode(deltas, select(model.priors, pos), { variances: model.config.variances });
      const back = unletterboxBoxes(toPx(convert(rel, "xyxy"), record.target), record);
      pos.forEach((p, k) => {
        const m = targets.matches[p] as number;
        for (let c = 0; c < 4; c++)
          expect(Math.abs((back.data[4 * k + c] as number) - (gt.data[4 * m + c] as number))).toBeLessThan(
            0.02,
          );
      });
    },
  );
  test("an image without boxes is all background", () => {
    const im = uint8Image(hashed(30 * 30 * 3, 1), 30, 30);
    const r = preprocessSample(
      { image: im, boxes: unsafeBoxes(new Float32Array(0), "xyxy", "px"), labels: [] },
      det,
    );
    expect(r.targets.numPositive).toBe(0);
    expect(r.targets.labels.every((l) => l === 0)).toBe(true);
  });
});
