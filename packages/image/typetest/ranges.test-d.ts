// What must NOT compile (each `@ts-expect-error` must be used, or tsc fails), and what the return
// types are. Checked by `npx tsc -p tsconfig.test.json`.

import { letterboxRecord } from "@od/boxes";
import {
  asImage,
  checkImage,
  letterboxImage,
  type NetworkImage,
  type PixelImage,
  resizeImage,
  toUint8Image,
  toUnitImage,
  type Uint8Image,
  type UnitImage,
  uint8Image,
  unitImage,
  unsafeImage,
} from "@od/image";
import ndarray from "ndarray";
import { expectTypeOf } from "vitest";

const bytes = uint8Image(new Uint8Array(12), 2, 2);
const unit = unitImage(new Float32Array(12), 2, 2);
const net = unsafeImage(new Float32Array(12), 2, 2, 3, "network");
const rec = letterboxRecord({ width: 2, height: 2 }, { width: 4, height: 4 });
const rawBytes = ndarray(new Uint8Array(12), [2, 2, 3]);
const rawFloats = ndarray(new Float32Array(12), [2, 2, 3]);

// ---- return types ----------------------------------------------------------------------------
expectTypeOf(bytes).toEqualTypeOf<Uint8Image>();
expectTypeOf(unit).toEqualTypeOf<UnitImage>();
expectTypeOf(net).toEqualTypeOf<NetworkImage>();
expectTypeOf(bytes.data).toEqualTypeOf<Uint8Array>();
expectTypeOf(unit.data).toEqualTypeOf<Float32Array>();
expectTypeOf(toUnitImage(bytes)).toEqualTypeOf<UnitImage>();
expectTypeOf(toUint8Image(unit)).toEqualTypeOf<Uint8Image>();
expectTypeOf(resizeImage(bytes, 4, 4)).toEqualTypeOf<Uint8Image>();
expectTypeOf(resizeImage(unit, 4, 4)).toEqualTypeOf<UnitImage>();
expectTypeOf(letterboxImage(bytes, rec)).toEqualTypeOf<Uint8Image>();
const either: PixelImage = Math.random() > 0.5 ? bytes : unit;
expectTypeOf(resizeImage(either, 4, 4)).toEqualTypeOf<Uint8Image | UnitImage>();
expectTypeOf(asImage(rawBytes, "0-255")).toEqualTypeOf<Uint8Image>();
expectTypeOf(asImage(rawFloats, "0-1")).toEqualTypeOf<UnitImage>();
const checked = checkImage("f", "x", bytes as unknown, ["0-255", "0-1"]);
expectTypeOf(checked).toEqualTypeOf<Uint8Image | UnitImage>();
if (checked.range === "0-1") expectTypeOf(checked).toEqualTypeOf<UnitImage>();

// ---- mix-ups that must not compile -----------------------------------------------------------
const needsBytes = (_: Uint8Image): void => {};
const needsUnit = (_: UnitImage): void => {};
const needsNetwork = (_: NetworkImage): void => {};

// @ts-expect-error a [0, 1] image where a [0, 255] one is expected: toUint8Image() first
needsBytes(unit);
// @ts-expect-error a [0, 255] image where a [0, 1] one is expected: toUnitImage() first
needsUnit(bytes);
// @ts-expect-error network input is not [0, 1] pixels (same Float32Array, other range)
needsUnit(net);
// @ts-expect-error nor [0, 255] pixels
needsBytes(net);
// @ts-expect-error pixels are not network input: only the model's preprocessing makes it
needsNetwork(unit);
// @ts-expect-error an untagged float ndarray has no range
needsUnit(rawFloats);
// @ts-expect-error nor an untagged byte ndarray: tag it with asImage(array, "0-255")
needsBytes(rawBytes);
// @ts-expect-error ndarray operations return plain ndarrays: asImage() the view first
needsBytes(bytes.step(1, -1));
// @ts-expect-error the conversions go one way each
toUnitImage(unit);
// @ts-expect-error
toUint8Image(bytes);
// @ts-expect-error network input cannot be resized
resizeImage(net, 4, 4);
// @ts-expect-error nor letterboxed
letterboxImage(net, rec);
// @ts-expect-error asImage cannot declare network input
asImage(rawFloats, "network");
// @ts-expect-error the range must match the buffer: bytes are "0-255"
asImage(rawBytes, "0-1");
// @ts-expect-error floats cannot be declared "0-255"
asImage(rawFloats, "0-255");
