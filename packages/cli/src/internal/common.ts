import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { isOdError } from "@od/boxes";
import { InvalidArgumentError } from "commander";
import { parse as parseYaml } from "yaml";
import { CliExit, type CliIo, EXIT } from "../io.js";
import { fsFaultMessage, fsFaultOf } from "./fs-fault.js";

/** A bad-input exit (code 2) with a one-line reason. */
export function bad(message: string): CliExit {
  return new CliExit(EXIT.badInput, message);
}

/** Joins a multi-line message into one line (`a; b; c`). */
export function oneLine(message: string): string {
  const lines = message
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return lines.reduce((acc, l, i) => (i === 0 ? l : `${acc}${acc.endsWith(":") ? " " : "; "}${l}`), "");
}

/** Resolves a user path against the program's working directory. */
export function resolvePath(io: CliIo, p: string): string {
  return path.resolve(io.cwd ?? process.cwd(), p);
}

/** `file`, `dir` or `missing`. */
export async function kindOf(p: string): Promise<"file" | "dir" | "missing"> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

/** Writes a line to stdout. */
export function out(io: CliIo, line = ""): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function note(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** Prints a value as pretty JSON on stdout (NaN and ±Infinity become null; typed arrays become arrays). */
export function printJson(io: CliIo, value: unknown): void {
  out(io, toJson(value));
}

/** JSON text of a value: typed arrays as arrays, non-finite numbers as null. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) return null;
      if (ArrayBuffer.isView(v) && "length" in v) return Array.from(v as ArrayBufferView & ArrayLike<number>);
      return v;
    },
    indent,
  );
}

/**
 * Writes a file, creating its folder.
 * @throws CliExit (2) with one line naming the path when the file system refuses (permission,
 *   read-only, disk full, a file where a folder is expected; see {@link fsFaultMessage}).
 */
export async function writeOut(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  } catch (e) {
    throw fsExit(e, file) ?? e;
  }
}

/**
 * The bad-input exit (2) for a file-system fault, or undefined when `e` is something else.
 * @param where the path to name when the error carries none (see {@link fsFaultMessage}).
 */
export function fsExit(e: unknown, where?: string): CliExit | undefined {
  const f = fsFaultOf(e);
  return f === undefined ? undefined : bad(fsFaultMessage(f, where));
}

/**
 * What a command reports for a thrown value: a `CliExit` or a typed od error as it is (but an od
 * `IO_FAILED` whose cause is a file-system fault reads as that fault), a file-system fault as its
 * bad-input exit ({@link fsExit}), anything else unchanged (a bug: exit 3).
 * @param where the path to name when a file-system error carries none (e.g. the run folder).
 */
export function asCliError(e: unknown, where?: string): unknown {
  if (isOdError(e, "IO_FAILED")) return fsExit(e, where) ?? e;
  return e instanceof CliExit || isOdError(e) ? e : (fsExit(e, where) ?? e);
}

/** Commander parser: an integer ≥ min. */
export function intArg(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= min)) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return n;
  };
}

/** Commander parser: a finite number in [lo, hi]. */
export function numArg(lo: number, hi: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < lo || n > hi)
      throw new InvalidArgumentError(`expected a number in [${lo}, ${hi}]`);
    return n;
  };
}

/** Commander parser: a comma-separated list of class names (trimmed, non-empty, distinct). */
export function classListArg(v: string): string[] {
  const names = v.split(",").map((s) => s.trim());
  if (names.some((n) => n === ""))
    throw new InvalidArgumentError("expected class names separated by commas, none empty");
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new InvalidArgumentError(`class ${JSON.stringify(dup)} is listed twice`);
  return names;
}

/** Commander parser: `WxH` in px (e.g. `320x320`). */
export function sizeArg(v: string): { width: number; height: number } {
  const m = /^(\d+)[x×X](\d+)$/.exec(v.trim());
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || !(width > 0 && height > 0)) throw new InvalidArgumentError("expected WIDTHxHEIGHT, e.g. 320x320");
  return { width, height };
}

/** Commander parser: `N` (a square N×N) or `WxH` in px, e.g. `--imgsz 320` or `--imgsz 416x320`. */
export function squareOrSizeArg(v: string): { width: number; height: number } {
  const n = /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (n > 0) return { width: n, height: n };
  try {
    return sizeArg(v);
  } catch {
    throw new InvalidArgumentError("expected N or WIDTHxHEIGHT, e.g. 320 or 416x320");
  }
}

/**
 * Reads a JSON or YAML file (by extension: `.yaml` / `.yml` are YAML, everything else JSON).
 * @throws CliExit (2) naming the file and the parse position.
 */
export async function readConfigFile(io: CliIo, file: string, what: string): Promise<unknown> {
  const abs = resolvePath(io, file);
  let text: string;
  try {
    text = await readFile(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw bad(
      code === "ENOENT"
        ? `${what} ${file} does not exist`
        : `cannot read ${what} ${file}: ${(e as Error).message}`,
    );
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw bad(
      `${what} ${file} is not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${oneLine((e as Error).message)}`,
    );
  }
}

/** Formats a fraction as a percentage (`–` for NaN). */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

/** Formats rows as a left-aligned text table (first row = header). */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
