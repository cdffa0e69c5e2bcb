/**
 * MobileNetV3's activations (Howard et al. 2019, "Searching for MobileNetV3", section 5.2), with the
 * formulas and gradients of PyTorch's `nn.Hardsigmoid` / `nn.Hardswish`. Both are built from forward
 * ops every backend has (add, clipByValue, mul), so they train on wasm with the gradients tfjs-core
 * derives; the one-pass clipByValue gradient of this package makes the mask a single kernel there.
 * @module
 */
import { add, clipByValue, engine, getKernel, mul, type Tensor, tidy } from "@tensorflow/tfjs-core";
import { HARD_SWISH } from "./hard-swish.js";

/**
 * Whether tfjs is recording a gradient (inside `tf.grad`, `variableGrads`, `minimize`): kernels without
 * a gradient function (fused activations, `OdHardSwish`) must not run then.
 */
export function recordingGradients(): boolean {
  return engine().state.gradientDepth > 0;
}

/**
 * `relu6(x + 3) / 6 = clamp(x + 3, 0, 6) / 6`, PyTorch `nn.Hardsigmoid` (the squeeze-excitation gate of
 * MobileNetV3). Gradient `1/6` for `−3 ≤ x ≤ 3`, 0 elsewhere (PyTorch uses the open interval; the two
 * differ only at exactly ±3).
 * @param x any shape, float32.
 * @returns a new tensor of the same shape, values in [0, 1] (caller owns it).
 */
export function hardSigmoid<T extends Tensor>(x: T): T {
  return tidy(() => mul(clipByValue(add(x, 3), 0, 6), 1 / 6)) as T;
}

/**
 * `x · relu6(x + 3) / 6`, PyTorch `nn.Hardswish` (MobileNetV3's "HS" activation). Gradient 0 for
 * `x < −3`, `(2x + 3) / 6` for `−3 ≤ x ≤ 3`, 1 for `x > 3`, as PyTorch's `hardswish_backward`.
 * Where no gradient is recorded, the wasm backend computes it in one pass (`OdHardSwish`, the same
 * float32 values as the composite).
 * @param x any shape, float32.
 * @returns a new tensor of the same shape (caller owns it).
 */
export function hardSwish<T extends Tensor>(x: T): T {
  const e = engine();
  if (x.dtype === "float32" && !recordingGradients() && getKernel(HARD_SWISH, e.backendName) !== undefined)
    return e.runKernel(HARD_SWISH, { x }) as T;
  return tidy(() => mul(x, hardSigmoid(x))) as T;
}
