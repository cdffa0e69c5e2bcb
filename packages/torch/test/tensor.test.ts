import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  bfloat16ToFloat,
  describeStateDict,
  halfToFloat,
  makeTensor,
  numel,
  readPth,
  stripKeyPrefix,
  toFloat32,
} from "../src/index.js";
import { crc32 } from "../src/internal/bytes.js";
import { readPthFile, readSafetensorsFile, writeSafetensorsFile } from "../src/node.js";
import { expectOdError, fixture } from "./helpers.js";

describe("halfToFloat / bfloat16ToFloat", () => {
  // IEEE 754 binary16 values worked by hand: 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (max),
  // 0x0001 = 2^-24 (smallest subnormal), 0x7c00 = +Inf, 0x7e00 = NaN, 0x8000 = -0.
  test.each([
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x7c00, Number.POSITIVE_INFINITY],
    [0xfc00, Number.NEGATIVE_INFINITY],
    [0x8000, -0],
  ])("half 0x%s → %s", (bits, value) => {
    expect(Object.is(halfToFloat(bits), value)).toBe(true);
  });
  test("half NaN", () => expect(halfToFloat(0x7e00)).toBeNaN());

  test.each([
    [0x3f80, 1],
    [0xc000, -2],
    [0x7f80, Number.POSITIVE_INFINITY],
    [0x0001, 2 ** -133],
  ])("bfloat16 0x%s → %s", (bits, value) => {
    expect(bfloat16ToFloat(bits)).toBe(value);
  });

  propTest.prop([fc.float({ noNaN: true })])("bfloat16 is the upper half of float32 bits", (x) => {
    const f = new Float32Array([x]);
    const hi = new Uint32Array(f.buffer)[0]! >>> 16;
    const truncated = new Float32Array(new Uint32Array([hi << 16]).buffer)[0]!;
    expect(Object.is(bfloat16ToFloat(hi), truncated)).toBe(true);
  });
});

describe("makeTensor / numel / toFloat32 / describeStateDict", () => {
  test("numel of a scalar is 1, of an empty dimension 0", () => {
    expect([numel([]), numel([0, 3]), numel([2, 3])]).toEqual([1, 0, 6]);
  });

  test.each([
    [
      "a wrong length",
      () => makeTensor("float32", [2], new Float32Array(3)),
      /data has 3 elements but shape \[2\] needs 2/,
    ],
    [
      "a wrong array type",
      () => makeTensor("float32", [2], new Float64Array(2) as unknown as Float32Array),
      /must be a Float32Array/,
    ],
    [
      "a fractional size",
      () => makeTensor("uint8", [1.5], new Uint8Array(1)),
      /shape must be non-negative integers/,
    ],
    [
      "an unknown dtype",
      () => makeTensor("complex64" as "float32", [1], new Float32Array(1)),
      /dtype "complex64"/,
    ],
  ])("refuses %s", (_, f, message) => {
    expectOdError(f, "BAD_TENSOR", message);
  });

  test("stripKeyPrefix removes a prefix where present, keeps order, refuses collisions", () => {
    const a = makeTensor("uint8", [1], new Uint8Array([1]));
    const sd = new Map([
      ["module.a", a],
      ["b", a],
    ]);
    expect([...stripKeyPrefix(sd, "module.").keys()]).toEqual(["a", "b"]);
    expectOdError(
      () =>
        stripKeyPrefix(
          new Map([
            ["module.b", a],
            ["b", a],
          ]),
          "module.",
        ),
      "INVALID_ARGUMENT",
      /both become "b"/,
    );
  });

  test("toFloat32 refuses integer tensors", () => {
    expectOdError(
      () => toFloat32(makeTensor("int64", [], new BigInt64Array(1))),
      "INVALID_ARGUMENT",
      /toFloat32: a int64 tensor is not floating point/,
    );
  });

  test("describeStateDict lists key dtype [shape], cut at the limit", () => {
    const sd = readPth(fixture("small_module.pth"));
    expect(describeStateDict(sd, 2)).toBe(
      "conv.weight float32 [4, 3, 3, 3]\nconv.bias float32 [4]\n… 8 more",
    );
  });
});

describe("crc32", () => {
  propTest.prop([fc.uint8Array({ maxLength: 100 })])("equals zlib's", (b) => {
    expect(crc32(b)).toBe(zlibCrc32(b));
  });
});

describe("@od/torch/node", () => {
  test("file helpers read and write, and name the file in errors", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "od-torch-"));
    try {
      const sd = await readPthFile(
        path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures", "small_module.pth"),
      );
      const out = path.join(dir, "m.safetensors");
      await writeSafetensorsFile(out, sd, { metadata: { format: "pt" } });
      const back = await readSafetensorsFile(out);
      expect(back.tensors).toEqual(sd);
      expect(back.metadata).toEqual({ format: "pt" });
      const broken = path.join(dir, "broken.pth");
      writeFileSync(broken, new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]));
      await expect(readPthFile(broken)).rejects.toThrow(`readPth: ${broken} is not a readable zip archive`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
