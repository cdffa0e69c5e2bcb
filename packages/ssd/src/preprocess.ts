/**
 * The one path from a decoded image to the network: fit to the input size (letterbox or resize, with
 * `@od/image`'s resampler), normalise to the network range (the formula and its constants live here and
 * nowhere else), and, for training, map the boxes through the same geometry and encode them against
 * the priors with the model's own variances. Training batches, `SsdDetector.predict`, evaluation and
 * the crop classifier all call it, so a model never trains on one input and predicts on another.
 * @module
 */
import {
  type Boxes,
  type ImageSize,
  type LetterboxRecord,
  letterboxBoxes,
  letterboxRecord,
  toRel,
} from "@od/boxes";
import { type NetworkImage, type PixelImage, unsafeImage } from "@od/image";
import { letterboxPixels, type Pixels } from "@od/image/kernels";
import { encodeTargets, type TargetMatcher, type Targets } from "@od/priors";
import { tf } from "@od/tf";
import type { SsdConfig } from "./config.js";
import { fail } from "./errors.js";
import { type ImageInput, readImageInput } from "./images.js";

/**
 * The network's input range `[lo, hi]`: a pixel of value `u` in [0, 1] (a byte `b` is `u = b / 255`)
 * enters the network as `lo + (hi − lo) · u`. [−1, 1], as MobileNet-style backbones expect.
 */
export const NETWORK_INPUT_RANGE: readonly [number, number] = Object.freeze([-1, 1] as [number, number]);

/** `lo + (hi − lo) · u`: THE normalisation formula (float64; rounded to float32 once by the callers). */
function networkValue(u: number): number {
  const [lo, hi] = NETWORK_INPUT_RANGE;
  return lo + (hi - lo) * u;
}

/** Network value of every byte, float32: normalising bytes is one table lookup per sample. */
const BYTE_TO_NETWORK = Float32Array.from({ length: 256 }, (_, b) => networkValue(b / 255));

/** What the preprocessing needs of a model's config. */
export type PreprocessConfig = Pick<SsdConfig, "inputSize" | "inputFit">;

/**
 * The geometry that fits an image of `source` size into the network input: `letterboxRecord` of
 * `@od/boxes` (centred, aspect kept) for `inputFit` `"letterbox"` (the default), the same with
 * `keepAspectRatio: false` for `"resize"`. An image already of the input size gets the identity.
 * @throws BoxesError `INVALID_ARGUMENT` for a non-integer or non-positive size.
 */
export function inputRecord(source: ImageSize, config: PreprocessConfig): LetterboxRecord {
  return letterboxRecord(
    source,
    config.inputSize,
    config.inputFit === "resize" ? { keepAspectRatio: false } : {},
  );
}

/** True when `record` maps the source onto the canvas unchanged (same size, no offset). */
function isIdentity(r: LetterboxRecord): boolean {
  return (
    r.resized.width === r.source.width &&
    r.resized.height === r.source.height &&
    r.resized.width === r.target.width &&
    r.resized.height === r.target.height
  );
}

/**
 * Normalises packed `[H, W, 3]` bytes into network values, `out[i] = lo + (hi − lo) · b / 255` (float32,
 * one table lookup per sample), the only byte → network mapping od has.
 * @param out `H · W · 3` floats to write (default: a new array).
 * @returns `out`.
 */
export function normalizeBytes(
  bytes: Uint8Array,
  out: Float32Array = new Float32Array(bytes.length),
): Float32Array {
  if (out.length !== bytes.length)
    fail(
      "INVALID_ARGUMENT",
      "normalizeBytes",
      `out must have ${bytes.length} values (one per byte); got ${out.length}`,
    );
  const t = BYTE_TO_NETWORK;
  for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]!]!;
  return out;
}

/**
 * The tensor form of the normalisation for float values in [0, 255] that exist only as tensors (the
 * crop classifier's `cropAndResize` output): `lo + (hi − lo) / 255 · x` in float32, with the constants of
 * {@link NETWORK_INPUT_RANGE}. On integer values it agrees with {@link normalizeBytes} within one float32
 * rounding (~1.2e-7).
 * @returns a new tensor of the same shape (caller owns it).
 */
export function normalizeTensor<T extends tf.Tensor>(x: T): T {
  const [lo, hi] = NETWORK_INPUT_RANGE;
  return tf.tidy(() => tf.add(tf.mul(tf.cast(x, "float32"), (hi - lo) / 255), lo)) as T;
}

/** One image prepared for the network. */
export interface PreparedInput {
  /** `[inputSize.height, inputSize.width, 3]` float32 in {@link NETWORK_INPUT_RANGE}. */
  readonly input: NetworkImage;
  /** The geometry used (source → input): map predictions back with `unletterboxBoxes(…, record)`. */
  readonly record: LetterboxRecord;
}

/**
 * The letterbox canvas of {@link prepare}, reused from image to image: it is read (normalised) right
 * after it is drawn and never leaves this module, and a fresh buffer per image costs more than the
 * drawing where the engine maps new pages for each large allocation (measured in Chromium: ~5 ms a
 * 256² input).
 */
let canvasScratch = new Uint8Array(0);

/** Fits packed RGB bytes into the input and normalises them into `out` (or a new array). */
function prepare(px: Pixels<Uint8Array>, config: PreprocessConfig, out?: Float32Array): PreparedInput {
  const record = inputRecord({ width: px.width, height: px.height }, config);
  let canvas = px.data;
  if (!isIdentity(record)) {
    const n = record.target.width * record.target.height * 3;
    if (canvasScratch.length !== n) canvasScratch = new Uint8Array(n);
    canvas = letterboxPixels(px, record, "bilinear", canvasScratch).data as Uint8Array;
  }
  const { width, height } = config.inputSize;
  const data = normalizeBytes(canvas, out ?? new Float32Array(width * height * 3));
  return { input: unsafeImage(data, width, height, 3, "network"), record };
}

