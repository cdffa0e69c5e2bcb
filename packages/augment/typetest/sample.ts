import { type Boxes, unsafeBoxes } from "@od/boxes";
import ndarray from "ndarray";
import { invertRecords, makeSample } from "../src/index.js";

const image = ndarray(new Uint8Array(12), [2, 2, 3]);
const rel: Boxes<"xyxy", "rel"> = unsafeBoxes(new Float32Array(4), "xyxy", "rel");
const cxcy: Boxes<"cxcywh", "px"> = unsafeBoxes(new Float32Array(4), "cxcywh", "px");

// @ts-expect-error samples hold xyxy px boxes; rel boxes need toPx() first
makeSample(image, rel, [0]);
// @ts-expect-error cxcywh boxes need convert() first
makeSample(image, cxcy, [0]);
// @ts-expect-error predictions in rel units cannot be inverted without toPx()
invertRecords(rel, []);
