import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { tempPathOf } from "@od/boxes/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fsStepCount } from "../src/node/fs-steps.js";
import { RunFolder } from "../src/node/run-folder.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "od-runfolder-write-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("RunFolder.write", () => {
  test("writes atomically in four counted steps (write, fsync, rename, fsync of the folder)", async () => {
    const run = new RunFolder(root);
    await run.create();
    const s0 = fsStepCount();
    await run.write("a.json", "{}\n");
    expect(fsStepCount() - s0).toBe(4);
    expect(await readFile(run.path("a.json"), "utf8")).toBe("{}\n");
    expect((await readdir(root)).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  test("a failed write is IO_FAILED naming the path, wrapping the BoxesError; the old file stays", async () => {
    const run = new RunFolder(root);
    const file = run.path("keep.json");
    await writeFile(file, "old");
    await mkdir(tempPathOf(file));
    const e = await run.write("keep.json", "new").catch((x: unknown) => x);
    expect(isOdError(e, "IO_FAILED")).toBe(true);
    expect((e as Error).name).toBe("TrainError");
    expect((e as Error).message).toMatch(`RunFolder.write: writeFileAtomic: cannot write ${file}: `);
    expect(((e as Error).cause as Error).name).toBe("BoxesError");
    expect((e as { details: object }).details).toMatchObject({ file });
    expect(await readFile(file, "utf8")).toBe("old");
  });
});
