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

/**
 * The same archive in zip64 form: every central-directory entry stores its sizes and local-header
 * offset as 0xFFFFFFFF with the real values in a zip64 extra field, and the end record points to a
 * zip64 end record (as writers do past 4 GiB or 65,535 entries). Input: an archive without comments.
 */
export function toZip64(zip: Uint8Array): Uint8Array {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  if (v.getUint32(eocd, true) !== 0x06054b50) throw new Error("toZip64: archive has a comment");
  const count = v.getUint16(eocd + 10, true);
  const cdOffset = v.getUint32(eocd + 12 + 4, true);
  const parts: number[] = [];
  const push32 = (n: number) => parts.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const push16 = (n: number) => parts.push(n & 0xff, (n >>> 8) & 0xff);
  const push64 = (n: number) => {
    push32(n % 2 ** 32);
    push32(Math.floor(n / 2 ** 32));
  };
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const csize = v.getUint32(p + 20, true);
    const usize = v.getUint32(p + 24, true);
    const local = v.getUint32(p + 42, true);
    parts.push(...zip.subarray(p, p + 20));
    push32(0xffffffff);
    push32(0xffffffff);
    push16(nameLen);
    push16(extraLen + 28);
    push16(commentLen);
    parts.push(...zip.subarray(p + 34, p + 42));
    push32(0xffffffff);
    parts.push(...zip.subarray(p + 46, p + 46 + nameLen + extraLen));
    push16(1);
    push16(24);
    push64(usize);
    push64(csize);
    push64(local);
    parts.push(...zip.subarray(p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + commentLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  const cdSize = parts.length;
  const zip64End = cdOffset + cdSize;
  push32(0x06064b50);
  push64(44);
  push16(45);
  push16(45);
  push32(0);
  push32(0);
  push64(count);
  push64(count);
  push64(cdSize);
  push64(cdOffset);
  push32(0x07064b50);
  push32(0);
  push64(zip64End);
  push32(1);
  push32(0x06054b50);
  push16(0);
  push16(0);
  push16(0xffff);
  push16(0xffff);
  push32(0xffffffff);
  push32(0xffffffff);
  push16(0);
  const out = new Uint8Array(cdOffset + parts.length);
  out.set(zip.subarray(0, cdOffset));
  out.set(parts, cdOffset);
  return out;
}
