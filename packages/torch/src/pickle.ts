import { describeValue } from "@od/boxes";
import { type DType, dtypeOfStorage, itemSize, type TensorData } from "./dtypes.js";
import { fail } from "./errors.js";
import { utf8 } from "./internal/bytes.js";
import { type AnyTorchTensor, numel } from "./tensor.js";

/**
 * A value read from a `.pth` pickle: Python's `None`, `bool`, `int` (a `number`, or a `bigint` beyond
 * ±2^53), `float`, `str`, `bytes` (`Uint8Array`), `list` and `tuple` (arrays; tuples frozen), `dict` /
 * `OrderedDict` ({@link PickleDict}), a tensor ({@link AnyTorchTensor}) or an allowed plain object
 * ({@link PickleObject}, e.g. an `argparse.Namespace`).
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly PickleValue[]
  | PickleDict
  | AnyTorchTensor
  | PickleObject;

/** A dict key: only hashable scalars are accepted. */
export type PickleKey = string | number | bigint | boolean | null;

/** A Python `dict` or `OrderedDict`, in insertion order. */
export type PickleDict = ReadonlyMap<PickleKey, PickleValue>;

/** An instance of an allowed plain-data class (e.g. `argparse.Namespace`): its class and attributes. */
export interface PickleObject {
  /** `module.name` of the class, e.g. `"argparse.Namespace"`. */
  readonly className: string;
  /** The instance's attributes (its `__dict__`). */
  readonly attributes: PickleDict;
}

/** A storage handed out by {@link PickleOptions.loadStorage}: its dtype and elements. */
export interface LoadedStorage {
  /** Element type of the storage. */
  readonly dtype: DType;
  /** Every element of the storage. */
  readonly data: TensorData;
}

/** Options of {@link readPickle}. */
export interface PickleOptions {
  /**
   * Resolves a torch persistent id `('storage', <dtype>, key, location, numel)` to the storage's elements
   * (for a `.pth`, the archive entry `<prefix>/data/<key>`). Called once per key; results are shared.
   */
  readonly loadStorage: (key: string, dtype: DType, numel: number, offset: number) => LoadedStorage;
  /** Charges `n` bytes of tensor elements against the caller's byte budget; throws `LIMIT_EXCEEDED` past it. */
  readonly spend: (n: number) => void;
  /** The file name for messages. */
  readonly file: string;
  /** The function name for messages. */
  readonly fn: string;
}

/** Longest LONG4 integer read, in bytes (a state dict's ints fit in 8; this keeps decoding linear). */
const MAX_LONG_BYTES = 64;

/** Largest tensor rank accepted (torch's own limit is 64). */
const MAX_RANK = 64;

/**
 * The globals a torch state dict pickle may name, and nothing else. None is ever looked up or called:
 * each is a marker that the reader interprets itself.
 */
const ALLOWED_GLOBALS = new Set([
  "collections.OrderedDict",
  "collections.Counter",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "argparse.Namespace",
  ...[
    "DoubleStorage",
    "FloatStorage",
    "HalfStorage",
    "BFloat16Storage",
    "LongStorage",
    "IntStorage",
    "ShortStorage",
    "CharStorage",
    "ByteStorage",
    "BoolStorage",
  ].map((s) => `torch.${s}`),
]);

/** Names of the allowed globals (`module.name`), for documentation and messages. */
export const PICKLE_ALLOWED_GLOBALS: readonly string[] = [...ALLOWED_GLOBALS];

class Global {
  constructor(readonly name: string) {}
}
class StorageRef {
  constructor(
    readonly key: string,
    readonly storage: LoadedStorage,
  ) {}
}

type Item = PickleValue | Global | StorageRef | MutableObject | readonly Item[];
interface MutableObject {
  readonly className: string;
  attributes: Map<PickleKey, PickleValue>;
}

const isDict = (v: unknown): v is Map<PickleKey, PickleValue> => v instanceof Map;
const isKey = (v: unknown): v is PickleKey =>
  v === null || ["string", "number", "bigint", "boolean"].includes(typeof v);

