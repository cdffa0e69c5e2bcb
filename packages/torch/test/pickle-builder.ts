import { type Zippable, zipSync } from "fflate";

/** Pieces of a pickle stream, written by hand (opcodes as in CPython's Lib/pickletools.py). */
const enc = new TextEncoder();
const cat = (...parts: (number[] | Uint8Array)[]): number[] => parts.flatMap((p) => Array.from(p));
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export const P = {
  proto: (v = 2) => [0x80, v],
  stop: () => [0x2e],
  mark: () => [0x28],
  none: () => [0x4e],
  true: () => [0x88],
  false: () => [0x89],
  int1: (n: number) => [0x4b, n],
  int: (n: number) => [0x4a, ...u32le(n)],
  float: (x: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return [0x47, ...b];
  },
  long1: (bytes: number[]) => [0x8a, bytes.length, ...bytes],
  str: (s: string) => {
    const b = enc.encode(s);
    return cat([0x58, ...u32le(b.length)], b);
  },
  shortStr: (s: string) => {
    const b = enc.encode(s);
    return cat([0x8c, b.length], b);
  },
  global: (module: string, name: string) => cat([0x63], enc.encode(`${module}\n${name}\n`)),
  stackGlobal: () => [0x93],
  emptyTuple: () => [0x29],
  tuple: () => [0x74],
  tuple1: () => [0x85],
  tuple2: () => [0x86],
  emptyList: () => [0x5d],
  append: () => [0x61],
  emptyDict: () => [0x7d],
  setitem: () => [0x73],
  setitems: () => [0x75],
  put: (i: number) => [0x71, i],
  get: (i: number) => [0x68, i],
  memoize: () => [0x94],
  reduce: () => [0x52],
  build: () => [0x62],
  newobj: () => [0x81],
  persid: () => [0x51],
};

/** A pickle from pieces. */
export function pickle(...parts: number[][]): Uint8Array {
  return new Uint8Array(parts.flat());
}

/** `_rebuild_tensor_v2(('storage', torch.<storage>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
export function tensorOp(
  storage: string,
  key: string,
  numel: number,
  offset: number,
  size: number[],
  stride: number[],
): number[] {
  const ints = (xs: number[]) => [...P.mark(), ...xs.flatMap((x) => P.int(x)), ...P.tuple()];
  return [
    ...P.global("torch._utils", "_rebuild_tensor_v2"),
    ...P.mark(),
    ...P.mark(),
    ...P.str("storage"),
    ...P.global("torch", storage),
    ...P.str(key),
    ...P.str("cpu"),
    ...P.int(numel),
    ...P.tuple(),
    ...P.persid(),
    ...P.int(offset),
    ...ints(size),
    ...ints(stride),
    ...P.false(),
    ...P.global("collections", "OrderedDict"),
    ...P.emptyTuple(),
    ...P.reduce(),
    ...P.tuple(),
    ...P.reduce(),
  ];
}

/** A pickle of `{key: tensorOp, …}` (a plain dict), protocol 2. */
export function stateDictPickle(entries: [string, number[]][]): Uint8Array {
  return pickle(
    P.proto(),
    P.emptyDict(),
    P.mark(),
    ...entries.flatMap(([k, t]) => [P.str(k), t]),
    P.setitems(),
    P.stop(),
  );
}

/** A torch.save-style archive: `archive/data.pkl`, `archive/data/<key>` storages, `archive/version`. */
export function pthArchive(
  pkl: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  options: { level?: 0 | 6; extra?: Record<string, Uint8Array>; version?: string } = {},
): Uint8Array {
  const level = options.level ?? 0;
  const files: Zippable = { "archive/data.pkl": [pkl, { level }] };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = [v, { level }];
  files["archive/version"] = [enc.encode(`${options.version ?? "3"}\n`), { level: 0 }];
  for (const [k, v] of Object.entries(options.extra ?? {})) files[k] = [v, { level: 0 }];
  return zipSync(files);
}

/** Little-endian bytes of float32 values. */
export function f32Bytes(...v: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(v).buffer);
}
