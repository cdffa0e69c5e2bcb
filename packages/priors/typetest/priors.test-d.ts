import { boxes, emptyBoxes } from "@od/boxes";
import {
  analyzeCoverage,
  encodeTargets,
  generatePriors,
  matchPriors,
  type PriorConfig,
  SSD300_VGG16,
} from "../src/index.js";

const priors = generatePriors(SSD300_VGG16);
const gtPx = boxes([[10, 10, 50, 50]], "xyxy", "px");
const gtRel = boxes([[0.1, 0.1, 0.5, 0.5]], "xyxy", "rel");
const xyxyPriors = emptyBoxes("xyxy", "rel");

matchPriors(gtRel, priors);
// @ts-expect-error GT must be rel to the network input, not px
matchPriors(gtPx, priors);
// @ts-expect-error priors must be cxcywh
matchPriors(gtRel, xyxyPriors);
// @ts-expect-error encodeTargets needs rel GT
encodeTargets(gtPx, [1], priors);
// @ts-expect-error coverage takes xyxy px GT of the image, not rel
analyzeCoverage([{ size: { width: 1, height: 1 }, boxes: gtRel, labels: [1] }], priors, {
  width: 300,
  height: 300,
});
// @ts-expect-error a config has either scales/aspectRatios or shapes, not both
const both: PriorConfig = { ...SSD300_VGG16, shapes: [[{ scale: 0.1, ratio: 1 }]] };
void both;
