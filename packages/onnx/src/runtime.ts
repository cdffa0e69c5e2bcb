import type { Boxes } from "@od/boxes";
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
import { INPUT_NAME, type OnnxModelInfo, OUTPUT_NAMES, readOnnxMetadata } from "./metadata.js";

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

/**
 * Loads `onnxruntime-web` (an optional peer dependency of `@od/onnx`) for {@link OnnxDetector.create}
 * in a browser; in Node use `loadOrtNode` of `@od/onnx/node`.
 * @throws OnnxError `RUNTIME_MISSING` when the package is not installed.
 */
export async function loadOrtWeb(): Promise<OrtModule> {
  try {
    return (await import("onnxruntime-web")) as unknown as OrtModule;
  } catch (e) {
    return fail(
      "RUNTIME_MISSING",
      "loadOrtWeb",
      `the optional peer dependency onnxruntime-web is not installed (npm install onnxruntime-web@1.30.0): ${(e as Error).message}`,
      { package: "onnxruntime-web" },
    );
  }
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

  /**
   * The raw head outputs of a normalised batch, as `SsdDetector.forward` gives them.
   * @param input `[B, 3, H, W]` float32 NCHW network input (H×W = `config.inputSize`).
   * @returns `loc` `[B, P, 4]` and `logits` `[B, P, C]` as flat float32 arrays.
   * @throws OnnxError `INVALID_ARGUMENT` for a wrong input length; `RUNTIME_FAILED`.
   */
  async forward(input: Float32Array, batch: number): Promise<{ loc: Float32Array; logits: Float32Array }> {
    const fn = "OnnxDetector.forward";
    const { width, height } = this.config.inputSize;
    if (!(Number.isInteger(batch) && batch >= 1) || input.length !== batch * 3 * height * width)
      fail(
        "INVALID_ARGUMENT",
        fn,
        `input must hold [${String(batch)}, 3, ${height}, ${width}] floats; got ${input.length} values`,
      );
    const x = new this.#ort.Tensor("float32", input, [batch, 3, height, width]);
    let out: Record<string, OrtTensor>;
    try {
      out = await this.#session.run({ [INPUT_NAME]: x });
    } catch (e) {
      return fail("RUNTIME_FAILED", fn, `ONNX Runtime failed: ${(e as Error).message}`);
    } finally {
      x.dispose?.();
    }
    const read = (name: string): Float32Array => {
      const t = out[name];
      if (t === undefined || !(t.data instanceof Float32Array))
        fail("RUNTIME_FAILED", fn, `the model has no float32 output ${name}`);
      const copy = new Float32Array(t.data);
      t.dispose?.();
      return copy;
    };
    return { loc: read(OUTPUT_NAMES.loc), logits: read(OUTPUT_NAMES.logits) };
  }

  /**
   * Detects objects in images of any size, as `SsdDetector.predict` does (same preprocessing and
   * postprocessing modules): one {@link Detections} per image, boxes in xyxy px of that image.
   * @throws SsdError `BAD_IMAGE` naming the image index; `INVALID_ARGUMENT` for bad options;
   *   OnnxError `RUNTIME_FAILED`.
   */
  async predict(images: readonly ImageInput[], options: PostprocessOptions = {}): Promise<Detections[]> {
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
        options,
      ),
    );
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
