import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fc, test as prop } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_RUN_NAME, RUNS_DIR } from "../src/index.js";
import { configChanges, latestRunDir, nextRunDir, prepareRunDir, RUN_ENTRIES } from "../src/node.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-run-dir-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder holding `files` (names with `/` make folders). */
async function folder(files: readonly string[]): Promise<string> {
  const dir = path.join(root, `f${n++}`);
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(
      path.join(dir, f),
      f === "log.jsonl" ? '{"time":"2025-03-04T05:06:07.000Z","type":"start"}\n' : "x",
    );
  }
  return dir;
}

describe("prepareRunDir", () => {
  test("a missing or empty folder takes a new run; nothing is removed", async () => {
    expect(await prepareRunDir(path.join(root, "missing"))).toEqual({ found: [], removed: [] });
    const empty = await folder([]);
    expect(await prepareRunDir(empty)).toEqual({ found: [], removed: [] });
  });

  test("a folder holding only what a killed writer left (before any commit) takes a new run; the leftovers go", async () => {
    const dir = await folder(["config.json.tmp-4242", "best.old-7/model.json"]);
    expect(await prepareRunDir(dir)).toEqual({
      found: ["best.old-7", "config.json.tmp-4242"],
      removed: ["best.old-7", "config.json.tmp-4242"],
    });
    expect(await readdir(dir)).toEqual([]);
  });

  test("a finished run's folder is refused for a new run: RUN_EXISTS naming the folder and the run's date", async () => {
    const dir = await folder(["config.json", "log.jsonl", "checkpoints/last.json", "best/model.json"]);
    const e = await prepareRunDir(dir).catch((x: unknown) => x);
    expect(isOdError(e, "RUN_EXISTS")).toBe(true);
    expect((e as Error).message).toBe(
      `train: ${dir} is not empty (a run from 2025-03-04T05:06:07.000Z); resume it (resume: true) or train into it anyway (existOk: true)`,
    );
    expect((e as { details: object }).details).toMatchObject({
      out: dir,
      entries: 4,
      startedAt: "2025-03-04T05:06:07.000Z",
    });
    // nothing was touched
    expect((await readdir(dir)).sort()).toEqual(["best", "checkpoints", "config.json", "log.jsonl"]);
  });

  test("a folder of other files is refused too, said to be no run folder", async () => {
    const dir = await folder(["notes.txt"]);
    await expect(prepareRunDir(dir)).rejects.toThrow(`${dir} is not empty (1 entry, not a run folder)`);
  });

  test("existOk removes every entry of the earlier run and leftovers of interrupted writes, keeps other files", async () => {
    const dir = await folder([
      ...RUN_ENTRIES.map((e) => (e.includes(".") ? e : `${e}/file`)),
      "best.tmp-123/model.json",
      "model.old-77/weights.bin",
      "eval.json.tmp-5",
      "notes.txt",
    ]);
    const r = await prepareRunDir(dir, { existOk: true });
    expect(r.removed).toEqual([...RUN_ENTRIES, "best.tmp-123", "eval.json.tmp-5", "model.old-77"]);
    expect(await readdir(dir)).toEqual(["notes.txt"]);
  });

  test("resume takes the folder as it is", async () => {
    const dir = await folder(["config.json", "checkpoints/last.json"]);
    expect(await prepareRunDir(dir, { resume: true, existOk: true })).toEqual({
      found: ["checkpoints", "config.json"],
      removed: [],
    });
    expect((await readdir(dir)).sort()).toEqual(["checkpoints", "config.json"]);
  });
});

describe("nextRunDir", () => {
  test("runs/train, then train2, train3, … (the first free name); relative to the working directory by default", async () => {
    const parent = path.join(await folder([]), RUNS_DIR);
    expect(await nextRunDir(parent)).toBe(path.join(parent, DEFAULT_RUN_NAME));
    await mkdir(path.join(parent, "train"), { recursive: true });
    expect(await nextRunDir(parent)).toBe(path.join(parent, "train2"));
    await mkdir(path.join(parent, "train2"));
    await mkdir(path.join(parent, "train4"));
    expect(await nextRunDir(parent)).toBe(path.join(parent, "train3"));
    expect(await nextRunDir(parent, "demo")).toBe(path.join(parent, "demo"));
    expect(path.dirname(await nextRunDir())).toBe(path.resolve(RUNS_DIR));
  });
});

describe("latestRunDir", () => {
  test("the runs/train* folder whose checkpoints/last.json is newest; others and other names are ignored", async () => {
    const parent = path.join(await folder([]), RUNS_DIR);
    expect(await latestRunDir(parent)).toBeUndefined();
    const mk = async (name: string, secondsAgo?: number) => {
      await mkdir(path.join(parent, name, "checkpoints"), { recursive: true });
      if (secondsAgo === undefined) return;
      const f = path.join(parent, name, "checkpoints", "last.json");
      await writeFile(f, "{}");
      const t = new Date(Date.now() - secondsAgo * 1000);
      await utimes(f, t, t);
    };
    await mk("train", 300);
    await mk("train2", 100);
    await mk("train3"); // no checkpoint: nothing to resume
    await mk("trainx", 1);
    await mk("other", 1);
    expect(await latestRunDir(parent)).toBe(path.join(parent, "train2"));
    await mk("train10", 50);
    expect(await latestRunDir(parent)).toBe(path.join(parent, "train10"));
    expect(await latestRunDir(parent, "other")).toBe(path.join(parent, "other"));
  });
});

describe("configChanges", () => {
  test.each([
    [{ a: 1 }, { a: 1 }, []],
    [
      { train: { epochs: 2, lr: 1 } },
      { train: { epochs: 5, lr: 1 } },
      [{ key: "train.epochs", from: 2, to: 5 }],
    ],
    [{ a: [1, 2] }, { a: [1, 3] }, [{ key: "a", from: [1, 2], to: [1, 3] }]],
    [{ a: {} }, { a: { b: "x" } }, [{ key: "a.b", from: undefined, to: "x" }]],
    [{ a: { b: 1 } }, { a: 3 }, [{ key: "a", from: { b: 1 }, to: 3 }]],
  ])("%j → %j", (a, b, want) => {
    expect(configChanges(a, b)).toEqual(want);
  });

  const json = fc.jsonValue({ maxDepth: 3 });
  prop.prop([json])("no changes between a value and itself", (v) => {
    expect(configChanges(v, structuredClone(v))).toEqual([]);
  });
  prop.prop([json, json])("changes both ways name the same keys with from and to swapped", (a, b) => {
    const ab = configChanges(a, b);
    const ba = configChanges(b, a);
    expect(new Set(ab.map((c) => c.key))).toEqual(new Set(ba.map((c) => c.key)));
    for (const c of ab)
      expect(ba.find((d) => d.key === c.key)).toEqual({ key: c.key, from: c.to, to: c.from });
  });
});