/** Opcode names, for messages. */
const OPNAMES: Record<number, string> = {
  128: "PROTO",
  149: "FRAME",
  78: "NONE",
  136: "NEWTRUE",
  137: "NEWFALSE",
  74: "BININT",
  75: "BININT1",
  77: "BININT2",
  138: "LONG1",
  139: "LONG4",
  71: "BINFLOAT",
  88: "BINUNICODE",
  140: "SHORT_BINUNICODE",
  141: "BINUNICODE8",
  66: "BINBYTES",
  67: "SHORT_BINBYTES",
  41: "EMPTY_TUPLE",
  116: "TUPLE",
  133: "TUPLE1",
  134: "TUPLE2",
  135: "TUPLE3",
  93: "EMPTY_LIST",
  97: "APPEND",
  101: "APPENDS",
  125: "EMPTY_DICT",
  115: "SETITEM",
  117: "SETITEMS",
  113: "BINPUT",
  114: "LONG_BINPUT",
  148: "MEMOIZE",
  104: "BINGET",
  106: "LONG_BINGET",
  81: "BINPERSID",
  82: "REDUCE",
  129: "NEWOBJ",
  98: "BUILD",
  40: "MARK",
  46: "STOP",
  48: "POP",
  49: "POP_MARK",
  50: "DUP",
  70: "FLOAT",
  73: "INT",
  76: "LONG",
  80: "PERSID",
  83: "STRING",
  86: "UNICODE",
  99: "GLOBAL",
  100: "DICT",
  103: "GET",
  105: "INST",
  108: "LIST",
  111: "OBJ",
  112: "PUT",
  130: "EXT1",
  131: "EXT2",
  132: "EXT4",
  146: "NEWOBJ_EX",
  147: "STACK_GLOBAL",
};

/**
 * Reads a pickle written by `torch.save` (protocol 2; the data opcodes of protocols 3–4 too) without
 * executing anything. Accepted: `None`/bools/ints/floats/strings/bytes, lists, tuples, dicts, memo
 * opcodes, and the globals of {@link PICKLE_ALLOWED_GLOBALS} interpreted by the reader itself
 * (`OrderedDict` and `Counter` as dicts, `_rebuild_tensor_v2` / `_rebuild_parameter`, the storage classes
 * in persistent ids, `argparse.Namespace` as plain attributes). Tensors are materialised contiguously (strides and
 * storage offsets applied; each tensor owns its copy, so tensors sharing a storage do not alias).
 *
 * Every read is bounded: work is linear in the input, strings cannot exceed the input, tensor bytes
 * are charged to `spend`. Errors: `FORBIDDEN_GLOBAL` (names the global and byte offset; nothing is
 * called), `BAD_PICKLE` (unknown or unsupported opcode, malformed operands, with its offset),
 * `BAD_TENSOR` (strides outside the storage), `LIMIT_EXCEEDED` (byte budget).
 */
