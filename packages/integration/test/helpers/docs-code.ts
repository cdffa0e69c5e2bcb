// Extraction and checking of the TypeScript examples in the documentation (docs/**/*.md, README.md,
// packages/*/README.md): every ```ts block is type-checked against the built packages; a block preceded
// by `<!-- docs-code: run -->` is also executed; `<!-- docs-code: skip <reason> -->` leaves a block out.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** What a block's marker asks for. */
export type BlockMode = "check" | "run" | "skip";

/** One ```ts block of a Markdown file. */
export interface CodeBlock {
  /** Markdown file, relative to the repository root (`/` separators). */
  readonly file: string;
  /** 1-based line of the block's first code line in `file`. */
  readonly line: number;
  readonly code: string;
  readonly mode: BlockMode;
  /** Why a `skip` block is left out (required by the marker). */
  readonly reason?: string;
}

const FENCE_OPEN = /^```(ts|typescript)\s*$/;
const FENCE_CLOSE = /^```\s*$/;
const MARKER = /^<!--\s*docs-code:\s*(run|skip)\b\s*(.*?)\s*-->\s*$/;

/**
 * The ```ts blocks of one Markdown text, with the marker on the nearest non-blank line above each.
 * @throws Error naming file and line for an unclosed block or a `skip` marker without a reason.
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
    const mode: BlockMode = marker === null ? "check" : (marker[1] as "run" | "skip");
    const reason = marker?.[2] ?? "";
    if (mode === "skip" && reason === "") {
      throw new Error(`extractBlocks: ${file}:${k + 1}: a docs-code skip marker needs a reason`);
    }
    blocks.push({
      file,
      line: i + 2,
      code: lines.slice(i + 1, j).join("\n"),
      mode,
      ...(mode === "skip" ? { reason } : {}),
    });
    i = j;
  }
  return blocks;
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
    if (e.isDirectory() && safeExists(path.join(root, readme))) files.push(readme);
  }
  return files.sort();
}

function safeExists(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
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
 * Writes the blocks (all but `skip`) to a new folder under `workDir` (inside the workspace, so `@od/*`
 * and tfjs resolve through its node_modules to the built packages) and type-checks them with the
 * repository's compiler options (unused locals allowed: examples name things to show them).
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
 * Runs one block (already written by {@link typecheckBlocks} into `dir`) with tsx in a child process,
 * in `dir` (so relative paths of an example land in the temp folder).
 * @returns exit status, output and seconds taken.
 */
export function runBlock(
  root: string,
  dir: string,
  block: CodeBlock,
  timeoutMs: number,
): { status: number | null; output: string; seconds: number } {
  const t0 = performance.now();
  const tsx = path.join(root, "node_modules", "tsx", "dist", "loader.mjs");
  const r = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(tsx).href, path.join(dir, blockFileName(block))],
    {
      cwd: dir,
      encoding: "utf8",
      timeout: timeoutMs,
      env: { ...process.env, OD_DOCS_CODE: "1" },
    },
  );
  return {
    status: r.status,
    output: `${r.stdout ?? ""}${r.stderr ?? ""}`,
    seconds: (performance.now() - t0) / 1000,
  };
}
