/**
 * Depthwise gradient kernels on wasm, per layer shape of a MobileNet SSD at 320 (α 0.5): the direct
 * heap kernels (what `DepthwiseConv2dNativeBackprop*` run on wasm) vs the op-composed
 * implementations, and the forward depthwise conv for scale. `npx tsx bench/depthwise.ts [batch]`.
 */
import {
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  initBackend,
  tf,
} from "../src/index.js";

const B = Number(process.argv[2] ?? 8);
await initBackend({ prefer: ["wasm"] });
// [H, C, stride]
const layers: [number, number, number][] = [
  [160, 16, 1],
  [160, 16, 2],
  [80, 32, 1],
  [80, 32, 2],
  [40, 64, 1],
  [40, 64, 2],
  [20, 128, 1],
  [20, 128, 2],
  [10, 256, 1],
  [10, 256, 2],
  [5, 512, 1],
];

function time(f: () => tf.Tensor, reps = 3): number {
  f().dispose(); // warm-up
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const y = f();
    y.dataSync();
    ts.push(performance.now() - t0);
    y.dispose();
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)] as number;
}

console.log("layer                      fwd   dW old   dW new   dx old   dx new   (ms, median of 3)");
const tot = [0, 0, 0, 0, 0];
for (const [h, c, s] of layers) {
  const x = tf.randomNormal([B, h, h, c], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, c, 1], 0, 1, "float32", 2) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, w, s, "same");
  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 3) as tf.Tensor4D;
  const attrs = { strides: s, pad: "same" as const, dilations: 1, dataFormat: "NHWC" as const };
  const r = [
    time(() => tf.depthwiseConv2d(x, w, s, "same")),
    time(() => depthwiseConv2dBackpropFilterImpl(x, dy, [3, 3, c, 1], attrs)),
    time(
      () =>
        tf
          .engine()
          .runKernel(
            "DepthwiseConv2dNativeBackpropFilter",
            { x, dy },
            { ...attrs, filterShape: [3, 3, c, 1] },
          ) as tf.Tensor,
    ),
    time(() => depthwiseConv2dBackpropInputImpl(dy, w, x.shape, attrs)),
    time(
      () =>
        tf
          .engine()
          .runKernel(
            "DepthwiseConv2dNativeBackpropInput",
            { dy, filter: w },
            { ...attrs, inputShape: x.shape },
          ) as tf.Tensor,
    ),
  ];
  r.forEach((v, i) => {
    tot[i] = (tot[i] as number) + v;
  });
  console.log(`[${B},${h},${h},${c}] s${s}`.padEnd(24), ...r.map((v) => v.toFixed(1).padStart(8)));
  tf.dispose([x, w, y, dy]);
}
console.log("total".padEnd(24), ...tot.map((v) => v.toFixed(1).padStart(8)));

// Pointwise (1×1) filter gradients: one xᵀ·dy matMul (now) vs the dilated-conv form (before).
console.log("\npointwise layer              dW old   dW new");
const pw: [number, number, number][] = [
  [160, 16, 32],
  [80, 32, 64],
  [40, 64, 128],
  [20, 128, 256],
  [10, 256, 512],
];
const ptot = [0, 0];
for (const [h, c, o] of pw) {
  const x = tf.randomNormal([B, h, h, c], 0, 1, "float32", 4) as tf.Tensor4D;
  const dy = tf.randomNormal([B, h, h, o], 0, 1, "float32", 5) as tf.Tensor4D;
  const r = [
    time(() =>
      tf.tidy(() => {
        const xt = tf.transpose(x, [3, 1, 2, 0]); // [C, H, W, B]
        const f = tf.transpose(dy, [1, 2, 0, 3]); // [H, W, B, O]
        return tf.transpose(tf.conv2d(xt, f, 1, "valid"), [1, 2, 0, 3]);
      }),
    ),
    time(
      () =>
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropFilter",
            { x, dy },
            { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [1, 1, c, o] },
          ) as tf.Tensor,
    ),
  ];
  r.forEach((v, i) => {
    ptot[i] = (ptot[i] as number) + v;
  });
  console.log(`[${B},${h},${h},${c}]→${o}`.padEnd(26), ...r.map((v) => v.toFixed(1).padStart(8)));
  tf.dispose([x, dy]);
}
console.log("total".padEnd(26), ...ptot.map((v) => v.toFixed(1).padStart(8)));
