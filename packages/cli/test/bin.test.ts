import { execFileSync, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFileSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fc, test as ftest } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exitOnClosedPipe } from "../src/internal/pipes.js";
import { CLI_NAME, EXIT } from "../src/io.js";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const launcher = path.join(pkgDir, "bin", "odet.js");
const require = createRequire(import.meta.url);

/**
 * Builds the program the launcher loads (`tsc -b`: the package and its dependencies; a no-op when
 * `npm run build` is current), so these tests, like the others, need no build beforehand.
 */
function buildProgram(): void {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", pkgDir], { stdio: "pipe" });
}

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <script> ...args`. With `close`, that output pipe is closed by the reader before the
 * program writes anything (as `| head` does once it has its lines).
 */
function run(script: string, args: readonly string[], close?: "stdout" | "stderr"): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    if (close === "stdout") child.stdout.destroy();
    else child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    if (close === "stderr") child.stderr.destroy();
    else child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the odet bin", () => {
  test("package.json links bin/odet.js as `odet` (not `od`, coreutils' octal dump) and ships it", () => {
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(CLI_NAME).toBe("odet");
    expect(pkg.bin).toEqual({ [CLI_NAME]: "./bin/odet.js" });
    expect(pkg.files).toContain("bin");
    expect(readFileSync(launcher, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    // `npm ci` links bins from the lock file: a stale entry there leaves a fresh clone without `odet`.
    const lock = JSON.parse(readFileSync(path.join(pkgDir, "..", "..", "package-lock.json"), "utf8")) as {
      packages: Record<string, { bin?: Record<string, string> }>;
    };
    expect(lock.packages["packages/cli"]?.bin).toEqual({ [CLI_NAME]: "bin/odet.js" });
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
  });

  describe("launcher before the build", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "od-cli-launcher-"));
      await mkdir(path.join(dir, "bin"));
      await copyFile(launcher, path.join(dir, "bin", "odet.js"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test("one line saying how to build, exit 2", async () => {
      const r = await run(path.join(dir, "bin", "odet.js"), ["--help"]);
      expect(r).toEqual({
        code: EXIT.badInput,
        stdout: "",
        stderr: 'odet: not built yet; run "npm run build" first\n',
      });
    });
  });

  describe("launcher after the build", () => {
    beforeAll(buildProgram, 600_000);

    test("runs the program", async () => {
      const r = await run(launcher, ["--help"]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(/^Usage: odet \[options\] \[command\]/);
      expect(r.stderr).toBe("");
    });

    test.each(["help train", "train --help", "--help"])(
      "`odet %s` into a closed pipe (| head): no stack trace, exit 141",
      async (line) => {
        const r = await run(launcher, line.split(" "), "stdout");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(EXIT.closedPipe);
      },
    );

    test("an error line into a closed stderr: exit 141 instead of an unhandled EPIPE", async () => {
      const r = await run(launcher, ["data", "check", "/definitely/not/here"], "stderr");
      expect(r.stdout).toBe("");
      expect(r.code).toBe(EXIT.closedPipe);
    });
  });
});

/** A stream stand-in that emits the errors it is given. */
class FakeStream extends EventEmitter {
  fail(code: string): void {
    this.emit("error", Object.assign(new Error(`write ${code}`), { code, syscall: "write" }));
  }
}

describe("exitOnClosedPipe", () => {
  test("EPIPE on any of the streams exits once with EXIT.closedPipe (141 = 128 + SIGPIPE)", () => {
    const out = new FakeStream();
    const err = new FakeStream();
    const codes: number[] = [];
    exitOnClosedPipe([out, err], (c) => codes.push(c));
    expect(codes).toEqual([]);
    out.fail("EPIPE");
    err.fail("EPIPE");
    out.fail("EPIPE");
    expect(codes).toEqual([141]);
    expect(EXIT.closedPipe).toBe(128 + 13);
  });

  ftest.prop([fc.constantFrom("EBADF", "EIO", "ENOSPC", "EAGAIN", "ERR_STREAM_DESTROYED")])(
    "other stream errors (%s) are rethrown, never swallowed",
    (code) => {
      const s = new FakeStream();
      const codes: number[] = [];
      exitOnClosedPipe([s], (c) => codes.push(c));
      expect(() => s.fail(code)).toThrow(`write ${code}`);
      expect(codes).toEqual([]);
    },
  );
});
