import { tf } from "@od/tf";
import { CropClassifier, type CropClassifierConfig } from "./classifier.js";
import { checkSsdConfig, SSD_FORMAT_VERSION, type SsdConfig } from "./config.js";
import { SsdDetector, type SsdDetectorOptions } from "./detector.js";
import { fail } from "./errors.js";
import type { ParamStore } from "./params.js";

/** One entry of the weights manifest (the tfjs `WeightsManifestEntry` layout). */
export interface WeightSpec {
  /** Parameter name (dotted path). */
  readonly name: string;
  /** Tensor shape. */
  readonly shape: number[];
  /** Always float32. */
  readonly dtype: "float32";
}

/**
 * `model.json` of a saved detector: the config plus a tfjs-style weights manifest pointing at one
 * binary file of little-endian float32 values, concatenated in manifest order. A browser can fetch
 * both files and call {@link deserializeDetector}.
 */
export interface SavedModelJson {
  /** Always `"od-ssd"`. */
  readonly format: "od-ssd";
  /** {@link SSD_FORMAT_VERSION} of the writer. */
  readonly formatVersion: number;
  /** The detector's configuration. */
  readonly config: SsdConfig;
  /** tfjs weights manifest: one group, one file. */
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly WeightSpec[];
  }[];
}

/** File name of the weights binary written beside `model.json`. */
export const WEIGHTS_FILE = "weights.bin";

/**
 * Packs every parameter of a store (creation order) into one float32 buffer and its manifest entries.
 * Bit exact: values are copied, never recomputed.
 */
export async function packParams(store: ParamStore): Promise<{ specs: WeightSpec[]; weights: ArrayBuffer }> {
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const n of store.names()) {
    const v = store.get(n);
    specs.push({ name: n, shape: [...v.shape], dtype: "float32" });
    parts.push((await v.data()) as Float32Array);
  }
  const buf = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  return { specs, weights: buf.buffer };
}

/**
 * Loads packed values into a store after checking everything first: every parameter present, no unknown
 * ones, every shape equal, the byte length exact.
 * @throws SsdError `BAD_CHECKPOINT` whose message starts with `source` and names the parameter and shapes.
 */
export function unpackParams(
  store: ParamStore,
  specs: readonly WeightSpec[],
  weights: ArrayBuffer,
  source: string,
): void {
  const bad: (msg: string, details?: Record<string, unknown>) => never = (msg, details = {}) =>
    fail("BAD_CHECKPOINT", "unpackParams", `${source}: ${msg}`, { source, ...details });
  if (!Array.isArray(specs)) bad("has no weights manifest");
  const names = store.names();
  const known = new Set(specs.map((s) => s.name));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length > 0)
    bad(`lacks ${missing.length} parameter(s): ${missing.slice(0, 5).join(", ")}`, { missing });
  const extra = specs.filter((s) => !names.includes(s.name)).map((s) => s.name);
  if (extra.length > 0)
    bad(`has ${extra.length} unknown parameter(s): ${extra.slice(0, 5).join(", ")}`, { extra });
  let need = 0;
  for (const s of specs) {
    const v = store.get(s.name);
    if (
      !Array.isArray(s.shape) ||
      s.shape.length !== v.shape.length ||
      s.shape.some((d: number, i: number) => d !== v.shape[i])
    ) {
      const got = Array.isArray(s.shape) ? s.shape.join(", ") : String(s.shape);
      bad(`parameter ${s.name} has shape [${got}] but the model needs [${v.shape.join(", ")}]`, {
        name: s.name,
      });
    }
    need += v.size;
  }
  if (weights.byteLength !== need * 4)
    bad(`weights hold ${weights.byteLength} bytes; the manifest needs ${need * 4}`);
  const all = new Float32Array(weights);
  let o = 0;
  for (const s of specs) {
    const v = store.get(s.name);
    const slice = all.subarray(o, o + v.size);
    tf.tidy(() => v.assign(tf.tensor(slice, v.shape, "float32")));
    o += v.size;
  }
}

/**
 * Serialises a detector (config, trainable weights and batch-norm statistics) to `model.json` content
 * and one weights buffer.
 */
