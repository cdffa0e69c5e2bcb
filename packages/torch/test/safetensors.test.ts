import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { allocData } from "../src/dtypes.js";
import {
  type AnyTorchTensor,
  DTYPE_NAMES,
  type DType,
  makeTensor,
  readPth,
  readSafetensors,
  type StateDict,
  writeSafetensors,
} from "../src/index.js";
import { expectOdError, fixture } from "./helpers.js";

const f32 = (...v: number[]) => new Float32Array(v);
const sd = (...entries: [string, AnyTorchTensor][]): StateDict => new Map(entries);
const bytesOf = (s: string) => new TextEncoder().encode(s);

/** A file made by hand: header JSON (padded as given) and data bytes. */
function file(header: string, data: Uint8Array = new Uint8Array()): Uint8Array {
  const h = bytesOf(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe("writeSafetensors", () => {
  // Byte arrays from the reference implementation's own tests (huggingface/safetensors,
  // safetensors/src/tensor.rs: test_serialization, test_empty, test_serialization_forced_alignement).
  test("matches the reference serialisation of one F32 tensor", () => {
    const out = writeSafetensors(sd(["attn.0", makeTensor("float32", [1, 2, 3], f32(0, 1, 2, 3, 4, 5))]));
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101,
      34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34,
      100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  test("pads the header with spaces to a multiple of 8 as the reference does", () => {
    const out = writeSafetensors(sd(["attn0", makeTensor("float32", [1, 1, 2, 3], f32(0, 1, 2, 3, 4, 5))]));
    expect(Array.from(out.subarray(0, 8))).toEqual([72, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.subarray(8 + 65, 8 + 72))).toEqual([32, 32, 32, 32, 32, 32, 32]);
  });

  test("an empty dict, and metadata, as the reference writes them", () => {
    expect(Array.from(writeSafetensors(new Map()))).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    expect(Array.from(writeSafetensors(new Map(), { metadata: { framework: "pt" } }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34,
      102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  test("orders tensors by dtype alignment (descending) then name, whatever the input order", () => {
    const a = sd(
      ["b", makeTensor("uint8", [1], new Uint8Array([1]))],
      ["z", makeTensor("float32", [1], f32(1))],
      ["a", makeTensor("float32", [1], f32(2))],
      ["n", makeTensor("int64", [], new BigInt64Array([3n]))],
    );
    const header = (bytes: Uint8Array) =>
      Object.keys(
        JSON.parse(
          new TextDecoder().decode(
            bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))),
          ),
        ),
      );
    expect(header(writeSafetensors(a))).toEqual(["n", "a", "z", "b"]);
    expect(writeSafetensors(new Map([...a].reverse()))).toEqual(writeSafetensors(a));
  });

  test("refuses names and metadata that are not well-formed Unicode (the reference reader would fail)", () => {
    const t = makeTensor("float32", [1], f32(1));
    expectOdError(
      () => writeSafetensors(sd(["a\ud800", t])),
      "INVALID_ARGUMENT",
      /tensor name "a\\ud800" is not well-formed/,
    );
    expectOdError(
      () => writeSafetensors(new Map(), { metadata: { k: "\udc00x" } }),
      "INVALID_ARGUMENT",
      /metadata "k" is not well-formed/,
    );
    expect(readSafetensors(writeSafetensors(sd(["é😀", t]))).tensors.has("é😀")).toBe(true);
  });

  test("refuses a tensor named __metadata__ and inconsistent tensors", () => {
    expectOdError(
      () => writeSafetensors(sd(["__metadata__", makeTensor("float32", [1], f32(1))])),
      "INVALID_ARGUMENT",
      /__metadata__/,
    );
    const bad = { dtype: "float32", shape: [2], data: f32(1) } as AnyTorchTensor;
    expectOdError(
      () => writeSafetensors(sd(["w", bad])),
      "BAD_TENSOR",
      /writeSafetensors: data of "w" has 1 elements but shape \[2\] needs 2/,
    );
  });
});

describe("readSafetensors", () => {
  test("reads a hand-made file and its metadata", () => {
    const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    const r = readSafetensors(
      file('{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', data),
    );
    expect(r.metadata).toEqual({ format: "pt" });
    expect(Array.from(r.tensors.get("w")!.data as Float32Array)).toEqual([1.5, -2]);
  });

  test.each([
    ["shorter than 8 bytes", new Uint8Array(5), /shorter than its 8-byte header length/],
    ["a header longer than the file", file("{}").subarray(0, 9), /runs past the end/],
    ["a header that is not JSON", file("{nope"), /not JSON/],
    ["a header that is a list", file("[]"), /not a JSON object/],
    [
      "an unknown dtype",
      file('{"w":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)),
      /tensor "w" has dtype "F8_E5M2"/,
    ],
    [
      "a negative size",
      file('{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}', new Uint8Array(1)),
      /tensor "w" has shape/,
    ],
    [
      "offsets that disagree with the shape",
      file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)),
      /tensor "w" has shape \[2\] of float32 \(8 bytes\)/,
    ],
    [
      "a gap between tensors",
      file(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}',
        new Uint8Array(3),
      ),
      /tensor "b" starts at 2, not at 1/,
    ],
    [
      "overlapping tensors",
      file(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
        new Uint8Array(3),
      ),
      /starts at 1, not at 2/,
    ],
    [
      "trailing bytes",
      file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(2)),
      /end at byte .* but the file has/,
    ],
    [
      "offsets past the end",
      file('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', new Uint8Array(2)),
      /end at byte .* but the file has/,
    ],
    [
      "metadata that is not strings",
      file('{"__metadata__":{"a":1}}'),
      /__metadata__ entry "a" is not a string/,
    ],
  ])("refuses %s", (_, bytes, message) => {
    expectOdError(() => readSafetensors(bytes, { file: "m.safetensors" }), "BAD_SAFETENSORS", message);
  });

  test("a byte budget bounds the copies", () => {
    const bytes = writeSafetensors(sd(["w", makeTensor("float32", [4], f32(1, 2, 3, 4))]));
    expectOdError(() => readSafetensors(bytes, { byteBudget: 15 }), "LIMIT_EXCEEDED", /byte budget of 15/);
    expect(readSafetensors(bytes, { byteBudget: 16 }).tensors.size).toBe(1);
  });

  test(".pth → od → .safetensors → od is bit-exact, every dtype", () => {
    const original = readPth(fixture("state_dict.pth"));
    const back = readSafetensors(writeSafetensors(original)).tensors;
    expect(new Set(back.keys())).toEqual(new Set(original.keys()));
    for (const [k, t] of original) {
      const u = back.get(k)!;
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(
        new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      );
    }
  });
});

const tensorArb = (dtype: DType) =>
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc
      .uint8Array({
        minLength: n * allocData(dtype, 0).BYTES_PER_ELEMENT,
        maxLength: n * allocData(dtype, 0).BYTES_PER_ELEMENT,
      })
      .map((bytes) => {
        const data = allocData(dtype, n);
        new Uint8Array(data.buffer).set(bytes);
        return makeTensor(dtype, shape, data) as AnyTorchTensor;
      });
  });
const stateDictArb = fc
  .uniqueArray(
    fc.tuple(
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== "__metadata__"),
      fc.constantFrom(...DTYPE_NAMES),
    ),
    {
      maxLength: 6,
      selector: ([k]) => k,
    },
  )
  .chain((specs) =>
    fc.tuple(...specs.map(([k, d]) => tensorArb(d).map((t) => [k, t] as [string, AnyTorchTensor]))),
  )
  .map((entries) => new Map(entries) as StateDict);

