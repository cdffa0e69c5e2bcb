import { fail } from "./errors.js";

/**
 * Element types of torch tensors that od reads and writes. Names are torch's (`torch.float32` is
 * `"float32"`). 16-bit floats are kept as their raw bits ({@link TensorData}); {@link toFloat32}
 * widens them.
 */
export type DType =
  | "float64"
  | "float32"
  | "float16"
  | "bfloat16"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "bool";

/**
 * The typed array holding a tensor's elements, per dtype: `float16` and `bfloat16` as raw `Uint16Array`
 * bits, `bool` as `Uint8Array` of 0/1, `int64` as `BigInt64Array`.
 */
export interface TensorDataMap {
  float64: Float64Array;
  float32: Float32Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/** The typed array of dtype `D` (see {@link TensorDataMap}). */
export type TensorData<D extends DType = DType> = TensorDataMap[D];

interface DTypeInfo {
  /** Bytes per element. */
  readonly itemSize: number;
  /** The `torch.<Name>Storage` class that `torch.save` names in a `.pth` pickle. */
  readonly storage: string;
  /** The dtype's name in a `.safetensors` header. */
  readonly safetensors: string;
  /** Rank in safetensors' dtype order (its `Dtype` enum: increasing alignment); the writer sorts by it. */
  readonly safetensorsRank: number;
  /** Makes a typed array of this dtype over (a copy of) aligned little-endian bytes. */
  readonly view: (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;
  /** Makes an empty typed array of `length` elements. */
  readonly alloc: (length: number) => TensorData;
}

/** Everything od knows about each dtype, in one table: sizes, torch storage names, safetensors names. */
const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float64: {
    itemSize: 8,
    storage: "DoubleStorage",
    safetensors: "F64",
    safetensorsRank: 12,
    view: (b, o, n) => new Float64Array(b, o, n),
    alloc: (n) => new Float64Array(n),
  },
  float32: {
    itemSize: 4,
    storage: "FloatStorage",
    safetensors: "F32",
    safetensorsRank: 11,
    view: (b, o, n) => new Float32Array(b, o, n),
    alloc: (n) => new Float32Array(n),
  },
  float16: {
    itemSize: 2,
    storage: "HalfStorage",
    safetensors: "F16",
    safetensorsRank: 7,
    view: (b, o, n) => new Uint16Array(b, o, n),
    alloc: (n) => new Uint16Array(n),
  },
  bfloat16: {
    itemSize: 2,
    storage: "BFloat16Storage",
    safetensors: "BF16",
    safetensorsRank: 8,
    view: (b, o, n) => new Uint16Array(b, o, n),
    alloc: (n) => new Uint16Array(n),
  },
  int64: {
    itemSize: 8,
    storage: "LongStorage",
    safetensors: "I64",
    safetensorsRank: 13,
    view: (b, o, n) => new BigInt64Array(b, o, n),
    alloc: (n) => new BigInt64Array(n),
  },
  int32: {
    itemSize: 4,
    storage: "IntStorage",
    safetensors: "I32",
    safetensorsRank: 9,
    view: (b, o, n) => new Int32Array(b, o, n),
    alloc: (n) => new Int32Array(n),
  },
  int16: {
    itemSize: 2,
    storage: "ShortStorage",
    safetensors: "I16",
    safetensorsRank: 5,
    view: (b, o, n) => new Int16Array(b, o, n),
    alloc: (n) => new Int16Array(n),
  },
  int8: {
    itemSize: 1,
    storage: "CharStorage",
    safetensors: "I8",
    safetensorsRank: 2,
    view: (b, o, n) => new Int8Array(b, o, n),
    alloc: (n) => new Int8Array(n),
  },
  uint8: {
    itemSize: 1,
    storage: "ByteStorage",
    safetensors: "U8",
    safetensorsRank: 1,
    view: (b, o, n) => new Uint8Array(b, o, n),
    alloc: (n) => new Uint8Array(n),
  },
  bool: {
    itemSize: 1,
    storage: "BoolStorage",
    safetensors: "BOOL",
    safetensorsRank: 0,
    view: (b, o, n) => new Uint8Array(b, o, n),
    alloc: (n) => new Uint8Array(n),
  },
};

/** Every dtype od handles, in a fixed order. */
export const DTYPE_NAMES: readonly DType[] = Object.keys(DTYPES) as DType[];

/** True when `s` is one of {@link DTYPE_NAMES}. */
export function isDType(s: unknown): s is DType {
  return typeof s === "string" && Object.hasOwn(DTYPES, s);
}

/** Bytes per element of `dtype` (8 for float64/int64, 4 for float32/int32, 2 for 16-bit, 1 otherwise). */
export function itemSize(dtype: DType): number {
  return DTYPES[dtype].itemSize;
}

/** The dtype of a torch storage class name (`"FloatStorage"` → `"float32"`), or undefined. */
export function dtypeOfStorage(storageName: string): DType | undefined {
  return DTYPE_NAMES.find((d) => DTYPES[d].storage === storageName);
}

/** The torch storage class name of a dtype (`"float32"` → `"FloatStorage"`). */
export function storageOfDType(dtype: DType): string {
  return DTYPES[dtype].storage;
}

/** The dtype of a safetensors dtype name (`"F32"` → `"float32"`), or undefined. */
export function dtypeOfSafetensors(name: string): DType | undefined {
  return DTYPE_NAMES.find((d) => DTYPES[d].safetensors === name);
}

/** The safetensors dtype name of a dtype (`"float32"` → `"F32"`). */
export function safetensorsOfDType(dtype: DType): string {
  return DTYPES[dtype].safetensors;
}

/** Rank of a dtype in safetensors' dtype order (`BOOL` 0 … `I64` 13; the reference writer sorts by it, descending). */
export function safetensorsRank(dtype: DType): number {
  return DTYPES[dtype].safetensorsRank;
}

/** A new zero-filled typed array of `length` elements of `dtype`. */
export function allocData<D extends DType>(dtype: D, length: number): TensorData<D> {
  return DTYPES[dtype].alloc(length) as TensorData<D>;
}

/** True on little-endian hosts (every platform Node and browsers ship on today). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `length` elements of `dtype` from `bytes` (little-endian unless `bigEndian`) into a new,
 * aligned typed array that owns its memory. `bytes.length` must be `length × itemSize(dtype)`.
 */
export function decodeElements<D extends DType>(
  dtype: D,
  bytes: Uint8Array,
  length: number,
  bigEndian = false,
): TensorData<D> {
  const size = DTYPES[dtype].itemSize;
  if (bytes.length !== length * size)
    fail(
      "BAD_TENSOR",
      "decodeElements",
      `${length} ${dtype} elements need ${length * size} bytes, got ${bytes.length}`,
    );
  const copy = new Uint8Array(bytes);
  if (bigEndian !== !HOST_LITTLE_ENDIAN && size > 1) swapBytes(copy, size);
  return DTYPES[dtype].view(copy.buffer, 0, length) as TensorData<D>;
}

/**
 * Like {@link decodeElements}, but returns a view sharing `bytes`' memory when no conversion is needed
 * (little-endian data on a little-endian host, aligned for the element size); a copy otherwise.
 */
export function viewElements<D extends DType>(
  dtype: D,
  bytes: Uint8Array,
  length: number,
  bigEndian = false,
): TensorData<D> {
  const size = DTYPES[dtype].itemSize;
  if (bytes.length === length * size && bigEndian !== HOST_LITTLE_ENDIAN && bytes.byteOffset % size === 0)
    return DTYPES[dtype].view(bytes.buffer as ArrayBuffer, bytes.byteOffset, length) as TensorData<D>;
  return decodeElements(dtype, bytes, length, bigEndian);
}

/** The little-endian bytes of a typed array's elements (a view when the host is little-endian). */
export function encodeElements(data: TensorData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return bytes;
  const copy = new Uint8Array(bytes);
  swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/** Reverses the byte order of each `size`-byte element of `bytes`, in place. */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** The float32 value of IEEE 754 half-precision bits (`0x3c00` → 1; subnormals, ±Inf and NaN kept). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The float32 value of bfloat16 bits (the upper 16 bits of a float32; exact). */
export function bfloat16ToFloat(bits: number): number {
  BF16_SCRATCH_U32[0] = (bits & 0xffff) << 16;
  return BF16_SCRATCH_F32[0]!;
}
const BF16_SCRATCH_F32 = new Float32Array(1);
const BF16_SCRATCH_U32 = new Uint32Array(BF16_SCRATCH_F32.buffer);
