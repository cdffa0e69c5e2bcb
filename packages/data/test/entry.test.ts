import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

describe("browser-safe core", () => {
  test("only src/node.ts, and files nothing else imports, use node: modules or Node-only codecs", () => {
    const dir = fileURLToPath(new URL("../src/", import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const source = new Map(files.map((f) => [f, readFileSync(dir + f, "utf8")]));
    const nodeOnly = files.filter((f) =>
      /from "(node:[a-z/]+|fs|path|sharp|pngjs|jpeg-js)"/.test(source.get(f) as string),
    );
    expect(nodeOnly).toContain("node.ts");
    for (const f of nodeOnly) {
      if (f === "node.ts") continue;
      const spec = `/${f.split("/").at(-1)?.replace(/\.ts$/, ".js")}"`;
      const importers = files.filter((g) => g !== f && (source.get(g) as string).includes(spec));
      expect(importers, `${f} uses Node modules; only node.ts may import it`).toEqual(["node.ts"]);
    }
  });
});
