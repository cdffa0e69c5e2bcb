import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import {
  type CodeBlock,
  documentationFiles,
  extractBlocks,
  runBlock,
  typecheckBlocks,
} from "./helpers/docs-code.js";

// Every ```ts block of the documentation type-checks against the built packages (`npm run build` first;
// `npm run test:all` builds), and the blocks marked `<!-- docs-code: run -->` run to completion, so a
// guide cannot drift from the API.
const root = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const workDir = path.join(root, "packages", "integration", ".docs-code");
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("extractBlocks", () => {
  test.each([
    ["no blocks", "text\n```sh\nls\n```\n", []],
    ["one block", "a\n```ts\nconst x = 1;\n```\n", [{ line: 3, code: "const x = 1;", mode: "check" }]],
    [
      "run marker above, blank line between",
      "<!-- docs-code: run -->\n\n```ts\nf();\ng();\n```",
      [{ line: 4, code: "f();\ng();", mode: "run" }],
    ],
    [
      "skip marker with its reason",
      "<!-- docs-code: skip needs a browser -->\n```typescript\nx;\n```",
      [{ line: 3, code: "x;", mode: "skip", reason: "needs a browser" }],
    ],
    [
      "a marker applies to the next block only",
      "<!-- docs-code: run -->\n```ts\na;\n```\ntext\n```ts\nb;\n```",
      [
        { line: 3, code: "a;", mode: "run" },
        { line: 7, code: "b;", mode: "check" },
      ],
    ],
  ])("%s", (_name, md, expected) => {
    const blocks = extractBlocks("x.md", md).map(({ line, code, mode, reason }) => ({
      line,
      code,
      mode,
      ...(reason !== undefined ? { reason } : {}),
    }));
    expect(blocks).toEqual(expected);
  });

  test("an unclosed block is an error naming file and line", () => {
    expect(() => extractBlocks("a.md", "x\n```ts\nconst y = 1;\n")).toThrow("a.md:2: unclosed");
  });

  test("a skip marker without a reason is an error", () => {
    expect(() => extractBlocks("a.md", "<!-- docs-code: skip -->\n```ts\nx;\n```")).toThrow(
      "a.md:1: a docs-code skip marker needs a reason",
    );
  });
});

describe("typecheckBlocks", () => {
  test("reports a type error at its Markdown line and passes a correct block", { timeout: 120_000 }, () => {
    const good: CodeBlock = {
      file: "good.md",
      line: 10,
      code: 'import { boxes } from "@od/boxes";\nconst b = boxes([[0, 0, 1, 1]], "xyxy", "px");',
      mode: "check",
    };
    const bad: CodeBlock = {
      file: "bad.md",
      line: 20,
      code: 'import { boxes, iou } from "@od/boxes";\nconst a = boxes([[0, 0, 1, 1]], "xyxy", "px");\nconst r: string = iou(a, a);',
      mode: "check",
    };
    const { dir, problems } = typecheckBlocks(root, workDir, [good, bad]);
    made.push(dir);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^bad\.md:22: error TS2322: Type 'Float32Array.*' is not assignable to type 'string'/,
      ),
    ]);
  });
});

describe("the documentation's code", () => {
  const blocks = documentationFiles(root).flatMap((f) =>
    extractBlocks(f, readFileSync(path.join(root, f), "utf8")),
  );
  let dir = "";

  test("has blocks, among them runnable ones", () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.some((b) => b.mode === "run")).toBe(true);
  });

  test("every ts block type-checks against the built packages", { timeout: 300_000 }, () => {
    const r = typecheckBlocks(root, workDir, blocks);
    dir = r.dir;
    made.push(dir);
    expect(r.problems.map((p) => p.message)).toEqual([]);
  });

  const runnable = blocks.filter((b) => b.mode === "run");
  test.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))(
    "%s runs",
    { timeout: 120_000 },
    (_name, block) => {
      if (dir === "") {
        const r = typecheckBlocks(root, workDir, blocks);
        dir = r.dir;
        made.push(dir);
      }
      const r = runBlock(root, dir, block, 110_000);
      expect(r.output).not.toMatch(/Error|error TS/);
      expect(r.status).toBe(0);
    },
  );
});
