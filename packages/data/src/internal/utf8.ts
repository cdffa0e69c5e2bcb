import { fail } from "./fail.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Byte offset of the first byte that does not start a valid UTF-8 sequence, or -1 (RFC 3629). */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0 || i + need >= n) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes an annotation file's bytes as UTF-8 (a leading BOM is dropped).
 * @throws DataError `MALFORMED_ANNOTATION` naming the file, line and byte offset of the first invalid
 *   sequence: invalid bytes are never replaced by U+FFFD (they would become new class names).
 */
export function decodeUtf8(fn: string, bytes: Uint8Array, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const hex = (bytes[at] ?? 0).toString(16).padStart(2, "0");
    return fail(
      "MALFORMED_ANNOTATION",
      fn,
      `${file}:${line}: not valid UTF-8 (byte ${at} is 0x${hex}); save the file as UTF-8`,
      { file, line, offset: at },
    );
  }
}
