import { type Boxes, clip, unletterboxBoxes, unsafeBoxes } from "@od/boxes";
import { generatePriors } from "@od/priors";
import {
  type Detections,
  type ImageInput,
  type PostprocessOptions,
  postprocess,
  preprocessBatch,
  type SsdConfig,
} from "@od/ssd";
import { fail } from "./errors.js";
import {
  DETECTION_NAMES,
  type DetectionSettings,
  INPUT_NAME,
  type OnnxModelInfo,
  OUTPUT_NAMES,
  readOnnxMetadata,
} from "./metadata.js";

/** An ONNX Runtime tensor, as much of it as od uses (`onnxruntime-common`'s `Tensor`). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  /** Releases native memory, where the runtime has any. */
  dispose?(): void;
}

/** An ONNX Runtime inference session, as much of it as od uses. */
export interface OrtSession {
  /** Runs the graph on named inputs; resolves to the named outputs. */
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  /** Releases the session's native resources. */
  release(): Promise<void>;
}

/** Session options od sets (a subset of `onnxruntime-common`'s `InferenceSession.SessionOptions`). */
export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  executionMode?: "sequential" | "parallel";
  executionProviders?: string[];
}

/**
 * The parts of an ONNX Runtime module (`onnxruntime-node` or `onnxruntime-web`, which share the
 * `onnxruntime-common` API) that od uses. Pass the module itself: `import * as ort from "onnxruntime-node"`.
 */
export interface OrtModule {
  readonly InferenceSession: {
    /** Opens a model from its bytes. */
    create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession>;
  };
  readonly Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** Options of {@link OnnxDetector.create}. */
export interface OnnxDetectorOptions {
  /** Threads of one operator (ONNX Runtime `intraOpNumThreads`; default: the runtime's choice). */
  readonly threads?: number;
  /** Execution providers in order of preference (default: the runtime's, CPU / wasm). */
  readonly executionProviders?: readonly string[];
}

/** The ONNX Runtime version od is built and tested against (`onnxruntime-node`, `onnxruntime-web`). */
export const ORT_VERSION = "1.30.0";

/** True when `m` has the parts of the ONNX Runtime API that od uses ({@link OrtModule}). */
export function isOrtModule(m: unknown): m is OrtModule {
  return (
    typeof m === "object" &&
    m !== null &&
    "Tensor" in m &&
    typeof m.Tensor === "function" &&
    "InferenceSession" in m &&
    (typeof m.InferenceSession === "function" ||
      (typeof m.InferenceSession === "object" && m.InferenceSession !== null)) &&
    "create" in m.InferenceSession &&
    typeof m.InferenceSession.create === "function"
  );
}

/**
 * Loads an ONNX Runtime package (an optional peer dependency of `@od/onnx`) with `load` (the package's
 * own `import()`, written with the literal name so bundlers and the package-graph rules see it) and
 * checks that it has the API od uses.
 * @param packageName the package `load` imports, named in errors (`onnxruntime-node`, `onnxruntime-web`).
 * @throws OnnxError `RUNTIME_MISSING` naming the package when it is not installed, or when what it
 *   exports lacks `InferenceSession.create` or `Tensor`.
 */
export async function loadOrt(packageName: string, load: () => Promise<unknown>): Promise<OrtModule> {
  const fn = "loadOrt";
  let m: unknown;
  try {
    m = await load();
  } catch (e) {
    return fail(
      "RUNTIME_MISSING",
      fn,
      `the optional peer dependency ${packageName} is not installed (npm install ${packageName}@${ORT_VERSION}): ${(e as Error).message}`,
      { package: packageName },
      e,
    );
  }
  if (!isOrtModule(m))
    fail(
      "RUNTIME_MISSING",
      fn,
      `${packageName} has no InferenceSession.create or Tensor; install ${packageName}@${ORT_VERSION}`,
      {
        package: packageName,
      },
    );
  return m;
}

/**
 * Loads `onnxruntime-web` (an optional peer dependency of `@od/onnx`) for {@link OnnxDetector.create}
 * in a browser; in Node use `loadOrtNode` of `@od/onnx/node`.
 * @throws OnnxError `RUNTIME_MISSING` when the package is not installed.
 */
export function loadOrtWeb(): Promise<OrtModule> {
  return loadOrt("onnxruntime-web", () => import("onnxruntime-web"));
}

/**
 * `[B, H, W, C]` → `[B, C, H, W]` (float32), the layout of the exported graph's input.
 * @param out `B · C · H · W` floats to write (default: a new array). @returns `out`.
 */
export function hwcToChw(
  hwc: Float32Array,
  batch: number,
  height: number,
  width: number,
  channels: number,
  out: Float32Array = new Float32Array(hwc.length),
): Float32Array {
  const plane = height * width;
  for (let b = 0; b < batch; b++) {
    const base = b * plane * channels;
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < channels; c++) out[base + c * plane + p] = hwc[base + p * channels + c]!;
  }
  return out;
}

