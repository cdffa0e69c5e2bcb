/**
 * Every write into a run folder goes through here: files are written atomically (temporary name,
 * fsync, rename, fsync of the folder), model folders are replaced as a whole, and the event log is
 * appended line by line.
 * @module
 */
import { constants } from "node:fs";
import { access, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/** Writes a file so that a crash never leaves a partial file under `file`: temp file, fsync, rename, fsync dir. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** fsyncs a folder so a rename inside it is on disk. */
async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, constants.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Directory fsync is not supported everywhere (e.g. some network file systems); the rename is still atomic.
  }
}

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
    await mkdir(this.dir, { recursive: true });
  }

  /** Absolute path of `name` inside the folder. */
  path(...name: string[]): string {
    return path.join(this.dir, ...name);
  }

  /** Writes `name` atomically ({@link writeFileAtomic}). */
  async write(name: string, data: string | Uint8Array): Promise<void> {
    const file = this.path(name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, data);
  }

  /** Writes `value` as JSON to `name` atomically (`indent` as `JSON.stringify`, typed arrays as arrays). */
  async writeJson(name: string, value: unknown, indent?: number, newline = false): Promise<void> {
    await this.write(name, `${JSON.stringify(value, jsonReplacer, indent)}${newline ? "\n" : ""}`);
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
   * `save` writes a temporary folder, which then takes the old one's place by two renames, so the
   * folder is never half-written (between the renames it is briefly absent).
   */
  async replaceModel(name: string, save: (dir: string) => Promise<void>): Promise<void> {
    const dir = this.path(name);
    const tmp = `${dir}.tmp-${process.pid}`;
    const old = `${dir}.old-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await save(tmp);
    await rm(old, { recursive: true, force: true });
    try {
      await rename(dir, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
    await syncDir(path.dirname(dir));
  }

  /** Removes `name` (a file or a folder) if present. */
  async remove(name: string): Promise<void> {
    await rm(this.path(name), { recursive: true, force: true });
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

/** Typed arrays as plain arrays in JSON. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && "length" in value)
    return Array.from(value as ArrayBufferView & ArrayLike<number>);
  return value;
}
