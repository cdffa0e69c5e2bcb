import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { maxRelErr } from "./helpers.js";

const child = fileURLToPath(new URL("./fixtures/backend-child.ts", import.meta.url));

interface ChildRun {
  readonly reason: string;
  readonly grads: number[][];
  /** `od-*` entries of the child's temp folder after the backend started, while it still ran. */
  readonly temp: string[];
  /** `od-*` entries left in the child's own temp folder after it exited. */
  readonly leftAfterExit: string[];
}

/**
 * Runs the child, which initialises wasm through `entry` (`@od/tf/node` or `@od/tf`) with `threads`
 * (a process initialises wasm once), in its own temp folder.
 */
function run(entry: "node" | "main", threads: number | "default"): ChildRun {
  const temp = mkdtempSync(path.join(tmpdir(), "od-tf-threads-"));
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", child, entry, String(threads)], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, TMPDIR: temp },
    });
    const line = out.split("\n").find((l) => l.startsWith("{"));
    const r = JSON.parse(line ?? "{}") as Omit<ChildRun, "leftAfterExit">;
    return { ...r, leftAfterExit: readdirSync(temp).filter((n) => n.startsWith("od-")) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

describe("wasm threads in Node", () => {
  test("@od/tf/node: one thread loads the single-threaded build; two the threaded build, same gradients", () => {
    const one = run("node", 1);
    expect(one.reason).toBe("wasm ready (SIMD, 1 thread)");
    const two = run("node", 2);
    expect(two.reason).toBe("wasm ready (SIMD, 2 threads, threaded build)");
    expect(one.grads).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(one.grads[i]?.length).toBeGreaterThan(0);
      expect(maxRelErr(two.grads[i] ?? [], one.grads[i] ?? [])).toBeLessThan(1e-5);
    }
    // The threaded build's worker scripts are gone once the backend runs, not only at a clean exit.
    expect(two.temp).toEqual([]);
    expect(two.leftAfterExit).toEqual([]);
    expect(one.leftAfterExit).toEqual([]);
  }, 300_000);

  test("@od/tf (browser-clean entry) runs Node's wasm on one thread and says so when more were asked for", () => {
    const plain = run("main", "default");
    expect(plain.reason).toBe("wasm ready (SIMD, 1 thread)");
    const two = run("main", 2);
    expect(two.reason).toBe(
      "wasm ready (SIMD, 1 thread; threads: 2 ignored: in Node the threaded build starts through initBackend of @od/tf/node)",
    );
    const viaNode = run("node", 1);
    for (let i = 0; i < 3; i++) expect(two.grads[i]).toEqual(viaNode.grads[i]);
  }, 300_000);
});