/**
 * Softmax over the last axis of `[rows, C]` logits (max subtracted, float64 sums), in place.
 * @returns `logits`, now probabilities.
 */
export function softmaxRows(logits: Float32Array, C: number): Float32Array {
  for (let r = 0; r < logits.length; r += C) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[r + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(logits[r + c]! - max);
      logits[r + c] = e;
      sum += e;
    }
    for (let c = 0; c < C; c++) logits[r + c]! /= sum;
  }
  return logits;
}

/** A copy of the float32 output `name` (its native memory released). */
function readFloats(fn: string, out: Record<string, OrtTensor>, name: string): Float32Array {
  const t = out[name];
  if (t === undefined || !(t.data instanceof Float32Array))
    return fail("RUNTIME_FAILED", fn, `the model has no float32 output ${name}`);
  const copy = new Float32Array(t.data);
  t.dispose?.();
  return copy;
}

/**
 * A detector exported by `exportOnnx`, run by ONNX Runtime with od's own preprocessing
 * (`preprocessBatch` of `@od/ssd`: letterbox or resize, normalisation) and postprocessing (`postprocess`:
 * decode, class-wise NMS, the exact inverse of the letterbox): the same inputs and outputs as
 * `SsdDetector.predict`. Call {@link OnnxDetector.dispose} when done.
 */
export class OnnxDetector {
  /** The detector's configuration, read from the model's metadata. */
  readonly config: SsdConfig;
  /** What the model says about itself. */
  readonly info: OnnxModelInfo;
  /** `[P, 4]` cxcywh rel priors of the outputs. */
  readonly priors: Boxes<"cxcywh", "rel">;
  /** Number of classes including background. */
  readonly numClasses: number;
  readonly #session: OrtSession;
  readonly #ort: OrtModule;

  private constructor(info: OnnxModelInfo, session: OrtSession, ort: OrtModule) {
    this.info = info;
    this.config = info.config;
    this.priors = generatePriors(info.priorConfig);
    this.numClasses = info.config.classNames.length + 1;
    this.#session = session;
    this.#ort = ort;
  }

