import { tf } from "@od/tf";
import { fail } from "./errors.js";

/** `[a, b, c]` for error messages. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Asserts `t.shape` equals `expected` (entries `-1` match any size). */
export function checkShape(fn: string, arg: string, t: tf.Tensor, expected: readonly number[]): void {
  const s = t.shape;
  const ok = s.length === expected.length && expected.every((e, i) => e === -1 || s[i] === e);
  if (!ok) {
    const want = expected.map((e) => (e === -1 ? "*" : String(e)));
    fail("SHAPE_MISMATCH", fn, `${arg} must have shape [${want.join(", ")}]; got ${shapeStr(s)}`, {
      arg,
      expected,
      actual: s,
    });
  }
}

/** Asserts `x` is a finite number in [lo, hi]. */
export function checkNumber(
  fn: string,
  arg: string,
  x: unknown,
  lo: number,
  hi: number,
): asserts x is number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be a finite number in [${lo}, ${hi}]; got ${String(x)}`, {
      arg,
      value: x,
    });
  }
}

/**
 * `v` `[..., ]` repeated along a new last axis of size `n`: `[..., n]`. A `[M, 1] × [1, n]` matMul:
 * tfjs' cpu backend runs broadcasting binary ops through a per-element index computation (~100× slower
 * than its same-shape path), so hot paths materialise the broadcast this way and then use same-shape
 * ops. Differentiable.
 */
export function expandLast(v: tf.Tensor, n: number): tf.Tensor {
  const m = v.size;
  return tf.reshape(tf.matMul(tf.reshape(v, [m, 1]), tf.ones([1, n])), [...v.shape, n]);
}

/**
 * `tf.sum(x)` (all axes) whose gradient is `dy · ones` through a scalar broadcast (tfjs' own `Sum`
 * gradient reshapes `dy` to `[1, ..., 1]`, which takes the cpu backend's slow broadcasting path).
 */
export const sumAll: (x: tf.Tensor) => tf.Scalar = tf.customGrad(
  (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    return {
      value: tf.sum(x),
      gradFunc: (dy: tf.Tensor) => tf.mul(tf.onesLike(x), tf.reshape(dy, [])),
    };
  },
) as (x: tf.Tensor) => tf.Scalar;

/**
 * Softmax cross-entropy of each row against its class index, optionally label-smoothed (targets
 * `(1 − ε)·onehot + ε/C`): `ce_i = logsumexp(x_i) − (1 − ε)·x_{i,y_i} − (ε/C)·Σ_c x_ic`, stable (the row
 * max is subtracted), with the analytic gradient `dx_i = dy_i · (softmax(x_i) − t_i)` (as
 * `tf.losses.softmaxCrossEntropy`). No one-hot matrix is built: the label's logit is read with
 * `gather` and its gradient written with `scatterND`; the rest is same-shape ops, row reductions and
 * {@link expandLast}, so it is fast on the cpu backend too.
 * @param logits `[N, C]` float32. @param labels `[N]` int32 in [0, C) (no gradient).
 * @param eps label smoothing ε in [0, 1).
 * @returns `[N]`.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, eps: number): tf.Tensor1D {
  const [N, C] = logits.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const y = args[1] as tf.Tensor1D;
    const save = args[2] as tf.GradSaveFunc;
    // flat index i·C + y_i of each label's logit (no [N, 2] stack: Pack is slow on wasm)
    const at = tf.reshape(tf.add(tf.range(0, N * C, C, "int32"), y), [N, 1]); // [N, 1]
    const m = tf.max(x, -1);
    const e = tf.exp(tf.sub(x, expandLast(m, C)));
    const s = tf.sum(e, -1);
    let ce = tf.sub(
      tf.add(tf.log(s), m),
      tf.mul(tf.gather(tf.reshape(x, [N * C]), tf.reshape(at, [N])), 1 - eps),
    );
    if (eps > 0) ce = tf.sub(ce, tf.mul(tf.sum(x, -1), eps / C));
    save([e, s, at]);
    return {
      value: ce,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [se, ss, sat] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        let dx = tf.sub(
          tf.mul(se, expandLast(tf.div(dy, ss), C)),
          tf.reshape(tf.scatterND(sat, tf.mul(dy, 1 - eps), [N * C]), [N, C]),
        );
        if (eps > 0) dx = tf.sub(dx, expandLast(tf.mul(dy, eps / C), C));
        return [dx, tf.zerosLike(y)];
      },
    };
  });
  return op(logits, labels) as tf.Tensor1D;
}
