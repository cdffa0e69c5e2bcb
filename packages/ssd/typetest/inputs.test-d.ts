// What predict and the preprocessing must NOT accept (each `@ts-expect-error` must be used, or tsc
// fails). Checked by `npx tsc -p tsconfig.test.json`.
import {
  type NetworkImage,
  toUnitImage,
  type Uint8Image,
  type UnitImage,
  uint8Image,
  unsafeImage,
} from "@od/image";
import type * as tf from "@tensorflow/tfjs-core";
import { expectTypeOf } from "vitest";
import {
  type ImageInput,
  preprocessImage,
  preprocessSample,
  type SsdDetector,
  type TrainingSample,
} from "../src/index.js";

declare const detector: SsdDetector;
declare const t: tf.Tensor3D;
const bytes: Uint8Image = uint8Image(new Uint8Array(12), 2, 2);
const unit: UnitImage = toUnitImage(bytes);
const net: NetworkImage = unsafeImage(new Float32Array(12), 2, 2, 3, "network");
const floats = new Float32Array(12);
const rawFloats = { data: floats, shape: [2, 2, 3], stride: [6, 3, 1], offset: 0 }; // an ndarray's fields

// accepted: bytes (tagged or plain), [0, 1] images, ImageData, tensors (int32 checked at run time)
const ok: ImageInput[] = [
  bytes,
  unit,
  { data: new Uint8Array(12), shape: [2, 2, 3] },
  { data: new Uint8ClampedArray(16), width: 2, height: 2 },
  t,
];
void detector.predict(ok);
expectTypeOf(preprocessImage(bytes, detector.config).input).toEqualTypeOf<NetworkImage>();

// @ts-expect-error network input is not an image to preprocess again
void detector.predict([net]);
// @ts-expect-error floats without a range tag: [0, 1]? [0, 255]? unitImage() them
void detector.predict([{ data: floats, shape: [2, 2, 3] }]);
// @ts-expect-error nor an untagged float ndarray
void detector.predict([rawFloats]);
// @ts-expect-error nor an ImageData-like of floats
preprocessImage({ data: floats, width: 2, height: 2 }, detector.config);
const sample = { image: net, boxes: undefined as never, labels: [] };
// @ts-expect-error a training sample holds pixels, never network input
preprocessSample(sample, detector);
const good: TrainingSample = { image: unit, boxes: undefined as never, labels: [] };
void good;
