import { getGradient, registerGradient } from "@tensorflow/tfjs-core";
import { gradConfigs } from "./vendor/tfjs-core/gradients/register_all.js";

/** What {@link registerGradients} did. */
export interface GradientRegistration {
  /** Gradient functions registered by this call (0 when they were all registered already). */
  readonly registered: number;
  /** Kernels of tfjs-core's gradient list that have a gradient function after the call. */
  readonly kernelsWithGradients: number;
}

/**
 * Kernel names of every gradient function `@od/tf` registers: tfjs-core 4.22's full list, the same
 * one the `@tensorflow/tfjs` umbrella registers (sorted, unique).
 */
export const GRADIENT_KERNELS: readonly string[] = [...new Set(gradConfigs.map((c) => c.kernelName))].sort();

/**
 * Registers the gradient function of every tfjs-core kernel. The configs are vendored from
 * tfjs-core 4.22 (`scripts/vendor-tfjs-core.mjs`) and import only `@tensorflow/tfjs-core`'s public
 * API, so they load as plain ESM in Node and in bundlers and attach to the one tfjs-core engine of the
 * process (see README, "How gradients are registered").
 *
 * Runs once on `import "@od/tf"`; calling it again is harmless: a kernel that already has a gradient
 * (from an earlier call, or from `@tensorflow/tfjs` / tfjs-node) is skipped, so nothing is overridden.
 * @returns how many gradients were registered now, and how many kernels have one.
 * @example
 * import { registerGradients } from "@od/tf";
 * registerGradients(); // { registered: 0, kernelsWithGradients: 99 }: already done on import
 */
export function registerGradients(): GradientRegistration {
  let registered = 0;
  for (const config of gradConfigs) {
    if (getGradient(config.kernelName) !== undefined) continue;
    registerGradient(config);
    registered++;
  }
  const kernelsWithGradients = GRADIENT_KERNELS.filter((k) => getGradient(k) !== undefined).length;
  return { registered, kernelsWithGradients };
}
