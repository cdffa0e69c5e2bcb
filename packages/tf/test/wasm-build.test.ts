import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fc, test as propTest } from "@fast-check/vitest";
import { chooseWasmBuild, WASM_FILES, type WasmEnvironment, wasmEnvironment } from "@od/tf";
import { wasmFiles } from "@od/tf/node";
import { describe, expect, test } from "vitest";

describe("chooseWasmBuild", () => {
  const table: readonly [WasmEnvironment, string, boolean, RegExp][] = [
    [
      { crossOriginIsolated: true, sharedArrayBuffer: true, simd: true },
      "threaded-simd",
      true,
      /cross-origin isolated/,
    ],
    [
      { crossOriginIsolated: false, sharedArrayBuffer: false, simd: true },
      "simd",
      false,
      /not cross-origin isolated.*COOP\/COEP/,
    ],
    [
      { crossOriginIsolated: undefined, sharedArrayBuffer: true, simd: true },
      "simd",
      false,
      /not cross-origin isolated/,
    ],
    [
      { crossOriginIsolated: true, sharedArrayBuffer: false, simd: true },
      "simd",
      false,
      /no SharedArrayBuffer/,
    ],
    [{ crossOriginIsolated: true, sharedArrayBuffer: true, simd: false }, "plain", false, /no wasm SIMD/],
    [{ crossOriginIsolated: false, sharedArrayBuffer: false, simd: false }, "plain", false, /no wasm SIMD/],
  ];
  test.each(table)("%o -> %s", (env, build, threaded, why) => {
    const c = chooseWasmBuild(env);
    expect(c.build).toBe(build);
    expect(c.threaded).toBe(threaded);
    expect(c.why).toMatch(why);
  });

  propTest.prop([fc.option(fc.boolean(), { nil: undefined }), fc.boolean(), fc.boolean()])(
    "threaded exactly when isolated, with SharedArrayBuffer and SIMD; the build is threaded-simd exactly then",
    (crossOriginIsolated, sharedArrayBuffer, simd) => {
      const c = chooseWasmBuild({ crossOriginIsolated, sharedArrayBuffer, simd });
      expect(c.threaded).toBe(crossOriginIsolated === true && sharedArrayBuffer && simd);
      expect(c.build === "threaded-simd").toBe(c.threaded);
      expect(c.build === "plain").toBe(!simd);
      expect(WASM_FILES[c.build]).toMatch(/\.wasm$/);
    },
  );
});

describe("wasmEnvironment", () => {
  test("Node: no crossOriginIsolated global, so undefined; simd passed through", () => {
    const env = wasmEnvironment(true);
    expect(env.crossOriginIsolated).toBeUndefined();
    expect(env.simd).toBe(true);
    expect(env.sharedArrayBuffer).toBe(typeof SharedArrayBuffer === "function");
    expect(chooseWasmBuild(env).build).toBe("simd");
  });
  test("reads globalThis.crossOriginIsolated when it is a boolean", () => {
    const g = globalThis as { crossOriginIsolated?: unknown };
    g.crossOriginIsolated = true;
    try {
      expect(wasmEnvironment(false).crossOriginIsolated).toBe(true);
      g.crossOriginIsolated = "yes";
      expect(wasmEnvironment(false).crossOriginIsolated).toBeUndefined();
    } finally {
      delete g.crossOriginIsolated;
    }
  });
});

describe("wasmFiles", () => {
  test("one existing file per build, named as WASM_FILES says", () => {
    const files = wasmFiles();
    expect(files.map((f) => f.build).sort()).toEqual(["plain", "simd", "threaded-simd"]);
    for (const f of files) {
      expect(f.name).toBe(WASM_FILES[f.build]);
      expect(basename(f.path)).toBe(f.name);
      expect(existsSync(f.path)).toBe(true);
    }
  });
});
