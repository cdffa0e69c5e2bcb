import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/** Why a file could not be read. */
export type ReadFailureKind = "missing" | "not-regular" | "too-large" | "io";

/** A file that could not be read, with a one-line reason (no path: callers add it). */
export class ReadFailure extends Error {
  constructor(
    readonly kind: ReadFailureKind,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = "ReadFailure";
  }
}

/** `O_NONBLOCK` where the platform has it: opening a FIFO then returns at once instead of waiting for a writer. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindName(s: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a FIFO";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  if (s.isSocket()) return "a socket";
  return "not a regular file";
}

/** A regular file opened for reading, with its size in bytes at open time. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly size: number;
}

/**
 * Opens a regular file for reading without ever blocking: the open is non-blocking (a FIFO does not
 * wait for a writer) and the opened descriptor is checked with `fstat` (so a symlink to `/dev/zero`
 * is refused too).
 * @param maxBytes files larger than this are refused from their size.
 * @throws ReadFailure `missing`, `not-regular`, `too-large` or `io`.
 */
export async function openRegularFile(file: string, maxBytes: number): Promise<OpenedFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new ReadFailure("missing", "does not exist", { cause: e });
    throw new ReadFailure("io", (e as Error).message, { cause: e });
  }
  try {
    const s = await handle.stat();
    if (!s.isFile()) throw new ReadFailure("not-regular", `is ${kindName(s)}, not a regular file`);
    if (s.size > maxBytes)
      throw new ReadFailure("too-large", `is ${s.size} bytes, over the limit of ${maxBytes} bytes`);
    return { handle, size: s.size };
  } catch (e) {
    await handle.close();
    if (e instanceof ReadFailure) throw e;
    throw new ReadFailure("io", (e as Error).message, { cause: e });
  }
}

/** Reads up to `length` bytes from `position` (fewer at the end of the file). */
export async function readAt(f: OpenedFile, position: number, length: number): Promise<Uint8Array> {
  const n = Math.max(0, Math.min(length, f.size - position));
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { bytesRead } = await f.handle.read(buf, got, n - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === n ? buf : buf.subarray(0, got);
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes (see {@link openRegularFile}).
 * @throws ReadFailure `missing`, `not-regular`, `too-large` or `io`.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Uint8Array> {
  const f = await openRegularFile(file, maxBytes);
  try {
    return await readAt(f, 0, f.size);
  } catch (e) {
    throw new ReadFailure("io", (e as Error).message, { cause: e });
  } finally {
    await f.handle.close();
  }
}
