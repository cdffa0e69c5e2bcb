/**
 * The Node-only entry of `@od/boxes` (`@od/boxes/node`): what every od package that writes files
 * shares, starting with the one atomic file write (`@od/ssd`, `@od/train` and `@od/onnx` all call it and
 * wrap its error in their own).
 * @packageDocumentation
 */
import { constants } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { BoxesError } from "./errors.js";

/** What a temporary name carries: `<file>.tmp-<pid>`. A name holding it is a leftover of a killed write. */
export const TMP_MARK = ".tmp-";

/** The temporary name {@link writeFileAtomic} writes `file` under first: `<file>.tmp-<pid>`. */
export function tempPathOf(file: string): string {
  return `${file}${TMP_MARK}${process.pid}`;
}

/**
 * The file-system steps of one {@link writeFileAtomic}, in order: open and write the temporary file,
 * fsync it, rename it over `file`, fsync the folder.
 */
export type AtomicWriteStep = "write" | "sync" | "rename" | "sync-dir";

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Called just before each step (four per write, see {@link AtomicWriteStep}); a crash test counts
   * them and stops the process at one (`@od/train`'s kill injection).
   */
  readonly beforeStep?: (step: AtomicWriteStep) => void;
}

/**
 * fsyncs a folder so the renames inside it are on disk; does nothing where a folder cannot be opened or
 * fsynced (some network file systems: the renames stay atomic, only their durability is the system's).
 */
export async function syncDir(dir: string): Promise<void> {
  let dh: Awaited<ReturnType<typeof open>>;
  try {
    dh = await open(dir, constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    await dh.sync();
  } catch {
    // Directory fsync is not supported everywhere (e.g. some network file systems); renames stay atomic.
  } finally {
    await dh.close();
  }
}

/**
 * Writes `data` to `file` so that a crash never leaves a partial file under `file`: to
 * {@link tempPathOf}`(file)` first, fsynced, renamed over `file`, then the folder fsynced. A write that
 * fails leaves an existing `file` as it was and removes the temporary file it made (nothing it did not
 * make); a killed process may leave the temporary file (its name holds {@link TMP_MARK}). The folder
 * must exist.
 * @param data bytes, or a string written as UTF-8.
 * @throws BoxesError `IO_FAILED` naming the path, with the file-system error as `cause`.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const step = options.beforeStep ?? (() => undefined);
  const tmp = tempPathOf(file);
  let created = false;
  try {
    step("write");
    const fh = await open(tmp, "w");
    created = true;
    try {
      await fh.writeFile(data);
      step("sync");
      await fh.sync();
    } finally {
      await fh.close();
    }
    step("rename");
    await rename(tmp, file);
  } catch (e) {
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw new BoxesError("IO_FAILED", `writeFileAtomic: cannot write ${file}: ${(e as Error).message}`, {
      details: { fn: "writeFileAtomic", file },
      cause: e,
    });
  }
  step("sync-dir");
  await syncDir(path.dirname(file));
}
