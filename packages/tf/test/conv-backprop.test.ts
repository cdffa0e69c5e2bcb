import { fc, test } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import {
  conv2dBackpropFilterImpl,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  registerConvBackpropKernels,
  tf,
  WASM_BACKPROP_KERNELS,
} from "@od/tf";
import { beforeAll, describe, expect } from "vitest";
import { maxRelErr, seeded, useBackend } from "./helpers.js";

type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  readonly kind: "conv2d" | "depthwise";
  readonly x: [number, number, number, number]; // [B, H, W, C]
  readonly k: [number, number]; // filter height, width
  readonly out: number; // conv2d: output channels; depthwise: channel multiplier
  readonly stride: [number, number];
  readonly pad: Pad;
  readonly seed: number;
}

/** d(sum(f(x, w) * r))/dx and /dw on the active backend, with r a fixed random cotangent. */
function gradsOn(c: Case): { dx: Float32Array; dw: Float32Array; leaked: number } {
  const [, , , ch] = c.x;
  const wShape = [c.k[0], c.k[1], ch, c.out] as const;
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(seeded([...c.x], c.seed), c.x);
  const w = tf.tensor4d(seeded([...wShape], c.seed + 1), [...wShape]);
  const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
    c.kind === "conv2d" ? tf.conv2d(a, b, c.stride, c.pad) : tf.depthwiseConv2d(a, b, c.stride, c.pad);
  const yShape = tf.tidy(() => f(x, w).shape);
  const r = tf.tensor(seeded(yShape, c.seed + 2), yShape);
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), r)),
  )([x, w]);
  const dx = (gx as tf.Tensor).dataSync<"float32">().slice();
  const dw = (gw as tf.Tensor).dataSync<"float32">().slice();
  tf.dispose([x, w, r, gx as tf.Tensor, gw as tf.Tensor]);
  return { dx, dw, leaked: tf.memory().numTensors - before };
}

async function compare(c: Case): Promise<{ ex: number; ew: number }> {
  await useBackend("cpu");
  const ref = gradsOn(c);
  await useBackend("wasm");
  const got = gradsOn(c);
  expect(ref.leaked).toBe(0);
  expect(got.leaked).toBe(0);
  return { ex: maxRelErr(got.dx, ref.dx), ew: maxRelErr(got.dw, ref.dw) };
}

const TOL = 1e-5;

beforeAll(async () => {
  await useBackend("wasm");
});

describe("wasm conv backprop kernels vs the cpu backend's gradients", () => {
  test("the three kernels are registered on wasm; cpu keeps its own", () => {
    for (const k of WASM_BACKPROP_KERNELS) expect(tf.getKernel(k, "wasm")).toBeDefined();
    expect(registerConvBackpropKernels("wasm")).toEqual([]); // idempotent
  });

  const explicit: Pad = [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ];
  const table: Case[] = [
    { kind: "conv2d", x: [1, 7, 7, 3], k: [3, 3], out: 4, stride: [1, 1], pad: "same", seed: 1 },
    { kind: "conv2d", x: [2, 9, 8, 3], k: [3, 3], out: 5, stride: [2, 2], pad: "same", seed: 2 },
    { kind: "conv2d", x: [2, 9, 9, 2], k: [3, 2], out: 3, stride: [2, 3], pad: "valid", seed: 3 },
    { kind: "conv2d", x: [1, 5, 5, 2], k: [2, 2], out: 2, stride: [2, 2], pad: "valid", seed: 4 }, // last row unused
    { kind: "conv2d", x: [1, 6, 7, 2], k: [3, 3], out: 3, stride: [1, 2], pad: explicit, seed: 5 },
    { kind: "conv2d", x: [1, 4, 4, 3], k: [1, 1], out: 6, stride: [1, 1], pad: "valid", seed: 6 },
    { kind: "conv2d", x: [1, 3, 3, 1], k: [3, 3], out: 1, stride: [1, 1], pad: "valid", seed: 7 }, // 1x1 output
    { kind: "depthwise", x: [1, 7, 7, 3], k: [3, 3], out: 1, stride: [1, 1], pad: "same", seed: 8 },
    { kind: "depthwise", x: [2, 9, 8, 4], k: [3, 3], out: 1, stride: [2, 2], pad: "same", seed: 9 },
    { kind: "depthwise", x: [2, 8, 9, 2], k: [3, 3], out: 3, stride: [2, 2], pad: "valid", seed: 10 },
    { kind: "depthwise", x: [1, 5, 5, 2], k: [2, 2], out: 2, stride: [2, 2], pad: "valid", seed: 11 },
    { kind: "depthwise", x: [1, 10, 6, 3], k: [5, 3], out: 2, stride: [3, 1], pad: "same", seed: 12 },
    { kind: "depthwise", x: [1, 6, 7, 2], k: [3, 3], out: 1, stride: [2, 1], pad: explicit, seed: 13 },
  ];
  for (const c of table) {
    const name = `${c.kind} x=[${c.x}] k=${c.k.join("x")} out=${c.out} stride=${c.stride} pad=${JSON.stringify(c.pad)}`;
    test(name, async () => {
      const { ex, ew } = await compare(c);
      expect(ex).toBeLessThanOrEqual(TOL);
      expect(ew).toBeLessThanOrEqual(TOL);
    });
  }

  test.prop(
    [
      fc.record({
        kind: fc.constantFrom("conv2d" as const, "depthwise" as const),
        b: fc.integer({ min: 1, max: 2 }),
        h: fc.integer({ min: 1, max: 9 }),
        w: fc.integer({ min: 1, max: 9 }),
        ch: fc.integer({ min: 1, max: 4 }),
        kh: fc.integer({ min: 1, max: 4 }),
        kw: fc.integer({ min: 1, max: 4 }),
        out: fc.integer({ min: 1, max: 3 }),
        sh: fc.integer({ min: 1, max: 3 }),
        sw: fc.integer({ min: 1, max: 3 }),
        pad: fc.constantFrom("same" as const, "valid" as const),
        seed: fc.integer({ min: 0, max: 1_000_000 }),
      }),
    ],
    { numRuns: 25 },
  )("random shapes, strides and paddings agree within 1e-5", async (p) => {
    // valid padding needs the filter to fit
    const kh = p.pad === "valid" ? Math.min(p.kh, p.h) : p.kh;
    const kw = p.pad === "valid" ? Math.min(p.kw, p.w) : p.kw;
    const c: Case = {
      kind: p.kind,
      x: [p.b, p.h, p.w, p.ch],
      k: [kh, kw],
      out: p.out,
      stride: [p.sh, p.sw],
      pad: p.pad,
      seed: p.seed,
    };
    const { ex, ew } = await compare(c);
    expect(ex).toBeLessThanOrEqual(TOL);
    expect(ew).toBeLessThanOrEqual(TOL);
  });
});