export function readPickle(bytes: Uint8Array, options: PickleOptions): PickleValue {
  const { fn, file } = options;
  const stack: Item[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Item>();
  const storages = new Map<string, StorageRef>();
  let pos = 0;
  let op = 0;
  let opAt = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const bad = (why: string): never =>
    fail("BAD_PICKLE", fn, `${file}: pickle ${why} (opcode ${opName(op)} at byte ${opAt})`, {
      file,
      offset: opAt,
      opcode: opName(op),
    });
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) bad(`is truncated: ${n} more bytes needed at ${pos}`);
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): Item => {
    const base = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= base) bad("pops an empty stack");
    return stack.pop()!;
  };
  const top = (): Item => {
    const base = marks.length > 0 ? marks[marks.length - 1]! : 0;
    if (stack.length <= base) bad("reads an empty stack");
    return stack[stack.length - 1]!;
  };
  const popMark = (): Item[] => {
    if (marks.length === 0) bad("has no MARK to pop to");
    const base = marks.pop()!;
    return stack.splice(base);
  };
  const checkedTuples = new WeakSet<object>();
  /** `v` as data: no reader marker (global, storage) in it or in the tuples it holds, at any depth. */
  const value = (v: Item, what: string): PickleValue => {
    const pending: Item[] = [v];
    while (pending.length > 0) {
      const item = pending.pop()!;
      if (item instanceof Global || item instanceof StorageRef)
        return bad(`uses ${describeItem(item)} as ${what}`);
      if (Array.isArray(item) && Object.isFrozen(item) && !checkedTuples.has(item)) {
        checkedTuples.add(item);
        for (const inner of item as Item[]) pending.push(inner);
      }
    }
    return v as PickleValue;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) bad("has an unterminated GLOBAL name");
    const s = utf8(bytes.subarray(pos, end));
    pos = end + 1;
    if (s === undefined) bad("has a GLOBAL name that is not UTF-8");
    return s!;
  };
  const text = (n: number): string => {
    const at = need(n);
    const s = utf8(bytes.subarray(at, at + n));
    return s === undefined ? bad("has a string that is not UTF-8") : s;
  };
  const global = (module: string, name: string): Global => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full))
      fail(
        "FORBIDDEN_GLOBAL",
        fn,
        `${file}: pickle names the global ${full} at byte ${opAt}; only tensors, storages and plain data are read (never executed)`,
        { file, offset: opAt, global: full },
      );
    return new Global(full);
  };
  const setItems = (target: Item, items: Item[]): void => {
    if (!isDict(target)) bad(`sets items on ${describeItem(target)}`);
    const dict = target as Map<PickleKey, PickleValue>;
    if (items.length % 2 !== 0) bad("has an odd number of dict items");
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i]!;
      if (!isKey(k)) bad(`uses ${describeItem(k)} as a dict key`);
      dict.set(k as PickleKey, value(items[i + 1]!, "a dict value"));
    }
  };
  const append = (target: Item, items: Item[]): void => {
    if (!Array.isArray(target) || Object.isFrozen(target)) bad(`appends to ${describeItem(target)}`);
    for (const it of items) (target as PickleValue[]).push(value(it, "a list item"));
  };
  const int = (v: Item, what: string): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v))
      return bad(`has ${what} ${describeItem(v)}, not an int`);
    return v;
  };
  const persistent = (pid: Item): StorageRef => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage")
      return bad(
        `has a persistent id ${describeItem(pid)} that is not ('storage', type, key, location, numel)`,
      );
    const [, type, key, , count] = pid as unknown as Item[];
    if (!(type instanceof Global)) return bad("has a persistent id without a storage type");
    const dtype = type.name.startsWith("torch.") ? dtypeOfStorage(type.name.slice(6)) : undefined;
    if (dtype === undefined) return bad(`has a persistent id whose storage type is ${type.name}`);
    if (typeof key !== "string") return bad("has a persistent id whose key is not a string");
    const n = int(count ?? null, "a storage size");
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.storage.dtype !== dtype)
        bad(`reads storage ${key} as ${dtype} and as ${known.storage.dtype}`);
      return known;
    }
    const ref = new StorageRef(key, options.loadStorage(key, dtype, n, opAt));
    storages.set(key, ref);
    return ref;
  };
  const rebuildTensor = (args: readonly Item[]): AnyTorchTensor => {
    if (args.length < 4) return bad(`calls _rebuild_tensor_v2 with ${args.length} arguments`);
    const [storage, offsetItem, sizeItem, strideItem] = args;
    if (!(storage instanceof StorageRef))
      return bad("rebuilds a tensor from something that is not a storage");
    const offset = int(offsetItem!, "a storage offset");
    if (!Array.isArray(sizeItem) || !Array.isArray(strideItem) || sizeItem.length !== strideItem.length)
      return bad("rebuilds a tensor whose size and stride are not tuples of one length");
    if (sizeItem.length > MAX_RANK) return bad(`rebuilds a tensor of rank ${sizeItem.length} > ${MAX_RANK}`);
    const shape = (sizeItem as Item[]).map((s) => int(s, "a size"));
    const stride = (strideItem as Item[]).map((s) => int(s, "a stride"));
    if (shape.some((s) => s < 0) || stride.some((s) => s < 0) || offset < 0)
      return bad("rebuilds a tensor with a negative size, stride or offset");
    return gather(storage, offset, shape, stride);
  };
  const gather = (ref: StorageRef, offset: number, shape: number[], stride: number[]): AnyTorchTensor => {
    const { dtype, data } = ref.storage;
    const n = numel(shape);
    options.spend(n * itemSize(dtype));
    const storageLen = data.length;
    if (n > 0) {
      let last = offset;
      for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
      if (last >= storageLen)
        fail(
          "BAD_TENSOR",
          fn,
          `${file}: a tensor of shape [${shape.join(", ")}], stride [${stride.join(", ")}], offset ${offset} reads element ${last} of storage ${ref.key}, which has ${storageLen}`,
          { file, storage: ref.key },
        );
    }
    const contiguous = isContiguous(shape, stride);
    let out: TensorData;
    if (contiguous) out = data.slice(offset, offset + n);
    else {
      out = data.slice(0, 0);
      out = new (out.constructor as new (n: number) => TensorData)(n);
      copyStrided(data, out, offset, shape, stride);
    }
    return { dtype, shape, data: out } as AnyTorchTensor;
  };
  const reduce = (callable: Item, args: Item): Item => {
    if (!(callable instanceof Global)) return bad(`calls ${describeItem(callable)}`);
    if (!Array.isArray(args)) return bad(`calls ${callable.name} with arguments that are not a tuple`);
    const a = args as readonly Item[];
    switch (callable.name) {
      case "collections.OrderedDict": {
        if (a.length > 0) bad("builds an OrderedDict from arguments");
        return new Map<PickleKey, PickleValue>();
      }
      case "collections.Counter": {
        const init = a[0];
        if (a.length > 1 || (init !== undefined && !isDict(init)))
          bad("builds a Counter from something that is not a dict");
        return new Map(init === undefined ? [] : (init as Map<PickleKey, PickleValue>));
      }
      case "torch._utils._rebuild_tensor_v2": {
        const hooks = a[5];
        if (hooks !== undefined && !(isDict(hooks) && hooks.size === 0))
          bad("rebuilds a tensor with backward hooks");
        return rebuildTensor(a);
      }
      case "torch._utils._rebuild_parameter": {
        const t = a[0];
        if (a.length < 1 || !isTensor(t))
          return bad("rebuilds a parameter from something that is not a tensor");
        return t;
      }
      default:
        return bad(`calls ${callable.name}, which is not callable`);
    }
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.length) bad("ends without STOP");
    op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)]! > 5) bad(`has protocol ${bytes[pos - 1]}`);
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: {
        // STOP
        if (stack.length !== 1 || marks.length !== 0) bad(`stops with ${stack.length} items on the stack`);
        return value(stack[0]!, "the result");
      }
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]!);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: {
        // LONG1
        const n = bytes[need(1)]!;
        stack.push(readLong(bytes, need(n), n));
        break;
      }
      case 0x8b: {
        // LONG4
        const n = view.getInt32(need(4), true);
        if (n > MAX_LONG_BYTES) bad(`has an integer of ${n} bytes (at most ${MAX_LONG_BYTES} are read)`);
        stack.push(readLong(bytes, need(n), n));
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(view.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(bytes[need(1)]!));
        break;
      case 0x8d: {
        // BINUNICODE8
        const n = readU64(view, need(8));
        stack.push(text(n ?? -1));
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = view.getUint32(need(4), true);
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const n = bytes[need(1)]!;
        stack.push(bytes.slice(need(n), pos));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()) as Item);
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: Item[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(Object.freeze(items) as Item);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark().map((v) => value(v, "a list item")));
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map<PickleKey, PickleValue>());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new Map<PickleKey, PickleValue>();
        setItems(d, items);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(bytes[need(1)]!, top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const idx = op === 0x68 ? bytes[need(1)]! : view.getUint32(need(4), true);
        if (!memo.has(idx)) bad(`reads memo slot ${idx}, which was never written`);
        stack.push(memo.get(idx)!);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") bad("names a global with non-strings");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(cls instanceof Global) || cls.name !== "argparse.Namespace")
          bad(`instantiates ${describeItem(cls)}, which is not a plain-data class`);
        if (!Array.isArray(args) || args.length > 0) bad("instantiates argparse.Namespace with arguments");
        const obj: MutableObject = { className: "argparse.Namespace", attributes: new Map() };
        stack.push(obj);
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (!isDict(state)) bad(`sets the state of ${describeItem(target)} from ${describeItem(state)}`);
        if (isDict(target)) break; // an OrderedDict's attributes (torch's `_metadata` of module versions)
        if (!isObject(target)) bad(`sets the state of ${describeItem(target)}`);
        for (const [k, v] of state as Map<PickleKey, PickleValue>)
          (target as MutableObject).attributes.set(k, v);
        break;
      }
      default:
        bad(
          OPNAMES[op] === undefined
            ? `has an unknown opcode 0x${op.toString(16)}`
            : `uses ${OPNAMES[op]}, which a torch state dict never needs`,
        );
    }
  }
}

