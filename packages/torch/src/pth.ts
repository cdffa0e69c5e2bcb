import { itemSize, viewElements } from "./dtypes.js";
import { fail } from "./errors.js";
import { utf8 } from "./internal/bytes.js";
import { extractZipEntry, listZip, type ZipEntry } from "./internal/zip.js";
import { type PickleDict, type PickleValue, readPickle } from "./pickle.js";
import type { AnyTorchTensor, StateDict } from "./tensor.js";

/** Options of {@link readPth} and {@link readPthObject}. */
export interface ReadPthOptions {
  /**
   * For a checkpoint that wraps the state dict (torchvision's reference scripts save
   * `{"model": state_dict, "optimizer": …, "epoch": n, "args": …}`), the entry holding it (`"model"`).
   * Without it the pickled object itself must be the state dict.
   */
  readonly key?: string;
  /**
   * Upper bound, in bytes, on what reading may allocate: inflated entries plus tensor elements (a
   * tensor that views a shared storage counts on its own). Default {@link defaultByteBudget}.
   */
  readonly byteBudget?: number;
  /** Name of the file for messages (default `"<bytes>"`). */
  readonly file?: string;
}

/**
 * The default byte budget of the readers for an input of `inputBytes` bytes: 8 × the input plus
 * 64 MiB, enough for any state dict whose tensors do not broadcast one storage many times over.
 */
export function defaultByteBudget(inputBytes: number): number {
  return 8 * inputBytes + 64 * 1024 * 1024;
}

const ZIP_MAGIC = 0x04034b50;

/**
 * Reads a `torch.save` file (the zip format of torch ≥ 1.6: `<prefix>/data.pkl`, `<prefix>/data/<key>`,
 * `<prefix>/version`, optional `<prefix>/byteorder`) into the object it holds, without executing any
 * of it (only plain data, tensors and the globals listed in `PICKLE_ALLOWED_GLOBALS`, each interpreted by
 * the reader, never called). Tensors come back contiguous, row-major, in
 * torch's layout. Errors: `BAD_ARCHIVE` (not a zip, legacy pre-1.6 format, corrupt or truncated entry,
 * missing storage), `BAD_PICKLE`, `FORBIDDEN_GLOBAL`, `BAD_TENSOR`, `LIMIT_EXCEEDED`, all naming the
 * file.
 */
export function readPthObject(bytes: Uint8Array, options: ReadPthOptions = {}): PickleValue {
  return readPthWith(bytes, options, "readPthObject");
}

function readPthWith(bytes: Uint8Array, options: ReadPthOptions, fn: string): PickleValue {
  const file = options.file ?? "<bytes>";
  const byteBudget = options.byteBudget ?? defaultByteBudget(bytes.length);
  if (!(byteBudget >= 0)) fail("INVALID_ARGUMENT", fn, `byteBudget must be >= 0, got ${byteBudget}`);
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5)
    fail(
      "BAD_ARCHIVE",
      fn,
      `${file} is in torch's legacy (pre-1.6) format; load it in torch and save it again with torch.save`,
      { file },
    );
  if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) !== ZIP_MAGIC)
    fail("BAD_ARCHIVE", fn, `${file} is not a torch.save zip archive (no zip header)`, { file });
  const entries = listZip(bytes, fn, file);
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1)
    fail("BAD_ARCHIVE", fn, `${file} must hold exactly one <prefix>/data.pkl, found ${pickles.length}`, {
      file,
    });
  const prefix = pickles[0]!.slice(0, -"/data.pkl".length);
  let remaining = byteBudget;
  const spend = (n: number, what: string): void => {
    if (n > remaining)
      fail("LIMIT_EXCEEDED", fn, `${file}: ${what} would exceed the byte budget of ${byteBudget} bytes`, {
        file,
        byteBudget,
      });
    remaining -= n;
  };
  const extract = (entry: ZipEntry): Uint8Array => {
    if (entry.method !== 0) spend(entry.size, `inflating ${entry.name} (${entry.size} bytes)`);
    return extractZipEntry(bytes, entry, fn, file);
  };
  const byteorderEntry = entries.get(`${prefix}/byteorder`);
  let bigEndian = false;
  if (byteorderEntry !== undefined) {
    const order = utf8(extract(byteorderEntry))?.trim();
    if (order !== "little" && order !== "big")
      fail("BAD_ARCHIVE", fn, `${file}: byteorder is ${JSON.stringify(order)}, not "little" or "big"`, {
        file,
      });
    bigEndian = order === "big";
  }
  const versionEntry = entries.get(`${prefix}/version`);
  if (versionEntry !== undefined) {
    const version = utf8(extract(versionEntry))?.trim();
    if (version === undefined || !/^[1-3]$/.test(version))
      fail(
        "BAD_ARCHIVE",
        fn,
        `${file}: format version ${JSON.stringify(version)} is not one od reads (1 to 3)`,
        {
          file,
        },
      );
  }
  const pkl = extract(entries.get(pickles[0]!)!);
  const value = readPickle(pkl, {
    fn,
    file,
    spend: (n) => spend(n, `the tensors (${n} more bytes)`),
    loadStorage: (key, dtype, numel, offset) => {
      const name = `${prefix}/data/${key}`;
      const entry = entries.get(name);
      if (entry === undefined)
        return fail(
          "BAD_ARCHIVE",
          fn,
          `${file}: storage ${key} (pickle byte ${offset}) has no entry ${name}`,
          {
            file,
            entry: name,
          },
        );
      const expected = numel * itemSize(dtype);
      if (entry.size !== expected)
        fail(
          "BAD_ARCHIVE",
          fn,
          `${file}: storage ${key} should hold ${numel} ${dtype} elements (${expected} bytes) but ${name} has ${entry.size}`,
          { file, entry: name },
        );
      return { dtype, data: viewElements(dtype, extract(entry), numel, bigEndian) };
    },
  });
  return value;
}