describe("backprop implementations on cpu vs cpu's own kernels", () => {
  test("conv2dBackpropFilterImpl, depthwise filter and input match the built-in kernels", async () => {
    await useBackend("cpu");
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor4d(seeded([2, 9, 8, 3], 20), [2, 9, 8, 3]);
      const dy = tf.tensor4d(seeded([2, 5, 4, 4], 21), [2, 5, 4, 4]);
      const attrs = {
        strides: [2, 2] as [number, number],
        pad: "same" as const,
        dataFormat: "NHWC" as const,
      };
      const ours = conv2dBackpropFilterImpl(x, dy, [3, 3, 3, 4], attrs);
      const ref = tf
        .engine()
        .runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] });
      expect(maxRelErr(ours.dataSync(), (ref as tf.Tensor).dataSync())).toBeLessThanOrEqual(TOL);

      const dyd = tf.tensor4d(seeded([2, 5, 4, 6], 22), [2, 5, 4, 6]);
      const dattrs = { ...attrs, dilations: 1 };
      const oursF = depthwiseConv2dBackpropFilterImpl(x, dyd, [3, 3, 3, 2], dattrs);
      const refF = tf
        .engine()
        .runKernel(
          "DepthwiseConv2dNativeBackpropFilter",
          { x, dy: dyd },
          { ...dattrs, filterShape: [3, 3, 3, 2] },
        );
      expect(maxRelErr(oursF.dataSync(), (refF as tf.Tensor).dataSync())).toBeLessThanOrEqual(TOL);

      const filter = tf.tensor4d(seeded([3, 3, 3, 2], 23), [3, 3, 3, 2]);
      const oursI = depthwiseConv2dBackpropInputImpl(dyd, filter, [2, 9, 8, 3], dattrs);
      const refI = tf
        .engine()
        .runKernel(
          "DepthwiseConv2dNativeBackpropInput",
          { dy: dyd, filter },
          { ...dattrs, inputShape: [2, 9, 8, 3] },
        );
      expect(maxRelErr(oursI.dataSync(), (refI as tf.Tensor).dataSync())).toBeLessThanOrEqual(TOL);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  test("NCHW is refused with TfError UNSUPPORTED", async () => {
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    let err: unknown;
    tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      const dy = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      try {
        conv2dBackpropFilterImpl(x, dy, [3, 3, 2, 2], { strides: 1, pad: "same", dataFormat: "NCHW" });
      } catch (e) {
        err = e;
      }
    });
    expect(isOdError(err, "UNSUPPORTED")).toBe(true);
    expect((err as Error).message).toBe(
      'Conv2DBackpropFilter (wasm, @od/tf): dataFormat is "NCHW" but only "NHWC" is implemented; transpose to NHWC first',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
