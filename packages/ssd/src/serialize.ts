import * as tf from "@tensorflow/tfjs-core";
import { checkSsdConfig, SSD_FORMAT_VERSION, type SsdConfig } from "./config.js";
import { SsdDetector } from "./detector.js";
import { fail } from "./errors.js";

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
 * Serialises a detector (config, trainable weights and batch-norm statistics) to `model.json` content
 * and one weights buffer. Bit exact: values are copied, never recomputed.
 */
export async function serializeDetector(
  detector: SsdDetector,
): Promise<{ json: SavedModelJson; weights: ArrayBuffer }> {
  const names = detector.params.names();
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const n of names) {
    const v = detector.params.get(n);
    specs.push({ name: n, shape: [...v.shape], dtype: "float32" });
    parts.push((await v.data()) as Float32Array);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const buf = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  return {
    json: {
      format: "od-ssd",
      formatVersion: SSD_FORMAT_VERSION,
      config: detector.config,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    },
    weights: buf.buffer,
  };
}

/**
 * Rebuilds a detector from {@link serializeDetector}'s output. Everything is checked before the detector
 * is returned — format and version, every parameter present with its shape, the byte length — and on any
 * mismatch the half-built detector is disposed and an error names the parameter and both shapes.
 * @param source a file name used in error messages (e.g. the model directory).
 * @throws SsdError `BAD_CHECKPOINT`.
 */
export function deserializeDetector(json: unknown, weights: ArrayBuffer, source = "model.json"): SsdDetector {
  const fn = "deserializeDetector";
  const bad: (msg: string, details?: Record<string, unknown>) => never = (msg, details = {}) =>
    fail("BAD_CHECKPOINT", fn, `${source}: ${msg}`, { source, ...details });
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
  const group = j.weightsManifest?.[0];
  if (!group || !Array.isArray(group.weights)) bad("has no weightsManifest");
  const specs: readonly WeightSpec[] = group.weights;
  const detector = new SsdDetector(config);
  try {
    const names = detector.params.names();
    const byName = new Map(specs.map((s) => [s.name, s]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0)
      bad(`lacks ${missing.length} parameter(s): ${missing.slice(0, 5).join(", ")}`, { missing });
    const extra = specs.filter((s) => !names.includes(s.name)).map((s) => s.name);
    if (extra.length > 0)
      bad(`has ${extra.length} unknown parameter(s): ${extra.slice(0, 5).join(", ")}`, { extra });
    let need = 0;
    for (const s of specs) {
      const v = detector.params.get(s.name);
      if (s.shape.length !== v.shape.length || s.shape.some((d, i) => d !== v.shape[i])) {
        bad(
          `parameter ${s.name} has shape [${s.shape.join(", ")}] but the model needs [${v.shape.join(", ")}]`,
          { name: s.name },
        );
      }
      need += v.size;
    }
    if (weights.byteLength !== need * 4)
      bad(`weights hold ${weights.byteLength} bytes; the manifest needs ${need * 4}`);
    const all = new Float32Array(weights);
    let o = 0;
    for (const s of specs) {
      const v = detector.params.get(s.name);
      const slice = all.subarray(o, o + v.size);
      tf.tidy(() => v.assign(tf.tensor(slice, v.shape, "float32")));
      o += v.size;
    }
    return detector;
  } catch (e) {
    detector.dispose();
    throw e;
  }
}
