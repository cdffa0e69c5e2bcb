/**
 * File-system faults: errors of the environment (permissions, a read-only or full disk, a file where a
 * folder is expected), not of the program. The CLI reports them as bad input (exit 2) with one line
 * naming the path; exit 3 stays reserved for bugs.
 * @module
 */

/** errno codes treated as file-system faults, with the reason printed for each. */
export const FS_FAULT_REASONS: Readonly<Record<string, string>> = Object.freeze({
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "already exists",
  EISDIR: "is a folder, not a file",
  ENOENT: "no such file or folder",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many levels of symbolic links",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "input/output error",
  EBUSY: "resource busy",
  ETXTBSY: "file busy",
});

/** What an error says about a failed file-system call. */
export interface FsFault {
  /** errno code, a key of {@link FS_FAULT_REASONS} (`ENOSPC`, `EACCES`, ...). */
  readonly code: string;
  /** The system call that failed (`mkdir`, `open`, `write`, `rename`, ...), when known. */
  readonly syscall?: string;
  /** The path the call was about, when the error carries it (`write` on a descriptor does not). */
  readonly path?: string;
  /** Second path of a two-path call (`rename`, `copyfile`, `link`). */
  readonly dest?: string;
}

/** `CODE: description, syscall 'path'` (-> 'dest'): the message of a Node system error. */
const SYSTEM_ERROR_MESSAGE = /^(E[A-Z0-9]+): [^,\n]*, ([a-z_]+)(?: '([^']*)'(?: -> '([^']*)')?)?/;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** The fault of one error object (not its causes), or undefined. */
function ownFault(e: unknown): FsFault | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const o = e as { code?: unknown; syscall?: unknown; path?: unknown; dest?: unknown; message?: unknown };
  const code = str(o.code);
  if (code !== undefined) {
    if (!(code in FS_FAULT_REASONS)) return undefined;
    const syscall = str(o.syscall);
    const path = str(o.path);
    const dest = str(o.dest);
    return {
      code,
      ...(syscall === undefined ? {} : { syscall }),
      ...(path === undefined ? {} : { path }),
      ...(dest === undefined ? {} : { dest }),
    };
  }
  // A system error that lost its properties (re-thrown as `new Error(e.message)`, or cloned out of a
  // worker thread, which keeps only name and message) still has Node's message format.
  const m = SYSTEM_ERROR_MESSAGE.exec(str(o.message) ?? "");
  if (m === null || !((m[1] as string) in FS_FAULT_REASONS)) return undefined;
  return {
    code: m[1] as string,
    syscall: m[2] as string,
    ...(m[3] === undefined ? {} : { path: m[3] }),
    ...(m[4] === undefined ? {} : { dest: m[4] }),
  };
}

/**
 * The file-system fault an error is or wraps (its `cause` chain is followed, up to 8 levels), or
 * undefined when it is something else (a bug, a typed od error, ...).
 * @param e anything thrown.
 */
export function fsFaultOf(e: unknown): FsFault | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 8 && typeof cur === "object" && cur !== null; depth++) {
    const f = ownFault(cur);
    if (f !== undefined) return f;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a system call was doing, as a verb phrase (`mkdir` -> `create folder`). */
function verbOf(syscall: string | undefined): string {
  switch (syscall) {
    case "mkdir":
    case "mkdtemp":
      return "create folder";
    case "open":
      return "open";
    case "write":
    case "writev":
    case "ftruncate":
    case "fsync":
    case "close":
      return "write";
    case "read":
      return "read";
    case "rename":
      return "rename";
    case "unlink":
    case "rmdir":
    case "rm":
      return "remove";
    case "copyfile":
    case "cp":
      return "copy";
    case "scandir":
    case "opendir":
      return "list";
    case "stat":
    case "lstat":
    case "access":
    case "realpath":
      return "access";
    case "symlink":
    case "link":
      return "link";
    case undefined:
      return "access";
    default:
      return syscall;
  }
}

/**
 * One line saying what failed, where and why, e.g.
 * `cannot create folder /data/runs/a: a part of the path is a file, not a folder (ENOTDIR)` or
 * `cannot write /out/x.png: no space left on device (ENOSPC)`.
 * @param f the fault ({@link fsFaultOf}).
 * @param where the path to name when the error carries none (a `write` on a descriptor): the file or
 *   folder the command was writing.
 */
export function fsFaultMessage(f: FsFault, where?: string): string {
  const reason =
    f.code === "EEXIST" && (f.syscall === "mkdir" || f.syscall === "mkdtemp")
      ? "exists and is not a folder"
      : (FS_FAULT_REASONS[f.code] ?? f.code);
  const path = f.path ?? where;
  const target = path === undefined ? "" : ` ${path}${f.dest === undefined ? "" : ` to ${f.dest}`}`;
  return `cannot ${verbOf(f.syscall)}${target}: ${reason} (${f.code})`;
}
