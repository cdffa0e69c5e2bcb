import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { getSystemErrorMap } from "node:util";
import { fc, test as ftest } from "@fast-check/vitest";
import { BoxesError, OdError } from "@od/boxes";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TrainNode } from "../src/index.js";
import { asCliError } from "../src/internal/common.js";
import { FS_FAULT_REASONS, fsFaultMessage, fsFaultOf } from "../src/internal/fs-fault.js";
import { CliExit } from "../src/io.js";
import { errorLine, od, predictorNotUsed, RUN_DIRS, vocFixture } from "./helpers.js";

/** libuv's description of each errno name (what Node puts after the code in a system error's message). */
const UV_DESCRIPTION: ReadonlyMap<string, string> = new Map(
  [...getSystemErrorMap().values()].map(([name, description]) => [name, description]),
);

/** An error as Node's fs throws it (`code`, `errno`, `syscall`, `path`, message in Node's format). */
function systemError(code: string, syscall: string, file?: string, dest?: string): NodeJS.ErrnoException {
  const where = file === undefined ? "" : ` '${file}'${dest === undefined ? "" : ` -> '${dest}'`}`;
  return Object.assign(
    new Error(`${code}: ${UV_DESCRIPTION.get(code) ?? "unknown error"}, ${syscall}${where}`),
    {
      code,
      errno: -1,
      syscall,
      ...(file === undefined ? {} : { path: file }),
      ...(dest === undefined ? {} : { dest }),
    },
  );
}

describe("fsFaultOf / fsFaultMessage", () => {
  test.each([
    [
      systemError("ENOTDIR", "mkdir", "/r/a.txt/b"),
      "cannot create folder /r/a.txt/b: a part of the path is a file, not a folder (ENOTDIR)",
    ],
    [
      systemError("EEXIST", "mkdir", "/r/a.txt"),
      "cannot create folder /r/a.txt: exists and is not a folder (EEXIST)",
    ],
    [systemError("EEXIST", "open", "/r/lock"), "cannot open /r/lock: already exists (EEXIST)"],
    [systemError("EACCES", "open", "/r/x.json"), "cannot open /r/x.json: permission denied (EACCES)"],
    [
      systemError("EROFS", "mkdir", "/mnt/ro/run"),
      "cannot create folder /mnt/ro/run: read-only file system (EROFS)",
    ],
    [systemError("ENOSPC", "write"), "cannot write: no space left on device (ENOSPC)"],
    [systemError("EISDIR", "open", "/r/d"), "cannot open /r/d: is a folder, not a file (EISDIR)"],
    [
      systemError("EXDEV", "rename", "/a", "/b"),
      undefined, // not an environment fault: renaming across devices is the program's choice
    ],
    [
      systemError("ENOSPC", "rename", "/r/a.tmp", "/r/a"),
      "cannot rename /r/a.tmp to /r/a: no space left on device (ENOSPC)",
    ],
    [systemError("EPERM", "unlink", "/r/x"), "cannot remove /r/x: operation not permitted (EPERM)"],
    [systemError("EDQUOT", "write"), "cannot write: disk quota exceeded (EDQUOT)"],
  ])("%s", (e, line) => {
    const f = fsFaultOf(e);
    expect(f === undefined ? undefined : fsFaultMessage(f)).toBe(line);
  });

  test("a write on a descriptor names the path the caller gives", () => {
    const f = fsFaultOf(systemError("ENOSPC", "write"));
    expect(f && fsFaultMessage(f, "/out/detections.json")).toBe(
      "cannot write /out/detections.json: no space left on device (ENOSPC)",
    );
    const g = fsFaultOf(systemError("ENOSPC", "open", "/own/path"));
    expect(g && fsFaultMessage(g, "/fallback")).toBe(
      "cannot open /own/path: no space left on device (ENOSPC)",
    );
  });

  test("an od IO_FAILED (a package's error wrapping @od/boxes/node's) reads as the file-system fault it wraps", () => {
    const sys = systemError("ENOSPC", "write");
    const boxes = new BoxesError("IO_FAILED", "writeFileAtomic: cannot write /r/a.json: ENOSPC", {
      cause: sys,
    });
    const pkg = new OdError("IO_FAILED", "RunFolder.write: writeFileAtomic: cannot write /r/a.json", {
      cause: boxes,
    });
    const e = asCliError(pkg, "/r/a.json");
    expect(e).toBeInstanceOf(CliExit);
    expect((e as CliExit).message).toBe("cannot write /r/a.json: no space left on device (ENOSPC)");
    const other = new OdError("IO_FAILED", "x: cannot write /r/b.json", { cause: new Error("odd") });
    expect(asCliError(other)).toBe(other);
  });

  test("found through `cause`, and in a message that lost its properties (a worker's error)", () => {
    const wrapped = new Error("saving checkpoint", { cause: systemError("EACCES", "open", "/r/c.json") });
    expect(fsFaultOf(wrapped)).toEqual({ code: "EACCES", syscall: "open", path: "/r/c.json" });
    expect(fsFaultOf(new Error("EROFS: read-only file system, mkdir '/ro/run'"))).toEqual({
      code: "EROFS",
      syscall: "mkdir",
      path: "/ro/run",
    });
    expect(fsFaultOf(new Error("ENOSPC: no space left on device, write"))).toEqual({
      code: "ENOSPC",
      syscall: "write",
    });
  });

  test.each([
    ["a TypeError", new TypeError("x is not a function")],
    ["a RangeError", new RangeError("Invalid typed array length: -1")],
    ["a non-fs code", Object.assign(new Error("bad"), { code: "ERR_INVALID_ARG_TYPE" })],
    ["a string", "ENOSPC"],
    ["null", null],
    ["an unknown E-code in a message", new Error("EWHATEVER: nope, write")],
    ["a message that only mentions a code", new Error("loadVoc: ENOENT somewhere")],
  ])("not a fault: %s", (_name, e) => {
    expect(fsFaultOf(e)).toBeUndefined();
  });

  ftest.prop([
    fc.constantFrom(...Object.keys(FS_FAULT_REASONS)),
    fc.constantFrom("open", "mkdir", "write", "rename", "unlink", "scandir", "copyfile"),
    fc.stringMatching(/^\/[a-z0-9 ._-]{1,30}$/),
  ])(
    "every fault: one line naming the path and the code, same from the object or its message",
    (code, syscall, p) => {
      const fromObject = fsFaultOf(systemError(code, syscall, p));
      const fromMessage = fsFaultOf(new Error(systemError(code, syscall, p).message));
      expect(fromObject).toEqual({ code, syscall, path: p });
      expect(fromMessage).toEqual(fromObject);
      const line = fsFaultMessage(fromObject as NonNullable<typeof fromObject>);
      expect(line).not.toContain("\n");
      expect(line).toContain(` ${p}: `);
      expect(line.endsWith(`(${code})`)).toBe(true);
    },
  );
});