  /**
   * Opens an exported model with an ONNX Runtime module (`loadOrtWeb()`, or `loadOrtNode()` of
   * `@od/onnx/node`, or the imported module itself).
   * @throws OnnxError `NOT_OD_MODEL` (bytes that are not an od export), `INVALID_ARGUMENT` (threads),
   *   `RUNTIME_FAILED` (ONNX Runtime refused the model).
   */
  static async create(
    model: Uint8Array,
    ort: OrtModule,
    options: OnnxDetectorOptions = {},
  ): Promise<OnnxDetector> {
    const fn = "OnnxDetector.create";
    const info = readOnnxMetadata(model);
    const threads = options.threads;
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
      fail("INVALID_ARGUMENT", fn, `threads must be an integer >= 1; got ${String(threads)}`);
    const sessionOptions: OrtSessionOptions = {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      interOpNumThreads: 1,
      ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
      ...(options.executionProviders !== undefined
        ? { executionProviders: [...options.executionProviders] }
        : {}),
    };
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(model, sessionOptions);
    } catch (e) {
      return fail("RUNTIME_FAILED", fn, `ONNX Runtime cannot open the model: ${(e as Error).message}`);
    }
    return new OnnxDetector(info, session, ort);
  }

  /** Runs the session on a `[B, 3, H, W]` input; returns the named outputs. */
  async #run(fn: string, input: Float32Array, batch: number): Promise<Record<string, OrtTensor>> {
    const { width, height } = this.config.inputSize;
    if (!(Number.isInteger(batch) && batch >= 1) || input.length !== batch * 3 * height * width)
      fail(
        "INVALID_ARGUMENT",
        fn,
        `input must hold [${String(batch)}, 3, ${height}, ${width}] floats; got ${input.length} values`,
      );
    const x = new this.#ort.Tensor("float32", input, [batch, 3, height, width]);
    try {
      return await this.#session.run({ [INPUT_NAME]: x });
    } catch (e) {
      return fail("RUNTIME_FAILED", fn, `ONNX Runtime failed: ${(e as Error).message}`);
    } finally {
      x.dispose?.();
    }
  }

  /**
   * The raw head outputs of a normalised batch, as `SsdDetector.forward` gives them.
   * @param input `[B, 3, H, W]` float32 NCHW network input (H×W = `config.inputSize`).
   * @returns `loc` `[B, P, 4]` and `logits` `[B, P, C]` as flat float32 arrays.
   * @throws OnnxError `INVALID_ARGUMENT` for a wrong input length; `RUNTIME_FAILED`.
   */
  async forward(input: Float32Array, batch: number): Promise<{ loc: Float32Array; logits: Float32Array }> {
    const fn = "OnnxDetector.forward";
    if (this.info.detections !== undefined)
      fail(
        "INVALID_ARGUMENT",
        fn,
        "the model was exported with in-graph detections; it has no raw outputs (use predict)",
      );
    const out = await this.#run(fn, input, batch);
    return { loc: readFloats(fn, out, OUTPUT_NAMES.loc), logits: readFloats(fn, out, OUTPUT_NAMES.logits) };
  }

  /**
   * Detects objects in images of any size, as `SsdDetector.predict` does (same preprocessing and
   * postprocessing modules): one {@link Detections} per image, boxes in xyxy px of that image. A model
   * exported with in-graph detections runs one image at a time and maps its boxes back with the same
   * `unletterboxBoxes` and `clip`; its post-processing settings are fixed in the graph, so `options`
   * may only repeat them.
   * @throws SsdError `BAD_IMAGE` naming the image index; `INVALID_ARGUMENT` for bad options;
   *   OnnxError `INVALID_ARGUMENT` for options that differ from in-graph settings; `RUNTIME_FAILED`.
   */
  async predict(images: readonly ImageInput[], options: PostprocessOptions = {}): Promise<Detections[]> {
    const d = this.info.detections;
    if (d !== undefined) return this.#predictInGraph(images, options, d);
    const { batch, records } = preprocessBatch(images, this.config, "OnnxDetector.predict");
    const { width, height } = this.config.inputSize;
    const B = records.length;
    const { loc, logits } = await this.forward(hwcToChw(batch, B, height, width, 3), B);
    const C = this.numClasses;
    const probs = softmaxRows(logits, C);
    const P = this.priors.length;
    return records.map((rec, b) =>
      postprocess(
        loc.subarray(b * P * 4, (b + 1) * P * 4),
        probs.subarray(b * P * C, (b + 1) * P * C),
        this.priors,
        this.config.variances,
        rec,
        { ...this.config.postprocess, ...options },
      ),
    );
  }

  /**
   * `predict` for a model with in-graph detections: one run per image (the graph takes batch 1),
   * boxes mapped back through the image's record with `unletterboxBoxes` and clipped to it, as
   * `postprocess` of `@od/ssd` ends.
   */
  async #predictInGraph(
    images: readonly ImageInput[],
    options: PostprocessOptions,
    baked: DetectionSettings,
  ): Promise<Detections[]> {
    const fn = "OnnxDetector.predict";
    for (const [k, v] of Object.entries(options)) {
      if (v !== undefined && baked[k as keyof DetectionSettings] !== v)
        fail(
          "INVALID_ARGUMENT",
          fn,
          `the model was exported with ${k} = ${JSON.stringify(baked[k as keyof DetectionSettings] ?? null)} inside the graph; got ${JSON.stringify(v)} (export again, or export the raw outputs)`,
        );
    }
    const { batch, records } = preprocessBatch(images, this.config, fn);
    const { width, height } = this.config.inputSize;
    const n = width * height * 3;
    const result: Detections[] = [];
    for (const [i, rec] of records.entries()) {
      const out = await this.#run(fn, hwcToChw(batch.subarray(i * n, (i + 1) * n), 1, height, width, 3), 1);
      const boxes = readFloats(fn, out, DETECTION_NAMES.boxes);
      const scores = readFloats(fn, out, DETECTION_NAMES.scores);
      const t = out[DETECTION_NAMES.labels];
      if (t === undefined || !(t.data instanceof BigInt64Array))
        fail("RUNTIME_FAILED", fn, `the model has no int64 output ${DETECTION_NAMES.labels}`);
      const labels = Int32Array.from(t.data, (v) => Number(v));
      t.dispose?.();
      const px = unsafeBoxes(boxes, "xyxy", "px");
      result.push({ boxes: clip(unletterboxBoxes(px, rec), rec.source), scores, labels });
    }
    return result;
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
