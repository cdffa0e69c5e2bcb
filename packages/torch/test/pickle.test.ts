import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { PICKLE_ALLOWED_GLOBALS, type PickleDict, readPth, readPthObject } from "../src/index.js";
import { expectOdError, fixture } from "./helpers.js";
import { f32Bytes, P, pickle, pthArchive, stateDictPickle, tensorOp, toZip64 } from "./pickle-builder.js";

const read = (pkl: Uint8Array, storages: Record<string, Uint8Array> = {}) =>
  readPthObject(pthArchive(pkl, storages), { file: "x.pth" });

describe("readPthObject: the restricted pickle reader", () => {
  test("plain data: None, bools, ints (bigint beyond 2^53), floats, strings, lists, tuples, dicts", () => {
    const v = read(
      pickle(
        P.proto(),
        P.emptyDict(),
        P.mark(),
        P.str("n"),
        P.none(),
        P.str("b"),
        P.true(),
        P.str("i"),
        P.int(-5),
        P.str("big"),
        P.long1([0, 0, 0, 0, 0, 0, 0, 0, 1]),
        P.str("neg"),
        P.long1([0xff]),
        P.str("f"),
        P.float(0.1),
        P.shortStr("l"),
        P.emptyList(),
        P.int1(1),
        P.append(),
        P.str("t"),
        P.int1(1),
        P.int1(2),
        P.tuple2(),
        P.setitems(),
        P.stop(),
      ),
    ) as PickleDict;
    expect(Object.fromEntries(v)).toEqual({
      n: null,
      b: true,
      i: -5,
      big: 2n ** 64n,
      neg: -1,
      f: 0.1,
      l: [1],
      t: [1, 2],
    });
  });

  test("memo: a value stored once is shared where it is read back", () => {
    const v = read(pickle(P.proto(), P.emptyList(), P.put(0), P.get(0), P.append(), P.stop())) as unknown[];
    expect(v[0]).toBe(v);
  });

  test("OrderedDict state (torch's _metadata) is accepted and dropped", () => {
    const v = read(
      pickle(
        P.proto(),
        P.global("collections", "OrderedDict"),
        P.emptyTuple(),
        P.reduce(),
        P.str("k"),
        P.int1(1),
        P.setitem(),
        P.emptyDict(),
        P.str("_metadata"),
        P.emptyDict(),
        P.setitem(),
        P.build(),
        P.stop(),
      ),
    );
    expect(v).toEqual(new Map([["k", 1]]));
  });

  test.each([
    ["os", "system"],
    ["posix", "system"],
    ["nt", "system"],
    ["builtins", "eval"],
    ["builtins", "exec"],
    ["builtins", "getattr"],
    ["subprocess", "Popen"],
    ["torch", "load"],
    ["torch._utils", "_rebuild_device_tensor_from_numpy"],
    ["collections", "defaultdict"],
    ["numpy.core.multiarray", "_reconstruct"],
  ])("GLOBAL %s.%s is refused at its byte offset, before anything else happens", (module, name) => {
    const pkl = pickle(P.proto(), P.global(module, name), P.str("echo hi"), P.tuple1(), P.reduce(), P.stop());
    expectOdError(
      () => read(pkl),
      "FORBIDDEN_GLOBAL",
      new RegExp(`x\\.pth: pickle names the global ${module.replace(".", "\\.")}\\.${name} at byte 2;`),
    );
  });

  test("STACK_GLOBAL goes through the same allow-list", () => {
    const pkl = pickle(
      P.proto(4),
      P.shortStr("os"),
      P.memoize(),
      P.shortStr("system"),
      P.memoize(),
      P.stackGlobal(),
      P.stop(),
    );
    expectOdError(() => read(pkl), "FORBIDDEN_GLOBAL", /global os\.system at byte 16/);
  });

  test("the allow-list is torch's tensor/storage globals and plain-data classes only", () => {
    expect(PICKLE_ALLOWED_GLOBALS).toContain("torch._utils._rebuild_tensor_v2");
    expect(
      PICKLE_ALLOWED_GLOBALS.every((g) =>
        /^(collections\.(OrderedDict|Counter)|argparse\.Namespace|torch\.(_utils\._rebuild_(tensor_v2|parameter)|\w+Storage))$/.test(
          g,
        ),
      ),
    ).toBe(true);
  });

  test.each([
    [
      "INST (instantiates a class by name)",
      pickle(P.proto(), [0x69], P.stop()),
      /uses INST, which a torch state dict never needs \(opcode INST at byte 2\)/,
    ],
    ["OBJ", pickle(P.proto(), P.mark(), [0x6f], P.stop()), /uses OBJ/],
    ["PERSID (text persistent id)", pickle(P.proto(), [0x50], P.stop()), /uses PERSID/],
    ["EXT1 (extension registry)", pickle(P.proto(), [0x82, 1], P.stop()), /uses EXT1/],
    [
      "an unknown opcode",
      pickle(P.proto(), [0xff], P.stop()),
      /unknown opcode 0xff \(opcode 0xff at byte 2\)/,
    ],
    ["no STOP", pickle(P.proto(), P.none()), /ends without STOP/],
    ["STOP with two values", pickle(P.proto(), P.none(), P.none(), P.stop()), /stops with 2 items/],
    ["an empty stack", pickle(P.proto(), P.append(), P.stop()), /pops an empty stack/],
    ["an unwritten memo slot", pickle(P.proto(), P.get(7), P.stop()), /memo slot 7/],
    ["a truncated string", pickle(P.proto(), [0x58, 0xff, 0xff, 0, 0, 0x41]), /truncated/],
    [
      "a call of a non-global",
      pickle(P.proto(), P.none(), P.emptyTuple(), P.reduce(), P.stop()),
      /calls None/,
    ],
    [
      "a call of a storage class",
      pickle(P.proto(), P.global("torch", "FloatStorage"), P.emptyTuple(), P.reduce(), P.stop()),
      /calls torch\.FloatStorage, which is not callable/,
    ],
    [
      "an append to a tuple",
      pickle(P.proto(), P.emptyTuple(), P.none(), P.append(), P.stop()),
      /appends to a tuple/,
    ],
    [
      "a list as a dict key",
      pickle(P.proto(), P.emptyDict(), P.emptyList(), P.none(), P.setitem(), P.stop()),
      /uses a list as a dict key/,
    ],
    [
      "a global as a value",
      pickle(P.proto(), P.global("collections", "OrderedDict"), P.stop()),
      /uses the global collections\.OrderedDict as the result/,
    ],
    [
      "a global hidden in a tuple",
      pickle(P.proto(), P.global("collections", "OrderedDict"), P.tuple1(), P.stop()),
      /uses the global collections\.OrderedDict as the result/,
    ],
    [
      "Namespace with arguments",
      pickle(P.proto(), P.global("argparse", "Namespace"), P.int1(1), P.tuple1(), P.newobj(), P.stop()),
      /instantiates argparse\.Namespace with arguments/,
    ],
    [
      "NEWOBJ of OrderedDict",
      pickle(P.proto(), P.global("collections", "OrderedDict"), P.emptyTuple(), P.newobj(), P.stop()),
      /not a plain-data class/,
    ],
  ])("refuses %s", (_, pkl, message) => {
    expectOdError(() => read(pkl), "BAD_PICKLE", message);
  });

  test("a global hidden 100,000 tuples deep is found without exhausting the call stack", () => {
    const deep = pickle(
      P.proto(),
      P.global("collections", "OrderedDict"),
      ...Array.from({ length: 100_000 }, () => P.tuple1()),
      P.stop(),
    );
    expectOdError(() => read(deep), "BAD_PICKLE", /uses the global collections\.OrderedDict as the result/);
  });

  test("a tuple of 300,000 items is checked without spreading it onto the call stack", () => {
    const wide = new Uint8Array([
      ...P.proto(),
      ...P.mark(),
      ...new Array(300_000).fill(0x4e),
      ...P.tuple(),
      ...P.stop(),
    ]);
    expect((read(wide) as unknown[]).length).toBe(300_000);
  });

  test("refuses an integer longer than 64 bytes (LONG4), which no state dict holds", () => {
    const long4 = pickle(P.proto(), [0x8b, 0x00, 0x00, 0x10, 0x00], new Array(1 << 20).fill(1), P.stop());
    expectOdError(() => read(long4), "BAD_PICKLE", /integer of 1048576 bytes/);
  });

  test("refuses a persistent id that is not a torch storage", () => {
    const pkl = pickle(P.proto(), P.str("file"), P.str("/etc/passwd"), P.tuple2(), P.persid(), P.stop());
    expectOdError(() => read(pkl), "BAD_PICKLE", /persistent id .* is not \('storage'/);
  });

  test("the malicious fixtures are refused at the global, whatever follows", () => {
    expectOdError(
      () => readPthObject(fixture("malicious_os_system.pth")),
      "FORBIDDEN_GLOBAL",
      /posix\.system/,
    );
  });
});

describe("readPth: tensors from storages", () => {
  const storage = f32Bytes(0, 1, 2, 3, 4, 5);

  test("offset + strides give a contiguous copy (transpose of a [2, 3] view)", () => {
    const sd = readPth(
      pthArchive(stateDictPickle([["t", tensorOp("FloatStorage", "0", 6, 0, [3, 2], [1, 3])]]), {
        "0": storage,
      }),
    );
    expect(Array.from(sd.get("t")!.data as Float32Array)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test("an nn.Parameter (_rebuild_parameter around a tensor) reads as its tensor", () => {
    const param = [
      ...P.global("torch._utils", "_rebuild_parameter"),
      ...P.mark(),
      ...tensorOp("FloatStorage", "0", 6, 4, [2], [1]),
      ...P.true(),
      ...P.global("collections", "OrderedDict"),
      ...P.emptyTuple(),
      ...P.reduce(),
      ...P.tuple(),
      ...P.reduce(),
    ];
    const sd = readPth(pthArchive(stateDictPickle([["p", param]]), { "0": storage }));
    expect(sd.get("p")).toEqual({ dtype: "float32", shape: [2], data: new Float32Array([4, 5]) });
  });

  test("a tensor with backward hooks is refused", () => {
    const hooked = tensorOp("FloatStorage", "0", 6, 0, [1], [1]);
    // replace the empty OrderedDict() of hooks by OrderedDict() with one item set on it
    const at = hooked.lastIndexOf(0x52, hooked.length - 3);
    const withHook = [
      ...hooked.slice(0, at + 1),
      ...P.int1(1),
      ...P.int1(2),
      ...P.setitem(),
      ...hooked.slice(at + 1),
    ];
    expectOdError(
      () => readPth(pthArchive(stateDictPickle([["t", withHook]]), { "0": storage })),
      "BAD_PICKLE",
      /backward hooks/,
    );
  });

  test("deflated entries are read (torch writes stored ones, other zip tools may not)", () => {
    const sd = readPth(
      pthArchive(
        stateDictPickle([["t", tensorOp("FloatStorage", "0", 6, 2, [2], [1])]]),
        { "0": storage },
        { level: 6 },
      ),
    );
    expect(Array.from(sd.get("t")!.data as Float32Array)).toEqual([2, 3]);
  });

  test("a big-endian archive (byteorder = big) is byte-swapped", () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const sd = readPth(
      pthArchive(
        stateDictPickle([["t", tensorOp("FloatStorage", "0", 2, 0, [2], [1])]]),
        { "0": be },
        {
          extra: { "archive/byteorder": new TextEncoder().encode("big") },
        },
      ),
    );
    expect(Array.from(sd.get("t")!.data as Float32Array)).toEqual([1.5, -2]);
  });

  test.each([
    [
      "strides past the storage",
      tensorOp("FloatStorage", "0", 6, 1, [2, 3], [3, 1]),
      "BAD_TENSOR",
      /reads element 6 of storage 0, which has 6/,
    ],
    [
      "an offset past the storage",
      tensorOp("FloatStorage", "0", 6, 6, [1], [1]),
      "BAD_TENSOR",
      /reads element 6/,
    ],
    [
      "a storage without an entry",
      tensorOp("FloatStorage", "9", 6, 0, [1], [1]),
      "BAD_ARCHIVE",
      /storage 9 \(pickle byte \d+\) has no entry archive\/data\/9/,
    ],
    [
      "a storage whose size disagrees with numel",
      tensorOp("FloatStorage", "0", 7, 0, [1], [1]),
      "BAD_ARCHIVE",
      /should hold 7 float32 elements \(28 bytes\) but archive\/data\/0 has 24/,
    ],
    [
      "an unknown storage type",
      tensorOp("ComplexFloatStorage", "0", 6, 0, [1], [1]),
      "FORBIDDEN_GLOBAL",
      /torch\.ComplexFloatStorage/,
    ],
    [
      "a negative stride",
      tensorOp("FloatStorage", "0", 6, 5, [2], [-1]),
      "BAD_PICKLE",
      /negative size, stride or offset/,
    ],
    [
      "size and stride of different lengths",
      tensorOp("FloatStorage", "0", 6, 0, [2, 3], [1]),
      "BAD_PICKLE",
      /size and stride are not tuples of one length/,
    ],
  ])("refuses %s", (_, op, code, message) => {
    expectOdError(() => readPth(pthArchive(stateDictPickle([["t", op]]), { "0": storage })), code, message);
  });

  test("a broadcast view cannot allocate past the byte budget", () => {
    const huge = tensorOp("FloatStorage", "0", 6, 0, [1_000_000_000], [0]);
    expectOdError(
      () => readPth(pthArchive(stateDictPickle([["t", huge]]), { "0": storage })),
      "LIMIT_EXCEEDED",
      /byte budget/,
    );
    const small = tensorOp("FloatStorage", "0", 6, 0, [4], [0]);
    const archive = pthArchive(stateDictPickle([["t", small]]), { "0": storage });
    expectOdError(() => readPth(archive, { byteBudget: 15 }), "LIMIT_EXCEEDED", /byte budget of 15/);
    expect(Array.from(readPth(archive, { byteBudget: 16 }).get("t")!.data as Float32Array)).toEqual([
      0, 0, 0, 0,
    ]);
  });

  test("a deflated entry larger than the budget is not inflated", () => {
    const op = tensorOp("ByteStorage", "0", 1 << 20, 0, [1], [1]);
    const archive = pthArchive(stateDictPickle([["t", op]]), { "0": new Uint8Array(1 << 20) }, { level: 6 });
    expect(archive.length).toBeLessThan(5000);
    expectOdError(
      () => readPthObject(archive, { byteBudget: 100_000 }),
      "LIMIT_EXCEEDED",
      /inflating archive\/data\/0 \(1048576 bytes\) would exceed the byte budget of 100000/,
    );
    expect(readPthObject(archive)).toBeInstanceOf(Map);
  });
});

describe("readPth: the archive", () => {
  const good = fixture("small_module.pth");
  const reference = readPth(good);

  test.each([
    ["not a zip", new Uint8Array([1, 2, 3, 4, 5]), /not a torch\.save zip archive/],
    ["the legacy pre-1.6 format", pickle(P.proto(), P.none(), P.stop()), /legacy \(pre-1\.6\) format/],
    ["a truncated archive", good.subarray(0, good.length - 30), /no end-of-central-directory record/],
    ["an archive cut in the data", good.subarray(0, 2000), /no end-of-central-directory record/],
    [
      "two data.pkl",
      pthArchive(
        pickle(P.proto(), P.none(), P.stop()),
        {},
        { extra: { "other/data.pkl": new Uint8Array(1) } },
      ),
      /exactly one <prefix>\/data\.pkl, found 2/,
    ],
    [
      "a format version from the future",
      pthArchive(pickle(P.proto(), P.none(), P.stop()), {}, { version: "4" }),
      /format version "4" is not one od reads/,
    ],
    [
      "a byteorder that is neither",
      pthArchive(
        pickle(P.proto(), P.none(), P.stop()),
        {},
        { extra: { "archive/byteorder": new TextEncoder().encode("middle") } },
      ),
      /byteorder is "middle"/,
    ],
  ])("refuses %s", (_, bytes, message) => {
    expectOdError(() => readPth(bytes, { file: "m.pth" }), "BAD_ARCHIVE", message);
  });

  test("zip64 archives (sizes, offsets and counts in zip64 records) read the same", () => {
    const plain = pthArchive(stateDictPickle([["t", tensorOp("FloatStorage", "0", 6, 1, [2], [2])]]), {
      "0": f32Bytes(0, 1, 2, 3, 4, 5),
    });
    const zip64 = toZip64(plain);
    expect(zip64.length).toBeGreaterThan(plain.length);
    expect(readPth(zip64)).toEqual(readPth(plain));
    expect(Array.from(readPth(zip64).get("t")!.data as Float32Array)).toEqual([1, 3]);
  });

  test("a zip64 end record that points nowhere is refused", () => {
    const zip64 = toZip64(pthArchive(stateDictPickle([])));
    const v = new DataView(zip64.buffer);
    v.setUint32(zip64.length - 22 - 20 + 8, 12345, true); // the locator's offset of the zip64 end record
    expectOdError(() => readPth(zip64, { file: "z.pth" }), "BAD_ARCHIVE", /zip64 end record out of place/);
  });

  test("a flipped byte in a storage fails its CRC-32", () => {
    const bad = good.slice();
    const sd = readPth(good);
    const first = sd.get("conv.weight")!.data as Float32Array;
    // find the storage bytes of conv.weight in the archive and flip one
    const needle = new Uint8Array(first.buffer, first.byteOffset, 16);
    const at = good.findIndex((_, i) => needle.every((b, j) => good[i + j] === b));
    expect(at).toBeGreaterThan(0);
    bad[at + 3]! ^= 0x40;
    expectOdError(
      () => readPth(bad, { file: "m.pth" }),
      "BAD_ARCHIVE",
      /m\.pth: entry "small_module\/data\/0" fails its CRC-32 check/,
    );
  });

  propTest.prop([fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat()], { numRuns: 200 })(
    "any flipped byte or truncation gives a typed error or the same tensors, never a crash or a hang",
    (at, xor, cut) => {
      const flipped = good.slice();
      flipped[at % good.length]! ^= xor;
      for (const bytes of [flipped, good.subarray(0, cut % good.length)]) {
        try {
          expect(readPth(bytes)).toEqual(reference);
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(
            /^(BAD_ARCHIVE|BAD_PICKLE|FORBIDDEN_GLOBAL|BAD_TENSOR|LIMIT_EXCEEDED)$/,
          );
        }
      }
    },
  );

  const validPickle = stateDictPickle([
    ["a", tensorOp("FloatStorage", "0", 6, 1, [2, 2], [1, 2])],
    ["b", tensorOp("FloatStorage", "0", 6, 0, [6], [1])],
  ]);
  const pickleArb = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat()).map(([at, xor, cut]) => {
      const b = validPickle.slice(
        0,
        Math.max(1, validPickle.length - (cut % 4 === 0 ? cut % validPickle.length : 0)),
      );
      b[at % b.length]! ^= xor;
      return b;
    }),
  );
  propTest.prop([pickleArb], { numRuns: 400 })(
    "arbitrary or mutated pickle bytes give a typed error or a value, never a crash or a hang",
    (pkl) => {
      try {
        read(pkl, { "0": f32Bytes(0, 1, 2, 3, 4, 5) });
      } catch (e) {
        expect((e as { code?: string }).code).toMatch(
          /^(BAD_ARCHIVE|BAD_PICKLE|FORBIDDEN_GLOBAL|BAD_TENSOR|LIMIT_EXCEEDED)$/,
        );
      }
    },
  );
});
