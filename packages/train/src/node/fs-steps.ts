/**
 * The file-system steps of a run folder (every mkdir, write, fsync, rename and remove the run-folder
 * writer and the checkpoints make), counted so a test can stop the process at any one of them: with
 * the environment variable `OD_FAULT_AT=<n>` (n ≥ 1) the process kills itself with `SIGKILL` just
 * before its n-th step, as a power cut or `kill -9` would. Without it the count costs nothing.
 * @module
 */
import { mkdir, open, rename, rm } from "node:fs/promises";
import { syncDir as syncFolder, writeFileAtomic as writeAtomically } from "@od/boxes/node";

/** The step the process dies before (`OD_FAULT_AT`), or 0 for none. */
const faultAt = (() => {
  const v = Number(process.env.OD_FAULT_AT ?? "0");
  return Number.isInteger(v) && v > 0 ? v : 0;
})();
let steps = 0;

/** File-system steps taken so far by this process (for the kill-injection test). */
export function fsStepCount(): number {
  return steps;
}

/** Counts one step; before the `OD_FAULT_AT`-th one, kills the process with `SIGKILL`. */
function step(): void {
  steps += 1;
  if (steps === faultAt) process.kill(process.pid, "SIGKILL");
}

/** `mkdir -p` as one step. */
export async function makeDir(dir: string): Promise<void> {
  step();
  await mkdir(dir, { recursive: true });
}

/** `rename` as one step. */
export async function renamePath(from: string, to: string): Promise<void> {
  step();
  await rename(from, to);
}

/** `rm -rf` as one step (nothing when `target` is absent). */
export async function removePath(target: string): Promise<void> {
  step();
  await rm(target, { recursive: true, force: true });
}

/** Writes `file` (creating or truncating it) and fsyncs it: two steps. */
export async function writeAndSync(file: string, data: string | Uint8Array): Promise<void> {
  step();
  const fh = await open(file, "w");
  try {
    await fh.writeFile(data);
    step();
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a folder so the renames inside it are on disk (one step; `syncDir` of `@od/boxes/node`). */
export async function syncDir(dir: string): Promise<void> {
  step();
  await syncFolder(dir);
}

/**
 * Writes a file so that a crash never leaves a partial file under `file` (`writeFileAtomic` of
 * `@od/boxes/node`: temporary file, fsync, rename, fsync of the folder), each of its four steps counted.
 * @throws BoxesError `IO_FAILED` naming the path.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  return writeAtomically(file, data, { beforeStep: step });
}

/** What a folder renamed aside while being replaced carries (`<name>.old-<pid>`). */
export const OLD_MARK = ".old-";

/** True for an entry an interrupted atomic write leaves: `<name>.tmp-<pid>` or `<name>.old-<pid>`. */
export function isLeftover(name: string): boolean {
  return /\.(tmp|old)-\d+$/.test(name);
}
