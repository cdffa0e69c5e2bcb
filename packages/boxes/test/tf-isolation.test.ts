import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));

/** Every .ts file under `dir`, relative to src/. */
function sources(dir: string, rel = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name), `${rel}${e.name}/`)
      : e.name.endsWith(".ts")
        ? [`${rel}${e.name}`]
        : [],
  );
}

describe("@od/boxes/tf stays out of the core entry point", () => {
  test("no file outside src/tf.ts and src/tf/ imports tfjs", () => {
    const core = sources(src).filter((f) => f !== "tf.ts" && !f.startsWith("tf/"));
    expect(core).toContain("index.ts");
    const offenders = core.filter((f) =>
      /from\s+["']@tensorflow\/|import\s*\(\s*["']@tensorflow\//.test(readFileSync(join(src, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  test("nothing in the core imports the tf subpath", () => {
    const core = sources(src).filter((f) => f !== "tf.ts" && !f.startsWith("tf/"));
    const offenders = core.filter((f) =>
      /from\s+["']\.{1,2}\/(tf|tf\/[^"']*)\.js["']/.test(readFileSync(join(src, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
