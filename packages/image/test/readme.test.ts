import { letterboxRecord } from "@od/boxes";
import { expect, test } from "vitest";
import { letterboxImage, toUint8Image, toUnitImage, type Uint8Image, uint8Image } from "../src/index.js";

test("the README example runs as written", () => {
  const bytes = uint8Image(new Uint8Array(480 * 640 * 3), 640, 480);
  const floats = toUnitImage(bytes);
  const rec = letterboxRecord({ width: 640, height: 480 }, { width: 320, height: 320 });
  const boxed = letterboxImage(bytes, rec);
  const back: Uint8Image = toUint8Image(floats);
  expect([boxed.range, boxed.shape, back.data.every((v, i) => v === bytes.data[i])]).toEqual([
    "0-255",
    [320, 320, 3],
    true,
  ]);
  expect([rec.resized, rec.offset]).toEqual([
    { width: 320, height: 240 },
    { x: 0, y: 40 },
  ]);
});
