import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const script = path.join(pkg, "scripts", "vendor-tfjs-core.mjs");
const vendored = path.join(pkg, "src", "vendor", "tfjs-core");

/** Runs the vendoring script's `--check`; returns its exit code and output. */
function check(dir: string): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [script, "--check", "--dir", dir], { encoding: "utf8" });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: `${err.stdout}${err.stderr}` };
  }
}

describe("src/vendor/tfjs-core", () => {
  test("is exactly what scripts/vendor-tfjs-core.mjs generates from the installed tfjs-core", () => {
    const { code, out } = check(vendored);
    expect(out).toMatch(/matches tfjs-core 4\.22\.0 \((\d+) files\)/);
    expect(Number(/\((\d+) files\)/.exec(out)?.[1])).toBeGreaterThan(110);
    expect(code).toBe(0);
  });

  test("the check fails on an edited, a missing or an extra file, naming each", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "od-vendor-check-"));
    try {
      cpSync(vendored, dir, { recursive: true });
      appendFileSync(path.join(dir, "gradients", "Abs_grad.ts"), "// edited\n");
      rmSync(path.join(dir, "chained-ops.ts"));
      appendFileSync(path.join(dir, "gradients", "Extra_grad.ts"), "export {};\n");
      const { code, out } = check(dir);
      expect(code).toBe(1);
      expect(out).toContain("differs from tfjs-core 4.22.0: gradients/Abs_grad.ts");
      expect(out).toContain("missing: chained-ops.ts");
      expect(out).toContain("not generated: gradients/Extra_grad.ts");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every vendored file keeps tfjs's Apache-2.0 header, and the licence text ships beside it", () => {
    const files = readdirSync(vendored, { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    expect(files.length).toBeGreaterThan(110);
    for (const f of files) {
      const head = readFileSync(path.join(vendored, f), "utf8").slice(0, 1200);
      expect(head, f).toContain("Licensed under the Apache License, Version 2.0");
      expect(head, f).toContain("Vendored from @tensorflow/tfjs-core 4.22.0");
    }
    expect(readFileSync(path.join(pkg, "src", "vendor", "LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0, January 2004",
    );
  });
});
