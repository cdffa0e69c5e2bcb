import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { defaultSsdConfig, SsdDetector } from "../src/index.js";

const backend = process.argv[2] ?? "wasm";
const B = Number(process.argv[3] ?? 2);
const S = Number(process.argv[4] ?? 160);
const alpha = Number(process.argv[5] ?? 0.5);
const taps = (process.argv[6] ?? "8,16,32").split(",").map(Number);
await initBackend({ prefer: [backend as "wasm"], threads: Number(process.env.OD_THREADS ?? 1) });
const d = new SsdDetector(
  defaultSsdConfig({
    classNames: ["a", "b", "c"],
    inputSize: { width: S, height: S },
    backbone: { kind: "mobilenet", widthMultiplier: alpha, taps },
  }),
);
const x = tf.randomUniform([B, S, S, 3], -1, 1) as tf.Tensor4D;
const f = () => {
  const o = d.forward(x, true);
  return tf.add(tf.mean(tf.square(o.loc)), tf.mean(tf.square(o.logits))) as tf.Scalar;
};
// warm up
for (let i = 0; i < 1; i++) {
  const r = tf.variableGrads(f, d.trainableVariables());
  tf.dispose([r.value, ...Object.values(r.grads)]);
}
const prof = await tf.profile(() => {
  const r = tf.variableGrads(f, d.trainableVariables());
  r.value.dataSync();
  return [r.value, ...Object.values(r.grads)];
});
const by = new Map<string, { ms: number; n: number }>();
for (const k of prof.kernels) {
  const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  const e = by.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n += 1;
  by.set(k.name, e);
}
const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40);
const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
console.log(
  JSON.stringify({ backend, B, S, alpha, params: d.countParameters(), kernelMsTotal: Math.round(total) }),
);
for (const [n, e] of rows) console.log(n.padEnd(40), e.n, e.ms.toFixed(1));
let t = performance.now();
const r = tf.variableGrads(f, d.trainableVariables());
r.value.dataSync();
tf.dispose([r.value, ...Object.values(r.grads)]);
console.log("step ms", (performance.now() - t).toFixed(0));
t = performance.now();
const o = d.forward(x, false);
o.loc.dataSync();
tf.dispose([o.loc, o.logits]);
console.log("forward ms", (performance.now() - t).toFixed(0));
