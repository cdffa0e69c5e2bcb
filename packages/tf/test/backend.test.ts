import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isOdError } from "@od/boxes";
import { activeBackend, BACKENDS, type BackendName, initBackend, tf } from "@od/tf";
import { initBackend as initBackendNode } from "@od/tf/node";
import { describe, expect, test } from "vitest";

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isOdError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a rejection");
}

/** Runs an ES module given as lines in a fresh Node process, from this package's folder (built dist). */
function runModule(lines: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--input-type=module", "-e", lines.join("\n")], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    encoding: "utf8",
  });
}

const hasTfjsNode = await import(/* @vite-ignore */ "@tensorflow/tfjs-node".toString()).then(
  () => true,
  () => false,
);

describe("initBackend", () => {
  test("@od/tf/node, default order: tensorflow only when installed, else wasm; reason says why", async () => {
    const info = await initBackendNode();
    if (hasTfjsNode) {
      expect(info.name).toBe("tensorflow");
    } else {
      expect(info.name).toBe("wasm");
      // The main thread of a Node process gets one XNNPACK thread per core (tfjs's threaded build).
      const cores = availableParallelism();
      expect(info.reason).toBe(
        cores > 1
          ? `tfjs-node not installed; wasm ready (SIMD, ${cores} threads, threaded build)`
          : "tfjs-node not installed; wasm ready (SIMD, 1 thread)",
      );
      expect(info.skipped).toEqual([{ name: "tensorflow", why: "tfjs-node not installed" }]);
    }
    expect(tf.getBackend()).toBe(info.name);
    expect(activeBackend()).toEqual(info);
  });

  test("prefer cpu", async () => {
    const info = await initBackend({ prefer: ["cpu"] });
    expect(info).toEqual({ name: "cpu", reason: "cpu ready (pure JavaScript, slowest)", skipped: [] });
    expect(tf.getBackend()).toBe("cpu");
  });

  test("cpu: the tfjs 'running TensorFlow.js in Node.js' banner is off (its firstUse gate is cleared)", async () => {
    await initBackend({ prefer: ["cpu"] });
    expect((tf.engine().findBackend("cpu") as unknown as { firstUse: boolean }).firstUse).toBe(false);
  });

  test("cpu: a fresh process prints nothing on its first tensor (built dist)", () => {
    const r = runModule([
      'import { initBackend, tf } from "@od/tf";',
      'await initBackend({ prefer: ["cpu"] });',
      "tf.tensor1d([1, 2]).dispose();",
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
  });

  test("falls through the list in order", async () => {
    const info = await initBackend({ prefer: ["tensorflow", "cpu"] });
    expect(info.name).toBe(hasTfjsNode ? "tensorflow" : "cpu");
  });

  test.skipIf(hasTfjsNode)(
    "only an unavailable backend: BACKEND_UNAVAILABLE naming each reason",
    async () => {
      const e = await rejection(initBackend({ prefer: ["tensorflow"] }));
      expect(e.code).toBe("BACKEND_UNAVAILABLE");
      expect(e.message).toBe(
        "initBackend: none of the preferred backends [tensorflow] is available: tensorflow: tfjs-node not installed",
      );
    },
  );

  test("unknown backend name: UNKNOWN_BACKEND", async () => {
    const bad = ["wasm", "webgl"] as unknown[] as BackendName[];
    const e = await rejection(initBackend({ prefer: bad }));
    expect(e).toEqual({
      code: "UNKNOWN_BACKEND",
      message: 'initBackend: prefer[1] is "webgl" but must be one of "tensorflow", "wasm", "cpu"',
    });
  });

  test("empty preference list: INVALID_ARGUMENT", async () => {
    const e = await rejection(initBackend({ prefer: [] }));
    expect(e).toEqual({
      code: "INVALID_ARGUMENT",
      message: "initBackend: prefer is empty; name at least one backend",
    });
  });

  test.each([0, -1, 1.5, Number.NaN, 65])(
    "threads %s: INVALID_ARGUMENT naming the value",
    async (threads) => {
      const e = await rejection(initBackend({ prefer: ["cpu"], threads }));
      expect(e).toEqual({
        code: "INVALID_ARGUMENT",
        message: `initBackend: threads must be an integer in [1, 64]; got ${String(threads)}`,
      });
    },
  );

  test("@od/tf/node validates its options as @od/tf does", async () => {
    expect(await rejection(initBackendNode({ prefer: [] }))).toEqual(
      await rejection(initBackend({ prefer: [] })),
    );
    expect(await rejection(initBackendNode({ prefer: ["cpu"], threads: 0 }))).toEqual({
      code: "INVALID_ARGUMENT",
      message: "initBackend: threads must be an integer in [1, 64]; got 0",
    });
  });

  test("@od/tf/node alone (built dist, through the exports map) registers the gradients and selects", () => {
    const r = runModule([
      'import { initBackend } from "@od/tf/node";',
      'import { getGradient } from "@tensorflow/tfjs-core";',
      'const info = await initBackend({ prefer: ["cpu"] });',
      'console.log(JSON.stringify({ name: info.name, add: getGradient("Add") !== undefined }));',
    ]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ name: "cpu", add: true });
  });

  test("BACKENDS lists the default order", () => {
    expect(BACKENDS).toEqual(["tensorflow", "wasm", "cpu"]);
  });
});

describe("activeBackend", () => {
  test("reports a backend set outside initBackend", async () => {
    await initBackend({ prefer: ["wasm"] });
    await tf.setBackend("cpu");
    expect(activeBackend()).toEqual({
      name: "cpu",
      reason: "cpu was selected outside initBackend (tf.setBackend or tfjs's default)",
      skipped: [],
    });
  });
});
