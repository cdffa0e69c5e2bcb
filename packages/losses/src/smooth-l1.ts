import { tf } from "@od/tf";
import { checkNumber } from "./internal.js";

/**
 * Elementwise smooth-L1 (Huber-like) loss, as torchvision/PyTorch `smooth_l1_loss(reduction="none")`:
 * `0.5 · d² / β` where `|d| < β`, else `|d| − 0.5 · β`; with β = 0 it is plain L1. Differentiable
 * under `tf.grad` (gradient `d/β` inside, `sign(d)` outside).
 * @param pred any shape.
 * @param target same shape as `pred`.
 * @param beta transition point β ≥ 0 (default 1).
 * @returns a tensor of the same shape (caller owns it).
 * @throws LossesError `INVALID_ARGUMENT` for a bad β.
 */
export function smoothL1(pred: tf.Tensor, target: tf.Tensor, beta = 1): tf.Tensor {
  checkNumber("smoothL1", "beta", beta, 0, 1e6);
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(pred, target));
    if (beta === 0) return d;
    // Branch-free: with m = min(|d|, β), 0.5·m²/β + (|d| − m) is 0.5·d²/β below β and |d| − 0.5·β above.
    // Only differentiable ops (no comparison on the gradient tape), one pass fewer than a `where`.
    const m = tf.minimum(d, beta);
    return tf.add(tf.mul(tf.square(m), 0.5 / beta), tf.sub(d, m));
  });
}
