import { fc, test } from "@fast-check/vitest";
import { depthwiseFilterGradDirect, depthwiseInputGradDirect, tf } from "@od/tf";
import { beforeAll, describe, expect } from "vitest";
import { maxRelErr, seeded, useBackend } from "./helpers.js";

const TOL = 1e-5;

interface K {
  readonly x: [number, number, number, number];
  readonly k: [number, number];
  readonly m: number;
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly pad: "same" | "valid";
  readonly seed: number;
}

/** Both depthwise backprop kernels called directly on `backend` (dilations allowed, unlike tf.grad). */
async function kernelsOn(backend: "cpu" | "wasm", c: K): Promise<{ dw: Float32Array; dx: Float32Array }> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const wShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.m];
  const res = tf.tidy(() => {
    const x = tf.tensor4d(seeded([...c.x], c.seed), c.x);
    const w = tf.tensor4d(seeded([...wShape], c.seed + 1), wShape);
    const yShape = tf.depthwiseConv2d(x, w, c.stride, c.pad, "NHWC", c.dilation).shape;
    const dy = tf.tensor4d(seeded(yShape, c.seed + 2), yShape);
    const attrs = { strides: c.stride, pad: c.pad, dilations: c.dilation, dataFormat: "NHWC" };
    const e = tf.engine();
    const dw = e.runKernel(
      "DepthwiseConv2dNativeBackpropFilter",
      { x, dy },
      { ...attrs, filterShape: wShape },
    );
    const dx = e.runKernel(
      "DepthwiseConv2dNativeBackpropInput",
      { dy, filter: w },
      { ...attrs, inputShape: c.x },
    );
    return {
      dw: (dw as tf.Tensor).dataSync<"float32">().slice(),
      dx: (dx as tf.Tensor).dataSync<"float32">().slice(),
    };
  });
  expect(tf.memory().numTensors).toBe(before);
  return res;
}

/** Both gradients straight from the definition (the cpu kernels ignore dilations). */
function naive(c: K): { dw: Float32Array; dx: Float32Array } {
  const [b, h, w, ch] = c.x;
  const [kh, kw] = c.k;
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    [kh, kw, ch, c.m],
    c.stride,
    c.dilation,
    c.pad,
    undefined,
    true,
  );
  const x = seeded([...c.x], c.seed);
  const f = seeded([kh, kw, ch, c.m], c.seed + 1);
  const [oh, ow, cm] = [info.outHeight, info.outWidth, ch * c.m];
  const dy = seeded([b, oh, ow, cm], c.seed + 2);
  const dw = new Float64Array(kh * kw * cm);
  const dx = new Float64Array(b * h * w * ch);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let p = 0; p < kh; p++)
          for (let q = 0; q < kw; q++) {
            const r = i * c.stride[0] + p * c.dilation[0] - info.padInfo.top;
            const s = j * c.stride[1] + q * c.dilation[1] - info.padInfo.left;
            if (r < 0 || r >= h || s < 0 || s >= w) continue;
            for (let k = 0; k < ch; k++)
              for (let m = 0; m < c.m; m++) {
                const d = dy[((n * oh + i) * ow + j) * cm + k * c.m + m] as number;
                const xi = ((n * h + r) * w + s) * ch + k;
                const wi = (p * kw + q) * cm + k * c.m + m;
                dw[wi] = (dw[wi] as number) + (x[xi] as number) * d;
                dx[xi] = (dx[xi] as number) + (f[wi] as number) * d;
              }
          }
  return { dw: Float32Array.from(dw), dx: Float32Array.from(dx) };
}

