const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** True for a code point XML 1.0 allows in a document (tab, newline, carriage return, and U+0020 up, minus surrogates and U+FFFE/U+FFFF). */
function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/**
 * Escapes text for SVG/XML/HTML text content and attribute values (single- or double-quoted):
 * `& < > " '` become entities, and characters XML cannot hold (C0 controls, unpaired surrogates,
 * U+FFFE, U+FFFF) become U+FFFD, so any string (a class name like `<script>`) yields a well-formed
 * document.
 * @example escapeXml(`a<b & "c"`) // "a&lt;b &amp; &quot;c&quot;"
 */
export function escapeXml(text: string): string {
  let out = "";
  for (const ch of String(text)) out += ENTITIES[ch] ?? (isXmlChar(ch.codePointAt(0)!) ? ch : "\uFFFD");
  return out;
}
