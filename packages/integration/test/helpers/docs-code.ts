// Extraction, checking and running of the TypeScript examples in the documentation (docs/**/*.md,
// README.md, packages/*/README.md). Every ```ts block is type-checked against the built packages and
// run with tsx, in a fresh folder where `bccd` is the shipped BCCD demo slice
// (packages/cli/demo-data/bccd). A marker comment on the nearest non-blank line above a block changes
// that:
//   <!-- docs-code: skip <reason> -->              not checked, not run (only for what Node cannot run)
//   <!-- docs-code: short "from" => "to", ... -->  type-checked as written, run with each `from`
//                                                  replaced by its `to` (JSON strings; each `from` must
//                                                  occur in the block), for a shortened training run
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** What a block's marker asks for: run it (the default), or leave it out. */
export type BlockMode = "run" | "skip";

/** One replacement of a `short` marker: `from` in the block's code becomes `to` for the run. */
export interface Substitution {
  readonly from: string;
  readonly to: string;
}

/** One ```ts block of a Markdown file. */
export interface CodeBlock {
  /** Markdown file, relative to the repository root (`/` separators). */
  readonly file: string;
  /** 1-based line of the block's first code line in `file`. */
  readonly line: number;
  /** The code as the page shows it (what is type-checked). */
  readonly code: string;
  readonly mode: BlockMode;
  /** Why a `skip` block is left out (required by the marker). */
  readonly reason?: string;
  /** The replacements of a `short` marker, in order (empty without one). */
  readonly substitutions: readonly Substitution[];
}

/** The demo slice every block can read as `bccd` in its working folder, relative to the repository root. */
export const DEMO_DATA = "packages/cli/demo-data/bccd";

const FENCE_OPEN = /^```(ts|typescript)\s*$/;
const FENCE_CLOSE = /^```\s*$/;
const MARKER = /^<!--\s*docs-code:\s*(\S+)\s*(.*?)\s*-->\s*$/;
const JSON_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const PAIR = new RegExp(String.raw`\s*(${JSON_STRING})\s*=>\s*(${JSON_STRING})\s*(?:[,;]|$)`, "y");

/**
 * The replacements of a `short` marker's argument text: `"from" => "to"` pairs (JSON strings),
 * separated by `,` or `;`.
 * @throws Error naming `where` when the text is not such a list or is empty.
 */
export function parseSubstitutions(where: string, text: string): Substitution[] {
  const out: Substitution[] = [];
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < text.length) {
    const at = PAIR.lastIndex;
    const m = PAIR.exec(text);
    if (m === null) {
      throw new Error(
        `extractBlocks: ${where}: a docs-code short marker takes "from" => "to" pairs; cannot read ${JSON.stringify(text.slice(at))}`,
      );
    }
    out.push({ from: JSON.parse(m[1]!) as string, to: JSON.parse(m[2]!) as string });
  }
  if (out.length === 0)
    throw new Error(`extractBlocks: ${where}: a docs-code short marker needs a replacement`);
  return out;
}

/**
 * The ```ts blocks of one Markdown text, with the marker on the nearest non-blank line above each.
 * @throws Error naming file and line for an unclosed block, an unknown marker, a `skip` marker without a
 *   reason, or a `short` marker that cannot be read or whose `from` does not occur in its block.
 */
export function extractBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < lines.length && !FENCE_CLOSE.test(lines[j]!)) j++;
    if (j === lines.length) throw new Error(`extractBlocks: ${file}:${i + 1}: unclosed \`\`\`ts block`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const marker = k >= 0 ? MARKER.exec(lines[k]!.trim()) : null;
    const code = lines.slice(i + 1, j).join("\n");
    const where = `${file}:${k + 1}`;
    const base = { file, line: i + 2, code };
    if (marker === null) {
      blocks.push({ ...base, mode: "run", substitutions: [] });
    } else if (marker[1] === "skip") {
      const reason = marker[2]!;
      if (reason === "") throw new Error(`extractBlocks: ${where}: a docs-code skip marker needs a reason`);
      blocks.push({ ...base, mode: "skip", reason, substitutions: [] });
    } else if (marker[1] === "short") {
      const substitutions = parseSubstitutions(where, marker[2]!);
      for (const s of substitutions) {
        if (!code.includes(s.from)) {
          throw new Error(
            `extractBlocks: ${where}: the short marker replaces ${JSON.stringify(s.from)}, which the block does not contain`,
          );
        }
      }
      blocks.push({ ...base, mode: "run", substitutions });
    } else {
      throw new Error(
        `extractBlocks: ${where}: unknown docs-code marker ${JSON.stringify(marker[1])}; expected skip or short`,
      );
    }
    i = j;
  }
  return blocks;
}

