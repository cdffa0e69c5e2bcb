/**
 * The training data pipeline: seeded shuffling, batching, augmentation and prefetching over a
 * {@link DetectionDataset}. Generic over the augmentation: `@od/augment` plugs in structurally
 * (`transform: (s, rng) => pipeline.apply(s, rng)`), with no import between the two packages.
 * @module
 */
import { type Boxes, select, unsafeBoxes } from "@od/boxes";
import { type Uint8Image, uint8Image } from "@od/image";
import { rngFor, shuffleInPlace } from "@od/random";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { pack } from "./image.js";
import { fail } from "./internal/fail.js";
import type { DetectionDataset, ImageRecord } from "./types.js";

/**
 * A decoded sample before augmentation, in the shape `@od/augment`'s `Sample` has: the image, its
 * boxes and labels, and no geometry records yet.
 */
export interface DataSample {
  /** `[H, W, 3]` RGB image, bytes in [0, 255]. */
  readonly image: Uint8Image;
  /** `[N, 4]` xyxy px boxes of `image` (the record's boxes). */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[N]` class indices aligned with `boxes`. */
  readonly labels: Int32Array;
  /** Geometry applied so far: none. */
  readonly records: readonly [];
}

/** What a transform may return: the sample, or an object holding it (e.g. `@od/augment`'s `{ sample, report }`). */
export type TransformOutput<S> = S | { readonly sample: S };

/** One batch produced by a {@link Pipeline}. */
export interface Batch<S> {
  /** Epoch number (0-based). */
  readonly epoch: number;
  /** Batch number within the epoch (0-based). */
  readonly index: number;
  /** The samples, in batch order. */
  readonly samples: readonly S[];
  /** The dataset records the samples came from, aligned with `samples`. */
  readonly records: readonly ImageRecord[];
}

/** Options of {@link createPipeline}. */
export interface PipelineOptions<S> {
  /** The dataset. */
  readonly dataset: DetectionDataset;
  /** Decodes a record's image to `[H, W, 3]` uint8 RGB (e.g. `fileDecoder(dataset)` from `@od/data/node`, or a browser loader). */
  readonly decode: (record: ImageRecord) => Uint8Image | Promise<Uint8Image>;
  /**
   * Augmentation applied to each decoded sample with its own generator, seeded from
   * `(seed, epoch, position in the epoch)`: the result does not depend on timing or on which worker
   * runs it. May return a Promise (e.g. to run in a worker pool). Default: identity.
   */
  readonly transform?: (
    sample: DataSample,
    rng: RandomGenerator,
  ) => TransformOutput<S> | Promise<TransformOutput<S>>;
  /** Samples per batch (integer ≥ 1). */
  readonly batchSize: number;
  /** Shuffle every epoch (default `true`). */
  readonly shuffle?: boolean;
  /**
   * Seed of shuffling, negative sampling and per-sample generators (integer, default 0). An epoch's
   * plan is a pure function of (seed, epoch), the generator of the sample at position p of epoch e
   * (`batch index · batchSize + index in the batch`) of (seed, e, p): a run resumed at an epoch draws
   * the same samples as an uninterrupted one.
   */
  readonly seed?: number;
  /**
   * Batches prepared ahead of the consumer (integer ≥ 0, default 2). Their transforms run in later
   * tasks of the event loop, so they fill the consumer's waits (I/O, a worker thread) rather than
   * delaying its next step; 0 prepares each batch only when the consumer asks for it.
   */
  readonly prefetch?: number;
  /** Drop the last incomplete batch (default `false`). */
  readonly dropLast?: boolean;
  /**
   * Fraction of every batch drawn from background-only images, in [0, 1). When set, an epoch is one
   * pass over the images with boxes, each batch holding `round(negativeShare · batchSize)` negatives
   * drawn without replacement from a seeded shuffle of the negatives (reshuffled when used up).
   * When unset, negatives are ordinary members of the epoch.
   */
  readonly negativeShare?: number;
  /**
   * Check that each decoded image has the record's size (default `true`): boxes are pixels of that
   * size, so a mismatch (e.g. an unapplied EXIF rotation) would silently misplace them.
   */
  readonly checkSize?: boolean;
  /**
   * Leave boxes out of the samples (default: keep all): `difficult` drops VOC difficult boxes (as
   * ssd.pytorch's `keep_difficult=False`), `crowd` drops COCO crowd regions. The dataset is unchanged.
   */
  readonly exclude?: { readonly difficult?: boolean; readonly crowd?: boolean };
}

/** A seeded, prefetching batch producer. */
export interface Pipeline<S> {
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  /** Record indices (into `dataset.images`) of every batch of an epoch, without decoding: the epoch's plan. */
  plan(epoch: number): number[][];
  /**
   * The batches of one epoch as an async iterator. Up to `prefetch` batches are decoded and
   * transformed ahead while the consumer works on the current one, so a training step never waits
   * when preparing a batch is faster than the step. The same seed and epoch give the same batches.
   * Stopping early (`break`) is safe; work in flight is discarded. With `from`, the epoch starts at
   * batch `from` (its batches are those of the whole epoch from that index: same records, same
   * per-sample generators), so a run interrupted within an epoch continues where it stopped.
   * @param from first batch index (integer in [0, batchesPerEpoch]; default 0).
   * @throws DataError `INVALID_ARGUMENT` for a bad `from`; from `decode` (e.g. `MISSING_IMAGE`), or
   *   `SIZE_MISMATCH` naming the file.
   */
  epoch(epoch: number, from?: number): AsyncGenerator<Batch<S>, void, undefined>;
}

/** Resolves in a later task of the event loop (a timer), after pending I/O and messages. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function checkInt(fn: string, name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    fail("INVALID_ARGUMENT", fn, `options.${name} must be an integer >= ${min}; got ${v}`);
}

/**
 * Creates a training data pipeline over a dataset.
 * @example
 * const p = createPipeline({ dataset, decode: fileDecoder(dataset), transform: (s, rng) => ssd.apply(s, rng), batchSize: 8, seed: 1 });
 * for await (const batch of p.epoch(0)) trainStep(batch.samples);
 * @throws DataError `INVALID_ARGUMENT` for a bad batch size, prefetch, seed or negative share, or a
 *   negative share with no negative images (or no positive ones).
 */
export function createPipeline<S = DataSample>(options: PipelineOptions<S>): Pipeline<S> {
  const fn = "createPipeline";
  const { dataset, decode, batchSize } = options;
  checkInt(fn, "batchSize", batchSize, 1);
  checkInt(fn, "prefetch", options.prefetch, 0);
  if (options.seed !== undefined && !Number.isInteger(options.seed))
    fail("INVALID_ARGUMENT", fn, `options.seed must be an integer; got ${options.seed}`);
  const seed = options.seed ?? 0;
  const prefetch = options.prefetch ?? 2;
  const shuffle = options.shuffle ?? true;
  const dropLast = options.dropLast ?? false;
  const share = options.negativeShare;
  const transform = options.transform;
  const checkSize = options.checkSize ?? true;
  const exDifficult = options.exclude?.difficult ?? false;
  const exCrowd = options.exclude?.crowd ?? false;
  const all = dataset.images.map((_, i) => i);
  let pos = all;
  let neg: number[] = [];
  let nNeg = 0;
  if (share !== undefined) {
    if (!(share >= 0 && share < 1))
      fail("INVALID_ARGUMENT", fn, `options.negativeShare must be in [0, 1); got ${share}`);
    pos = all.filter((i) => dataset.images[i]!.boxes.length > 0);
    neg = all.filter((i) => dataset.images[i]!.boxes.length === 0);
    nNeg = Math.round(share * batchSize);
    if (nNeg === batchSize) nNeg = batchSize - 1;
    if (nNeg > 0 && neg.length === 0)
      fail(
        "INVALID_ARGUMENT",
        fn,
        `options.negativeShare is ${share} but the dataset has no background-only images; add some with addNegatives`,
      );
    if (pos.length === 0)
      fail("INVALID_ARGUMENT", fn, "options.negativeShare is set but the dataset has no images with boxes");
  }
  const nPos = batchSize - nNeg;
  const batchesPerEpoch = dropLast ? Math.floor(pos.length / nPos) : Math.ceil(pos.length / nPos);

  const plan = (epoch: number): number[][] => {
    checkInt("Pipeline.plan", "epoch", epoch, 0);
    const rng = rngFor(seed, epoch, 1);
    const order = shuffle ? shuffleInPlace([...pos], rng) : [...pos];
    const negOrder = shuffle ? shuffleInPlace([...neg], rng) : [...neg];
    let q = 0;
    const batches: number[][] = [];
    for (let b = 0; b < batchesPerEpoch; b++) {
      const batch = order.slice(b * nPos, (b + 1) * nPos);
      for (let k = 0; k < nNeg; k++) {
        if (q === negOrder.length) {
          q = 0;
          if (shuffle) shuffleInPlace(negOrder, rng);
        }
        batch.push(negOrder[q++]!);
      }
      batches.push(batch);
    }
    return batches;
  };

  const sample = async (epoch: number, position: number, i: number): Promise<S> => {
    const record = dataset.images[i]!;
    const image = await decode(record);
    const [H, W] = image.shape;
    if (checkSize && (W !== record.size.width || H !== record.size.height)) {
      fail(
        "SIZE_MISMATCH",
        "Pipeline.epoch",
        `${record.file} decodes to ${W}x${H} but its record says ${record.size.width}x${record.size.height}`,
        {
          file: record.file,
        },
      );
    }
    let { boxes, labels } = record;
    if (exDifficult || exCrowd) {
      const keep: number[] = [];
      for (let k = 0; k < labels.length; k++)
        if (!(exDifficult && record.difficult[k]) && !(exCrowd && record.crowd[k])) keep.push(k);
      if (keep.length !== labels.length) {
        boxes = select(boxes, keep);
        labels = Int32Array.from(keep, (k) => labels[k]!);
      }
    }
    const s: DataSample = { image, boxes, labels, records: [] };
    if (transform === undefined) return s as S;
    // Each transform runs in its own task, not as a continuation of the consumer's: the work ahead
    // fills the consumer's waits (e.g. for a worker thread) instead of delaying its next step.
    if (prefetch > 0) await nextTask();
    const out = await transform(s, rngFor(seed, epoch, 2, position));
    return typeof out === "object" && out !== null && "sample" in out && !("image" in out)
      ? out.sample
      : (out as S);
  };

  const makeBatch = async (epoch: number, index: number, idx: readonly number[]): Promise<Batch<S>> => {
    const samples = await Promise.all(idx.map((i, k) => sample(epoch, index * batchSize + k, i)));
    return { epoch, index, samples, records: idx.map((i) => dataset.images[i]!) };
  };

  async function* run(epoch: number, from = 0): AsyncGenerator<Batch<S>, void, undefined> {
    if (!Number.isInteger(from) || from < 0 || from > batchesPerEpoch)
      fail(
        "INVALID_ARGUMENT",
        "Pipeline.epoch",
        `from must be an integer in [0, ${batchesPerEpoch}]; got ${from}`,
      );
    const batches = plan(epoch);
    const pending: Promise<Batch<S>>[] = [];
    let next = from;
    const fill = (ahead: number) => {
      while (pending.length < ahead && next < batches.length) {
        const p = makeBatch(epoch, next, batches[next]!);
        p.catch(() => undefined); // observed below; avoids an unhandled rejection if the consumer stops early
        pending.push(p);
        next++;
      }
    };
    for (;;) {
      fill(Math.max(1, prefetch));
      const p = pending.shift();
      if (p === undefined) return;
      const b = await p;
      fill(prefetch); // keep `prefetch` batches in flight while the consumer works on `b`
      yield b;
    }
  }

  return { batchesPerEpoch, plan, epoch: run };
}

/**
 * A {@link DataSample} as a structured-clone-friendly message for a worker (`postMessage(msg,
 * transfer)`): the pixel and box buffers are copied into standalone ArrayBuffers listed in
 * `transfer`, the format/units tags travel with the boxes. Pair it with the generator state
 * (`rng.getState()`, rebuilt in the worker with pure-rand's `xoroshiro128plusFromState`) to run an
 * augmentation in a worker with the same result as in the main thread.
 */
export interface SampleMessage {
  readonly kind: "od.sample";
  /** `[H, W, 3]`. */
  readonly shape: readonly [number, number, number];
  /** Packed HWC uint8 pixels. */
  readonly pixels: ArrayBuffer;
  /** `[N, 4]` xyxy px float32 boxes. */
  readonly boxes: ArrayBuffer;
  /** `[N]` int32 labels. */
  readonly labels: ArrayBuffer;
}

/** Packs a sample for `postMessage`; returns the message and the buffers to transfer. */
export function toSampleMessage(sample: DataSample): {
  readonly message: SampleMessage;
  readonly transfer: ArrayBuffer[];
} {
  const [H = 0, W = 0] = sample.image.shape;
  const px = pack(sample.image);
  const message: SampleMessage = {
    kind: "od.sample",
    shape: [H, W, 3],
    pixels: px.data.slice().buffer,
    boxes: sample.boxes.data.slice().buffer,
    labels: sample.labels.slice().buffer,
  };
  return { message, transfer: [message.pixels, message.boxes, message.labels] };
}

/**
 * Unpacks a {@link SampleMessage} (in the worker, or back in the main thread).
 * @throws DataError `INVALID_ARGUMENT` when the message is not a sample or its buffers do not match its shape.
 */
export function fromSampleMessage(message: SampleMessage): DataSample {
  const fn = "fromSampleMessage";
  const m = message as Partial<SampleMessage> | null;
  if (typeof m !== "object" || m === null || m.kind !== "od.sample" || !Array.isArray(m.shape)) {
    fail("INVALID_ARGUMENT", fn, 'message must be { kind: "od.sample", shape, pixels, boxes, labels }');
  }
  const [H, W, C] = m.shape;
  let pixels: Uint8Array;
  let boxes: Float32Array;
  let labels: Int32Array;
  try {
    pixels = new Uint8Array(m.pixels as ArrayBuffer);
    boxes = new Float32Array(m.boxes as ArrayBuffer);
    labels = new Int32Array(m.labels as ArrayBuffer);
  } catch (e) {
    return fail(
      "INVALID_ARGUMENT",
      fn,
      `message buffers cannot be read (already transferred to another thread?): ${(e as Error).message}`,
      {},
      e,
    );
  }
  if (C !== 3 || pixels.length !== H * W * 3)
    fail("INVALID_ARGUMENT", fn, `pixels must hold ${H}x${W}x3 bytes; got ${pixels.length} for shape ${C}`);
  if (boxes.length !== labels.length * 4)
    fail(
      "INVALID_ARGUMENT",
      fn,
      `boxes must hold 4 floats per label; got ${boxes.length} for ${labels.length} labels`,
    );
  return { image: uint8Image(pixels, W, H, 3), boxes: unsafeBoxes(boxes, "xyxy", "px"), labels, records: [] };
}
