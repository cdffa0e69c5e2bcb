import { initBackend, tf } from "@od/tf";
import { defaultSsdConfig, SsdDetector } from "../src/index.js";
await initBackend({ prefer: ["wasm"] });
const d = new SsdDetector(defaultSsdConfig({ classNames: ["a", "b", "c"], inputSize: { width: 320, height: 320 } }));
const x = tf.randomUniform([4, 320, 320, 3], -1, 1) as tf.Tensor4D;
const f = () => { const o = d.forward(x, true); return tf.add(tf.mean(tf.square(o.loc)), tf.mean(tf.square(o.logits))) as tf.Scalar; };
{ const r = tf.variableGrads(f, d.trainableVariables()); tf.dispose([r.value, ...Object.values(r.grads)]); }
const prof = await tf.profile(() => { const r = tf.variableGrads(f, d.trainableVariables()); r.value.dataSync(); return [r.value, ...Object.values(r.grads)]; });
const want = new Set(process.argv.slice(2));
const rows = prof.kernels.filter((k) => want.has(k.name)).map((k) => [k.name, JSON.stringify(k.inputShapes), typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0] as const);
const agg = new Map<string, [number, number]>();
for (const [n, s, ms] of rows) { const key = `${n} ${s}`; const e = agg.get(key) ?? [0, 0]; agg.set(key, [e[0] + 1, e[1] + ms]); }
for (const [k, [c, ms]] of [...agg.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, 25)) console.log(k, c, ms.toFixed(1));