describe("safetensors properties", () => {
  propTest.prop([stateDictArb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })])(
    "write → read is the identity (keys, dtypes, shapes, bytes, metadata)",
    (tensors, metadata) => {
      const r = readSafetensors(writeSafetensors(tensors, { metadata }));
      expect(r.metadata).toEqual(metadata);
      expect(new Set(r.tensors.keys())).toEqual(new Set(tensors.keys()));
      for (const [k, t] of tensors) {
        const u = r.tensors.get(k)!;
        expect([u.dtype, u.shape]).toEqual([t.dtype, t.shape]);
        expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(
          new Uint8Array(t.data.buffer),
        );
      }
    },
  );

  propTest.prop([stateDictArb, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat()])(
    "a flipped byte or a truncation gives a typed error or a valid result, never a crash",
    (tensors, at, xor, cut) => {
      const good = writeSafetensors(tensors);
      const flipped = good.slice();
      flipped[at % flipped.length]! ^= xor;
      for (const bytes of [flipped, good.subarray(0, cut % good.length)]) {
        try {
          const r = readSafetensors(bytes);
          for (const t of r.tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^(BAD_SAFETENSORS|LIMIT_EXCEEDED)$/);
        }
      }
    },
  );
});

describe("safetensors metadata keys", () => {
  test('a "__proto__" metadata key is kept as an ordinary entry (found by the write → read property)', () => {
    const metadata = JSON.parse('{"__proto__": "", "a": "b"}') as Record<string, string>;
    const back = readSafetensors(writeSafetensors(new Map(), { metadata }));
    expect(Object.keys(back.metadata)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(back.metadata)).toBe(Object.prototype);
  });
});
