import { fail } from "./fail.js";

/** One id of a VOC `ImageSets` list with its 1-based line. */
export interface ImageSetEntry {
  readonly id: string;
  readonly line: number;
}

/**
 * The ids of a VOC `ImageSets` list with their lines (see `parseImageSet`).
 * @throws DataError `MALFORMED_ANNOTATION` for a line with spaces that is not `<id> 1|-1|0`, or an id listed twice.
 */
export function imageSetEntries(text: string, file: string): ImageSetEntry[] {
  const out: ImageSetEntry[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === "") return;
    const f = t.split(/\s+/);
    if (f.length > 2 || (f.length === 2 && !/^(?:-?1|0)$/.test(f[1]!)))
      fail(
        "MALFORMED_ANNOTATION",
        "parseImageSet",
        `${file}:${i + 1}: ${JSON.stringify(t)} is not an image id: ids cannot contain spaces (a per-class list has "<id> 1", "<id> -1" or "<id> 0")`,
        { file, line: i + 1, value: t },
      );
    const id = f[0]!;
    const first = seen.get(id);
    if (first !== undefined)
      fail(
        "MALFORMED_ANNOTATION",
        "parseImageSet",
        `${file}:${i + 1}: image id ${JSON.stringify(id)} is listed twice (first on line ${first}); it would be loaded twice`,
        { file, line: i + 1, value: id },
      );
    seen.set(id, i + 1);
    out.push({ id, line: i + 1 });
  });
  return out;
}
