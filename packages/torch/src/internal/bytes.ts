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

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, the zip checksum) of `b`, unsigned. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
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
