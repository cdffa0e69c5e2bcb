import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { DEMO_DIR, fileFor, ISOLATION_HEADERS, startServer } from "../src/server.js";

describe("fileFor", () => {
  test.each([
    ["/", "index.html"],
    ["/index.html", "index.html"],
    ["/tfjs/tfjs-backend-wasm-threaded-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"],
    ["/demo/Annotations/BloodImage_00000.xml", "BloodImage_00000.xml"],
    ["/app.js", "app.js"],
    ["/worker.js.map", "worker.js.map"],
  ])("%s -> .../%s", (url, base) => {
    expect(path.basename(fileFor(url, "/b") ?? "")).toBe(base);
  });

  test.each([
    "/demo/../../package.json",
    "/demo/%2e%2e/%2e%2e/package.json",
    "/demo/..%2f..%2fpackage.json",
    "/demo/",
    "/tfjs/other.wasm",
    "/app.ts",
    "/src/server.ts",
    "/%zz",
    "/demo/a%00b",
  ])("%s -> not served", (url) => {
    expect(fileFor(url, "/b")).toBeUndefined();
  });

  test("demo files resolve inside the demo folder, which exists", () => {
    const f = fileFor("/demo/ImageSets/Main/trainval.txt") ?? "";
    expect(f.startsWith(DEMO_DIR)).toBe(true);
    expect(existsSync(f)).toBe(true);
  });
});

describe("startServer", () => {
  test("isolated by default: COOP/COEP on every answer, wasm with its type; 404 for the rest", async () => {
    const s = await startServer({ port: 0 });
    try {
      const wasm = await fetch(`${s.url}tfjs/tfjs-backend-wasm-simd.wasm`);
      expect(wasm.status).toBe(200);
      expect(wasm.headers.get("content-type")).toBe("application/wasm");
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) expect(wasm.headers.get(k)).toBe(v);
      const missing = await fetch(`${s.url}demo/../../package.json`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
      const page = await fetch(s.url);
      expect(await page.text()).toContain('<script type="module" src="/app.js">');
    } finally {
      await s.close();
    }
  });

  test("isolated: false sends no isolation headers", async () => {
    const s = await startServer({ port: 0, isolated: false });
    try {
      const r = await fetch(`${s.url}demo/ImageSets/Main/test.txt`);
      expect(r.status).toBe(200);
      expect(r.headers.get("cross-origin-opener-policy")).toBeNull();
      expect(r.headers.get("cross-origin-embedder-policy")).toBeNull();
    } finally {
      await s.close();
    }
  });
});
