import { initBackend, tf } from "@od/tf";

/**
 * Runs the tests on the cpu backend (float32, deterministic ties in `topk`). Importing `@od/tf`
 * registers the gradient functions, so `tf.grad` / `tf.variableGrads` work.
 */
export async function useCpu(): Promise<void> {
  await initBackend({ prefer: ["cpu"] });
  await tf.ready();
}
