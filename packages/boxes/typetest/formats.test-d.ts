import { boxes, convert, iou, toRel, toPx, encode, type Boxes } from "@od/boxes";

const gt = boxes([[10, 20, 50, 80]], "xyxy", "px");
const c = convert(gt, "cxcywh");
const r = toRel(gt, { width: 640, height: 480 });

// @ts-expect-error formats differ
iou(gt, c);
// @ts-expect-error units differ
iou(gt, r);
// @ts-expect-error toPx needs rel boxes
toPx(gt, { width: 1, height: 1 });
// @ts-expect-error priors must be cxcywh
encode(gt, gt);
const ok: Boxes<"xyxy", "px"> = gt;
// @ts-expect-error a cxcywh array is not an xyxy array
const bad: Boxes<"xyxy", "px"> = c;
iou(gt, gt);
void ok;
void bad;
