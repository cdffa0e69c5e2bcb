import { inflateSync } from "fflate";
import { fail } from "../errors.js";
import { crc32, u16, u32, u64, utf8 } from "./bytes.js";

/** One file of a zip archive, located but not yet extracted. */
export interface ZipEntry {
  /** Path inside the archive. */
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  /** CRC-32 of the extracted bytes. */
  readonly crc: number;
  /** First byte of the entry's (compressed) data in the archive. */
  readonly start: number;
  /** Compressed size in bytes. */
  readonly compressedSize: number;
  /** Declared extracted size in bytes. */
  readonly size: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const CENTRAL_MIN = 46;

/**
 * Lists the entries of a zip archive from its central directory, checking every offset and size
 * against the archive's length (zip64 sizes included). Nothing is extracted. Errors (`fn` named):
 * `BAD_ARCHIVE` for a missing end record, a signature or offset out of place, an encrypted entry,
 * a duplicate name or an unknown compression method.
 */
export function listZip(bytes: Uint8Array, fn: string, file: string): Map<string, ZipEntry> {
  const bad = (why: string, details: Record<string, unknown> = {}): never =>
    fail("BAD_ARCHIVE", fn, `${file} is not a readable zip archive: ${why}`, { file, ...details });
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (u32(bytes, at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) bad("no end-of-central-directory record (truncated?)");
  let count: number = u16(bytes, eocd + 10)!;
  let cdSize: number = u32(bytes, eocd + 12)!;
  let cdOffset: number = u32(bytes, eocd + 16)!;
  let cdEnd = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (u32(bytes, locator) !== EOCD64_LOCATOR) bad("zip64 sizes without a zip64 locator");
    const at = u64(bytes, locator + 8);
    if (at === undefined || u32(bytes, at) !== EOCD64) bad("zip64 end record out of place", { offset: at });
    const c = u64(bytes, at! + 32);
    const s = u64(bytes, at! + 40);
    const o = u64(bytes, at! + 48);
    if (c === undefined || s === undefined || o === undefined) bad("zip64 end record truncated");
    count = c!;
    cdSize = s!;
    cdOffset = o!;
    cdEnd = at!;
  }
  if (cdOffset + cdSize > cdEnd)
    bad(`central directory [${cdOffset}, ${cdOffset + cdSize}) overruns its end ${cdEnd}`);
  if (count > cdSize / CENTRAL_MIN) bad(`${count} entries cannot fit in a ${cdSize}-byte central directory`);
  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (u32(bytes, p) !== CENTRAL || p + CENTRAL_MIN > cdOffset + cdSize)
      bad(`central directory entry ${i} out of place`, { offset: p });
    const flags = u16(bytes, p + 8)!;
    const method = u16(bytes, p + 10)!;
    const crc = u32(bytes, p + 16)!;
    let compressedSize: number = u32(bytes, p + 20)!;
    let size: number = u32(bytes, p + 24)!;
    const nameLen = u16(bytes, p + 28)!;
    const extraLen = u16(bytes, p + 30)!;
    const commentLen = u16(bytes, p + 32)!;
    let local: number = u32(bytes, p + 42)!;
    const next = p + CENTRAL_MIN + nameLen + extraLen + commentLen;
    if (next > cdOffset + cdSize) bad(`central directory entry ${i} overruns the directory`, { offset: p });
    const name = utf8(bytes.subarray(p + CENTRAL_MIN, p + CENTRAL_MIN + nameLen));
    if (name === undefined) bad(`entry ${i} has a name that is not UTF-8`, { offset: p });
    if (flags & 1) bad(`entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) bad(`entry ${JSON.stringify(name)} uses compression method ${method}`);
    if (size === 0xffffffff || compressedSize === 0xffffffff || local === 0xffffffff) {
      const extra = bytes.subarray(p + CENTRAL_MIN + nameLen, p + CENTRAL_MIN + nameLen + extraLen);
      const z = zip64Extra(extra, size === 0xffffffff, compressedSize === 0xffffffff, local === 0xffffffff);
      if (z === undefined) bad(`entry ${JSON.stringify(name)} lacks its zip64 sizes`);
      size = z!.size ?? size;
      compressedSize = z!.compressedSize ?? compressedSize;
      local = z!.local ?? local;
    }
    if (u32(bytes, local) !== LOCAL) bad(`entry ${JSON.stringify(name)} has no local header at ${local}`);
    const start = local + 30 + u16(bytes, local + 26)! + u16(bytes, local + 28)!;
    if (start + compressedSize > cdOffset)
      bad(`entry ${JSON.stringify(name)} [${start}, ${start + compressedSize}) overruns the data area`);
    if (method === 0 && compressedSize !== size)
      bad(`stored entry ${JSON.stringify(name)} declares ${size} bytes but holds ${compressedSize}`);
    if (entries.has(name!)) bad(`entry ${JSON.stringify(name)} appears twice`);
    entries.set(name!, { name: name!, method, crc, start, compressedSize, size });
    p = next;
  }
  return entries;
}

/** The zip64 extended-information fields present (in the spec's order) for the sizes that overflowed. */
function zip64Extra(
  extra: Uint8Array,
  hasSize: boolean,
  hasCompressed: boolean,
  hasLocal: boolean,
): { size?: number; compressedSize?: number; local?: number } | undefined {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = u16(extra, q)!;
    const len = u16(extra, q + 2)!;
    if (id === 1) {
      const body = extra.subarray(q + 4, q + 4 + len);
      let at = 0;
      const next = (): number | undefined => {
        const v = u64(body, at);
        at += 8;
        return v;
      };
      const out: { size?: number; compressedSize?: number; local?: number } = {};
      if (hasSize) {
        const v = next();
        if (v === undefined) return undefined;
        out.size = v;
      }
      if (hasCompressed) {
        const v = next();
        if (v === undefined) return undefined;
        out.compressedSize = v;
      }
      if (hasLocal) {
        const v = next();
        if (v === undefined) return undefined;
        out.local = v;
      }
      return out;
    }
    q += 4 + len;
  }
  return undefined;
}

/**
 * The extracted bytes of `entry` (a view into `bytes` when stored), checked against its CRC-32.
 * A deflated entry is inflated into a buffer of its declared size, which the caller has bounded;
 * output beyond it is dropped and caught by the size and CRC checks. Errors: `BAD_ARCHIVE`.
 */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntry, fn: string, file: string): Uint8Array {
  const raw = bytes.subarray(entry.start, entry.start + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) out = raw;
  else {
    try {
      out = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      return fail(
        "BAD_ARCHIVE",
        fn,
        `${file}: entry ${JSON.stringify(entry.name)} does not inflate: ${String(e)}`,
        {
          file,
          entry: entry.name,
        },
      );
    }
    if (out.length !== entry.size)
      fail(
        "BAD_ARCHIVE",
        fn,
        `${file}: entry ${JSON.stringify(entry.name)} inflates to ${out.length} bytes, not ${entry.size}`,
        {
          file,
          entry: entry.name,
        },
      );
  }
  const crc = crc32(out);
  if (crc !== entry.crc)
    fail("BAD_ARCHIVE", fn, `${file}: entry ${JSON.stringify(entry.name)} fails its CRC-32 check (corrupt)`, {
      file,
      entry: entry.name,
      expected: entry.crc,
      actual: crc,
    });
  return out;
}
