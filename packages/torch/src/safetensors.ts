import { describeValue } from "@od/boxes";
import {
  type DType,
  dtypeOfSafetensors,
  encodeElements,
  itemSize,
  safetensorsOfDType,
  safetensorsRank,
  viewElements,
} from "./dtypes.js";
import { fail } from "./errors.js";
import { u64, utf8 } from "./internal/bytes.js";
import { defaultByteBudget } from "./pth.js";
import { type AnyTorchTensor, checkTensor, numel, type StateDict } from "./tensor.js";

/** What a `.safetensors` file holds: its tensors (in file order) and its `__metadata__` strings. */
export interface SafetensorsContents {
  /** Tensors by name, in the order of their data in the file. */
  readonly tensors: StateDict;
  /** The header's `__metadata__` (string → string), `{}` when absent. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Options of {@link readSafetensors}. */
export interface ReadSafetensorsOptions {
  /** Name of the file for messages (default `"<bytes>"`). */
  readonly file?: string;
  /** Upper bound, in bytes, on the tensor copies made. Default {@link defaultByteBudget}. */
  readonly byteBudget?: number;
}

/** Largest JSON header accepted, in bytes (the reference implementation's limit: 100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** The header key of the free-form string metadata. */
const METADATA_KEY = "__metadata__";

/**
 * Reads a `.safetensors` file: a little-endian u64 header length N, N bytes of JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, offsets relative to the
 * data after the header), then the tensors' bytes (little-endian, row-major). Checked as the reference
 * implementation does: N ≤ file size − 8 and ≤ 100 MB, UTF-8 JSON object, every dtype known, shapes of
 * non-negative integers, `end − begin = numel × itemsize`, offsets contiguous from 0 and ending exactly
 * at the end of the file. Each tensor gets its own copy. Errors: `BAD_SAFETENSORS` (naming the file and
 * the tensor), `LIMIT_EXCEEDED`.
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const fn = "readSafetensors";
  const file = options.file ?? "<bytes>";
  const bad = (why: string, details: Record<string, unknown> = {}): never =>
    fail("BAD_SAFETENSORS", fn, `${file}: ${why}`, { file, ...details });
  const byteBudget = options.byteBudget ?? defaultByteBudget(bytes.length);
  const n = u64(bytes, 0);
  if (n === undefined)
    return bad(`${bytes.length < 8 ? "shorter than its 8-byte header length" : "header length beyond 2^53"}`);
  if (n > SAFETENSORS_MAX_HEADER) bad(`header length ${n} exceeds ${SAFETENSORS_MAX_HEADER} bytes`);
  if (8 + n > bytes.length) bad(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const text = utf8(bytes.subarray(8, 8 + n));
  if (text === undefined) bad("header is not UTF-8");
  let header: unknown;
  try {
    header = JSON.parse(text!);
  } catch (e) {
    bad(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    return bad("header is not a JSON object");
  const metadata: Record<string, string> = {};
  const infos: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (typeof info !== "object" || info === null || Array.isArray(info))
        bad("__metadata__ is not an object");
      for (const [k, v] of Object.entries(info as object)) {
        if (typeof v !== "string") bad(`__metadata__ entry ${JSON.stringify(k)} is not a string`, { key: k });
        // An own property even for keys such as "__proto__", which plain assignment would treat as the
        // object's prototype (the key would vanish from the result).
        Object.defineProperty(metadata, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      continue;
    }
    const at = (why: string): never => bad(`tensor ${JSON.stringify(name)} ${why}`, { key: name });
    if (typeof info !== "object" || info === null) return at("has no info object");
    const { dtype: dt, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = typeof dt === "string" ? dtypeOfSafetensors(dt) : undefined;
    if (dtype === undefined) return at(`has dtype ${describeValue(dt)}, which od does not read`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      return at(`has shape ${describeValue(shape)}, not a list of non-negative integers`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    )
      return at(`has data_offsets ${describeValue(offsets)}, not [begin, end] with 0 <= begin <= end`);
    const count = numel(shape);
    if (!Number.isSafeInteger(count * itemSize(dtype)) || offsets[1] - offsets[0] !== count * itemSize(dtype))
      at(
        `has shape [${shape.join(", ")}] of ${dtype} (${count * itemSize(dtype)} bytes) but data_offsets [${offsets.join(", ")}] span ${offsets[1] - offsets[0]}`,
      );
    infos.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of infos) {
    if (t.begin !== expected)
      bad(
        `tensor ${JSON.stringify(t.name)} starts at ${t.begin}, not at ${expected} where the previous one ends`,
        {
          key: t.name,
        },
      );
    expected = t.end;
  }
  const dataStart = 8 + n;
  if (dataStart + expected !== bytes.length)
    bad(`the tensors end at byte ${dataStart + expected} but the file has ${bytes.length}`);
  let remaining = byteBudget;
  const tensors = new Map<string, AnyTorchTensor>();
  for (const t of infos) {
    const size = t.end - t.begin;
    if (size > remaining)
      fail(
        "LIMIT_EXCEEDED",
        fn,
        `${file}: tensor ${JSON.stringify(t.name)} would exceed the byte budget of ${byteBudget}`,
        {
          file,
          key: t.name,
          byteBudget,
        },
      );
    remaining -= size;
    const raw = bytes.subarray(dataStart + t.begin, dataStart + t.end);
    const data = viewElements(t.dtype, raw, numel(t.shape)).slice();
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data } as AnyTorchTensor);
  }
  return { tensors, metadata };
}

/** Options of {@link writeSafetensors}. */
export interface WriteSafetensorsOptions {
  /** Free-form strings written as the header's `__metadata__` (omitted when absent). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Compares strings by their UTF-8 bytes (Rust's `str` order, which the reference writer sorts by). */
function compareUtf8(a: string, b: string): number {
  const ea = UTF8_ENCODER.encode(a);
  const eb = UTF8_ENCODER.encode(b);
  const len = Math.min(ea.length, eb.length);
  for (let i = 0; i < len; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}
const UTF8_ENCODER = new TextEncoder();

/** A UTF-16 surrogate without its pair: JSON.stringify escapes it, but no UTF-8 reader accepts it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Writes tensors as a `.safetensors` file, byte for byte as the reference implementation
 * (huggingface/safetensors `serialize`) does: tensors sorted by dtype alignment (descending, its
 * `Dtype` order) then by name, compact JSON header with `__metadata__` first (its keys sorted), padded
 * with spaces to a multiple of 8 bytes, data little-endian row-major. The same input gives the same
 * bytes. Errors: `BAD_TENSOR` (naming the key), `INVALID_ARGUMENT` (a tensor named `__metadata__`, a
 * metadata value that is not a string, a name or metadata string with a lone UTF-16 surrogate, which the
 * reference reader refuses).
 */
export function writeSafetensors(tensors: StateDict, options: WriteSafetensorsOptions = {}): Uint8Array {
  const fn = "writeSafetensors";
  const entries = [...tensors];
  for (const [key, t] of entries) {
    if (key === METADATA_KEY) fail("INVALID_ARGUMENT", fn, `a tensor may not be named ${METADATA_KEY}`);
    if (LONE_SURROGATE.test(key))
      fail(
        "INVALID_ARGUMENT",
        fn,
        `tensor name ${JSON.stringify(key)} is not well-formed Unicode (a lone surrogate)`,
      );
    checkTensor(t, fn, key);
  }
  entries.sort(
    ([ka, a], [kb, b]) => safetensorsRank(b.dtype) - safetensorsRank(a.dtype) || compareUtf8(ka, kb),
  );
  const parts: string[] = [];
  if (options.metadata !== undefined) {
    const meta: string[] = [];
    for (const k of Object.keys(options.metadata).sort(compareUtf8)) {
      const v: unknown = options.metadata[k];
      if (typeof v !== "string")
        fail("INVALID_ARGUMENT", fn, `metadata ${JSON.stringify(k)} is not a string`);
      if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v as string))
        fail(
          "INVALID_ARGUMENT",
          fn,
          `metadata ${JSON.stringify(k)} is not well-formed Unicode (a lone surrogate)`,
        );
      meta.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(",")}}`);
  }
  let offset = 0;
  for (const [key, t] of entries) {
    const size = t.data.byteLength;
    parts.push(
      `${JSON.stringify(key)}:{"dtype":${JSON.stringify(safetensorsOfDType(t.dtype))},"shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + size}]}`,
    );
    offset += size;
  }
  const json = UTF8_ENCODER.encode(`{${parts.join(",")}}`);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of entries) {
    out.set(encodeElements(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}
