import {
  type Boxes,
  batchedNms,
  clip,
  convert,
  decode,
  type LetterboxRecord,
  select,
  toPx,
  unletterboxBoxes,
  type Variances,
} from "@od/boxes";
import { fail } from "./errors.js";

/** Options of detection post-processing (defaults follow torchvision's SSD where it has one). */
export interface PostprocessOptions {
  /** Keep class scores strictly above this (default 0.01, torchvision `score_thresh`). */
  readonly scoreThreshold?: number;
  /** Class-wise NMS IoU threshold (default 0.45, torchvision `nms_thresh`). */
  readonly iouThreshold?: number;
  /** Best candidates per class kept before NMS (default 400, torchvision `topk_candidates`). */
  readonly topKPerClass?: number;
  /** Detections kept per image after NMS (default 200, torchvision `detections_per_img`). */
  readonly maxDetections?: number;
  /**
   * Clip the decoded boxes to the network input before NMS, as torchvision's `SSD.postprocess_detections`
   * does (`clip_boxes_to_image`), so NMS compares the clipped boxes (default false: boxes are clipped to
   * the original image after NMS only; the final boxes are clipped either way).
   */
  readonly clipToInput?: boolean;
}

/** Detections for one image, in px of that image. */
export interface Detections {
  /** `[K, 4]` xyxy px boxes of the original image, clipped to it. */
  readonly boxes: Boxes<"xyxy", "px">;
  /** `[K]` class probabilities, decreasing (ties: lower prior index first). */
  readonly scores: Float32Array;
  /** `[K]` class ids ≥ 1 (id k is `classNames[k − 1]`). */
  readonly labels: Int32Array;
}

/** od's post-processing defaults (torchvision `SSD`'s constructor defaults). */
export const POSTPROCESS_DEFAULTS: Readonly<Required<PostprocessOptions>> = Object.freeze({
  scoreThreshold: 0.01,
  iouThreshold: 0.45,
  topKPerClass: 400,
  maxDetections: 200,
  clipToInput: false,
});

/**
 * Checks post-processing options and fills in {@link POSTPROCESS_DEFAULTS}.
 * @throws SsdError `INVALID_ARGUMENT` naming the option and its value.
 */
export function checkPostprocessOptions(o: PostprocessOptions): Required<PostprocessOptions> {
  const d = POSTPROCESS_DEFAULTS;
  const r = {
    scoreThreshold: o.scoreThreshold ?? d.scoreThreshold,
    iouThreshold: o.iouThreshold ?? d.iouThreshold,
    topKPerClass: o.topKPerClass ?? d.topKPerClass,
    maxDetections: o.maxDetections ?? d.maxDetections,
    clipToInput: o.clipToInput ?? d.clipToInput,
  };
  const fn = "postprocess";
  if (typeof r.clipToInput !== "boolean")
    fail("INVALID_ARGUMENT", fn, `clipToInput must be a boolean; got ${JSON.stringify(r.clipToInput)}`);
  if (!(r.scoreThreshold >= 0 && r.scoreThreshold < 1))
    fail("INVALID_ARGUMENT", fn, `scoreThreshold must be in [0, 1); got ${r.scoreThreshold}`);
  if (!(r.iouThreshold >= 0 && r.iouThreshold <= 1))
    fail("INVALID_ARGUMENT", fn, `iouThreshold must be in [0, 1]; got ${r.iouThreshold}`);
  for (const k of ["topKPerClass", "maxDetections"] as const) {
    if (!(Number.isInteger(r[k]) && r[k] > 0))
      fail("INVALID_ARGUMENT", fn, `${k} must be an integer > 0; got ${r[k]}`);
  }
  return r;
}

/**
 * Turns one image's raw outputs into detections on the original image: decode against the priors
 * (optionally clipped to the input, see {@link PostprocessOptions.clipToInput}), per class keep
 * scores > threshold and the top-k, class-wise NMS (`batchedNms` of @od/boxes), keep
 * `maxDetections`, map from the network input back through the SAME letterbox record, clip.
 *
 * @param deltas `[P, 4]` box deltas. @param probs `[P, C]` class probabilities (softmax), class 0 background.
 * @param priors `[P, 4]` cxcywh rel priors. @param record the letterbox of this image.
 */
export function postprocess(
  deltas: Float32Array,
  probs: Float32Array,
  priors: Boxes<"cxcywh", "rel">,
  variances: Variances,
  record: LetterboxRecord,
  options: PostprocessOptions = {},
): Detections {
  const o = checkPostprocessOptions(options);
  const P = priors.length;
  const C = probs.length / P;
  if (!Number.isInteger(C) || C < 2)
    fail("INVALID_ARGUMENT", "postprocess", `probs must be [${P}, C >= 2]; got ${probs.length} values`);
  if (deltas.length !== P * 4)
    fail("INVALID_ARGUMENT", "postprocess", `deltas must be [${P}, 4]; got ${deltas.length} values`);
  // Candidates: per class, scores above threshold, best topKPerClass.
  const idx: number[] = [];
  const cls: number[] = [];
  const sc: number[] = [];
  const order: number[] = [];
  for (let c = 1; c < C; c++) {
    order.length = 0;
    for (let p = 0; p < P; p++) if (probs[p * C + c]! > o.scoreThreshold) order.push(p);
    if (order.length > o.topKPerClass) {
      order.sort((a, b) => probs[b * C + c]! - probs[a * C + c]! || a - b);
      order.length = o.topKPerClass;
    }
    for (const p of order) {
      idx.push(p);
      cls.push(c);
      sc.push(probs[p * C + c]!);
    }
  }
  // Only the candidates' boxes are decoded (each box decodes on its own, so this equals decoding all
  // P priors and selecting): a few rows instead of P, and no P-sized buffers per image.
  const rows = new Float32Array(idx.length * 4);
  idx.forEach((p, k) => {
    rows.set(deltas.subarray(p * 4, p * 4 + 4), k * 4);
  });
  const decoded = convert(decode(rows, select(priors, idx), { variances }), "xyxy");
  const cand = o.clipToInput
    ? clip(toPx(decoded, record.target), record.target)
    : toPx(decoded, record.target);
  const keep = batchedNms(cand, sc, cls, o.iouThreshold, { maxOutput: o.maxDetections });
  const kept = select(cand, keep);
  const boxes = clip(unletterboxBoxes(kept, record), record.source);
  const scores = new Float32Array(keep.length);
  const labels = new Int32Array(keep.length);
  keep.forEach((k, i) => {
    scores[i] = sc[k]!;
    labels[i] = cls[k]!;
  });
  return { boxes, scores, labels };
}