async function compare(c: K): Promise<void> {
  const ref = c.dilation[0] === 1 && c.dilation[1] === 1 ? await kernelsOn("cpu", c) : naive(c);
  const got = await kernelsOn("wasm", c);
  expect(maxRelErr(got.dw, ref.dw)).toBeLessThanOrEqual(TOL);
  expect(maxRelErr(got.dx, ref.dx)).toBeLessThanOrEqual(TOL);
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("depthwise backprop kernels on wasm (SIMD heap path and plain loops) vs cpu", () => {
  const cases: K[] = [
    // MobileNet-like: C a multiple of 4, multiplier 1 (the SIMD path)
    { x: [2, 20, 20, 16], k: [3, 3], m: 1, stride: [1, 1], dilation: [1, 1], pad: "same", seed: 1 },
    { x: [2, 20, 20, 32], k: [3, 3], m: 1, stride: [2, 2], dilation: [1, 1], pad: "same", seed: 2 },
    { x: [3, 11, 9, 8], k: [3, 3], m: 1, stride: [2, 2], dilation: [1, 1], pad: "same", seed: 3 },
    { x: [1, 10, 13, 12], k: [3, 5], m: 1, stride: [1, 3], dilation: [1, 1], pad: "valid", seed: 4 },
    { x: [1, 9, 9, 4], k: [3, 3], m: 1, stride: [1, 1], dilation: [2, 2], pad: "same", seed: 5 },
    { x: [1, 3, 3, 8], k: [5, 5], m: 1, stride: [2, 2], dilation: [1, 1], pad: "same", seed: 6 }, // filter > image
    { x: [4, 64, 64, 16], k: [3, 3], m: 1, stride: [1, 1], dilation: [1, 1], pad: "same", seed: 7 }, // long sums
    // plain loops: channel multiplier > 1, C not a multiple of 4, dilation
    { x: [2, 9, 9, 3], k: [3, 3], m: 2, stride: [2, 2], dilation: [1, 1], pad: "same", seed: 8 },
    { x: [1, 12, 11, 5], k: [3, 3], m: 1, stride: [1, 1], dilation: [2, 3], pad: "valid", seed: 9 },
    { x: [2, 7, 8, 8], k: [2, 3], m: 3, stride: [1, 2], dilation: [1, 1], pad: "same", seed: 10 },
    // stride 1, symmetric "same": the input gradient runs as a forward conv with the turned filter
    { x: [2, 8, 7, 6], k: [5, 5], m: 1, stride: [1, 1], dilation: [1, 1], pad: "same", seed: 11 },
    { x: [1, 9, 10, 12], k: [3, 5], m: 1, stride: [1, 1], dilation: [1, 1], pad: "same", seed: 12 },
  ];
  for (const c of cases) {
    test(`x=[${c.x}] k=${c.k.join("x")} m=${c.m} stride=${c.stride} dilation=${c.dilation} ${c.pad}`, async () => {
      await compare(c);
    });
  }

  test.prop(
    [
      fc.record({
        b: fc.integer({ min: 1, max: 2 }),
        h: fc.integer({ min: 1, max: 12 }),
        w: fc.integer({ min: 1, max: 12 }),
        c: fc.constantFrom(1, 4, 8, 12),
        m: fc.constantFrom(1, 1, 2),
        kh: fc.integer({ min: 1, max: 4 }),
        kw: fc.integer({ min: 1, max: 4 }),
        sh: fc.integer({ min: 1, max: 3 }),
        sw: fc.integer({ min: 1, max: 3 }),
        pad: fc.constantFrom("same" as const, "valid" as const),
        seed: fc.integer({ min: 0, max: 1_000_000 }),
      }),
    ],
    { numRuns: 30 },
  )("random shapes agree within 1e-5", async (p) => {
    await compare({
      x: [p.b, p.h, p.w, p.c],
      k: [p.pad === "valid" ? Math.min(p.kh, p.h) : p.kh, p.pad === "valid" ? Math.min(p.kw, p.w) : p.kw],
      m: p.m,
      stride: [p.sh, p.sw],
      dilation: [1, 1],
      pad: p.pad,
      seed: p.seed,
    });
  });

  test("the naive reference agrees with the cpu kernels (dilation 1)", async () => {
    const c: K = {
      x: [2, 7, 6, 3],
      k: [3, 2],
      m: 2,
      stride: [2, 1],
      dilation: [1, 1],
      pad: "same",
      seed: 14,
    };
    const ref = await kernelsOn("cpu", c);
    const nv = naive(c);
    expect(maxRelErr(nv.dw, ref.dw)).toBeLessThanOrEqual(TOL);
    expect(maxRelErr(nv.dx, ref.dx)).toBeLessThanOrEqual(TOL);
  });

  test("the plain loops match the cpu kernels directly (no backend involved)", async () => {
    await useBackend("cpu");
    const g = {
      b: 2,
      h: 7,
      w: 6,
      c: 3,
      m: 2,
      outH: 4,
      outW: 3,
      kh: 3,
      kw: 3,
      sh: 2,
      sw: 2,
      dh: 1,
      dw: 1,
      top: 1,
      left: 0,
    };
    const x = seeded([2, 7, 6, 3], 11);
    const dy = seeded([2, 4, 3, 6], 12);
    const f = seeded([3, 3, 3, 2], 13);
    const dw = new Float32Array(3 * 3 * 3 * 2);
    const dx = new Float32Array(2 * 7 * 6 * 3);
    depthwiseFilterGradDirect(x, dy, g, dw);
    depthwiseInputGradDirect(dy, f, g, dx);
    tf.tidy(() => {
      const attrs = { strides: 2, pad: "same", dilations: 1, dataFormat: "NHWC" };
      const tx = tf.tensor4d(x, [2, 7, 6, 3]);
      const tdy = tf.tensor4d(dy, [2, 4, 3, 6]);
      const tf4 = tf.tensor4d(f, [3, 3, 3, 2]);
      const e = tf.engine();
      const rw = e.runKernel(
        "DepthwiseConv2dNativeBackpropFilter",
        { x: tx, dy: tdy },
        { ...attrs, filterShape: [3, 3, 3, 2] },
      );
      const rx = e.runKernel(
        "DepthwiseConv2dNativeBackpropInput",
        { dy: tdy, filter: tf4 },
        { ...attrs, inputShape: [2, 7, 6, 3] },
      );
      expect(maxRelErr(dw, (rw as tf.Tensor).dataSync())).toBeLessThanOrEqual(TOL);
      expect(maxRelErr(dx, (rx as tf.Tensor).dataSync())).toBeLessThanOrEqual(TOL);
    });
  });
});
