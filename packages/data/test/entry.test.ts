import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

describe("browser-safe core", () => {
  test("nothing but src/node.ts imports node: modules or Node-only codecs", () => {
    const dir = fileURLToPath(new URL("../src/", import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts") && f !== "node.ts",
    );
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(dir + f, "utf8");
      expect(src, f).not.toMatch(/from "(node:[a-z/]+|fs|path|sharp|pngjs|jpeg-js)"/);
    }
  });
});
