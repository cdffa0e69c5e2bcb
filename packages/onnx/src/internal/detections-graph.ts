/**
 * The optional tail of an exported graph that turns the raw head outputs of one image into final
 * detections, as `postprocess` of `@od/ssd` does up to the inverse letterbox: decode against the
 * priors (variances, `BBOX_XFORM_CLIP` of `@od/boxes`), xyxy px of the network input (clipped to it with
 * `clipToInput`, as `clip` of `@od/boxes` does: `min(max(v, 0), size)`), softmax, per class
 * the best `topKPerClass` scores, class-wise `NonMaxSuppression` (scores strictly above the threshold,
 * IoU strictly above the threshold suppresses), the best `maxDetections` over all classes by score.
 */
import { BBOX_XFORM_CLIP, type Boxes, type Variances } from "@od/boxes";
import { fail } from "../errors.js";
import type { DetectionSettings } from "../metadata.js";
import { type GraphBuilder, intAttr, intsAttr } from "./graph.js";

/** What the detections tail needs of the detector. */
export interface DetectionModel {
  readonly priors: Boxes<"cxcywh", "rel">;
  readonly variances: Variances;
  readonly numClasses: number;
  readonly inputSize: { readonly width: number; readonly height: number };
}

/**
 * Appends the detections tail to `g` for batch 1: `loc` `[1, P, 4]`, `logits` `[1, P, C]` →
 * `boxes` `[K, 4]` float32 xyxy px of the network input, `scores` `[K]` float32 (decreasing),
 * `labels` `[K]` int64 class ids ≥ 1.
 * @returns the names of the three values.
 */
export function appendDetections(
  g: GraphBuilder,
  loc: string,
  logits: string,
  model: DetectionModel,
  settings: DetectionSettings,
): { boxes: string; scores: string; labels: string } {
  // Every option is taken by name; `unwritten` must stay empty, so an option added to
  // `PostprocessOptions` fails to compile here until the graph writes it.
  const { scoreThreshold, iouThreshold, topKPerClass, maxDetections, clipToInput, ...unwritten } = settings;
  const none: Record<string, never> = unwritten;
  if (Object.keys(none).length > 0)
    fail(
      "INVALID_ARGUMENT",
      "exportOnnx",
      `detections has options the graph cannot write: ${Object.keys(none).join(", ")}`,
    );
  const P = model.priors.length;
  const C = model.numClasses;
  const p = model.priors.data;
  const [vx, vy, vw, vh] = model.variances;
  const scale = new Float32Array(P * 2);
  const centre = new Float32Array(P * 2);
  const size = new Float32Array(P * 2);
  for (let i = 0; i < P; i++) {
    const pw = p[4 * i + 2]!;
    const ph = p[4 * i + 3]!;
    scale[2 * i] = vx * pw;
    scale[2 * i + 1] = vy * ph;
    centre[2 * i] = p[4 * i]!;
    centre[2 * i + 1] = p[4 * i + 1]!;
    size[2 * i] = pw;
    size[2 * i + 1] = ph;
  }
  const slice = (x: string, from: number, to: number, axis: number) =>
    g.node("Slice", [x, g.int64s("starts", [from]), g.int64s("ends", [to]), g.int64s("axes", [axis])]);
  // decode: centre = t_xy · v_xy · p_wh + p_xy; size = exp(min(t_wh · v_wh, clip)) · p_wh
  const deltas = g.node("Reshape", [loc, g.int64s("shape", [P, 4])]);
  const xy = g.node("Add", [
    g.node("Mul", [slice(deltas, 0, 2, 1), g.floats("scale", [P, 2], scale)]),
    g.floats("centre", [P, 2], centre),
  ]);
  const logWh = g.node("Mul", [slice(deltas, 2, 4, 1), g.floats("v_wh", [2], Float32Array.of(vw, vh))]);
  const wh = g.node("Mul", [
    g.node("Exp", [g.node("Min", [logWh, g.scalar(BBOX_XFORM_CLIP)])]),
    g.floats("size", [P, 2], size),
  ]);
  const half = g.node("Mul", [wh, g.scalar(0.5)]);
  const xyxy = g.node("Concat", [g.node("Sub", [xy, half]), g.node("Add", [xy, half])], [intAttr("axis", 1)]);
  const { width: W, height: H } = model.inputSize;
  const inputSize = g.floats("input_size", [4], Float32Array.of(W, H, W, H));
  const unclipped = g.node("Mul", [xyxy, inputSize]);
  const px = clipToInput ? g.node("Min", [g.node("Max", [unclipped, g.scalar(0)]), inputSize]) : unclipped;
  // class probabilities [C − 1, P] (background dropped)
  const probs = g.node("Reshape", [
    g.node("Softmax", [logits], [intAttr("axis", -1)]),
    g.int64s("shape", [P, C]),
  ]);
  const perClass = g.node("Transpose", [slice(probs, 1, C, 1)], [intsAttr("perm", [1, 0])]);
  const K = Math.min(topKPerClass, P);
  const [top, topIdx] = g.nodeOutputs("TopK", [perClass, g.int64s("k", [K])], [intAttr("axis", 1)], 2) as [
    string,
    string,
  ];
  // each class is one NMS "batch": boxes [C − 1, K, 4], scores [C − 1, 1, K]
  const classBoxes = g.node("Gather", [px, topIdx], [intAttr("axis", 0)]);
  const selected = g.node(
    "NonMaxSuppression",
    [
      classBoxes,
      g.node("Unsqueeze", [top, g.int64s("axes", [1])]),
      g.int64s("max_per_class", [maxDetections]),
      g.floats("iou_threshold", [1], Float32Array.of(iouThreshold)),
      g.floats("score_threshold", [1], Float32Array.of(scoreThreshold)),
    ],
    [intAttr("center_point_box", 0)],
  );
  const column = (k: number) => g.node("Gather", [selected, g.int64s("column", [k])], [intAttr("axis", 1)]);
  const cls = g.node("Reshape", [column(0), g.int64s("shape", [-1])]);
  const rank = g.node("Reshape", [column(2), g.int64s("shape", [-1])]);
  const flat = g.node("Add", [g.node("Mul", [cls, g.int64s("k", [K])]), rank]);
  const candScores = g.node("Gather", [g.node("Reshape", [top, g.int64s("shape", [-1])]), flat]);
  const candBoxes = g.node(
    "Gather",
    [g.node("Reshape", [classBoxes, g.int64s("shape", [-1, 4])]), flat],
    [intAttr("axis", 0)],
  );
  const candLabels = g.node("Add", [cls, g.int64s("one", [1])]);
  const keep = g.node("Min", [g.node("Shape", [candScores]), g.int64s("max_detections", [maxDetections])]);
  const [scores, order] = g.nodeOutputs("TopK", [candScores, keep], [intAttr("axis", 0)], 2) as [
    string,
    string,
  ];
  return {
    boxes: g.node("Gather", [candBoxes, order], [intAttr("axis", 0)]),
    scores,
    labels: g.node("Gather", [candLabels, order], [intAttr("axis", 0)]),
  };
}
