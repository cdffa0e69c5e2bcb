import { createRequire } from "node:module";
import { fc, test } from "@fast-check/vitest";
import { type Uint8Image, uint8Image } from "@od/image";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect } from "vitest";
import {
  addNegatives,
  createPipeline,
  type DataSample,
  fromSampleMessage,
  type ImageRecord,
  negativeRecord,
  toSampleMessage,
} from "../src/index.js";
import { synthetic } from "./fixtures.js";
import { expectOdError, expectOdErrorAsync } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const blank = (r: ImageRecord): Uint8Image =>
  uint8Image(new Uint8Array(r.size.width * r.size.height * 3), r.size.width, r.size.height);

async function collect<S>(it: AsyncIterable<{ samples: readonly S[]; records: readonly ImageRecord[] }>) {
  const out: { ids: string[]; samples: S[] }[] = [];
  for await (const b of it) out.push({ ids: b.records.map((r) => r.id), samples: [...b.samples] });
  return out;
}

describe("createPipeline", () => {
  const ds = synthetic(23);
  test("every image once per epoch; batches of batchSize, last one smaller", async () => {
    const p = createPipeline({ dataset: ds, decode: blank, batchSize: 5, seed: 1 });
    expect(p.batchesPerEpoch).toBe(5);
    const b = await collect(p.epoch(0));
    expect(b.map((x) => x.ids.length)).toEqual([5, 5, 5, 5, 3]);
    expect(b.flatMap((x) => x.ids).sort()).toEqual(ds.images.map((r) => r.id).sort());
    const s = b[0]!.samples[0] as DataSample;
    expect(s.image.shape).toEqual([100, 200, 3]);
    expect(s.records).toEqual([]);
    expect(createPipeline({ dataset: ds, decode: blank, batchSize: 5, dropLast: true }).batchesPerEpoch).toBe(
      4,
    );
  });
  test("from: an epoch started at batch k gives the whole epoch's batches from k on, same samples", async () => {
    const p = createPipeline({
      dataset: ds,
      decode: blank,
      batchSize: 5,
      seed: 4,
      transform: (s, rng) => ({ ...s, labels: Int32Array.of(uniformInt(rng, 0, 1_000_000)) }),
    });
    const whole = await collect(p.epoch(2));
    const tail = await collect(p.epoch(2, 3));
    expect(tail.map((b) => b.ids)).toEqual(whole.slice(3).map((b) => b.ids));
    const firstDraw = (b: { samples: DataSample[] }) => b.samples.map((s) => s.labels[0]);
    expect(tail.map(firstDraw)).toEqual(whole.slice(3).map(firstDraw));
    expect(await collect(p.epoch(2, p.batchesPerEpoch))).toEqual([]);
    for (const bad of [-1, 1.5, p.batchesPerEpoch + 1])
      await expectOdErrorAsync(
        () => collect(p.epoch(0, bad)),
        "INVALID_ARGUMENT",
        /^Pipeline\.epoch: from must be an integer in \[0, 5\]/,
      );
  });
  test("seeded: same seed and epoch give the same order; epochs and seeds differ; no shuffle is in order", () => {
    const p = createPipeline({ dataset: ds, decode: blank, batchSize: 4, seed: 7 });
    expect(p.plan(0)).toEqual(createPipeline({ dataset: ds, decode: blank, batchSize: 4, seed: 7 }).plan(0));
    expect(p.plan(1)).not.toEqual(p.plan(0));
    expect(createPipeline({ dataset: ds, decode: blank, batchSize: 4, seed: 8 }).plan(0)).not.toEqual(
      p.plan(0),
    );
    expect(createPipeline({ dataset: ds, decode: blank, batchSize: 4, shuffle: false }).plan(0)[0]).toEqual([
      0, 1, 2, 3,
    ]);
  });
  test("negative share: a fixed number of negatives per batch, positives once per epoch", () => {
    const extra = Array.from({ length: 3 }, (_, i) =>
      negativeRecord(`neg${i}.jpg`, { width: 200, height: 100 }),
    );
    const d = addNegatives(ds, extra);
    const p = createPipeline({ dataset: d, decode: blank, batchSize: 4, seed: 3, negativeShare: 0.25 });
    const plan = p.plan(0);
    const isNeg = (i: number) => d.images[i]!.boxes.length === 0;
    for (const b of plan.slice(0, -1)) expect(b.filter(isNeg).length).toBe(1);
    const positives = plan.flat().filter((i) => !isNeg(i));
    expect(positives.sort((a, b) => a - b)).toEqual(d.images.map((_, i) => i).filter((i) => !isNeg(i)));
    expectOdError(
      () =>
        createPipeline({
          dataset: { ...ds, images: ds.images.filter((r) => r.boxes.length > 0) },
          decode: blank,
          batchSize: 4,
          negativeShare: 0.5,
        }),
      "INVALID_ARGUMENT",
      /no background-only images; add some with addNegatives/,
    );
  });
  test("bad options", () => {
    expectOdError(
      () => createPipeline({ dataset: ds, decode: blank, batchSize: 0 }),
      "INVALID_ARGUMENT",
      /^createPipeline: options\.batchSize must be an integer >= 1; got 0/,
    );
    expectOdError(
      () => createPipeline({ dataset: ds, decode: blank, batchSize: 2, negativeShare: 1 }),
      "INVALID_ARGUMENT",
      /negativeShare must be in \[0, 1\)/,
    );
  });
  test("a decoded size that differs from the record is a typed error", async () => {
    const p = createPipeline({
      dataset: ds,
      decode: () => uint8Image(new Uint8Array(12), 2, 2),
      batchSize: 2,
    });
    await expectOdErrorAsync(
      () => collect(p.epoch(0)),
      "SIZE_MISMATCH",
      /decodes to 2x2 but its record says 200x100/,
    );
  });
  test("transforms may return { sample, report } (the @od/augment shape) and get per-sample generators", async () => {
    const p = createPipeline({
      dataset: ds,
      decode: blank,
      batchSize: 4,
      seed: 5,
      transform: (s, rng) => ({
        sample: { ...s, draw: uniformInt(rng, 0, 1_000_000) },
        report: { steps: [] },
      }),
    });
    const b = await collect(p.epoch(0));
    expect(typeof b[0]!.samples[0]!.draw).toBe("number");
  });
  test.prop([fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 6 })], { numRuns: 8 })(
    "results do not depend on timing or prefetch depth",
    async (prefetch, batchSize) => {
      const run = async (jitter: boolean, pf: number) => {
        const p = createPipeline({
          dataset: ds,
          batchSize,
          seed: 11,
          prefetch: pf,
          decode: async (r) => {
            if (jitter) await sleep(Number(r.id.slice(3)) % 3);
            return blank(r);
          },
          transform: async (s, rng) => {
            const v = uniformInt(rng, 0, 1 << 30);
            if (jitter) await sleep(v % 3);
            return { ...s, v };
          },
        });
        return (await collect(p.epoch(2))).map((x) => [x.ids, x.samples.map((s) => s.v)]);
      };
      expect(await run(true, prefetch)).toEqual(await run(false, 0));
    },
  );
  test("prefetch: the work ahead runs in later tasks, so it fills the consumer's waits instead of delaying it", async () => {
    const transformed: number[] = [];
    const p = createPipeline({
      dataset: ds,
      batchSize: 2,
      prefetch: 1,
      decode: blank,
      transform: (s) => {
        transformed.push(1);
        return s;
      },
    });
    const it = p.epoch(0);
    await it.next();
    // Batch 1 is decoded, but none of its transforms ran before the consumer got batch 0 back.
    expect(transformed).toHaveLength(2);
    await sleep(20); // the consumer waits (e.g. for a worker thread): the batch ahead is prepared
    expect(transformed).toHaveLength(4);
    await it.return(undefined);
    // Without prefetch nothing is prepared ahead.
    transformed.length = 0;
    const q = createPipeline({
      dataset: ds,
      batchSize: 2,
      prefetch: 0,
      decode: blank,
      transform: (s) => {
        transformed.push(1);
        return s;
      },
    });
    const jt = q.epoch(0);
    await jt.next();
    await sleep(20);
    expect(transformed).toHaveLength(2);
    await jt.return(undefined);
  });
  test("prefetch: batches are prepared ahead while the consumer works", async () => {
    let decoded = 0;
    const p = createPipeline({
      dataset: ds,
      batchSize: 2,
      prefetch: 3,
      decode: (r) => {
        decoded++;
        return blank(r);
      },
    });
    const it = p.epoch(0);
    await it.next();
    await sleep(20); // the "training step"
    expect(decoded).toBe(2 * (1 + 3));
    await it.return(undefined);
  });
});

