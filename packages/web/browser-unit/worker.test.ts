import { describe, expect, test } from "vitest";
import type { Request, Response } from "../src/page/protocol.js";

/** The page's worker, as the page starts it (a module worker). */
function startWorker(): Worker {
  return new Worker(new URL("../src/page/worker.ts", import.meta.url), { type: "module" });
}

/** Sends requests and collects the worker's answers by id (one result or error each). */
function ask(w: Worker, reqs: readonly Request[]): Promise<Response[]> {
  return new Promise((resolve) => {
    const answers: Response[] = [];
    w.onmessage = (e: MessageEvent<Response>) => {
      if (e.data.kind === "result" || e.data.kind === "error") answers.push(e.data);
      if (answers.length === reqs.length) resolve(answers.sort((a, b) => a.id - b.id));
    };
    reqs.forEach((r, i) => {
      w.postMessage({ ...r, id: i + 1 });
    });
  });
}

describe("worker protocol", () => {
  test("each request gets exactly one answer with its id; errors are one line naming what is missing", async () => {
    const w = startWorker();
    try {
      const answers = await ask(w, [
        { type: "evaluate" },
        { type: "stop" },
        { type: "detect", image: { width: 1, height: 1, data: new Uint8Array(3) } },
        { type: "train", steps: 1 },
      ]);
      expect(answers).toEqual([
        { id: 1, kind: "error", message: "evaluate: load the demo data first" },
        { id: 2, kind: "result", result: { stopping: true } },
        { id: 3, kind: "error", message: "detect: train or load a model first" },
        { id: 4, kind: "error", message: "train: load the demo data first" },
      ]);
    } finally {
      w.terminate();
    }
  });

  test("a model file that is not JSON is refused naming the file, with the reason on one line", async () => {
    const w = startWorker();
    try {
      const [a] = await ask(w, [
        {
          type: "loadModel",
          json: { text: "{ nope", name: "model.json" },
          weights: { data: new ArrayBuffer(0), name: "weights.bin" },
        },
      ]);
      expect(a?.kind).toBe("error");
      expect(a?.kind === "error" && a.message).toMatch(/^model\.json: not valid JSON \(.*\)$/);
    } finally {
      w.terminate();
    }
  });
});
