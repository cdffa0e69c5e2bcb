import * as tf from "@tensorflow/tfjs-core";
import { unsafeBoxes } from "../construct.js";
import { checkBoxes, checkFormat, checkUnits, fail } from "../internal/check.js";
import type { Boxes, BoxFormat, BoxUnits } from "../types.js";
import { checkBoxesTensor, checkBoxTensor, shapeOf } from "./internal.js";
import { type BoxTensor, unsafeBoxTensor } from "./types.js";

/**
 * Wraps a tensor as boxes of the given format and units, checking shape and dtype (O(1): never reads
 * the values, so it is free on any backend).
 * @param tensor `[..., N, 4]` float32 tensor (rank ≥ 2); not copied, the result refers to it.
 * @example const pred = boxTensor(tf.tensor2d([[0.5, 0.5, 0.2, 0.4]]), "cxcywh", "rel");
 * @throws BoxesError `NOT_BOXES` (not a tensor), `SHAPE_MISMATCH` (rank < 2 or last axis ≠ 4),
 *   `INVALID_ARGUMENT` (not float32, disposed, unknown format or units).
 */
export function boxTensor<F extends BoxFormat, U extends BoxUnits>(
  tensor: tf.Tensor,
  format: F,
  units: U,
): BoxTensor<F, U> {
  checkFormat("boxTensor", "format", format);
  checkUnits("boxTensor", "units", units);
  checkBoxesTensor("boxTensor", "tensor", tensor);
  return unsafeBoxTensor(tensor, format, units);
}

/** True when `x` has the shape of a {@link BoxTensor} (tag, format, units, a live `[..., 4]` float32 tensor). */
export function isBoxTensor(x: unknown): x is BoxTensor {
  try {
    checkBoxTensor("isBoxTensor", "x", x);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies typed-array boxes into a new `[N, 4]` float32 tensor (the boundary from `@od/boxes` into a
 * model). The data is copied, so later changes to `b.data` do not reach the tensor.
 * @param b `[N, 4]` boxes, any format and units (N may be 0).
 * @returns a BoxTensor of shape `[N, 4]`, same format and units; the caller disposes it.
 * @throws BoxesError `NOT_BOXES` when `b` is not Boxes.
 */
export function boxesToTensor<F extends BoxFormat, U extends BoxUnits>(b: Boxes<F, U>): BoxTensor<F, U> {
  checkBoxes("boxesToTensor", "b", b);
  return unsafeBoxTensor(tf.tensor2d(b.data.slice(), [b.length, 4], "float32"), b.format, b.units);
}

function checkRank2(fn: string, t: BoxTensor): void {
  checkBoxTensor(fn, "t", t);
  if (t.tensor.rank !== 2) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `t.tensor must have shape [N, 4]; got ${shapeOf(t.tensor)} (use tensorToBoxesBatch for [B, N, 4])`,
      {
        actual: t.tensor.shape,
      },
    );
  }
}

function checkRank3(fn: string, t: BoxTensor): void {
  checkBoxTensor(fn, "t", t);
  if (t.tensor.rank !== 3) {
    fail("SHAPE_MISMATCH", fn, `t.tensor must have shape [B, N, 4]; got ${shapeOf(t.tensor)}`, {
      actual: t.tensor.shape,
    });
  }
}

function splitBatch<F extends BoxFormat, U extends BoxUnits>(
  t: BoxTensor<F, U>,
  data: Float32Array,
): Boxes<F, U>[] {
  const [B = 0, N = 0] = t.tensor.shape;
  const out: Boxes<F, U>[] = [];
  for (let i = 0; i < B; i++)
    out.push(unsafeBoxes(data.slice(i * N * 4, (i + 1) * N * 4), t.format, t.units));
  return out;
}

/**
 * Reads a `[N, 4]` BoxTensor back into typed-array Boxes (the boundary out of a model). Asynchronous:
 * does not block the backend (use it on webgl/webgpu). The tensor is not disposed.
 * @param t `[N, 4]` BoxTensor.
 * @returns `[N, 4]` Boxes with their own copy of the data, same format and units.
 * @throws BoxesError `SHAPE_MISMATCH` for another rank (see {@link tensorToBoxesBatch}), `NOT_BOXES`.
 */
export async function tensorToBoxes<F extends BoxFormat, U extends BoxUnits>(
  t: BoxTensor<F, U>,
): Promise<Boxes<F, U>> {
  checkRank2("tensorToBoxes", t);
  const data = (await t.tensor.data<"float32">()).slice();
  return unsafeBoxes(data, t.format, t.units);
}

/**
 * Synchronous {@link tensorToBoxes} (`dataSync`): blocks until the backend has computed `t`; fine on
 * the cpu and wasm backends.
 * @param t `[N, 4]` BoxTensor.
 * @returns `[N, 4]` Boxes with their own copy of the data.
 */
export function tensorToBoxesSync<F extends BoxFormat, U extends BoxUnits>(t: BoxTensor<F, U>): Boxes<F, U> {
  checkRank2("tensorToBoxesSync", t);
  return unsafeBoxes(t.tensor.dataSync<"float32">().slice(), t.format, t.units);
}

/**
 * Reads a batch `[B, N, 4]` BoxTensor into B Boxes of N boxes each (one read of the whole tensor).
 * @param t `[B, N, 4]` BoxTensor.
 * @returns `B` Boxes, each `[N, 4]` with its own data.
 */
export async function tensorToBoxesBatch<F extends BoxFormat, U extends BoxUnits>(
  t: BoxTensor<F, U>,
): Promise<Boxes<F, U>[]> {
  checkRank3("tensorToBoxesBatch", t);
  return splitBatch(t, await t.tensor.data<"float32">());
}
