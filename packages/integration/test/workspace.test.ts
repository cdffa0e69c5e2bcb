/**
 * Scripts that every workspace package declares point at files that exist, so the root commands that
 * run them across the workspace (`npm run bench`: `turbo run bench`) do not fail on a missing file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const packagesDir = fileURLToPath(new URL("../..", import.meta.url));

/** Every workspace package: its folder name and its package.json scripts. */
const workspace = readdirSync(packagesDir)
  .filter((name) => existsSync(path.join(packagesDir, name, "package.json")))
  .map((name) => {
    const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    return { name, scripts: manifest.scripts ?? {} };
  });

describe("workspace packages", () => {
  test("there are packages to check", () => {
    expect(workspace.map((p) => p.name)).toEqual(
      expect.arrayContaining(["boxes", "tf", "ssd", "train", "cli"]),
    );
  });

  test.each(workspace)("$name: its bench script names a file that exists", ({ name, scripts }) => {
    const bench = scripts.bench;
    if (bench === undefined) return;
    const file = /^tsx (\S+\.ts)(\s|$)/.exec(bench)?.[1];
    expect(file, `${name}: bench script "${bench}" should be "tsx <file>.ts [args]"`).toBeDefined();
    expect(existsSync(path.join(packagesDir, name, file as string)), `${name}/${file}`).toBe(true);
  });
});
