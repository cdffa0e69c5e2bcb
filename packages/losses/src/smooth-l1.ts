import { tf } from "@od/tf";
import { checkNumber } from "./internal.js";

/**
 * Elementwise smooth-L1 (Huber-like) loss, as torchvision/PyTorch `smooth_l1_loss(reduction="none")`:
 * `0.5 · d² / β` where `|d| < β`, else `|d| − 0.5 · β`; with β = 0 it is plain L1.
 * @param pred any shape.
 * @param target same shape as `pred`.
 * @returns a tensor of the same shape (caller owns it).
 */
export function smoothL1(pred: tf.Tensor, target: tf.Tensor, beta = 1): tf.Tensor {
  checkNumber("smoothL1", "beta", beta, 0, 1e6);
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(pred, target));
    if (beta === 0) return d;
    return tf.where(tf.less(d, beta), tf.div(tf.mul(tf.square(d), 0.5), beta), tf.sub(d, 0.5 * beta));
  });
}
