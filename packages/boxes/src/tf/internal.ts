/**
 * Helpers shared by the tensor ops: run-time checks that throw {@link BoxesError} (message names the op,
 * the argument and the actual shape), splitting a `[..., 4]` tensor into xyxy coordinate tensors, and
 * gradient-safe arithmetic. Not exported from `@od/boxes/tf`.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Variances } from "../encode.js";
import { describeValue } from "../errors.js";
import { checkFormat, checkSame, checkUnits, fail } from "../internal/check.js";
import type { BoxFormat, BoxUnits } from "../types.js";
import { BOX_TENSOR_KIND, type BoxTensor } from "./types.js";

/** `[a, b, c]` for error messages. */
export function shapeOf(t: tf.Tensor): string {
  return `[${t.shape.join(", ")}]`;
}

/** Asserts `t` is a live float32 tensor of shape `[..., 4]` with rank ≥ `minRank`. */
export function checkBoxesTensor(fn: string, arg: string, t: unknown, minRank = 2): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) {
    fail("NOT_BOXES", fn, `${arg} must be a tf.Tensor; got ${describeValue(t)}`, { arg });
  }
  if (t.isDisposed) fail("INVALID_ARGUMENT", fn, `${arg} is a disposed tensor`, { arg });
  if (t.rank < minRank || t.shape[t.rank - 1] !== 4) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `${arg} must have shape [${minRank > 2 ? "B, " : ""}..., N, 4] (rank >= ${minRank}); got ${shapeOf(t)}`,
      {
        arg,
        actual: t.shape,
      },
    );
  }
  if (t.dtype !== "float32") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${arg} must be a float32 tensor; got ${t.dtype} (cast it with tf.cast(t, "float32"))`,
      {
        arg,
        actual: t.dtype,
      },
    );
  }
}

/**
 * Run-time check that `b` is a {@link BoxTensor} over a live `[..., 4]` float32 tensor, optionally of a
 * given format and units. O(1): tags and shape only, never the values.
 */
export function checkBoxTensor(
  fn: string,
  arg: string,
  b: unknown,
  format?: BoxFormat,
  units?: BoxUnits,
): asserts b is BoxTensor {
  const r = b as Partial<BoxTensor> | null;
  if (typeof r !== "object" || r === null || r.kind !== BOX_TENSOR_KIND) {
    const hint = b instanceof tf.Tensor ? " (wrap a raw tensor with boxTensor(t, format, units))" : "";
    fail(
      "NOT_BOXES",
      fn,
      `${arg} must be a BoxTensor${hint}; got ${b instanceof tf.Tensor ? `a tf.Tensor ${shapeOf(b)}` : describeValue(b)}`,
      {
        arg,
      },
    );
  }
  checkFormat(fn, `${arg}.format`, r.format);
  checkUnits(fn, `${arg}.units`, r.units);
  checkBoxesTensor(fn, `${arg}.tensor`, r.tensor);
  if (format !== undefined && r.format !== format) {
    fail("FORMAT_MISMATCH", fn, `${arg} must be ${format} boxes; got ${r.format}`, {
      arg,
      expected: format,
      actual: r.format,
    });
  }
  if (units !== undefined && r.units !== units) {
    fail("UNITS_MISMATCH", fn, `${arg} must be in ${units} units; got ${r.units}`, {
      arg,
      expected: units,
      actual: r.units,
    });
  }
}

/** Asserts two BoxTensors share format and units (the Boxes check, with the tensor ops named in hints). */
export function checkSameT(fn: string, a: BoxTensor, b: BoxTensor, argA = "a", argB = "b"): void {
  checkSame(fn, a, b, argA, argB, { convert: "convertT()", units: "toRelT()/toPxT()" });
}

/**
 * Numpy broadcast of two shapes, or `undefined` when they do not broadcast.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array<number>(n);
  for (let k = 1; k <= n; k++) {
    const x = a[a.length - k] ?? 1;
    const y = b[b.length - k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out[n - k] = x === 1 ? y : x;
  }
  return out;
}

/** Asserts the shapes broadcast; returns the broadcast shape. */
export function checkBroadcast(
  fn: string,
  argA: string,
  a: readonly number[],
  argB: string,
  b: readonly number[],
  what: string,
): number[] {
  const s = broadcastShapes(a, b);
  if (s === undefined) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `${what} of ${argA} [${a.join(", ")}] and ${argB} [${b.join(", ")}] do not broadcast`,
      {
        expected: a,
        actual: b,
      },
    );
  }
  return s;
}

/** Asserts 4 finite positive variances. */
export function checkVariancesT(fn: string, v: unknown): asserts v is Variances {
  if (
    !Array.isArray(v) ||
    v.length !== 4 ||
    !v.every((x) => typeof x === "number" && Number.isFinite(x) && x > 0)
  ) {
    fail("INVALID_ARGUMENT", fn, `options.variances must be 4 finite numbers > 0; got ${describeValue(v)}`, {
      arg: "options.variances",
    });
  }
}

/** Corner coordinates of boxes, each a tensor of the same shape (the box shape without its last axis). */
export interface XyxyParts {
  readonly x1: tf.Tensor;
  readonly y1: tf.Tensor;
  readonly x2: tf.Tensor;
  readonly y2: tf.Tensor;
}

/** The four coordinate columns of a `[..., 4]` tensor, each `[...]`. */
export function columns(t: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor] {
  if (t.size === 0) {
    // Unpack fails on some empty tensors of the cpu backend (values stored as a plain array); an empty
    // [..., 4] reshapes to an empty [...] without touching data and keeps the gradient tape connected.
    const shape = t.shape.slice(0, -1);
    return [tf.reshape(t, shape), tf.reshape(t, shape), tf.reshape(t, shape), tf.reshape(t, shape)];
  }
  const [a, b, c, d] = tf.unstack(t, t.rank - 1);
  return [a as tf.Tensor, b as tf.Tensor, c as tf.Tensor, d as tf.Tensor];
}

/** Splits `[..., 4]` boxes of format `f` into xyxy corner tensors `[...]` (torchvision `_box_convert`). */
export function toXyxyParts(t: tf.Tensor, f: BoxFormat): XyxyParts {
  const [a, b, c, d] = columns(t);
  switch (f) {
    case "xyxy":
      return { x1: a, y1: b, x2: c, y2: d };
    case "yxyx":
      return { x1: b, y1: a, x2: d, y2: c };
    case "xywh":
      return { x1: a, y1: b, x2: tf.add(a, c), y2: tf.add(b, d) };
    case "cxcywh": {
      const hw = tf.mul(c, 0.5);
      const hh = tf.mul(d, 0.5);
      return { x1: tf.sub(a, hw), y1: tf.sub(b, hh), x2: tf.add(a, hw), y2: tf.add(b, hh) };
    }
  }
}

/** Stacks xyxy corner tensors `[...]` into `[..., 4]` boxes of format `f`. */
export function fromXyxyParts(p: XyxyParts, f: BoxFormat): tf.Tensor {
  const { x1, y1, x2, y2 } = p;
  const axis = x1.rank;
  switch (f) {
    case "xyxy":
      return tf.stack([x1, y1, x2, y2], axis);
    case "yxyx":
      return tf.stack([y1, x1, y2, x2], axis);
    case "xywh":
      return tf.stack([x1, y1, tf.sub(x2, x1), tf.sub(y2, y1)], axis);
    case "cxcywh":
      return tf.stack(
        [tf.mul(tf.add(x1, x2), 0.5), tf.mul(tf.add(y1, y2), 0.5), tf.sub(x2, x1), tf.sub(y2, y1)],
        axis,
      );
  }
}

/**
 * Wraps a function that computes a boolean mask from float tensors so that the gradient tape sees a
 * single node with zero gradients. tfjs registers no gradients for `Greater`, `Equal` or the logical
 * ops, so a mask computed from differentiable inputs would otherwise stop `tf.grad` with "gradient
 * function not found".
 */
function maskOp(f: (...xs: tf.Tensor[]) => tf.Tensor): (...xs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = args.slice(0, -1) as tf.Tensor[];
    save(xs);
    return {
      value: f(...xs),
      gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((x) => tf.zerosLike(x)),
    };
  });
}

/** `x > 0` as a boolean tensor, transparent to gradients. */
export const isPositive: (x: tf.Tensor) => tf.Tensor = maskOp((x) => tf.greater(x, 0));

/** 0 where `w == 0 && h == 0` (a point box), else 1, as float32; transparent to gradients. */
export const notPoint: (w: tf.Tensor, h: tf.Tensor) => tf.Tensor = maskOp((w, h) =>
  tf.cast(tf.logicalOr(tf.notEqual(w, 0), tf.notEqual(h, 0)), "float32"),
);

/**
 * `num / den` where `den > 0`, else 0, with finite gradients everywhere: the denominator is replaced by
 * 1 where it is not positive BEFORE dividing, so the unused branch never holds NaN or ±Inf (the
 * `tf.where` gradient would otherwise multiply them by 0 and give NaN).
 */
export function safeDiv(num: tf.Tensor, den: tf.Tensor): tf.Tensor {
  const ok = isPositive(den);
  return tf.where(ok, tf.div(num, tf.where(ok, den, tf.onesLike(den))), tf.zerosLike(num));
}

/** Identity in the forward pass, zero gradient in the backward pass (torch `.detach()` / `no_grad`). */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad(
  (...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }),
);