describe("exclude", () => {
  test("difficult and crowd boxes can be left out of the samples", async () => {
    const base = synthetic(4).images[3]!; // 4 boxes
    const r = { ...base, difficult: Uint8Array.from([1, 0, 0, 0]), crowd: Uint8Array.from([0, 0, 1, 0]) };
    const d = { ...synthetic(4), images: [r] };
    const run = async (exclude: { difficult?: boolean; crowd?: boolean }) => {
      const p = createPipeline({ dataset: d, decode: blank, batchSize: 1, exclude });
      const b = await collect(p.epoch(0));
      return (b[0]!.samples[0] as DataSample).boxes.length;
    };
    expect(await run({})).toBe(4);
    expect(await run({ difficult: true })).toBe(3);
    expect(await run({ difficult: true, crowd: true })).toBe(2);
  });
});

describe("toSampleMessage / fromSampleMessage", () => {
  test("round trip through structuredClone and a worker thread, with the generator state", async () => {
    const { Worker } = await import("node:worker_threads");
    const r = synthetic(4).images[3]!;
    const image = blank(r);
    image.data[5] = 77;
    const sample: DataSample = { image, boxes: r.boxes, labels: r.labels, records: [] };
    const { message, transfer } = toSampleMessage(sample);
    const back = fromSampleMessage(structuredClone(message));
    expect(back.image.shape).toEqual([100, 200, 3]);
    expect(back.image.data[5]).toBe(77);
    expect(Array.from(back.boxes.data)).toEqual(Array.from(r.boxes.data));
    expect(Array.from(back.labels)).toEqual(Array.from(r.labels));
    expectOdError(
      () => fromSampleMessage({ ...message, shape: [1, 1, 3] }),
      "INVALID_ARGUMENT",
      /pixels must hold 1x1x3 bytes/,
    );
    // A worker draws from the same generator state as the main thread would.
    const rng = xoroshiro128plus(42);
    const expected = uniformInt(rng.clone(), 0, 1000);
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      const { xoroshiro128plusFromState } = require(workerData.gen);
      const { uniformInt } = require(workerData.dist);
      parentPort.on("message", ({ message, state }) => {
        const rng = xoroshiro128plusFromState(state);
        parentPort.postMessage({ draw: uniformInt(rng, 0, 1000), bytes: message.pixels.byteLength });
      });`;
    const req = createRequire(import.meta.url);
    const w = new Worker(code, {
      eval: true,
      workerData: {
        gen: req.resolve("pure-rand/generator/xoroshiro128plus"),
        dist: req.resolve("pure-rand/distribution/uniformInt"),
      },
    });
    const reply = await new Promise<{ draw: number; bytes: number }>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      w.postMessage({ message, state: rng.getState() }, transfer);
    });
    await w.terminate();
    expect(reply).toEqual({ draw: expected, bytes: 100 * 200 * 3 });
    expectOdError(() => fromSampleMessage(message), "INVALID_ARGUMENT", /already transferred/);
  });
});