export async function serializeDetector(
  detector: SsdDetector,
): Promise<{ json: SavedModelJson; weights: ArrayBuffer }> {
  const { specs, weights } = await packParams(detector.params);
  return {
    json: {
      format: "od-ssd",
      formatVersion: SSD_FORMAT_VERSION,
      config: detector.config,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    },
    weights,
  };
}

/**
 * Rebuilds a detector from {@link serializeDetector}'s output. Everything is checked before the detector
 * is returned (format and version, config, every parameter and shape, the byte length); on any mismatch
 * the half-built detector is disposed and the error names the file, the parameter and both shapes.
 * @param source a file name used in error messages (e.g. the model directory).
 * @param options.backbone the user-written backbone of a model saved with one (`config.backbone.kind`
 *   `"custom"`).
 * @throws SsdError `BAD_CHECKPOINT`.
 */
export function deserializeDetector(
  json: unknown,
  weights: ArrayBuffer,
  source = "model.json",
  options: SsdDetectorOptions = {},
): SsdDetector {
  const fn = "deserializeDetector";
  const bad: (msg: string) => never = (msg) => fail("BAD_CHECKPOINT", fn, `${source}: ${msg}`, { source });
  const j = json as Partial<SavedModelJson> | null;
  if (typeof j !== "object" || j === null || j.format !== "od-ssd")
    bad('is not an od SSD model (format must be "od-ssd")');
  if (j.formatVersion !== SSD_FORMAT_VERSION) {
    bad(`was written by format version ${String(j.formatVersion)}; this version reads ${SSD_FORMAT_VERSION}`);
  }
  const config = j.config as SsdConfig;
  try {
    checkSsdConfig(config);
  } catch (e) {
    bad(`has an invalid config: ${(e as Error).message}`);
  }
  let detector: SsdDetector;
  try {
    detector = new SsdDetector(config, options);
  } catch (e) {
    return bad((e as Error).message);
  }
  try {
    unpackParams(detector.params, j.weightsManifest?.[0]?.weights as readonly WeightSpec[], weights, source);
    return detector;
  } catch (e) {
    detector.dispose();
    throw e;
  }
}

/** `classifier.json` of a saved crop classifier. */
export interface SavedClassifierJson {
  readonly format: "od-crop-classifier";
  readonly formatVersion: number;
  readonly config: CropClassifierConfig;
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly WeightSpec[];
  }[];
}

/** Serialises a crop classifier like {@link serializeDetector}. */
export async function serializeClassifier(
  c: CropClassifier,
  weightsFile = "classifier.bin",
): Promise<{ json: SavedClassifierJson; weights: ArrayBuffer }> {
  const { specs, weights } = await packParams(c.params);
  return {
    json: {
      format: "od-crop-classifier",
      formatVersion: SSD_FORMAT_VERSION,
      config: c.config,
      weightsManifest: [{ paths: [weightsFile], weights: specs }],
    },
    weights,
  };
}

/** Rebuilds a crop classifier; checks like {@link deserializeDetector}. @throws SsdError `BAD_CHECKPOINT`. */
export function deserializeClassifier(
  json: unknown,
  weights: ArrayBuffer,
  source = "classifier.json",
): CropClassifier {
  const j = json as Partial<SavedClassifierJson> | null;
  const bad: (msg: string) => never = (msg) =>
    fail("BAD_CHECKPOINT", "deserializeClassifier", `${source}: ${msg}`, { source });
  if (typeof j !== "object" || j === null || j.format !== "od-crop-classifier")
    bad('is not an od crop classifier (format must be "od-crop-classifier")');
  if (j.formatVersion !== SSD_FORMAT_VERSION)
    bad(`was written by format version ${String(j.formatVersion)}; this version reads ${SSD_FORMAT_VERSION}`);
  let c: CropClassifier;
  try {
    c = new CropClassifier(j.config as CropClassifierConfig);
  } catch (e) {
    return bad(`has an invalid config: ${(e as Error).message}`);
  }
  try {
    unpackParams(c.params, j.weightsManifest?.[0]?.weights as readonly WeightSpec[], weights, source);
    return c;
  } catch (e) {
    c.dispose();
    throw e;
  }
}
