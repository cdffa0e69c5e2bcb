/**
 * Every write into a run folder goes through here: files are written atomically (temporary name,
 * fsync, rename, fsync of the folder), model folders are replaced as a whole, and the event log is
 * appended line by line. Each file-system step is counted by `fs-steps.ts` (the kill-injection hook).
 * @module
 */
import { access, open, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { tempPathOf } from "@od/boxes/node";
import { fail } from "../errors.js";
import {
  isLeftover,
  makeDir,
  OLD_MARK,
  removePath,
  renamePath,
  syncDir,
  writeAndSync,
  writeFileAtomic,
} from "./fs-steps.js";

/** True when `file` exists (any kind). */
export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The run's event log (`log.jsonl`): one JSON object per line, each with its ISO time first. */
export interface EventLog {
  /** Appends `{ time, ...event }` as one line (not awaited: lines keep their order). */
  append(event: object): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/**
 * A run folder: resolves names inside it and writes them. Names are relative paths (`"eval.json"`,
 * `"checkpoints/last.json"`); parent folders are created as needed.
 */
export class RunFolder {
  /** Absolute path of the folder. */
  readonly dir: string;

  /** Creates nothing yet; see {@link RunFolder.create}. */
  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** Creates the folder (and its parents) if missing. */
  async create(): Promise<void> {
    await makeDir(this.dir);
  }

  /** Absolute path of `name` inside the folder. */
  path(...name: string[]): string {
    return path.join(this.dir, ...name);
  }

  /**
   * Writes `name` atomically ({@link writeFileAtomic}).
   * @throws TrainError `IO_FAILED` naming the path, wrapping the BoxesError of the write.
   */
  async write(name: string, data: string | Uint8Array): Promise<void> {
    const file = this.path(name);
    if (path.dirname(file) !== this.dir) await makeDir(path.dirname(file));
    try {
      await writeFileAtomic(file, data);
    } catch (e) {
      fail("IO_FAILED", "RunFolder.write", (e as Error).message, { file }, e);
    }
  }

  /** Writes `value` as JSON to `name` atomically (`indent` as `JSON.stringify`, typed arrays as arrays). */
  async writeJson(name: string, value: unknown, indent?: number, newline = false): Promise<void> {
    await this.write(name, jsonText(value, indent, newline));
  }

  /** Reads `name` as UTF-8 text; `undefined` when it cannot be read. */
  async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(name), "utf8");
    } catch {
      return undefined;
    }
  }

  /** Reads `name` as JSON; `undefined` when it cannot be read or is not valid JSON. */
  async readJson(name: string): Promise<unknown> {
    const text = await this.readText(name);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** True when `name` exists in the folder. */
  exists(name: string): Promise<boolean> {
    return exists(this.path(name));
  }

  /**
   * Replaces the model folder `name` (`best`, `model`, `classifier`) with what `save` writes into it:
   * `save` writes `<name>.tmp-<pid>`, the old folder is renamed aside to `<name>.old-<pid>`, the new
   * one takes its place, the old one is removed. The folder is never half-written; between the two
   * renames it is absent (a kill there leaves the `.old-` folder, which {@link RunFolder.removeLeftovers}
   * removes once the folder has been derived again).
   */
  async replaceModel(name: string, save: (dir: string) => Promise<void>): Promise<void> {
    const dir = this.path(name);
    const tmp = tempPathOf(dir);
    const old = `${dir}${OLD_MARK}${process.pid}`;
    await removePath(tmp);
    await save(tmp);
    await syncDir(tmp);
    await removePath(old);
    if (await exists(dir)) await renamePath(dir, old);
    await renamePath(tmp, dir);
    await syncDir(path.dirname(dir));
    await removePath(old);
  }

  /**
   * Replaces the model folder `name` by a copy of `files` of the folder `from` (e.g. a checkpoint's
   * `model.json` and `weights.bin`), as {@link RunFolder.replaceModel} does: the copy has the same bytes.
   */
  async copyModel(name: string, from: string, files: readonly string[]): Promise<void> {
    const contents = await Promise.all(files.map((f) => readFile(path.join(from, f))));
    await this.replaceModel(name, async (dir) => {
      await makeDir(dir);
      for (const [i, f] of files.entries()) await writeAndSync(path.join(dir, f), contents[i]!);
    });
  }

  /** Writes `name` atomically with the bytes of the file `from`. */
  async copyFile(name: string, from: string): Promise<void> {
    await this.write(name, await readFile(from));
  }

  /** Removes `name` (a file or a folder) if present. */
  async remove(name: string): Promise<void> {
    await removePath(this.path(name));
  }

  /**
   * Removes what a killed writer leaves behind in the folder (not in sub-folders): temporary files
   * and folders (`*.tmp-<pid>`) and folders renamed aside (`*.old-<pid>`).
   * @returns the names removed.
   */
  async removeLeftovers(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const left = names.filter(isLeftover);
    for (const n of left) await removePath(this.path(n));
    return left;
  }

  /** Opens `log.jsonl` for appending. */
  async openLog(): Promise<EventLog> {
    const fh = await open(this.path("log.jsonl"), "a");
    let pending: Promise<unknown> = Promise.resolve();
    return {
      append: (event) => {
        const line = `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`;
        pending = pending.then(() => fh.write(line));
      },
      close: async () => {
        await pending;
        await fh.close();
      },
    };
  }
}

/** `value` as the JSON text of a run folder file (`indent` as `JSON.stringify`, typed arrays as arrays). */
export function jsonText(value: unknown, indent?: number, newline = false): string {
  return `${JSON.stringify(value, jsonReplacer, indent)}${newline ? "\n" : ""}`;
}

/** Typed arrays as plain arrays in JSON. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && "length" in value)
    return Array.from(value as ArrayBufferView & ArrayLike<number>);
  return value;
}
