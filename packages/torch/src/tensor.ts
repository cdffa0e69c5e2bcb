import { describeValue } from "@od/boxes";
import { allocData, bfloat16ToFloat, type DType, halfToFloat, isDType, type TensorData } from "./dtypes.js";
import { fail } from "./errors.js";

/**
 * One tensor as torch stores it: `dtype`, `shape` in torch's layout (e.g. a conv weight is
 * `[out, in, kh, kw]`), and `data` holding every element contiguously in row-major (C) order.
 * A 0-d tensor (e.g. BatchNorm's `num_batches_tracked`) has `shape` `[]` and one element.
 */
export interface TorchTensor<D extends DType = DType> {
  /** Element type (torch's name). */
  readonly dtype: D;
  /** Sizes of each dimension, torch layout; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** `numel(shape)` elements, contiguous row-major (see {@link TensorData} for the array type per dtype). */
  readonly data: TensorData<D>;
}

/** Any {@link TorchTensor}, discriminated by `dtype` (narrow with `t.dtype === "float32"`). */
export type AnyTorchTensor = { [D in DType]: TorchTensor<D> }[DType];

/**
 * A model's parameters and buffers by torch's key (`"backbone.features.0.0.weight"`), in the order of
 * the file. The result of `model.state_dict()` in torch.
 */
export type StateDict = ReadonlyMap<string, AnyTorchTensor>;

/** Number of elements of a shape (the product of its sizes; 1 for `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Makes a {@link TorchTensor}, checking that `shape` holds non-negative integers and that `data` is the
 * dtype's array type with exactly `numel(shape)` elements. Errors: `BAD_TENSOR`.
 */
export function makeTensor<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data: TensorData<D>,
): TorchTensor<D> {
  checkTensor({ dtype, shape, data }, "makeTensor");
  return { dtype, shape: [...shape], data };
}

/** Throws `BAD_TENSOR` from `fn` unless `t` is a consistent tensor (dtype known, shape valid, data length right). */
export function checkTensor(
  t: { dtype: unknown; shape: unknown; data: unknown },
  fn: string,
  key?: string,
): void {
  const where = key === undefined ? "" : ` of ${JSON.stringify(key)}`;
  if (!isDType(t.dtype))
    fail("BAD_TENSOR", fn, `dtype${where} ${describeValue(t.dtype)} is not one od handles`);
  if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isSafeInteger(s) && s >= 0))
    fail("BAD_TENSOR", fn, `shape${where} must be non-negative integers, got ${describeValue(t.shape)}`);
  const expected = allocData(t.dtype, 0).constructor;
  if (!(t.data instanceof expected))
    fail("BAD_TENSOR", fn, `data${where} of a ${t.dtype} tensor must be a ${expected.name}`, { key });
  const n = numel(t.shape);
  const len = (t.data as TensorData).length;
  if (len !== n)
    fail("BAD_TENSOR", fn, `data${where} has ${len} elements but shape [${t.shape.join(", ")}] needs ${n}`, {
      key,
    });
}

/** The floating dtypes {@link toFloat32} widens or narrows. */
export type FloatDType = "float64" | "float32" | "float16" | "bfloat16";

/**
 * The elements of a floating tensor as a new `Float32Array` (same shape, row-major): float16 and
 * bfloat16 are widened exactly, float64 is rounded to nearest float32, float32 is copied.
 * Errors: `INVALID_ARGUMENT` for an integer or bool tensor (convert those explicitly).
 */
export function toFloat32(t: AnyTorchTensor): Float32Array {
  switch (t.dtype) {
    case "float32":
      return new Float32Array(t.data);
    case "float64":
      return Float32Array.from(t.data);
    case "float16":
      return Float32Array.from(t.data, halfToFloat);
    case "bfloat16":
      return Float32Array.from(t.data, bfloat16ToFloat);
    default:
      return fail("INVALID_ARGUMENT", "toFloat32", `a ${t.dtype} tensor is not floating point`, {
        dtype: t.dtype,
      });
  }
}

/**
 * One line per entry, `key dtype [shape]` (e.g. `conv.weight float32 [16, 3, 3, 3]`), for logs and error
 * messages; at most `limit` lines (default 50) then `… N more`.
 */
export function describeStateDict(sd: StateDict, limit = 50): string {
  const lines: string[] = [];
  for (const [key, t] of sd) {
    if (lines.length === limit) {
      lines.push(`… ${sd.size - limit} more`);
      break;
    }
    lines.push(`${key} ${t.dtype} [${t.shape.join(", ")}]`);
  }
  return lines.join("\n");
}

/**
 * The state dict with `prefix` removed from every key that starts with it (other keys unchanged, order
 * kept); e.g. `"module."`, which `DistributedDataParallel` puts before every key when its own
 * `state_dict()` is saved. Errors: `INVALID_ARGUMENT` when two keys become one.
 */
export function stripKeyPrefix(sd: StateDict, prefix: string): StateDict {
  const out = new Map<string, AnyTorchTensor>();
  for (const [key, t] of sd) {
    const k = key.startsWith(prefix) ? key.slice(prefix.length) : key;
    if (out.has(k))
      fail(
        "INVALID_ARGUMENT",
        "stripKeyPrefix",
        `keys ${JSON.stringify(key)} and ${JSON.stringify(k)} both become ${JSON.stringify(k)}`,
      );
    out.set(k, t);
  }
  return out;
}
