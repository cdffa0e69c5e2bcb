// @od/torch's layouts, proved through tfjs ops: the weights torch saved for a small module
// (packages/torch/scripts/make_fixtures.py: conv 3→4, BatchNorm eps 0.001, depthwise 4→8 with
// channel multiplier 2, global mean, linear 8→5) are loaded with loadStateDict into tfjs layout, and
// the same forward pass in tfjs gives torch's output.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PARAM_KINDS } from "@od/boxes";
import { PARAM_KINDS as SSD_PARAM_KINDS } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { loadStateDict, readPth, type TargetParam, PARAM_KINDS as TORCH_PARAM_KINDS } from "@od/torch";
import { beforeAll, describe, expect, test } from "vitest";

const fixtures = new URL("../../torch/test/fixtures/", import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(name, fixtures))));

const PARAMS: TargetParam[] = [
  { key: "conv.weight", kind: "conv2d", shape: [3, 3, 3, 4] },
  { key: "conv.bias", kind: "vector", shape: [4] },
  { key: "bn.weight", kind: "vector", shape: [4] },
  { key: "bn.bias", kind: "vector", shape: [4] },
  { key: "bn.running_mean", kind: "vector", shape: [4] },
  { key: "bn.running_var", kind: "vector", shape: [4] },
  { key: "dw.weight", kind: "depthwise", shape: [3, 3, 4, 2] },
  { key: "fc.weight", kind: "dense", shape: [8, 5] },
  { key: "fc.bias", kind: "vector", shape: [5] },
];

beforeAll(async () => {
  await initBackend({ prefer: ["wasm", "cpu"] });
});

describe("torch weights in tfjs", () => {
  test("small_module.pth loaded into tfjs layout gives torch's output (≤ 1e-5)", () => {
    const { values, report } = loadStateDict(PARAMS, readPth(bytes("small_module.pth")));
    expect(report.ignored).toEqual(["bn.num_batches_tracked"]);
    const expected = JSON.parse(new TextDecoder().decode(bytes("small_module.expected.json"))) as {
      input: { shape: number[]; values: number[] };
      output: { shape: number[]; values: number[] };
    };
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const w = (k: string) => tf.tensor(values.get(k)!, [...PARAMS.find((p) => p.key === k)!.shape]);
      const [n, c, hh, ww] = expected.input.shape as [number, number, number, number];
      const x = tf.transpose(tf.tensor4d(expected.input.values, [n, c, hh, ww]), [0, 2, 3, 1]);
      const conv = tf.add(tf.conv2d(x, w("conv.weight") as tf.Tensor4D, 1, "same"), w("conv.bias"));
      const bn = tf.batchNorm(
        conv,
        w("bn.running_mean"),
        w("bn.running_var"),
        w("bn.bias"),
        w("bn.weight"),
        0.001,
      );
      const dw = tf.depthwiseConv2d(tf.relu(bn) as tf.Tensor4D, w("dw.weight") as tf.Tensor4D, 1, "same");
      return tf.add(
        tf.matMul(tf.mean(dw, [1, 2]) as tf.Tensor2D, w("fc.weight") as tf.Tensor2D),
        w("fc.bias"),
      );
    });
    expect(out.shape).toEqual(expected.output.shape);
    const got = out.dataSync();
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, v] of expected.output.values.entries())
      expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-5);
  });
});

describe("ParamKind", () => {
  test("@od/ssd and @od/torch export @od/boxes' one list of parameter kinds", () => {
    expect(SSD_PARAM_KINDS).toBe(PARAM_KINDS);
    expect(TORCH_PARAM_KINDS).toBe(PARAM_KINDS);
  });
});
