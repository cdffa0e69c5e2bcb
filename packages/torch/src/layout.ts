import { describeValue, PARAM_KINDS, type ParamKind } from "@od/boxes";
import { fail } from "./errors.js";
import { numel } from "./tensor.js";

const RANK: Readonly<Record<ParamKind, number | undefined>> = {
  conv2d: 4,
  depthwise: 4,
  dense: 2,
  vector: undefined,
};

function checkShape(kind: ParamKind, shape: readonly number[], fn: string, side: string): void {
  if (!PARAM_KINDS.includes(kind))
    fail("INVALID_ARGUMENT", fn, `kind ${describeValue(kind)} is not one of ${PARAM_KINDS.join(", ")}`);
  const rank = RANK[kind];
  if (!shape.every((s) => Number.isSafeInteger(s) && s >= 0))
    fail("INVALID_ARGUMENT", fn, `${side} shape ${describeValue(shape)} must hold non-negative integers`);
  if (rank !== undefined && shape.length !== rank)
    fail(
      "INVALID_ARGUMENT",
      fn,
      `a ${kind} parameter has rank ${rank}, got ${side} shape [${shape.join(", ")}]`,
    );
}

/**
 * The torch shape of a parameter whose tfjs shape is `tfShape` (see {@link ParamKind}); e.g. conv2d
 * `[3, 3, 16, 32]` → `[32, 16, 3, 3]`, depthwise `[3, 3, 16, 1]` → `[16, 1, 3, 3]`, dense `[128, 10]` →
 * `[10, 128]`. Errors: `INVALID_ARGUMENT` (unknown kind, wrong rank).
 */
export function torchShapeOf(kind: ParamKind, tfShape: readonly number[]): number[] {
  checkShape(kind, tfShape, "torchShapeOf", "tfjs");
  switch (kind) {
    case "conv2d": {
      const [kh, kw, i, o] = tfShape as [number, number, number, number];
      return [o, i, kh, kw];
    }
    case "depthwise": {
      const [kh, kw, c, m] = tfShape as [number, number, number, number];
      return [c * m, 1, kh, kw];
    }
    case "dense": {
      const [i, o] = tfShape as [number, number];
      return [o, i];
    }
    case "vector":
      return [...tfShape];
  }
}

/**
 * Rearranges a parameter from torch's layout to tfjs's. `tfShape` is the target's tfjs shape (it fixes
 * the channel multiplier of a depthwise filter); `data` holds `numel(tfShape)` elements in torch order.
 * Returns a new `Float32Array` in tfjs order. Errors: `INVALID_ARGUMENT` (wrong length, kind or rank).
 */
export function torchToTf(kind: ParamKind, data: Float32Array, tfShape: readonly number[]): Float32Array {
  return rearrange(kind, data, tfShape, "torchToTf", true);
}

/**
 * Rearranges a parameter from tfjs's layout (`tfShape`) to torch's (shape {@link torchShapeOf}); the
 * inverse of {@link torchToTf}. Returns a new `Float32Array` in torch order.
 */
export function tfToTorch(kind: ParamKind, data: Float32Array, tfShape: readonly number[]): Float32Array {
  return rearrange(kind, data, tfShape, "tfToTorch", false);
}

function rearrange(
  kind: ParamKind,
  data: Float32Array,
  tfShape: readonly number[],
  fn: string,
  toTf: boolean,
): Float32Array {
  checkShape(kind, tfShape, fn, "tfjs");
  const n = numel(tfShape);
  if (data.length !== n)
    fail(
      "INVALID_ARGUMENT",
      fn,
      `data has ${data.length} elements but shape [${tfShape.join(", ")}] needs ${n}`,
    );
  const out = new Float32Array(n);
  // Each branch walks the tfjs index (t) in order and computes the matching torch index (p).
  switch (kind) {
    case "vector":
      out.set(data);
      break;
    case "dense": {
      const [inC, outC] = tfShape as [number, number];
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < outC; o++) {
          const t = i * outC + o;
          const p = o * inC + i;
          if (toTf) out[t] = data[p]!;
          else out[p] = data[t]!;
        }
      break;
    }
    case "conv2d":
    case "depthwise": {
      const [kh, kw, c, m] = tfShape as [number, number, number, number];
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let a = 0; a < c; a++)
            for (let b = 0; b < m; b++) {
              const t = ((y * kw + x) * c + a) * m + b;
              // conv2d: torch [out=b, in=a, y, x]; depthwise: torch [a*m + b, 0, y, x]
              const p = kind === "conv2d" ? ((b * c + a) * kh + y) * kw + x : ((a * m + b) * kh + y) * kw + x;
              if (toTf) out[t] = data[p]!;
              else out[p] = data[t]!;
            }
      break;
    }
  }
  return out;
}
