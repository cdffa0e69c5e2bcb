import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  PARAM_KINDS,
  type ParamKind,
  readPth,
  tfToTorch,
  toFloat32,
  torchShapeOf,
  torchToTf,
} from "../src/index.js";
import { type Described, expectOdError, fixture, fixtureJson } from "./helpers.js";

const f32 = (...v: number[]) => new Float32Array(v);

describe("torchShapeOf", () => {
  test.each([
    ["conv2d", [3, 3, 16, 32], [32, 16, 3, 3]],
    ["depthwise", [3, 3, 16, 1], [16, 1, 3, 3]],
    ["depthwise", [5, 5, 4, 2], [8, 1, 5, 5]],
    ["dense", [128, 10], [10, 128]],
    ["vector", [7], [7]],
    ["vector", [], []],
  ] as [ParamKind, number[], number[]][])("%s %j → %j", (kind, tf, torch) => {
    expect(torchShapeOf(kind, tf)).toEqual(torch);
  });

  test("refuses a wrong rank, a negative size and an unknown kind", () => {
    expectOdError(
      () => torchShapeOf("conv2d", [3, 3, 16]),
      "INVALID_ARGUMENT",
      /conv2d parameter has rank 4, got tfjs shape \[3, 3, 16\]/,
    );
    expectOdError(() => torchShapeOf("vector", [-1]), "INVALID_ARGUMENT", /non-negative integers/);
    expectOdError(() => torchShapeOf("conv3d" as ParamKind, [1]), "INVALID_ARGUMENT", /kind "conv3d"/);
  });
});

describe("torchToTf / tfToTorch", () => {
  // Worked by hand: tfjs[y, x, i, o] = torch[o, i, y, x], tfjs[y, x, c, j] = torch[c·m + j, 0, y, x],
  // tfjs[i, o] = torch[o, i].
  test.each([
    [
      "conv2d: torch [O=2, I=1, 1, 2] abcd → tfjs [1, 2, 1, 2] acbd",
      "conv2d",
      [1, 2, 1, 2],
      [1, 2, 3, 4],
      [1, 3, 2, 4],
    ],
    ["conv2d: torch [O=1, I=2, 1, 1] → tfjs [1, 1, 2, 1] unchanged", "conv2d", [1, 1, 2, 1], [1, 2], [1, 2]],
    [
      "depthwise: torch [C·m=4 (C=2, m=2), 1, 1, 1] → tfjs [1, 1, 2, 2] unchanged",
      "depthwise",
      [1, 1, 2, 2],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ],
    [
      "depthwise: torch [C=2, 1, 1, 2] → tfjs [1, 2, 2, 1]",
      "depthwise",
      [1, 2, 2, 1],
      [1, 2, 3, 4],
      [1, 3, 2, 4],
    ],
    ["dense: torch [out=2, in=3] → tfjs [3, 2]", "dense", [3, 2], [1, 2, 3, 4, 5, 6], [1, 4, 2, 5, 3, 6]],
    ["vector", "vector", [3], [1, 2, 3], [1, 2, 3]],
  ] as [string, ParamKind, number[], number[], number[]][])("%s", (_, kind, tfShape, torch, tf) => {
    expect(Array.from(torchToTf(kind, f32(...torch), tfShape))).toEqual(tf);
    expect(Array.from(tfToTorch(kind, f32(...tf), tfShape))).toEqual(torch);
  });

  test("match torch's own permutes on a real module (scripts/make_fixtures.py, small_module)", () => {
    const sd = readPth(fixture("small_module.pth"));
    const { tfjs } = fixtureJson<{ tfjs: Record<string, Described> }>("small_module.expected.json");
    const kinds: Record<string, ParamKind> = {
      "conv.weight": "conv2d",
      "dw.weight": "depthwise",
      "fc.weight": "dense",
    };
    for (const [key, want] of Object.entries(tfjs)) {
      const got = torchToTf(kinds[key]!, toFloat32(sd.get(key)!), want.shape);
      expect(Array.from(got)).toEqual(want.values.map((v) => Math.fround(Number(v))));
    }
  });

  test("refuses data of the wrong length", () => {
    expectOdError(
      () => torchToTf("dense", f32(1, 2, 3), [2, 2]),
      "INVALID_ARGUMENT",
      /torchToTf: data has 3 elements but shape \[2, 2\] needs 4/,
    );
  });

  const shapeArb = (kind: ParamKind) =>
    kind === "dense"
      ? fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })).map((s) => [...s])
      : kind === "vector"
        ? fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
        : fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 });
  propTest.prop([
    fc.constantFrom(...PARAM_KINDS).chain((kind) => fc.tuple(fc.constant(kind), shapeArb(kind))),
    fc.integer(),
  ])("tfToTorch inverts torchToTf, and both permute (same multiset of values)", ([kind, shape], seed) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => (i * 7919 + seed) % 1000);
    const tf = torchToTf(kind, data, shape);
    expect(tfToTorch(kind, tf, shape)).toEqual(data);
    expect([...tf].sort()).toEqual([...data].sort());
  });
});
