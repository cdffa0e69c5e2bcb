import { initBackend, tf } from "@od/tf";

/** Seeded uniform values in [-1, 1), generated on the cpu backend (same bytes for the same seed). */
export function seeded(shape: number[], seed: number): Float32Array {
  const prev = tf.getBackend();
  tf.setBackend("cpu");
  const t = tf.randomUniform(shape, -1, 1, "float32", seed);
  const v = t.dataSync<"float32">().slice();
  t.dispose();
  if (prev !== "cpu") tf.setBackend(prev);
  return v;
}

/** max |a - b| / max(max |b|, tiny): the error measure the issue asks for (relative to max |grad|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    den = Math.max(den, Math.abs(b[i] ?? 0));
  }
  return num / den;
}

/** Makes both wasm and cpu available (wasm initialised once), leaving `name` active. */
export async function useBackend(name: "wasm" | "cpu"): Promise<void> {
  if (tf.findBackend("wasm") === null || tf.findBackend("wasm") === undefined)
    await initBackend({ prefer: ["wasm"] });
  await tf.setBackend(name);
}
