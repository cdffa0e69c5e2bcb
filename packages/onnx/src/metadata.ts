import type { PriorConfig } from "@od/priors";
import {
  checkPostprocessOptions,
  NETWORK_INPUT_RANGE,
  type PostprocessOptions,
  SSD_FORMAT_VERSION,
  type SsdConfig,
} from "@od/ssd";
import onnxProto from "onnx-proto";
import { fail } from "./errors.js";

/** Version of `@od/onnx` written into every exported model (`od.version`); equals its package.json version. */
export const OD_ONNX_VERSION = "0.0.0";

/** Value of the `od.format` metadata entry of every model od exports. */
export const OD_ONNX_FORMAT = "od-ssd-onnx";

/** Name of the graph input: `[N, 3, H, W]` float32, NCHW, network-normalised (see {@link OnnxModelInfo}). */
export const INPUT_NAME = "input";

/** Names of the raw head outputs: `loc [N, P, 4]` deltas against the priors, `logits [N, P, C]`. */
export const OUTPUT_NAMES = Object.freeze({ loc: "loc", logits: "logits" } as const);

/**
 * Names of the outputs of a model exported with in-graph detections: `boxes [K, 4]` float32 xyxy px of
 * the network input, `scores [K]` float32 (decreasing), `labels [K]` int64 class ids ≥ 1.
 */
export const DETECTION_NAMES = Object.freeze({ boxes: "boxes", scores: "scores", labels: "labels" } as const);

/**
 * Keys of the `metadata_props` of an exported model. `od.config` and `od.priors` are what the ONNX
 * runtime path reads; the others repeat single facts of them for other readers (netron, Python).
 */
export const METADATA_KEYS = Object.freeze({
  format: "od.format",
  version: "od.version",
  ssdFormatVersion: "od.ssd_format_version",
  config: "od.config",
  priors: "od.priors",
  classNames: "od.class_names",
  inputSize: "od.input_size",
  inputLayout: "od.input_layout",
  normalization: "od.normalization",
  inputFit: "od.input_fit",
  outputs: "od.outputs",
  detections: "od.detections",
} as const);

/**
 * Post-processing written into the graph by `ExportOnnxOptions.detections`: every option of
 * `PostprocessOptions` of `@od/ssd`, resolved (thresholds, per-class and total caps, whether boxes are
 * clipped to the network input before NMS). The type is derived from `PostprocessOptions`, so an
 * option added there is one the in-graph path must write or refuse.
 */
export type DetectionSettings = Readonly<Required<PostprocessOptions>>;

/** What an exported model says about itself (its `metadata_props`, parsed). */
export interface OnnxModelInfo {
  /** od version that wrote the model. */
  readonly version: string;
  /** The detector's configuration (class names, input size, input fit, variances, priors options). */
  readonly config: SsdConfig;
  /** The explicit prior configuration the heads were laid out for (`generatePriors` of `@od/priors`). */
  readonly priorConfig: PriorConfig;
  /**
   * The post-processing settings written into the graph (`exportOnnx` with `detections`), or
   * `undefined` for a graph with the raw outputs `loc` and `logits`.
   */
  readonly detections: DetectionSettings | undefined;
}

/**
 * The `metadata_props` entries of a model exported from a detector of `config` with `priorConfig`:
 * format and version, the config and priors as JSON, and readable copies of the class names, input
 * size (`"WxH"` px), input layout (`"NCHW"`), normalisation (a byte b enters as `lo + (hi − lo)·b/255`,
 * `[lo, hi]` = `NETWORK_INPUT_RANGE` of `@od/ssd`), input fit (`letterbox` or `resize`), the outputs
 * (`raw` or `detections`) and the in-graph post-processing settings, if any.
 */