describe("file-system faults exit 2 with one line naming the path (exit 3 stays for bugs)", () => {
  let root: string;
  let data: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "od-cli-fsfault-"));
    data = await vocFixture({ clean: true });
    await writeFile(path.join(root, "a-file"), "not a folder");
    await mkdir(path.join(root, "a-folder"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  });

  test("ENOTDIR: the output folder's parent is a file", async () => {
    const out = path.join(root, "a-file", "stats");
    const r = await od(["data", "stats", data, "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data stats")).toBe(
      `odet data stats: cannot create folder ${out}: a part of the path is a file, not a folder (ENOTDIR)`,
    );
  });

  test("EEXIST: the output folder is a file", async () => {
    const out = path.join(root, "a-file");
    const r = await od(["data", "stats", data, "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "data stats")).toBe(
      `odet data stats: cannot create folder ${out}: exists and is not a folder (EEXIST)`,
    );
  });

  test("EISDIR: the output file is a folder", async () => {
    const out = path.join(root, "a-folder");
    const r = await od(["show", "--data", data, "--augment", "none", "--n", "1", "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "show")).toBe(
      `odet show: cannot open ${out}: is a folder, not a file (EISDIR)`,
    );
  });

  test.skipIf(!existsSync("/dev/full"))("ENOSPC: a full disk (/dev/full), the file is named", async () => {
    const out = path.join(root, "full.png");
    await symlink("/dev/full", out);
    const r = await od(["show", "--data", data, "--augment", "none", "--n", "1", "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "show")).toBe(
      `odet show: cannot write ${out}: no space left on device (ENOSPC)`,
    );
  });

  test.skipIf(!(existsSync("/sys") && statSync("/sys").isDirectory()))(
    "a folder nobody may write, root included (sysfs): exit 2, the path named",
    async () => {
      const out = "/sys/odet-test-grid.png";
      const r = await od(["show", "--data", data, "--augment", "none", "--n", "1", "--out", out]);
      expect(r.code).toBe(2);
      expect(errorLine(r.stderr, "show")).toMatch(
        /^odet show: cannot (open|create folder) \/sys\/odet-test-grid\.png: .* \((EACCES|EROFS|EPERM)\)$/,
      );
    },
  );

  /** A training runtime whose train() fails as the file system would make it fail. */
  function failingTrain(error: unknown): { loadTrainNode: () => Promise<TrainNode>; cwd: string } {
    const node: TrainNode = {
      ...RUN_DIRS,
      async train() {
        throw error;
      },
      loadRunPredictor: predictorNotUsed,
    };
    return { loadTrainNode: async () => node, cwd: root };
  }

  test.each([
    [
      systemError("EACCES", "open", "/runs/a/config.json"),
      "cannot open /runs/a/config.json: permission denied (EACCES)",
    ],
    [systemError("EROFS", "mkdir", "/runs/a"), "cannot create folder /runs/a: read-only file system (EROFS)"],
    [
      systemError("EPERM", "rename", "/runs/a/x.tmp", "/runs/a/x"),
      "cannot rename /runs/a/x.tmp to /runs/a/x: operation not permitted (EPERM)",
    ],
    [
      new Error("checkpoint", { cause: systemError("EDQUOT", "write") }),
      "cannot write RUN: disk quota exceeded (EDQUOT)",
    ],
    [systemError("ENOSPC", "write"), "cannot write RUN: no space left on device (ENOSPC)"],
  ])("train() fails with %s: exit 2, one line", async (error, line) => {
    const run = path.join(root, "run");
    const r = await od(["train", "--data", data, "--out", "run"], failingTrain(error));
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr, "train")).toBe(`odet train: ${line.replace("RUN", run)}`);
  });

  test("odet demo: a full disk while training is exit 2 naming the run folder", async () => {
    const r = await od(["demo", "--out", "demo-run"], failingTrain(systemError("ENOSPC", "write")));
    expect(r.code).toBe(2);
    // The demo's first line (`odet demo: training on …`) is a note; the error is the last line.
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(
      `odet demo: cannot write ${path.join(root, "demo-run")}: no space left on device (ENOSPC)`,
    );
  });

  test("a bug in train() is still exit 3", async () => {
    const r = await od(
      ["train", "--data", data, "--out", "run"],
      failingTrain(new TypeError("x.y is undefined")),
    );
    expect(r.code).toBe(3);
    expect(errorLine(r.stderr, "train")).toBe("odet train: internal error: x.y is undefined");
  });
});
