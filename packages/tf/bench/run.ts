/**
 * ms per training step of a small SSD-like net (bench/net.ts) on:
 *   cpu with its built-in conv gradients, cpu with @od/tf's conv backprop kernels, wasm with them.
 * Prints one JSON object per line. Usage: npx tsx bench/run.ts [--steps N] [--batch B]
 */
import { initBackend, registerConvBackpropKernels, tf } from "@od/tf";
import { batch, createNet, loss } from "./net.js";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const steps = arg("steps", 5);
const b = arg("batch", 1);

function timeSteps(n: number): { ms: number; loss: number } {
  const net = createNet(1);
  const data = batch(b);
  const opt = tf.train.sgd(1e-3);
  const step = (): number => {
    const l = opt.minimize(() => loss(net.vars, data.x, data.locT, data.clsT), true, net.vars);
    const v = l?.dataSync()[0] ?? Number.NaN;
    l?.dispose();
    return v;
  };
  step(); // warm-up (kernel compilation, allocation)
  const times: number[] = [];
  let last = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    last = step();
    times.push(performance.now() - t0);
  }
  tf.dispose([...net.vars, data.x, data.locT, data.clsT]);
  opt.dispose();
  times.sort((p, q) => p - q);
  return { ms: Math.round((times[Math.floor(times.length / 2)] ?? 0) * 10) / 10, loss: last };
}

const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

await initBackend({ prefer: ["cpu"] });
const before = tf.memory().numTensors;
emit({
  bench: "train-step",
  backend: "cpu",
  grads: "tfjs built-in",
  batch: b,
  steps: Math.min(steps, 3),
  ...timeSteps(Math.min(steps, 3)),
});
registerConvBackpropKernels("cpu", { override: true });
emit({ bench: "train-step", backend: "cpu", grads: "@od/tf kernels", batch: b, steps, ...timeSteps(steps) });
await initBackend({ prefer: ["wasm"] });
emit({
  bench: "train-step",
  backend: "wasm",
  grads: "@od/tf kernels",
  batch: b,
  steps: steps * 4,
  ...timeSteps(steps * 4),
});
const fwd = (() => {
  const net = createNet(1);
  const data = batch(b);
  const run = (): void => tf.tidy(() => void loss(net.vars, data.x, data.locT, data.clsT).dataSync());
  run();
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) run();
  const ms = (performance.now() - t0) / 10;
  tf.dispose([...net.vars, data.x, data.locT, data.clsT]);
  return Math.round(ms * 10) / 10;
})();
emit({ bench: "forward", backend: "wasm", batch: b, ms: fwd });
emit({ bench: "leak-check", tensorsLeaked: tf.memory().numTensors - before });
