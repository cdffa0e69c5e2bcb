import { boxes, toRel } from "@od/boxes";
import { analyzeCoverage, encodeTargets, fitPriors, generatePriors, SSD300_VGG16 } from "@od/priors";

const priors = generatePriors(SSD300_VGG16); // [8732, 4] cxcywh rel, equal to torchvision's to 1e-6
const gt = boxes([[48, 40, 120, 130]], "xyxy", "px"); // one image, already letterboxed to 300×300
const t = encodeTargets(toRel(gt, SSD300_VGG16.imageSize), [1], priors);
console.log(t.numPositive, t.locTargets.length, t.labels.length); // positives, 8732 * 4, 8732

const dataset = [
  { size: { width: 640, height: 480 }, boxes: boxes([[100, 80, 180, 150]], "xyxy", "px"), labels: [1] },
];
const report = analyzeCoverage(dataset, priors, SSD300_VGG16.imageSize); // letterboxes 640×480 -> 300×300
console.log(report.recall, report.meanBestIou, report.orphans.length);
const fit = fitPriors(dataset, SSD300_VGG16, { budget: { priors: 3000 } });
console.log(fit.numPriors, fit.before.recall, "->", fit.after.recall);
