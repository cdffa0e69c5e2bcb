import { checkPostprocessOptions, type PostprocessOptions, type SsdDetector } from "@od/ssd";
import type { onnx } from "onnx-proto";
import onnxProto from "onnx-proto";
import { fail } from "./errors.js";
import { appendDetections } from "./internal/detections-graph.js";
import { DTYPE, GraphBuilder } from "./internal/graph.js";
import { OPSET, writeNode } from "./internal/ops.js";
import { type TracedTensor, traceForward } from "./internal/trace.js";
import {
  DETECTION_NAMES,
  type DetectionSettings,
  INPUT_NAME,
  metadataEntries,
  OD_ONNX_VERSION,
  OUTPUT_NAMES,
} from "./metadata.js";

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Graph name written into the model (default `"od-ssd"`). */
  readonly graphName?: string;
  /**
   * Decode, softmax, per-class top-k and class-wise `NonMaxSuppression` inside the graph: the model
   * then takes one image `[1, 3, H, W]` and returns `boxes` `[K, 4]` (float32 xyxy px of the network
   * input), `scores` `[K]` (float32, decreasing) and `labels` `[K]` (int64, ≥ 1) instead of the raw
   * outputs. Each option not given falls back to the detector's `config.postprocess`, then to
   * `POSTPROCESS_DEFAULTS` of `@od/ssd`, as `SsdDetector.predict` resolves them (`{}` bakes the
   * detector's own settings); `clipToInput` clips the decoded boxes to the network input before NMS.
   * Map the boxes back to the image with `unletterboxBoxes` of `@od/boxes` and the record of
   * `preprocessImage` (`OnnxDetector.predict` does).
   */
  readonly detections?: PostprocessOptions;
}

/**
 * The in-graph post-processing of `detector` with `options`: each option not given comes from
 * `config.postprocess`, then od's defaults (the resolution `SsdDetector.predict` uses).
 * @throws OnnxError `INVALID_ARGUMENT` wrapping the SsdError that names the bad option.
 */
function resolveDetectionSettings(detector: SsdDetector, options: PostprocessOptions): DetectionSettings {
  try {
    return checkPostprocessOptions({ ...detector.config.postprocess, ...options });
  } catch (e) {
    return fail("INVALID_ARGUMENT", "exportOnnx", `detections: ${(e as Error).message}`, {}, e);
  }
}

/** ONNX IR version of the written models (ONNX 1.12: IR 8 with opset 17). */
export const IR_VERSION = 8;

function valueInfo(
  name: string,
  dims: readonly (number | string)[],
  elemType: number = DTYPE.FLOAT,
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Exports a detector as an ONNX model (opset 17, IR 8, read by ONNX Runtime 1.30 in Node and browsers).
 *
 * The graph is the detector's inference forward pass with batch norm folded into the convolutions:
 * - input `input`: `[N, 3, H, W]` float32, **NCHW**, RGB, already network-normalised (`preprocessImage`
 *   of `@od/ssd` gives HWC values; transpose them), H×W = `config.inputSize`, N dynamic;
 * - outputs `loc` `[N, P, 4]` (deltas against the priors, decode with `config.variances`) and
 *   `logits` `[N, P, C]` (class 0 background), in od's order (level, row, column, shape), equal to
 *   `SsdDetector.forward`.
 *
 * It is built by running the forward pass once and writing every tfjs kernel it runs through an op
 * table (convolutions, depthwise convolutions, 1×1 convolutions done as matrix products, reshapes,
 * concatenation, clipping and elementwise activations, spatial means, inference batch norm). The
 * metadata (`metadata_props`, see `METADATA_KEYS`) holds the config, the prior configuration, class
 * names, input size, normalisation, input fit and the od version.
 *
 * With `options.detections` the graph ends in final detections instead (see {@link ExportOnnxOptions});
 * every option of `PostprocessOptions` is written into the graph.
 *
 * @returns the model as protobuf bytes (write them to a `.onnx` file).
 * @throws OnnxError `UNSUPPORTED_OP` naming a tfjs kernel (or a use of one) the exporter cannot write,
 *   e.g. of a custom backbone; `INVALID_ARGUMENT` for bad options.
 */
export function exportOnnx(detector: SsdDetector, options: ExportOnnxOptions = {}): Uint8Array {
  const fn = "exportOnnx";
  const graphName = options.graphName ?? "od-ssd";
  if (typeof graphName !== "string" || graphName.length === 0)
    fail("INVALID_ARGUMENT", fn, `graphName must be a non-empty string; got ${JSON.stringify(graphName)}`);
  const detections =
    options.detections === undefined ? undefined : resolveDetectionSettings(detector, options.detections);
  const trace = traceForward(detector);
  const g = new GraphBuilder(trace.constants);
  g.bind(trace.input, { name: INPUT_NAME, layout: { kind: "nchw" } });
  for (const node of trace.nodes) writeNode(g, node);
  const raw = (t: TracedTensor, name: string): string => {
    const v = g.valueOf(t);
    if (v === undefined || v.layout.kind !== "plain")
      fail("UNSUPPORTED_OP", fn, `output ${name} is not a [B, P, k] tensor of the traced graph`);
    return v.name;
  };
  const loc = raw(trace.loc, OUTPUT_NAMES.loc);
  const logits = raw(trace.logits, OUTPUT_NAMES.logits);
  const { width, height } = detector.config.inputSize;
  const P = detector.priors.length;
  let outputs: onnx.IValueInfoProto[];
  if (detections === undefined) {
    g.node("Identity", [loc], [], OUTPUT_NAMES.loc);
    g.node("Identity", [logits], [], OUTPUT_NAMES.logits);
    outputs = [
      valueInfo(OUTPUT_NAMES.loc, ["N", P, 4]),
      valueInfo(OUTPUT_NAMES.logits, ["N", P, detector.numClasses]),
    ];
  } else {
    const d = appendDetections(
      g,
      loc,
      logits,
      {
        priors: detector.priors,
        variances: detector.config.variances,
        numClasses: detector.numClasses,
        inputSize: detector.config.inputSize,
      },
      detections,
    );
    g.node("Identity", [d.boxes], [], DETECTION_NAMES.boxes);
    g.node("Identity", [d.scores], [], DETECTION_NAMES.scores);
    g.node("Identity", [d.labels], [], DETECTION_NAMES.labels);
    outputs = [
      valueInfo(DETECTION_NAMES.boxes, ["K", 4]),
      valueInfo(DETECTION_NAMES.scores, ["K"]),
      valueInfo(DETECTION_NAMES.labels, ["K"], DTYPE.INT64),
    ];
  }
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET }],
    producerName: "od",
    producerVersion: OD_ONNX_VERSION,
    graph: {
      name: graphName,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(INPUT_NAME, [detections === undefined ? "N" : 1, 3, height, width])],
      output: outputs,
    },
    metadataProps: metadataEntries(detector.config, detector.priorConfig, detections).map(([key, value]) => ({
      key,
      value,
    })),
  };
  return onnxProto.onnx.ModelProto.encode(model).finish();
}
