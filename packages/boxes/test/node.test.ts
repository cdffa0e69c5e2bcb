import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fc, test as fcTest } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isOdError } from "../src/index.js";
import { type AtomicWriteStep, TMP_MARK, tempPathOf, writeFileAtomic } from "../src/node.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "od-boxes-node-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("tempPathOf", () => {
  test("example: <file>.tmp-<pid>", () => {
    expect(tempPathOf("/a/b.json")).toBe(`/a/b.json.tmp-${process.pid}`);
    expect(TMP_MARK).toBe(".tmp-");
  });
});

describe("writeFileAtomic", () => {
  test("writes bytes and text, replaces an existing file, leaves no temporary file", async () => {
    const file = path.join(dir, "a.bin");
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    await writeFileAtomic(file, "héllo\n");
    expect(await readFile(file, "utf8")).toBe("héllo\n");
    expect((await readdir(dir)).filter((n) => n.includes(TMP_MARK))).toEqual([]);
  });

  test("the four steps in order, each announced before it runs", async () => {
    const file = path.join(dir, "steps.txt");
    const tmpExists = async () => (await readdir(dir)).includes(path.basename(tempPathOf(file)));
    const steps: AtomicWriteStep[] = [];
    await writeFileAtomic(file, "x", { beforeStep: (s) => steps.push(s) });
    expect(steps).toEqual(["write", "sync", "rename", "sync-dir"]);
    expect(await tmpExists()).toBe(false);
  });

  test("a step that throws (a crash) leaves an existing file as it was", async () => {
    const file = path.join(dir, "crash.txt");
    await writeFile(file, "old");
    for (const at of ["write", "sync", "rename"] as const) {
      const e = await writeFileAtomic(file, "new", {
        beforeStep: (s) => {
          if (s === at) throw new Error(`stopped before ${s}`);
        },
      }).catch((x: unknown) => x);
      expect(isOdError(e, "IO_FAILED")).toBe(true);
      expect((e as Error).message).toBe(`writeFileAtomic: cannot write ${file}: stopped before ${at}`);
      expect(await readFile(file, "utf8")).toBe("old");
      expect((await readdir(dir)).filter((n) => n.includes(TMP_MARK))).toEqual([]);
    }
  });

  test("a failed write is IO_FAILED naming the path, with the file-system error as cause; the old file stays", async () => {
    const file = path.join(dir, "keep.txt");
    await writeFile(file, "old");
    // A folder where the temporary file would go makes the write fail.
    await mkdir(tempPathOf(file));
    const e = await writeFileAtomic(file, new Uint8Array([1, 2])).catch((x: unknown) => x);
    expect(isOdError(e, "IO_FAILED")).toBe(true);
    expect((e as Error).name).toBe("BoxesError");
    expect((e as Error).message).toMatch(`writeFileAtomic: cannot write ${file}: `);
    expect(((e as Error).cause as NodeJS.ErrnoException).code).toBe("EISDIR");
    expect((e as { details: object }).details).toEqual({ fn: "writeFileAtomic", file });
    expect(await readFile(file, "utf8")).toBe("old");
    // What it did not make stays.
    expect((await stat(tempPathOf(file))).isDirectory()).toBe(true);
    const missing = path.join(dir, "no", "such", "dir.txt");
    await expect(writeFileAtomic(missing, "x")).rejects.toThrow(
      `writeFileAtomic: cannot write ${missing}: ENOENT`,
    );
  });

  fcTest.prop([fc.uint8Array({ maxLength: 4096 })], { numRuns: 20 })(
    "what is read back is what was written",
    async (bytes) => {
      const file = path.join(dir, "prop.bin");
      await writeFileAtomic(file, bytes);
      expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    },
  );
});