/** The code a block runs: its code with every replacement of its `short` marker applied (all occurrences). */
export function runnableCode(block: CodeBlock): string {
  let code = block.code;
  for (const s of block.substitutions) code = code.split(s.from).join(s.to);
  return code;
}

/** The documentation files whose blocks are checked: docs/**\/*.md (but the built API reference), README.md, packages/*\/README.md. */
export function documentationFiles(root: string): string[] {
  const files: string[] = ["README.md"];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (rel !== "docs/api") walk(rel);
      } else if (e.name.endsWith(".md")) files.push(rel);
    }
  };
  walk("docs");
  for (const e of readdirSync(path.join(root, "packages"), { withFileTypes: true })) {
    const readme = `packages/${e.name}/README.md`;
    if (e.isDirectory() && existsSync(path.join(root, readme))) files.push(readme);
  }
  return files.sort();
}

/** A file name for a block: its Markdown path and line, e.g. `docs_guides_training.md_L12.ts`. */
export function blockFileName(block: CodeBlock): string {
  return `${block.file.replace(/[^A-Za-z0-9.-]/g, "_")}_L${block.line}.ts`;
}

/** A problem found in one block. */
export interface BlockProblem {
  readonly block: CodeBlock;
  /** `file.md:line: message` with the line in the Markdown file. */
  readonly message: string;
}

/**
 * Writes the blocks (all but `skip`, as the page shows them) to a new folder under `workDir` (inside the
 * workspace, so `@od/*` and tfjs resolve through its node_modules to the built packages) and type-checks
 * them with the repository's compiler options (unused locals allowed: examples name things to show them).
 * @returns the folder and the type errors, mapped to Markdown lines.
 */
export function typecheckBlocks(
  root: string,
  workDir: string,
  blocks: readonly CodeBlock[],
): { dir: string; problems: BlockProblem[] } {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(path.join(workDir, "blocks-"));
  const byName = new Map<string, CodeBlock>();
  for (const b of blocks) {
    if (b.mode === "skip") continue;
    const name = blockFileName(b);
    byName.set(name, b);
    writeFileSync(path.join(dir, name), `${b.code}\nexport {};\n`);
  }
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(root, "tsconfig.base.json"),
      compilerOptions: {
        rootDir: ".",
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        noUnusedLocals: false,
        noUnusedParameters: false,
      },
      include: ["*.ts"],
    }),
  );
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], {
    cwd: dir,
    encoding: "utf8",
  });
  const problems: BlockProblem[] = [];
  const output = `${r.stdout}${r.stderr}`;
  for (const line of output.split("\n")) {
    const m = /^(.+?\.ts)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
    if (m === null) continue;
    const block = byName.get(path.basename(m[1]!));
    if (block === undefined) {
      problems.push({ block: blocks[0]!, message: line.trim() });
      continue;
    }
    problems.push({ block, message: `${block.file}:${block.line + Number(m[2]) - 1}: ${m[4]}` });
  }
  if (r.status !== 0 && problems.length === 0) {
    problems.push({ block: blocks[0]!, message: `tsc exited with ${r.status}: ${output.trim()}` });
  }
  return { dir, problems };
}

/**
 * Runs one block with tsx in a child process, in a folder of its own under `dir` (so relative paths of
 * an example land there) in which `bccd` links to the demo slice. The code run is
 * {@link runnableCode}: the block with its `short` replacements applied.
 * @returns exit status, output and seconds taken.
 */
export function runBlock(
  root: string,
  dir: string,
  block: CodeBlock,
  timeoutMs: number,
): { status: number | null; output: string; seconds: number } {
  const t0 = performance.now();
  const cwd = path.join(dir, `run-${blockFileName(block).replace(/\.ts$/, "")}`);
  mkdirSync(cwd, { recursive: true });
  symlinkSync(path.join(root, DEMO_DATA), path.join(cwd, "bccd"), "dir");
  const file = path.join(cwd, "block.ts");
  writeFileSync(file, `${runnableCode(block)}\nexport {};\n`);
  const tsx = path.join(root, "node_modules", "tsx", "dist", "loader.mjs");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(tsx).href, file], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return {
    status: r.status,
    output: `${r.stdout ?? ""}${r.stderr ?? ""}`,
    seconds: (performance.now() - t0) / 1000,
  };
}
