/** Little-endian readers over a byte array that return undefined past the end (never NaN or garbage). */

/** The unsigned 16-bit little-endian value at `at`, or undefined when it does not fit in `b`. */
export function u16(b: Uint8Array, at: number): number | undefined {
  if (at < 0 || at + 2 > b.length) return undefined;
  return b[at]! | (b[at + 1]! << 8);
}

/** The unsigned 32-bit little-endian value at `at`, or undefined when it does not fit in `b`. */
export function u32(b: Uint8Array, at: number): number | undefined {
  if (at < 0 || at + 4 > b.length) return undefined;
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * The unsigned 64-bit little-endian value at `at` as a number, or undefined when it does not fit in `b`
 * or exceeds `Number.MAX_SAFE_INTEGER`.
 */
export function u64(b: Uint8Array, at: number): number | undefined {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (lo === undefined || hi === undefined || hi > 0x1fffff) return undefined;
  return hi * 2 ** 32 + lo;
}

/** Slice-by-8 CRC-32 tables: `CRC_TABLES[k * 256 + n]` is table k (k = 0 is the classic byte table). */
const CRC_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++)
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  return t;
})();

/** CRC-32 (ISO-HDLC, the zip checksum) of `b`, unsigned; eight bytes per step (slice-by-8). */
export function crc32(b: Uint8Array): number {
  const t = CRC_TABLES;
  let c = 0xffffffff;
  let i = 0;
  const end8 = b.length - (b.length % 8);
  for (; i < end8; i += 8) {
    const lo = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    const hi = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24);
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^
      t[2 * 256 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < b.length; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes strict UTF-8, or undefined when the bytes are not valid UTF-8. */
export function utf8(b: Uint8Array): string | undefined {
  try {
    return UTF8.decode(b);
  } catch {
    return undefined;
  }
}
