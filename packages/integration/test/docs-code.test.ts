import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import {
  type CodeBlock,
  documentationFiles,
  extractBlocks,
  runBlock,
  runnableCode,
  typecheckBlocks,
} from "./helpers/docs-code.js";

// Every ```ts block of the documentation type-checks against the built packages (`npm run build` first;
// `npm run test:all` builds) and runs to completion (but those marked `skip`; those marked `short` run a
// shortened configuration), so a guide cannot drift from the API.
const root = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const workDir = path.join(root, "packages", "integration", ".docs-code");
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe("extractBlocks", () => {
  test.each([
    ["no blocks", "text\n```sh\nls\n```\n", []],
    [
      "an unmarked block runs",
      "a\n```ts\nconst x = 1;\n```\n",
      [{ line: 3, code: "const x = 1;", mode: "run" }],
    ],
    [
      "skip marker with its reason, blank line between",
      "<!-- docs-code: skip needs a browser -->\n\n```typescript\nx;\n```",
      [{ line: 4, code: "x;", mode: "skip", reason: "needs a browser" }],
    ],
    [
      "short marker: the replacements, in order",
      '<!-- docs-code: short "epochs: 30" => "epochs: 1", "\\"big\\"" => "\\"small\\"" -->\n```ts\nf({ epochs: 30 }, "big");\n```',
      [
        {
          line: 3,
          code: 'f({ epochs: 30 }, "big");',
          mode: "run",
          substitutions: [
            { from: "epochs: 30", to: "epochs: 1" },
            { from: '"big"', to: '"small"' },
          ],
        },
      ],
    ],
    [
      "a marker applies to the next block only",
      "<!-- docs-code: skip no Node API -->\n```ts\na;\n```\ntext\n```ts\nb;\n```",
      [
        { line: 3, code: "a;", mode: "skip", reason: "no Node API" },
        { line: 7, code: "b;", mode: "run" },
      ],
    ],
  ])("%s", (_name, md, expected) => {
    const blocks = extractBlocks("x.md", md).map(({ line, code, mode, reason, substitutions }) => ({
      line,
      code,
      mode,
      ...(reason !== undefined ? { reason } : {}),
      ...(substitutions.length > 0 ? { substitutions } : {}),
    }));
    expect(blocks).toEqual(expected);
  });

  test.each([
    ["an unclosed block", "x\n```ts\nconst y = 1;\n", "a.md:2: unclosed"],
    [
      "a skip marker without a reason",
      "<!-- docs-code: skip -->\n```ts\nx;\n```",
      "a.md:1: a docs-code skip marker needs a reason",
    ],
    [
      "an unknown marker",
      "<!-- docs-code: run -->\n```ts\nx;\n```",
      'a.md:1: unknown docs-code marker "run"',
    ],
    [
      "a short marker without replacements",
      "<!-- docs-code: short -->\n```ts\nx;\n```",
      "a.md:1: a docs-code short marker needs a replacement",
    ],
    [
      "a short marker that is not a list of pairs",
      '<!-- docs-code: short "a" -> "b" -->\n```ts\na;\n```',
      'a.md:1: a docs-code short marker takes "from" => "to" pairs; cannot read "\\"a\\" -> \\"b\\""',
    ],
    [
      "a short marker replacing what the block does not contain",
      '<!-- docs-code: short "epochs: 30" => "epochs: 1" -->\n```ts\nf({ epochs: 3 });\n```',
      'a.md:1: the short marker replaces "epochs: 30", which the block does not contain',
    ],
  ])("%s is an error naming file and line", (_name, md, message) => {
    expect(() => extractBlocks("a.md", md)).toThrow(message);
  });
});

describe("runnableCode", () => {
  test("applies every replacement to every occurrence, in order; a block without a marker is unchanged", () => {
    const [short, plain] = extractBlocks(
      "a.md",
      '<!-- docs-code: short "30" => "3", "3" => "1" -->\n```ts\nf(30, 30, 2);\n```\n```ts\nf(30);\n```',
    );
    expect(runnableCode(short!)).toBe("f(1, 1, 2);");
    expect(runnableCode(plain!)).toBe("f(30);");
  });
});

describe("typecheckBlocks", () => {
  test("reports a type error at its Markdown line and passes a correct block", { timeout: 120_000 }, () => {
    const good: CodeBlock = {
      file: "good.md",
      line: 10,
      code: 'import { boxes } from "@od/boxes";\nconst b = boxes([[0, 0, 1, 1]], "xyxy", "px");',
      mode: "run",
      substitutions: [],
    };
    const bad: CodeBlock = {
      file: "bad.md",
      line: 20,
      code: 'import { boxes, iou } from "@od/boxes";\nconst a = boxes([[0, 0, 1, 1]], "xyxy", "px");\nconst r: string = iou(a, a);',
      mode: "run",
      substitutions: [],
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

  test("has blocks; a skipped one says why", () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks.filter((x) => x.mode === "skip")) expect(b.reason).not.toBe("");
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
      console.log(`${block.file}:${block.line}: ${r.seconds.toFixed(1)} s`);
      expect(r.output).not.toMatch(/Error|error TS/);
      expect(r.status).toBe(0);
    },
  );
});
