/**
 * The repository's own lint rule (`lint/no-as-number.grit`, a biome GritQL plugin enabled in
 * `biome.json` and run by `npm run lint`) fails where it should: a small tree is written to a temp
 * folder with the repository's biome configuration, one file per case, and biome must report exactly
 * the casts listed here, no more and no fewer.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
/** biome, a devDependency of the repository root. */
const biome = path.join(repo, "node_modules", ".bin", "biome");
const plugin = "lint/no-as-number.grit";

/** Files of the fixture tree (path relative to its root -> contents). */
const files: Readonly<Record<string, string>> = {
  // flagged: an indexed read cast to number
  "packages/p/src/indexed.ts":
    "export function first(a: Float32Array): number {\n  return a[0] as number;\n}\n",
  // flagged: a cast to number[]
  "packages/p/src/array.ts": "export function rows(v: unknown): number[] {\n  return v as number[];\n}\n",
  // flagged: a non-indexed cast in an internal module
  "packages/p/src/internal/map.ts":
    "export function count(m: Map<number, number>, k: number): number {\n  return m.get(k) as number;\n}\n",
  // allowed: the idiom (read once, narrowed with !)
  "packages/p/src/narrowed.ts":
    "export function span(b: Float32Array, s: number): number {\n  const x1 = b[s]!;\n  const x2 = b[s + 2]!;\n  return x2 - x1;\n}\n",
  // allowed: casts to other types are not this rule's business
  "packages/p/src/const.ts": 'export const modes = ["a", "b"] as const;\n',
  // allowed: tests, benchmarks and vendored code
  "packages/p/test/indexed.test.ts": "export const t = (a: Float32Array): number => a[0] as number;\n",
  "packages/p/bench/run.ts": "export const t = (a: Float32Array): number => a[0] as number;\n",
  "packages/p/src/vendor/kernel.ts": "export const t = (a: Float32Array): number => a[0] as number;\n",
  // allowed until its files are converted: the trainer's Node modules
  "packages/train/src/node/epochs.ts": "export const t = (a: Float32Array): number => a[0] as number;\n",
};

/** One diagnostic of biome's JSON reporter, reduced to what the test compares. */
interface Finding {
  readonly path: string;
  readonly line: number;
  readonly category: string;
}

let root = "";
let findings: Finding[] = [];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "od-lint-"));
  const config = JSON.parse(readFileSync(path.join(repo, "biome.json"), "utf8")) as Record<string, unknown>;
  delete config.$schema;
  // the fixture is not a git checkout
  config.vcs = { enabled: false };
  writeFileSync(path.join(root, "biome.json"), JSON.stringify(config));
  mkdirSync(path.join(root, "lint"));
  copyFileSync(path.join(repo, plugin), path.join(root, plugin));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  let out: string;
  try {
    out = execFileSync(biome, ["lint", "--reporter=json", "--max-diagnostics=100", "."], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as {
    diagnostics: { category: string; location: { path: string; start: { line: number } } }[];
  };
  findings = report.diagnostics.map((d) => ({
    path: d.location.path,
    line: d.location.start.line,
    category: d.category,
  }));
}, 60_000);

afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true });
});

describe("lint rule no-as-number", () => {
  test("reports exactly the casts to number in package sources", () => {
    const sorted = [...findings].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    expect(sorted).toEqual([
      { path: "packages/p/src/array.ts", line: 2, category: "plugin" },
      { path: "packages/p/src/indexed.ts", line: 2, category: "plugin" },
      { path: "packages/p/src/internal/map.ts", line: 2, category: "plugin" },
    ]);
  });
});
