import { escapeXml } from "./escape.js";
import { formatCoord } from "./format.js";
import { COLORS } from "./palette.js";

/** Font sizes in px of every chart: body text and legends, titles, tick labels. */
export const FONT_SIZE = Object.freeze({ base: 11, title: 13, tick: 10 });

/** Distance between two baselines, as a multiple of the font size. */
export const LINE_HEIGHT = 1.25;

/** Estimated advance of one character as a fraction of the font size: sans-serif Latin / CJK and emoji. */
const NARROW = 0.6;
const WIDE = 1;

function isWide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    c >= 0x20000
  );
}

/**
 * Estimated width in px of `text` drawn at `fontSize` px in a sans-serif font: 0.6 em per character,
 * 1 em for CJK and emoji. An estimate (no font metrics in plain TypeScript) that errs wide for
 * ordinary Latin text; every layout decision of `@od/plot` uses it.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += isWide(ch.codePointAt(0)!) ? WIDE : NARROW;
  return em * fontSize;
}

/** Splits one word that is wider than `maxWidth` into pieces that fit (at least one character each). */
function breakWord(word: string, maxWidth: number, fontSize: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const ch of word) {
    if (cur !== "" && textWidth(cur + ch, fontSize) > maxWidth) {
      out.push(cur);
      cur = ch;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Greedy line breaking: words (split at whitespace) are packed into lines no wider than `maxWidth`
 * px (by {@link textWidth}); a word wider than a line is broken between characters; `\n` forces a
 * break. Always returns at least one line (`[""]` for empty text).
 */
export function wrapText(text: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  for (const paragraph of String(text).split("\n")) {
    let cur = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      const candidate = cur === "" ? word : `${cur} ${word}`;
      if (textWidth(candidate, fontSize) <= maxWidth) {
        cur = candidate;
        continue;
      }
      if (cur !== "") lines.push(cur);
      const pieces = breakWord(word, maxWidth, fontSize);
      cur = pieces.pop()!;
      lines.push(...pieces);
    }
    lines.push(cur);
  }
  return lines;
}

/** Options of {@link textSvg}. */
export interface TextStyle {
  /** Font size in px (default {@link FONT_SIZE}.base). */
  readonly size?: number;
  /** `text-anchor` (default `"start"`). */
  readonly anchor?: "start" | "middle" | "end";
  /** Fill colour (default `COLORS.text`). */
  readonly fill?: string;
  /** Bold when true. */
  readonly bold?: boolean;
  /** An SVG `transform` attribute (e.g. `rotate(-90 12 100)`). */
  readonly transform?: string;
}

/**
 * A `<text>` element with one `<tspan>` per line, escaped. `y` is the baseline of the first line;
 * later lines are {@link LINE_HEIGHT} × size apart.
 */
export function textSvg(lines: readonly string[], x: number, y: number, style: TextStyle = {}): string {
  const size = style.size ?? FONT_SIZE.base;
  const attrs = [
    `x="${formatCoord(x)}"`,
    `y="${formatCoord(y)}"`,
    `font-size="${size}"`,
    `fill="${style.fill ?? COLORS.text}"`,
  ];
  if (style.anchor !== undefined && style.anchor !== "start") attrs.push(`text-anchor="${style.anchor}"`);
  if (style.bold) attrs.push(`font-weight="bold"`);
  if (style.transform !== undefined) attrs.push(`transform="${escapeXml(style.transform)}"`);
  const body =
    lines.length === 1
      ? escapeXml(lines[0]!)
      : lines
          .map(
            (l, i) =>
              `<tspan x="${formatCoord(x)}"${i === 0 ? "" : ` dy="${formatCoord(size * LINE_HEIGHT)}"`}>${escapeXml(l)}</tspan>`,
          )
          .join("");
  return `<text ${attrs.join(" ")}>${body}</text>`;
}