export function metadataEntries(
  config: SsdConfig,
  priorConfig: PriorConfig,
  detections?: DetectionSettings,
): [string, string][] {
  const [lo, hi] = NETWORK_INPUT_RANGE;
  const k = METADATA_KEYS;
  return [
    [k.format, OD_ONNX_FORMAT],
    [k.version, OD_ONNX_VERSION],
    [k.ssdFormatVersion, String(SSD_FORMAT_VERSION)],
    [k.config, JSON.stringify(config)],
    [k.priors, JSON.stringify(priorConfig)],
    [k.classNames, JSON.stringify(config.classNames)],
    [k.inputSize, `${config.inputSize.width}x${config.inputSize.height}`],
    [k.inputLayout, "NCHW"],
    [
      k.normalization,
      JSON.stringify({ range: [lo, hi], formula: "lo + (hi - lo) * byte / 255", channels: "RGB" }),
    ],
    [k.inputFit, config.inputFit ?? "letterbox"],
    [k.outputs, detections === undefined ? "raw" : "detections"],
    ...(detections === undefined ? [] : [[k.detections, JSON.stringify(detections)] as [string, string]]),
  ];
}

/**
 * Reads the od metadata of ONNX model bytes.
 * @throws OnnxError `NOT_OD_MODEL` when the bytes are not an ONNX model, or one not exported by od
 *   (names the missing or malformed entry).
 */
export function readOnnxMetadata(model: Uint8Array): OnnxModelInfo {
  const fn = "readOnnxMetadata";
  let props: { key?: string | null; value?: string | null }[];
  try {
    props = onnxProto.onnx.ModelProto.decode(model).metadataProps ?? [];
  } catch (e) {
    return fail(
      "NOT_OD_MODEL",
      fn,
      `the ${model.length} bytes are not an ONNX model: ${(e as Error).message}`,
    );
  }
  const map = new Map(props.map((p) => [p.key ?? "", p.value ?? ""]));
  const format = map.get(METADATA_KEYS.format);
  if (format !== OD_ONNX_FORMAT)
    fail(
      "NOT_OD_MODEL",
      fn,
      `the ONNX model has no ${METADATA_KEYS.format}=${OD_ONNX_FORMAT} metadata entry (got ${JSON.stringify(format ?? null)}); export it with exportOnnx or odet export`,
    );
  const json = (key: string): unknown => {
    try {
      return JSON.parse(map.get(key) ?? "");
    } catch {
      return fail("NOT_OD_MODEL", fn, `metadata entry ${key} is missing or not JSON`);
    }
  };
  const outputs = map.get(METADATA_KEYS.outputs) ?? "raw";
  if (outputs !== "raw" && outputs !== "detections")
    fail(
      "NOT_OD_MODEL",
      fn,
      `metadata entry ${METADATA_KEYS.outputs} must be raw or detections; got ${JSON.stringify(outputs)}`,
    );
  return {
    version: map.get(METADATA_KEYS.version) ?? "",
    config: json(METADATA_KEYS.config) as SsdConfig,
    priorConfig: json(METADATA_KEYS.priors) as PriorConfig,
    detections: outputs === "detections" ? readDetectionSettings(json(METADATA_KEYS.detections)) : undefined,
  };
}

/**
 * The in-graph post-processing settings of a model's `od.detections` entry. Models written before
 * `clipToInput` was exported have no such key; their graphs do not clip, so it reads as `false`.
 * @throws OnnxError `NOT_OD_MODEL` when the entry is not an object of valid settings.
 */
function readDetectionSettings(value: unknown): DetectionSettings {
  const fn = "readOnnxMetadata";
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("NOT_OD_MODEL", fn, `metadata entry ${METADATA_KEYS.detections} must be a JSON object`);
  const o = value as Record<string, unknown>;
  const keys: readonly (keyof DetectionSettings)[] = [
    "scoreThreshold",
    "iouThreshold",
    "topKPerClass",
    "maxDetections",
  ];
  const missing = keys.filter((k) => o[k] === undefined);
  if (missing.length > 0)
    fail("NOT_OD_MODEL", fn, `metadata entry ${METADATA_KEYS.detections} lacks ${missing.join(", ")}`);
  try {
    return checkPostprocessOptions({ clipToInput: false, ...o });
  } catch (e) {
    return fail("NOT_OD_MODEL", fn, `metadata entry ${METADATA_KEYS.detections}: ${(e as Error).message}`);
  }
}
