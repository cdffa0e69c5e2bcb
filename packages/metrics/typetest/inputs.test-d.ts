import { boxes, convert, toRel } from "@od/boxes";
import { DetectionEvaluator, evaluateCoco, evaluateVoc, type GroundTruth } from "@od/metrics";

const px = boxes([[0, 0, 10, 10]], "xyxy", "px");
const labels = Int32Array.of(0);
const det = { boxes: px, scores: Float32Array.of(1), labels };

const ok: GroundTruth = { boxes: px, labels };
// @ts-expect-error ground truth must be xyxy (convert() first)
const cx: GroundTruth = { boxes: convert(px, "cxcywh"), labels };
// @ts-expect-error ground truth must be in px (toPx() first)
const rel: GroundTruth = { boxes: toRel(px, { width: 10, height: 10 }), labels };
// @ts-expect-error detections need scores
new DetectionEvaluator({ numClasses: 1 }).add(ok, { boxes: px, labels });
// @ts-expect-error classes are required
evaluateVoc([ok], [det], {});
// @ts-expect-error not a VOC interpolation
evaluateVoc([ok], [det], { numClasses: 1, interpolation: "101point" });
// @ts-expect-error maxDets is a triple
evaluateCoco([ok], [det], { numClasses: 1, maxDets: [100] });
const r = evaluateCoco([ok], [det], { classNames: ["a"] });
// @ts-expect-error a COCO result has no interpolation
r.interpolation;
void cx;
void rel;
