import { fc, test } from "@fast-check/vitest";
import ndarray from "ndarray";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { describe, expect } from "vitest";
import {
  addNegatives,
  createPipeline,
  type DataSample,
  type ImageRecord,
  negativeRecord,
  type RgbImage,
} from "../src/index.js";
import { synthetic } from "./fixtures.js";
import { expectOdError, expectOdErrorAsync } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const blank = (r: ImageRecord): RgbImage =>
  ndarray(new Uint8Array(r.size.width * r.size.height * 3), [r.size.height, r.size.width, 3]);

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
      decode: () => ndarray(new Uint8Array(12), [2, 2, 3]),
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
