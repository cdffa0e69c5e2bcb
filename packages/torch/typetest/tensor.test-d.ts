// What must NOT compile (each `@ts-expect-error` must be used, or tsc fails), and what the types are.
// Checked by `npx tsc -p tsconfig.test.json`.
import {
  type AnyTorchTensor,
  loadStateDict,
  makeTensor,
  type ParamKind,
  type StateDict,
  type TorchTensor,
  torchShapeOf,
} from "@od/torch";

// The data array follows the dtype.
const half: TorchTensor<"float16"> = makeTensor("float16", [2], new Uint16Array(2));
// @ts-expect-error float16 bits live in a Uint16Array, not a Float32Array
makeTensor("float16", [2], new Float32Array(2));
// @ts-expect-error int64 elements are bigints (BigInt64Array)
makeTensor("int64", [1], new Int32Array(1));
// @ts-expect-error dtypes are torch's names only
makeTensor("complex64", [1], new Float32Array(2));

// AnyTorchTensor narrows on dtype.
function sum(t: AnyTorchTensor): number {
  if (t.dtype === "int64") {
    const big: BigInt64Array = t.data;
    return Number(big[0] ?? 0n);
  }
  if (t.dtype === "float32") {
    const f: Float32Array = t.data;
    return f[0] ?? 0;
  }
  return 0;
}
sum(half);

// A state dict is read-only for its consumers.
declare const sd: StateDict;
// @ts-expect-error ReadonlyMap has no set
sd.set("x", half);

// Kinds are a closed set.
const kind: ParamKind = "depthwise";
torchShapeOf(kind, [3, 3, 8, 1]);
// @ts-expect-error "conv3d" is not a ParamKind
torchShapeOf("conv3d", [1]);
// @ts-expect-error a target needs its kind
loadStateDict([{ key: "w", shape: [1] }], sd);