function opName(op: number): string {
  return OPNAMES[op] ?? `0x${op.toString(16).padStart(2, "0")}`;
}

function isObject(v: unknown): v is MutableObject {
  return typeof v === "object" && v !== null && "className" in v && "attributes" in v;
}

function isTensor(v: unknown): v is AnyTorchTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v;
}

function describeItem(v: unknown): string {
  if (v instanceof Global) return `the global ${v.name}`;
  if (v instanceof StorageRef) return `storage ${v.key}`;
  if (v instanceof Map) return "a dict";
  if (isTensor(v)) return `a ${v.dtype} tensor`;
  if (isObject(v)) return `an ${v.className}`;
  if (Array.isArray(v)) return Object.isFrozen(v) ? "a tuple" : "a list";
  if (v === null) return "None";
  return describeValue(v);
}

/** A little-endian two's-complement integer of `n` bytes (LONG1/LONG4), as a number when safe. */
function readLong(bytes: Uint8Array, at: number, n: number): number | bigint {
  if (n === 0) return 0;
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  if (bytes[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readU64(view: DataView, at: number): number | undefined {
  const v = view.getBigUint64(at, true);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** True when `stride` is the row-major stride of `shape` (dimensions of size 1 may have any stride). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d]! !== 1 && stride[d]! !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** Copies the strided view (`offset`, `shape`, `stride`) of `src` into `dst` in row-major order. */
function copyStrided(
  src: TensorData,
  dst: TensorData,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): void {
  const rank = shape.length;
  const n = dst.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  const s = src as unknown as { [i: number]: number | bigint };
  const d = dst as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < n; i++) {
    d[i] = s[at]!;
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      at += stride[k]!;
      if (index[k]! < shape[k]!) break;
      at -= shape[k]! * stride[k]!;
      index[k] = 0;
    }
  }
}
