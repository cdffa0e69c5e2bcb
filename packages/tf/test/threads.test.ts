import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { maxRelErr } from "./helpers.js";

const child = fileURLToPath(new URL("./fixtures/backend-child.ts", import.meta.url));

/** Runs the child with `threads` wasm threads (a process initialises wasm once). */
function run(threads: number): { reason: string; grads: number[][] } {
  const out = execFileSync(process.execPath, ["--import", "tsx", child, String(threads)], {
    encoding: "utf8",
    timeout: 120_000,
  });
  const line = out.split("\n").find((l) => l.startsWith("{"));
  return JSON.parse(line ?? "{}") as { reason: string; grads: number[][] };
}

describe("wasm threads in Node", () => {
  test("one thread loads the single-threaded build; two the threaded build, with the same gradients", () => {
    const one = run(1);
    expect(one.reason).toBe("wasm ready (SIMD, 1 thread)");
    const two = run(2);
    expect(two.reason).toBe("wasm ready (SIMD, 2 threads, threaded build)");
    expect(one.grads).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(one.grads[i]?.length).toBeGreaterThan(0);
      expect(maxRelErr(two.grads[i] ?? [], one.grads[i] ?? [])).toBeLessThan(1e-5);
    }
  });
});
