// What must NOT compile (each `@ts-expect-error` must be used, or tsc fails). Checked by
// `npx tsc -p tsconfig.test.json`.
import { boxes } from "@od/boxes";
import { boxTensor } from "@od/boxes/tf";
import { tf } from "@od/tf";
import { iouLoss, type MultiboxInputs, multiboxLoss } from "../src/index.js";

const xyxyPx = boxTensor(tf.zeros([2, 4]), "xyxy", "px");
const xyxyRel = boxTensor(tf.zeros([2, 4]), "xyxy", "rel");
const cxcywhPx = boxTensor(tf.zeros([2, 4]), "cxcywh", "px");

const ok: tf.Tensor = iouLoss(xyxyPx, xyxyPx, { kind: "ciou", reduction: "mean" });
// @ts-expect-error format differs: convertT() one of them first
iouLoss(xyxyPx, cxcywhPx);
// @ts-expect-error units differ: toRelT() / toPxT() first
iouLoss(xyxyPx, xyxyRel);
// @ts-expect-error a raw tensor is not a BoxTensor
iouLoss(tf.zeros([2, 4]), xyxyPx);
// @ts-expect-error unknown kind
iouLoss(xyxyPx, xyxyPx, { kind: "l1" });

declare const inputs: MultiboxInputs;
const priorsRel = boxes([[0.5, 0.5, 0.2, 0.2]], "cxcywh", "rel");
const priorsPx = boxes([[50, 50, 20, 20]], "cxcywh", "px");
const priorsXyxy = boxes([[0.4, 0.4, 0.6, 0.6]], "xyxy", "rel");
multiboxLoss(inputs, { locLoss: "giou", priors: priorsRel });
multiboxLoss(inputs, { locLoss: "smooth-l1", smoothL1Beta: 0.5 });
// @ts-expect-error IoU localisation needs the priors
multiboxLoss(inputs, { locLoss: "ciou" });
// @ts-expect-error priors must be relative to the network input
multiboxLoss(inputs, { locLoss: "giou", priors: priorsPx });
// @ts-expect-error priors must be cxcywh
multiboxLoss(inputs, { locLoss: "diou", priors: priorsXyxy });
// @ts-expect-error no such localisation loss
multiboxLoss(inputs, { locLoss: "l2" });

export { ok };
