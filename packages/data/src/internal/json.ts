import { fail } from "./fail.js";

/** `JSON.parse` with a {@link DataError} `MALFORMED_ANNOTATION` naming file, line and column. */
export function parseJson(fn: string, text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    let line: number | undefined;
    let col: number | undefined;
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const pos = /position (\d+)/.exec(msg);
    if (lc) {
      line = Number(lc[1]);
      col = Number(lc[2]);
    } else if (pos) {
      const before = text.slice(0, Number(pos[1]));
      line = before.split("\n").length;
      col = Number(pos[1]) - before.lastIndexOf("\n");
    }
    const at = line === undefined ? "" : `${line}:${col}:`;
    return fail("MALFORMED_ANNOTATION", fn, `${file}:${at} invalid JSON: ${msg}`, { file, line, col }, e);
  }
}
