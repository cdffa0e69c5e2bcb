/**
 * Where runs go and what may be in the folder a run starts in: a new run refuses a folder that already
 * holds files unless told to train into it anyway (then the old run's files go first, so nothing of it
 * is mixed with the new run); runs without a chosen folder go to `runs/train`, `runs/train2`, … (the
 * first free name, as Ultralytics names them); `--resume` without a folder picks the newest of those.
 * @module
 */
import { readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { fail } from "../errors.js";
import { DEFAULT_RUN_NAME, RUNS_DIR } from "../run-names.js";
import { isLeftover } from "./fs-steps.js";

/**
 * Every entry a run writes at the top of its folder (`train()` of `@od/train/node`: configuration,
 * reports, curves, checkpoints, model folders, predictions, staged training's classifier and the
 * one-stage comparison run). With `existOk` these are removed before a new run starts; other entries
 * stay. Temporary entries of an interrupted write (`<name>.tmp-<pid>`, `<name>.old-<pid>`) go too.
 */
export const RUN_ENTRIES: readonly string[] = Object.freeze([
  "config.json",
  "data-report.json",
  "priors.json",
  "weights.json",
  "log.jsonl",
  "loss.svg",
  "lr.svg",
  "map.svg",
  "eval.json",
  "eval.txt",
  "eval-staged.json",
  "summary.json",
  "checkpoints",
  "best",
  "model",
  "classifier",
  "predictions",
  "one-stage",
]);

/**
 * Undoes a new run whose setup failed (backend, dataset, priors, model) before its first checkpoint:
 * removes the run's entries from `dir` (a new run starts in a folder without any, so these are its
 * own), and `dir` itself when the run created it and it is now empty. A corrected command can then
 * start the run again in the same folder.
 */
export async function undoNewRun(dir: string, createdDir: boolean): Promise<void> {
  const found = await readdir(dir).catch(() => [] as string[]);
  await removeEntries(dir, runEntriesAmong(found));
  // rmdir refuses a folder that is not empty: files of the user's stay, and so does the folder.
  if (createdDir) await rmdir(dir).catch(() => undefined);
}

/** The entries of `found` a run wrote: {@link RUN_ENTRIES} in that order, then leftovers of interrupted writes. */
function runEntriesAmong(found: readonly string[]): string[] {
  return [
    ...RUN_ENTRIES.filter((n) => found.includes(n)),
    ...found.filter((n) => isLeftover(n) && !RUN_ENTRIES.includes(n)),
  ];
}

/** Removes the entries `names` of `dir` (folders with their contents). */
async function removeEntries(dir: string, names: readonly string[]): Promise<void> {
  for (const n of names) await rm(path.join(dir, n), { recursive: true, force: true });
}

/** What {@link prepareRunDir} found and did. */
export interface RunDirReport {
  /** Entries of the folder before the run (names; empty for a new or empty folder). */
  readonly found: readonly string[];
  /** Entries of an earlier run removed (`existOk`), in {@link RUN_ENTRIES} order then leftovers. */
  readonly removed: readonly string[];
}

/** Entries of `dir` (sorted), or `undefined` when it does not exist. Throws when it is not a folder. */
async function entriesOf(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * When the run in `dir` started, for messages: the time of the first line of its `log.jsonl`, else the
 * modification time of its `config.json`; `undefined` when neither can be read (not a run folder).
 */
export async function runStartedAt(dir: string): Promise<Date | undefined> {
  try {
    const first = (await readFile(path.join(dir, "log.jsonl"), "utf8")).split("\n", 1)[0] ?? "";
    const t = new Date((JSON.parse(first) as { time?: unknown }).time as string);
    if (Number.isFinite(t.getTime())) return t;
  } catch {
    // no log (or an unreadable first line): fall back to the config's time
  }
  try {
    return (await stat(path.join(dir, "config.json"))).mtime;
  } catch {
    return undefined;
  }
}

/**
 * Checks (and with `existOk` clears) the folder a run is about to use. A resumed run takes the folder
 * as it is. A new run needs a folder that is missing, empty, or holds only leftovers of interrupted
 * writes (removed); with `existOk` it may hold files, and the
 * entries of an earlier run ({@link RUN_ENTRIES} and leftovers of interrupted writes) are removed first,
 * so none of them (checkpoints, `best/`, predictions, log lines) survive into the new run.
 * @param dir the run folder (relative paths resolve against the working directory).
 * @throws TrainError `RUN_EXISTS` for a new run into a non-empty folder without `existOk`; its
 *   `details` hold `out` (absolute folder), `entries` (count) and `startedAt` (ISO time of the earlier
 *   run, when the folder holds one).
 */
export async function prepareRunDir(
  dir: string,
  options: { readonly resume?: boolean; readonly existOk?: boolean } = {},
): Promise<RunDirReport> {
  const abs = path.resolve(dir);
  const found = (await entriesOf(abs)) ?? [];
  if (options.resume === true) return { found, removed: [] };
  // What a killed writer left before anything was committed holds nothing of a run: it goes.
  if (found.every(isLeftover)) {
    await removeEntries(abs, found);
    return { found, removed: found };
  }
  if (options.existOk !== true) {
    const started = await runStartedAt(abs);
    const what =
      started === undefined
        ? `${found.length} ${found.length === 1 ? "entry" : "entries"}, not a run folder`
        : `a run from ${started.toISOString()}`;
    return fail(
      "RUN_EXISTS",
      "train",
      `${abs} is not empty (${what}); resume it (resume: true) or train into it anyway (existOk: true)`,
      {
        out: abs,
        entries: found.length,
        ...(started === undefined ? {} : { startedAt: started.toISOString() }),
      },
    );
  }
  const removed = runEntriesAmong(found);
  await removeEntries(abs, removed);
  return { found, removed };
}

/** `name`, `name2`, `name3`, …: the k-th run name (k ≥ 1). */
function numbered(name: string, k: number): string {
  return k === 1 ? name : `${name}${k}`;
}

/**
 * The folder of a new run with no chosen folder: the first of `<parent>/<name>`, `<parent>/<name>2`,
 * `<parent>/<name>3`, … that does not exist (Ultralytics' `increment_path`).
 * @param parent folder of the runs (default `RUNS_DIR` of `@od/train`, `runs`, relative to the working directory).
 * @param name base name (default `DEFAULT_RUN_NAME` of `@od/train`, `train`).
 * @returns the absolute folder (not created).
 */
export async function nextRunDir(
  parent: string = RUNS_DIR,
  name: string = DEFAULT_RUN_NAME,
): Promise<string> {
  const taken = new Set((await entriesOf(path.resolve(parent))) ?? []);
  let k = 1;
  while (taken.has(numbered(name, k))) k++;
  return path.resolve(parent, numbered(name, k));
}

/**
 * The run to resume when none is named: among `<parent>/<name>`, `<parent>/<name>2`, … the one whose
 * last checkpoint (`checkpoints/last.json`) was written most recently.
 * @returns the absolute folder, or `undefined` when no such run has a checkpoint.
 */
export async function latestRunDir(
  parent: string = RUNS_DIR,
  name: string = DEFAULT_RUN_NAME,
): Promise<string | undefined> {
  const abs = path.resolve(parent);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d*)$`);
  let best: { dir: string; time: number } | undefined;
  for (const n of (await entriesOf(abs)) ?? []) {
    const m = pattern.exec(n);
    if (m === null) continue;
    const dir = path.join(abs, n);
    try {
      const time = (await stat(path.join(dir, "checkpoints", "last.json"))).mtimeMs;
      if (best === undefined || time > best.time) best = { dir, time };
    } catch {
      // no checkpoint: nothing to resume there
    }
  }
  return best?.dir;
}
