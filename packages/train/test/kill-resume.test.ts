import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isOdError } from "@od/boxes";
import { writeSyntheticVoc } from "@od/data/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fsStepCount } from "../src/node/fs-steps.js";
import { train } from "../src/node.js";

// Kill injection: the trainer of a tiny run is killed (SIGKILL, from the run-folder writer's hook
// OD_FAULT_AT=n) before each one of its file-system steps in turn, and every folder left is resumed.
// Each must end with the uninterrupted run's bytes in model/ and best/ and its summary, and at the
// moment of the kill best/ must already agree with eval.json and summary.json when they exist.

const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const child = path.join(pkgDir, "test", "fixtures", "train-child.mjs");
const require = createRequire(import.meta.url);

let root: string;
let data: string;
let ref: string;
/** File-system steps of the uninterrupted run. */
let N: number;
/** The detector weights after each epoch (1-based), from the uninterrupted run. */
const weightsAfter = new Map<number, Buffer>();

const config = () => ({
  data: { root: data },
  model: {
    inputSize: { width: 32, height: 32 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16] },
  },
  augment: { preset: "light" },
  train: { epochs: 2, batchSize: 4, warmupSteps: 1, backends: ["cpu"], workers: 0, seed: 3 },
  eval: { everyEpochs: 1, samples: 1 },
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
}
function runChild(out: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, JSON.stringify(config()), out], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.on("error", reject);
    p.on("close", (code, signal) => resolve({ code, signal, stdout }));
  });
}

beforeAll(async () => {
  // The children run the built code (as the CLI does): build it (a no-op when current).
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-b", pkgDir], { stdio: "pipe" });
  root = await mkdtemp(path.join(tmpdir(), "od-kill-"));
  data = await writeSyntheticVoc(path.join(root, "data"), { count: 6, size: 64, seed: 5, trainCount: 4 });
  ref = path.join(root, "ref");
  const s0 = fsStepCount();
  await train(config(), {
    out: ref,
    onEvent: (e) => {
      if (e.type === "checkpoint")
        void readFile(path.join(e.dir, "weights.bin")).then((b) => weightsAfter.set(e.epoch + 1, b));
    },
  });
  N = fsStepCount() - s0;
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const read = (dir: string, ...f: string[]) => readFile(path.join(dir, ...f)).catch(() => undefined);
const json = async (dir: string, f: string) => {
  const b = await read(dir, f);
  return b === undefined ? undefined : (JSON.parse(b.toString()) as Record<string, unknown>);
};
const withoutTimings = (s: Record<string, unknown> | undefined) => {
  const c = { ...s };
  for (const k of ["out", "trainSeconds", "imagesPerSecond", "peakRssMb"]) delete c[k];
  return c;
};

/** What is wrong with the folder a kill left: best/ disagreeing with eval.json or summary.json. */
async function killedStateProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  const best = await read(dir, "best", "weights.bin");
  const ev = await json(dir, "eval.json");
  const summary = await json(dir, "summary.json");
  if (best !== undefined && ev !== undefined && !weightsAfter.get(ev.epoch as number)?.equals(best))
    problems.push(`best/ is not epoch ${String(ev.epoch)} of eval.json`);
  if (
    best !== undefined &&
    summary !== undefined &&
    !weightsAfter.get(summary.bestEpoch as number)?.equals(best)
  )
    problems.push(`best/ is not epoch ${String(summary.bestEpoch)} of summary.json`);
  if (ev !== undefined && summary !== undefined && ev.epoch !== summary.bestEpoch)
    problems.push("eval.json and summary.json name different epochs");
  return problems;
}

/** What differs from the uninterrupted run after the resume. */
async function resumedProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const m of ["model", "best"])
    for (const f of ["model.json", "weights.bin"]) {
      const a = await read(dir, m, f);
      if (a === undefined || !a.equals((await read(ref, m, f))!)) problems.push(`${m}/${f} differs`);
    }
  const s = await json(dir, "summary.json");
  if (JSON.stringify(withoutTimings(s)) !== JSON.stringify(withoutTimings(await json(ref, "summary.json"))))
    problems.push("summary.json differs");
  if ((await json(dir, "eval.json"))?.epoch !== s?.bestEpoch)
    problems.push("eval.json is not the best epoch");
  const left = (await readdir(dir)).filter((n) => n.includes(".tmp-") || n.includes(".old-"));
  if (left.length > 0) problems.push(`leftovers ${left.join(", ")}`);
  return problems;
}

describe("kill -9 at every file-system step of a run, then --resume", () => {
  test("the hook counts the same steps in a child process; past the last step the run finishes", async () => {
    expect(N).toBeGreaterThan(60);
    const r = await runChild(path.join(root, "count"), { OD_FAULT_AT: String(N + 1) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`fs-steps ${N}\n`);
    expect(weightsAfter.size).toBe(2);
  }, 60_000);

  test("every kill point resumes to the uninterrupted result; best/ never disagrees with eval.json or summary.json", async () => {
    const failures: string[] = [];
    let refusedFresh = 0;
    let next = 1;
    const work = async () => {
      for (let n = next++; n <= N; n = next++) {
        const out = path.join(root, `k${n}`);
        const r = await runChild(out, { OD_FAULT_AT: String(n) });
        if (r.signal !== "SIGKILL") {
          failures.push(`n=${n}: not killed (code ${r.code}, ${r.stdout.trim().split("\n").pop()})`);
          continue;
        }
        for (const p of await killedStateProblems(out)) failures.push(`n=${n} after the kill: ${p}`);
        const resumed = await train(config(), { out, resume: true }).catch((e: unknown) => e);
        if (resumed instanceof Error) {
          // Killed before config.json was committed: nothing to resume, and resuming says so.
          const committed = (await read(out, "config.json")) !== undefined;
          if (committed || !isOdError(resumed, "BAD_CHECKPOINT")) {
            failures.push(`n=${n}: resume failed: ${resumed.message}`);
            continue;
          }
          refusedFresh += 1;
          await train(config(), { out });
        }
        for (const p of await resumedProblems(out)) failures.push(`n=${n} after the resume: ${p}`);
        await rm(out, { recursive: true, force: true });
      }
    };
    await Promise.all([work(), work()]);
    console.log(
      `kill injection: ${N} kill points, ${refusedFresh} before config.json (resume refused, run again)`,
    );
    expect(failures).toEqual([]);
    // Only the steps up to config.json's rename (mkdir, write, fsync, rename) leave nothing to resume.
    expect(refusedFresh).toBe(4);
  }, 900_000);
});
