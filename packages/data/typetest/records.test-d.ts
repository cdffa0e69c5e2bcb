/**
 * What must NOT compile (checked by `npm run typecheck`): each `@ts-expect-error` line is an error.
 */
import { type Boxes, unsafeBoxes } from "@od/boxes";
import { createDataset, type ImageRecord, yoloDataset } from "../src/index.js";

const rel: Boxes<"cxcywh", "rel"> = unsafeBoxes(new Float32Array(4), "cxcywh", "rel");
const px: Boxes<"xyxy", "px"> = unsafeBoxes(new Float32Array(4), "xyxy", "px");
const base = {
  id: "a",
  file: "a.jpg",
  size: { width: 10, height: 10 },
  labels: new Int32Array(1),
  difficult: new Uint8Array(1),
  crowd: new Uint8Array(1),
  truncated: new Uint8Array(1),
};

export const ok: ImageRecord = { ...base, boxes: px };
// @ts-expect-error dataset records hold xyxy px boxes, not model-space cxcywh rel ones
export const wrongFormat: ImageRecord = { ...base, boxes: rel };
// @ts-expect-error labels are an Int32Array of class indices, not names
export const wrongLabels: ImageRecord = { ...base, boxes: px, labels: ["cat"] };

// @ts-expect-error YOLO needs the class names (its names file)
yoloDataset([], {});
// @ts-expect-error images is required
createDataset({ classNames: [] });
// @ts-expect-error records are read-only
ok.boxes = px;
