/**
 * Every browser-clean entry of every package (each `exports` entry but `./node`) bundles for the
 * browser with esbuild and reaches no Node built-in from od's own code, and no `node:` specifier at
 * all. Third-party packages may reach a built-in only where their own `browser` field replaces it by
 * an empty module (esbuild: `(disabled)`), and only the ones listed in THIRD_PARTY_BUILTINS.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { bundleForBrowser, isNodeBuiltin, packagesDir } from "./helpers/browser-bundle.js";

/**
 * Third-party files that reach a Node built-in in a browser bundle, each behind its own environment
 * check and mapped to an empty module by its package's `browser` field: tfjs-core's Node platform
 * (`util`), seedrandom's optional `crypto`, and the emscripten glue of tfjs-backend-wasm (`fs`, `path`,
 * `worker_threads`, `perf_hooks`, `os`), which runs only when it detects Node.
 */
const THIRD_PARTY_BUILTINS = [
  "node_modules/@tensorflow/tfjs-core/dist/platforms/platform_node.js",
  "node_modules/seedrandom/seedrandom.js",
  "node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js",
  "node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js",
];

/** `@od/<pkg>` and `@od/<pkg>/<sub>` for every `exports` entry of every package but `./node`. */
function browserEntries(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(packagesDir)) {
    let manifest: { name?: string; exports?: Record<string, unknown> };
    try {
      manifest = JSON.parse(readFileSync(path.join(packagesDir, dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest.exports === undefined || manifest.name === "@od/cli") continue;
    for (const [key, target] of Object.entries(manifest.exports)) {
      if (target === null || key === "./node" || key === "./package.json" || key.includes("*")) continue;
      out.push(key === "." ? `${manifest.name}` : `${manifest.name}/${key.slice(2)}`);
    }
  }
  return out.sort();
}

const entries = browserEntries();

describe("browser bundles", () => {
  test("the entries cover every package with a browser-clean entry", () => {
    expect(entries).toEqual(
      expect.arrayContaining([
        "@od/augment",
        "@od/boxes",
        "@od/boxes/tf",
        "@od/data",
        "@od/image",
        "@od/losses",
        "@od/metrics",
        "@od/plot",
        "@od/priors",
        "@od/ssd",
        "@od/tf",
        "@od/train",
      ]),
    );
    expect(entries.some((e) => e.endsWith("/node"))).toBe(false);
  });

  test.each(entries)("%s bundles with no Node built-in from od's code", async (entry) => {
    const b = await bundleForBrowser(`export * from "${entry}";`);
    expect(b.errors).toEqual([]);
    expect(b.bytes).toBeGreaterThan(0);
    const own = b.builtinImports.filter((i) => !i.importer.startsWith("node_modules/"));
    expect(own).toEqual([]);
    expect(b.builtinImports.filter((i) => i.specifier.startsWith("node:"))).toEqual([]);
    expect(b.inputs.filter((f) => /^packages\/[^/]+\/src\/node\.ts$/.test(f))).toEqual([]);
    for (const i of b.builtinImports) {
      expect(THIRD_PARTY_BUILTINS, `${i.importer} -> ${i.specifier}`).toContain(i.importer);
      expect(i.how, `${i.importer} -> ${i.specifier}`).toBe("disabled");
    }
  });

  test("the check sees a Node built-in: a /node entry and a direct node: import are reported", async () => {
    const viaEntry = await bundleForBrowser(`export * from "@od/tf/node";`);
    expect(viaEntry.errors).toEqual([]);
    expect(viaEntry.builtinImports).toEqual(
      expect.arrayContaining([
        { importer: "packages/tf/src/node.ts", specifier: "node:worker_threads", how: "external" },
      ]),
    );
    const prefixed = await bundleForBrowser(
      `import { readFileSync } from "node:fs"; export const r = readFileSync;`,
    );
    expect(prefixed.builtinImports).toEqual([{ importer: "<stdin>", specifier: "node:fs", how: "external" }]);
    const bare = await bundleForBrowser(`import { readFileSync } from "fs"; export const r = readFileSync;`);
    expect(bare.errors).toEqual([expect.stringMatching(/Could not resolve "fs"/)]);
  });

  test.each([
    ["node:fs", true],
    ["fs", true],
    ["fs/promises", true],
    ["worker_threads", true],
    ["@od/tf", false],
    ["fflate", false],
    ["node_modules/node-fetch/browser.js", false],
  ])("isNodeBuiltin(%s) is %s", (s, want) => {
    expect(isNodeBuiltin(s)).toBe(want);
  });
});
