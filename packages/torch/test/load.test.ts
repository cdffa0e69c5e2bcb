import { isOdError } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { exportSmallModule, SMALL_MODULE_PARAMS } from "../scripts/od-export.js";
import {
  type AnyTorchTensor,
  describeLoadReport,
  exportStateDict,
  type LoadReport,
  loadStateDict,
  makeTensor,
  readPth,
  readSafetensors,
  stripKeyPrefix,
  type TargetParam,
} from "../src/index.js";
import { expectOdError, fixture, fixtureJson } from "./helpers.js";

const f32 = (n: number, v = 1) => new Float32Array(n).fill(v);
const t = (shape: number[], v = 1): AnyTorchTensor =>
  makeTensor(
    "float32",
    shape,
    f32(
      shape.reduce((a, b) => a * b, 1),
      v,
    ),
  );

describe("loadStateDict", () => {
  const targets: TargetParam[] = [
    { key: "conv.weight", kind: "conv2d", shape: [3, 3, 2, 4] },
    { key: "bn.running_mean", kind: "vector", shape: [4] },
    { key: "head.weight", kind: "dense", shape: [4, 3] },
  ];

  test("strict: everything matches → values in tfjs layout, an empty report", () => {
    const sd = new Map([
      ["conv.weight", t([4, 2, 3, 3])],
      ["bn.running_mean", t([4])],
      ["bn.num_batches_tracked", makeTensor("int64", [], new BigInt64Array([5n]))],
      ["head.weight", t([3, 4])],
    ]);
    const { values, report } = loadStateDict(targets, sd);
    expect([...values.keys()]).toEqual(["conv.weight", "bn.running_mean", "head.weight"]);
    expect(report).toEqual({
      missing: [],
      unexpected: [],
      mismatched: [],
      ignored: ["bn.num_batches_tracked"],
    });
  });

  test("strict: missing, unexpected and mis-shaped keys are one error naming each, with both shapes", () => {
    const sd = new Map([
      ["conv.weight", t([4, 2, 3, 3])],
      ["head.weight", t([5, 4])],
      ["extra.bias", t([2])],
    ]);
    let err: unknown;
    try {
      loadStateDict(targets, sd, { file: "m.pth" });
    } catch (e) {
      err = e;
    }
    expect(isOdError(err, "STATE_DICT_MISMATCH")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(
      'loadStateDict: Error(s) in loading state_dict from m.pth: Missing key(s) in state_dict: "bn.running_mean".',
    );
    expect(message).toContain('Unexpected key(s) in state_dict: "extra.bias".');
    expect(message).toContain(
      "size mismatch for head.weight: copying a param with shape [5, 4] from checkpoint, the shape in current model is [3, 4].",
    );
    const report = (err as { details: { report: LoadReport } }).details.report;
    expect(report.mismatched).toEqual([
      { key: "head.weight", reason: "shape", expected: [3, 4], actual: [5, 4], dtype: "float32" },
    ]);
  });

  test("non-strict (fine-tuning to other classes): loads what fits, reports the rest", () => {
    const sd = new Map([
      ["conv.weight", t([4, 2, 3, 3], 2)],
      ["head.weight", t([91, 4])],
    ]);
    const { values, report } = loadStateDict(targets, sd, { strict: false });
    expect([...values.keys()]).toEqual(["conv.weight"]);
    expect(values.get("conv.weight")).toEqual(f32(72, 2));
    expect(report.missing).toEqual(["bn.running_mean"]);
    expect(report.mismatched.map((m) => m.key)).toEqual(["head.weight"]);
  });

  test("integer and non-finite tensors are mismatches (nothing half-loaded in strict mode)", () => {
    const nan = f32(4);
    nan[2] = Number.NaN;
    const sd = new Map<string, AnyTorchTensor>([
      ["conv.weight", t([4, 2, 3, 3])],
      ["bn.running_mean", makeTensor("float32", [4], nan)],
      ["head.weight", makeTensor("int32", [3, 4], new Int32Array(12))],
    ]);
    expectOdError(
      () => loadStateDict(targets, sd),
      "STATE_DICT_MISMATCH",
      /non-finite values in bn\.running_mean.*dtype mismatch for head\.weight: int32/,
    );
    const { report } = loadStateDict(targets, sd, { strict: false });
    expect(report.mismatched.map((m) => [m.key, m.reason])).toEqual([
      ["bn.running_mean", "non-finite"],
      ["head.weight", "dtype"],
    ]);
  });

  test("float16 / bfloat16 / float64 tensors load as float32", () => {
    const sd = new Map<string, AnyTorchTensor>([
      ["v", makeTensor("float16", [2], new Uint16Array([0x3c00, 0xc000]))],
    ]);
    const { values } = loadStateDict([{ key: "v", kind: "vector", shape: [2] }], sd);
    expect(Array.from(values.get("v")!)).toEqual([1, -2]);
  });

  test("duplicate target keys are refused", () => {
    expectOdError(
      () => loadStateDict([targets[0]!, targets[0]!], new Map()),
      "INVALID_ARGUMENT",
      /"conv\.weight" appears twice/,
    );
  });

  test("keys saved through DistributedDataParallel: the error says to strip module., and stripping loads", () => {
    const ddp = new Map([
      ["module.conv.weight", t([4, 2, 3, 3])],
      ["module.bn.running_mean", t([4])],
      ["module.head.weight", t([3, 4])],
    ]);
    expectOdError(
      () => loadStateDict(targets, ddp),
      "STATE_DICT_MISMATCH",
      /behind "module\.": stripKeyPrefix\(stateDict, "module\."\) first\./,
    );
    expect(loadStateDict(targets, stripKeyPrefix(ddp, "module.")).values.size).toBe(3);
  });

  test("describeLoadReport is empty for a clean report", () => {
    expect(
      describeLoadReport({ missing: [], unexpected: [], mismatched: [], ignored: ["x.num_batches_tracked"] }),
    ).toBe("");
  });
});

describe("exportStateDict", () => {
  test("torch layout, and num_batches_tracked after each BatchNorm's running_var", () => {
    const sd = exportStateDict(
      [
        { key: "c.weight", kind: "conv2d", shape: [1, 2, 1, 2], data: new Float32Array([1, 3, 2, 4]) },
        { key: "bn.running_mean", kind: "vector", shape: [1], data: f32(1) },
        { key: "bn.running_var", kind: "vector", shape: [1], data: f32(1) },
        { key: "fc.bias", kind: "vector", shape: [1], data: f32(1) },
      ],
      { numBatchesTracked: 9n },
    );
    expect([...sd.keys()]).toEqual([
      "c.weight",
      "bn.running_mean",
      "bn.running_var",
      "bn.num_batches_tracked",
      "fc.bias",
    ]);
    expect(sd.get("c.weight")).toEqual({
      dtype: "float32",
      shape: [2, 1, 1, 2],
      data: new Float32Array([1, 2, 3, 4]),
    });
    expect(sd.get("bn.num_batches_tracked")).toEqual({
      dtype: "int64",
      shape: [],
      data: new BigInt64Array([9n]),
    });
  });

  test("refuses duplicate keys", () => {
    const p = { key: "a", kind: "vector", shape: [1], data: f32(1) } as const;
    expectOdError(() => exportStateDict([p, p]), "INVALID_ARGUMENT", /duplicate key/);
  });

  // The writer proof: scripts/od-export.ts wrote small_module.od.safetensors from small_module.pth
  // through od's tfjs layout; make_fixtures.py --check loaded it in torch 1.13 with
  // load_state_dict(strict=True) and recorded the verdict.
  test("od's export of small_module loads strictly in torch and gives torch's output exactly", () => {
    const check = fixtureJson<{
      strict_load: { missing_keys: string[]; unexpected_keys: string[] };
      tensors_equal: Record<string, boolean>;
      max_abs_output_difference: number;
    }>("small_module.torch_check.json");
    expect(check.strict_load).toEqual({ missing_keys: [], unexpected_keys: [] });
    expect(Object.values(check.tensors_equal).every(Boolean)).toBe(true);
    expect(check.max_abs_output_difference).toBe(0);
  });

  test("od still writes those bytes, and reading them back gives the .pth's tensors bit-exactly", () => {
    const pth = fixture("small_module.pth");
    const written = exportSmallModule(pth);
    expect(written).toEqual(fixture("small_module.od.safetensors"));
    const original = readPth(pth);
    const back = readSafetensors(written).tensors;
    expect(new Set(back.keys())).toEqual(new Set(original.keys()));
    for (const [k, v] of original) expect(back.get(k), k).toEqual(v);
    expect(SMALL_MODULE_PARAMS.length + 1).toBe(original.size);
  });
});
