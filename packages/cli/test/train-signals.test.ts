import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stopOnSignals } from "../src/internal/interrupt.js";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const launcher = path.join(pkgDir, "bin", "odet.js");
const require = createRequire(import.meta.url);

let root: string;
let data: string;
let configFile: string;
let ref: string;

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `odet train --json` on the tiny run into `out`; `onStep(n, child)` is called for every step
 * event printed (n counts from 1).
 */
function trainCli(
  out: string,
  extra: readonly string[] = [],
  onStep?: (n: number, kill: (s: NodeJS.Signals) => void) => void,
  onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
): Promise<Exit> {
  const args = ["train", "--data", data, "--config", configFile, "--epochs", "2", "--json", "--out", out];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args, ...extra], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let steps = 0;
    child.stdout.on("data", (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      for (const line of text.split("\n"))
        if (line.includes('"type":"step"')) onStep?.(++steps, (s) => child.kill(s));
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  // The launcher loads the built program: build it and its dependencies (a no-op when current).
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", pkgDir], { stdio: "pipe" });
  root = await mkdtemp(path.join(tmpdir(), "od-signals-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 10, size: 64, seed: 5, trainCount: 8 });
  configFile = path.join(root, "train.json");
  await writeFile(
    configFile,
    JSON.stringify({
      model: {
        inputSize: { width: 32, height: 32 },
        backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
      },
      augment: { preset: "light" },
      // One data-parallel worker thread, which the interrupted run must stop.
      train: { batchSize: 2, warmupSteps: 1, backends: ["cpu"], workers: 1, seed: 3 },
      eval: { everyEpochs: 1, samples: 1 },
    }),
  );
  ref = path.join(root, "ref");
  const r = await trainCli(ref);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const weights = (dir: string, m: string) => readFile(path.join(dir, m, "weights.bin"));

describe("odet train: SIGINT / SIGTERM", () => {
  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s after the first step: the step finishes, a checkpoint is written and named, exit %i; --resume ends as an uninterrupted run",
    async (sig, code) => {
      const out = path.join(root, sig);
      const r = await trainCli(out, [], (n, kill) => {
        if (n === 1) kill(sig);
      });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(
        `${sig}: stopping after the current step to write a checkpoint (interrupt again to exit at once)`,
      );
      const line = r.stderr.trim().split("\n").pop()!;
      const m =
        /^odet train: interrupted: checkpoint written to (.*); resume with odet train --out (.*) --resume$/.exec(
          line,
        );
      expect(m, r.stderr).not.toBeNull();
      expect(m![2]).toBe(out);
      const last = JSON.parse(await readFile(path.join(out, "checkpoints", "last.json"), "utf8"));
      expect(path.join(out, "checkpoints", last.dir)).toBe(m![1]);
      // Stopped early: 8 steps in 2 epochs, far fewer printed.
      expect(r.stdout.split('"type":"step"').length - 1).toBeLessThan(8);
      const resumed = await trainCli(out, ["--resume"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      for (const dir of ["model", "best"])
        expect((await weights(out, dir)).equals(await weights(ref, dir)), dir).toBe(true);
    },
    180_000,
  );

  test("a second signal exits at once with the same code, without waiting for the checkpoint", async () => {
    const out = path.join(root, "twice");
    let again = false;
    const r = await trainCli(
      out,
      [],
      (n, kill) => {
        if (n === 1) kill("SIGINT");
      },
      // The first signal is acknowledged at once; the second comes while the step is still running.
      (text, kill) => {
        if (!again && text.includes("SIGINT: stopping after the current step")) {
          again = true;
          kill("SIGINT");
        }
      },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("odet train: interrupted again: exiting without waiting for the checkpoint\n");
    expect(r.stderr).not.toContain("checkpoint written to");
  }, 120_000);
});

describe("stopOnSignals", () => {
  test("the first signal aborts; a second calls onSecond with the first one's exit code; dispose removes the listeners", () => {
    const listeners = new Map<string, (() => void)[]>();
    const proc = {
      on: (n: string, f: () => void) => listeners.set(n, [...(listeners.get(n) ?? []), f]),
      off: (n: string, f: () => void) =>
        listeners.set(
          n,
          (listeners.get(n) ?? []).filter((g) => g !== f),
        ),
    } as unknown as Pick<NodeJS.Process, "on" | "off">;
    const codes: number[] = [];
    const firsts: string[] = [];
    const s = stopOnSignals({ onFirst: (sig) => firsts.push(sig), onSecond: (c) => codes.push(c), proc });
    expect(s.signal.aborted).toBe(false);
    expect(s.received()).toBeUndefined();
    for (const f of listeners.get("SIGTERM")!) f();
    expect(s.signal.aborted).toBe(true);
    expect(s.received()).toBe("SIGTERM");
    expect(firsts).toEqual(["SIGTERM"]);
    expect(codes).toEqual([]);
    for (const f of listeners.get("SIGINT")!) f();
    expect(codes).toEqual([143]);
    expect(firsts).toEqual(["SIGTERM"]);
    s.dispose();
    expect([...listeners.values()].flat()).toEqual([]);
  });
});