/**
 * Reads the state dict of a `torch.save` file: the pickled object itself, or its entry `options.key`
 * for a wrapping checkpoint. Keys and order are torch's; tensors are contiguous copies in torch's
 * layout (shared storages are not aliased). Nothing is executed ({@link readPthObject}).
 * Errors: those of {@link readPthObject}, and `BAD_ARCHIVE` when the object is not a state dict (the
 * message lists the checkpoint's top-level keys when `key` is missing or wrong) or a value is not a
 * tensor (naming its key).
 * @example
 * const sd = readPth(bytes, { key: "model" }); // torchvision reference-script checkpoint
 * sd.get("head.regression_head.module_list.0.1.weight")?.shape; // [24, 672, 1, 1]
 */
export function readPth(bytes: Uint8Array, options: ReadPthOptions = {}): StateDict {
  const fn = "readPth";
  const file = options.file ?? "<bytes>";
  const root = readPthWith(bytes, options, fn);
  let target: PickleValue = root;
  if (options.key !== undefined) {
    if (!(root instanceof Map) || !root.has(options.key))
      fail(
        "BAD_ARCHIVE",
        fn,
        `${file} has no entry ${JSON.stringify(options.key)}${root instanceof Map ? `; its entries are ${listKeys(root)}` : " (it is not a dict)"}`,
        { file, key: options.key },
      );
    target = (root as PickleDict).get(options.key)!;
  }
  return asStateDict(target, fn, file, options.key);
}

function listKeys(d: PickleDict): string {
  return [...d.keys()]
    .slice(0, 20)
    .map((k) => JSON.stringify(String(k)))
    .join(", ");
}

function isTensor(v: PickleValue): v is AnyTorchTensor {
  return typeof v === "object" && v !== null && !(v instanceof Map) && !Array.isArray(v) && "dtype" in v;
}

function asStateDict(v: PickleValue, fn: string, file: string, key: string | undefined): StateDict {
  const where = key === undefined ? file : `${file} entry ${JSON.stringify(key)}`;
  if (!(v instanceof Map))
    return fail("BAD_ARCHIVE", fn, `${where} is not a state dict (not a dict)`, { file });
  const out = new Map<string, AnyTorchTensor>();
  for (const [k, t] of v) {
    if (typeof k !== "string" || !isTensor(t)) {
      const hint =
        key === undefined && [...v.values()].some((x) => x instanceof Map)
          ? `; it looks like a checkpoint with entries ${listKeys(v)}: pass { key } to pick the state dict`
          : "";
      return fail(
        "BAD_ARCHIVE",
        fn,
        `${where} is not a state dict: entry ${JSON.stringify(String(k))} is not a tensor${hint}`,
        {
          file,
          key: String(k),
        },
      );
    }
    out.set(k, t);
  }
  return out;
}
