/**
 * What `predict` reads: image files, folders of images and glob patterns, expanded to one ordered list
 * of files. Globs are matched with tinyglobby (the shell usually expands unquoted patterns first; a
 * quoted pattern, or one the shell left alone, is expanded here the same way on every platform).
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { isImageFile } from "@od/data/node";
import { glob, isDynamicPattern } from "tinyglobby";
import type { CliIo } from "../io.js";
import { bad, kindOf, resolvePath } from "./common.js";

/** The image files an argument list stands for. */
export interface ExpandedImages {
  /** Absolute paths, in argument order; a folder's or a pattern's images sorted by path. No duplicates. */
  readonly files: readonly string[];
  /** Files found in folders or by patterns that are not JPEG or PNG (by name), skipped. */
  readonly skipped: readonly string[];
  /** Files named more than once (kept at their first position). */
  readonly duplicates: readonly string[];
}

/** Every file under `dir` (sub-folders too when `recursive`), absolute, sorted by path. */
async function listFolder(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isFile() || (e.isSymbolicLink() && (await kindOf(p)) === "file")) out.push(p);
    else if (recursive && e.isDirectory()) out.push(...(await listFolder(p, true)));
  }
  return out.sort(byPath);
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Expands `predict` arguments, each one of:
 * - an existing file: taken as is, whatever its name (decoding decides whether it is an image);
 * - an existing folder: its `.jpg` / `.jpeg` / `.png` files (`isImageFile`; symbolic links to files
 *   included), sorted by path; with `recursive` also those of every sub-folder (symbolic links to
 *   folders are not followed); other files are listed in `skipped`;
 * - a glob pattern that names no existing path (`photos/*.jpg`, `"data/**\/*.png"`): the matching
 *   image files, sorted by path, relative patterns resolved against the working directory.
 * @throws CliExit (2) for a missing file, a folder without images or a pattern matching no image.
 */
export async function expandImageInputs(
  io: CliIo,
  args: readonly string[],
  options: { readonly recursive: boolean },
): Promise<ExpandedImages> {
  const files: string[] = [];
  const skipped: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (seen.has(f)) duplicates.push(f);
    else {
      seen.add(f);
      files.push(f);
    }
  };
  for (const arg of args) {
    const abs = resolvePath(io, arg);
    const kind = await kindOf(abs);
    if (kind === "file") {
      add(abs);
      continue;
    }
    let found: string[];
    if (kind === "dir") {
      found = await listFolder(abs, options.recursive);
    } else if (isDynamicPattern(arg)) {
      const cwd = io.cwd ?? process.cwd();
      found = (await glob(arg, { cwd, absolute: true, onlyFiles: true, expandDirectories: false }))
        .map((f) => path.resolve(f))
        .sort(byPath);
    } else {
      throw bad(`image ${arg} does not exist`);
    }
    const images = found.filter((f) => isImageFile(f));
    skipped.push(...found.filter((f) => !isImageFile(f)));
    if (images.length === 0) {
      throw bad(
        kind === "dir"
          ? `folder ${arg} has no JPEG or PNG images${options.recursive ? "" : " (add --recursive to look into its sub-folders)"}`
          : `no JPEG or PNG image matches ${arg}`,
      );
    }
    for (const f of images) add(f);
  }
  return { files, skipped, duplicates };
}