/**
 * Turns one image into network input: read as RGB bytes (see {@link ImageInput}: alpha dropped, [0, 1]
 * floats quantised), fitted to `config.inputSize` as `config.inputFit` says with the shared bilinear
 * resampler of `@od/image` (an image already of the input size is not resampled), then normalised with
 * {@link normalizeBytes}.
 * @param options `out`: optional `H · W · 3` floats to write the input into (e.g. a slice of a batch);
 *   `index`: the image's index, named in error messages (default 0).
 * @throws SsdError `BAD_IMAGE` naming the image; `INVALID_ARGUMENT` for a wrong `out` length.
 */
export function preprocessImage(
  image: ImageInput,
  config: PreprocessConfig,
  options: { readonly out?: Float32Array; readonly index?: number } = {},
): PreparedInput {
  const px = readImageInput(image, options.index ?? 0, "preprocessImage");
  return prepare(px, config, options.out);
}

/**
 * {@link preprocessImage} for a list of images of any sizes, into one `[B, H, W, 3]` batch.
 * @param fn the function named in error messages (`predict` passes its own name).
 * @param out optional `B·H·W·3` floats to write the batch into (e.g. a buffer a caller reuses from call
 *   to call once the previous batch is consumed); default a new array.
 * @returns `batch` (float32, B·H·W·3 values in {@link NETWORK_INPUT_RANGE}; `out` when given) and one
 *   record per image.
 * @throws SsdError `BAD_IMAGE` naming the image index (an empty list too); `INVALID_ARGUMENT` for an
 *   `out` of another length.
 */
export function preprocessBatch(
  images: readonly ImageInput[],
  config: PreprocessConfig,
  fn = "preprocessBatch",
  out?: Float32Array,
): { batch: Float32Array; records: LetterboxRecord[] } {
  if (!Array.isArray(images) || images.length === 0)
    fail("BAD_IMAGE", fn, "images must be a non-empty array");
  const n = config.inputSize.width * config.inputSize.height * 3;
  if (out !== undefined && out.length !== images.length * n)
    fail(
      "INVALID_ARGUMENT",
      fn,
      `out must hold ${images.length} × ${config.inputSize.height} × ${config.inputSize.width} × 3 = ${images.length * n} floats; got ${out.length}`,
    );
  const batch = out ?? new Float32Array(images.length * n);
  const records = images.map(
    (img, i) => prepare(readImageInput(img, i, fn), config, batch.subarray(i * n, (i + 1) * n)).record,
  );
  return { batch, records };
}

/** A training sample: an image with its boxes and labels (what an augmentation pipeline returns). */
export interface TrainingSample {
  /** `[H, W, C]` `"0-255"` or `"0-1"` image (C = 3 or 4). */
  readonly image: PixelImage;
  /** `[N, 4]` xyxy px boxes of `image`. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[N]` class ids ≥ 1 (0 is background). */
  readonly labels: ArrayLike<number>;
}

/** Options of {@link preprocessSample}. */
export interface PreprocessSampleOptions {
  /** Matcher of the target encoding (default `encodeTargets`' SSD matcher, IoU 0.5). */
  readonly matcher?: TargetMatcher;
  /** Where to write: `input` `[H·W·3]`, `locTargets` `[P·4]`, `labels` `[P]` (e.g. slices of a batch). */
  readonly out?: {
    readonly input?: Float32Array;
    readonly locTargets?: Float32Array;
    readonly labels?: Int32Array;
  };
}

/** A training sample prepared for the network: its input, the geometry used and its targets. */
export interface PreparedSample extends PreparedInput {
  /** Per prior: `locTargets [P, 4]`, `labels [P]` (≥ 1 class, 0 background, −1 ignore), matches, positives. */
  readonly targets: Targets;
}

/**
 * The training side of the preprocessing: the image as {@link preprocessImage} prepares it for
 * prediction (byte for byte), and its boxes mapped through the same record (`letterboxBoxes`, then
 * `toRel` of the input) and encoded against the model's priors with the model's own
 * `config.variances` (`encodeTargets` of `@od/priors`).
 * @param model the detector (or its `config` and `priors`).
 * @throws SsdError `BAD_IMAGE`; BoxesError / PriorsError for malformed boxes or labels.
 */
export function preprocessSample(
  sample: TrainingSample,
  model: { readonly config: SsdConfig; readonly priors: Boxes<"cxcywh", "rel"> },
  options: PreprocessSampleOptions = {},
): PreparedSample {
  const px = readImageInput(sample.image, 0, "preprocessSample");
  const prepared = prepare(px, model.config, options.out?.input);
  const { record } = prepared;
  const rel = toRel(letterboxBoxes(sample.boxes, record), record.target);
  const P = model.priors.length;
  const targets = encodeTargets(
    rel,
    sample.labels,
    model.priors,
    {
      ...(options.matcher !== undefined ? { matcher: options.matcher } : {}),
      variances: model.config.variances,
    },
    {
      locTargets: options.out?.locTargets ?? new Float32Array(P * 4),
      labels: options.out?.labels ?? new Int32Array(P),
      matches: new Int32Array(P),
    },
  );
  return { ...prepared, targets };
}
