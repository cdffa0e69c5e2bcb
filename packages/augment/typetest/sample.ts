import { type Boxes, unsafeBoxes } from "@od/boxes";
import ndarray from "ndarray";
import {
  adjustBrightness,
  type Image,
  invertRecords,
  makeSample,
  resizeImage,
  type Uint8Image,
  type UnitImage,
  uint8Image,
  unitImage,
} from "../src/index.js";

const image = uint8Image(new Uint8Array(12), 2, 2);
const floats = unitImage(new Float32Array(12), 2, 2);
const rel: Boxes<"xyxy", "rel"> = unsafeBoxes(new Float32Array(4), "xyxy", "rel");
const cxcy: Boxes<"cxcywh", "px"> = unsafeBoxes(new Float32Array(4), "cxcywh", "px");

// @ts-expect-error samples hold xyxy px boxes; rel boxes need toPx() first
makeSample(image, rel, [0]);
// @ts-expect-error cxcywh boxes need convert() first
makeSample(image, cxcy, [0]);
// @ts-expect-error predictions in rel units cannot be inverted without toPx()
invertRecords(rel, []);

// images carry their value range: a sample's image is [0, 255] bytes or [0, 1] floats, tagged
const asBytes = (_: Uint8Image): void => {};
const s = makeSample(floats, unsafeBoxes(new Float32Array(0), "xyxy", "px"), []);
// @ts-expect-error a transform's image may be [0, 1] floats: narrow on image.range or toUint8Image() it
asBytes(s.image);
// @ts-expect-error an untagged ndarray has no range: uint8Image() / asImage() it first
makeSample(ndarray(new Float32Array(12), [2, 2, 3]), unsafeBoxes(new Float32Array(0), "xyxy", "px"), []);
if (s.image.range === "0-255") asBytes(s.image);
const resized: Uint8Image = resizeImage(image, 4, 4);
const keepsRange: UnitImage = adjustBrightness(floats, 0.1);
// @ts-expect-error brightness of [0, 1] floats is [0, 1] floats, not bytes
const wrongRange: Uint8Image = adjustBrightness(floats, 0.1);
const any: Image = adjustBrightness(image as Image, 0.1);
void [resized, keepsRange, wrongRange, any];
