/** Last path segment (both `/` and `\` separators). */
export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
  return i < 0 ? p : p.slice(i + 1);
}

/** Base name without its last extension. */
export function stem(p: string): string {
  const b = baseName(p);
  const i = b.lastIndexOf(".");
  return i <= 0 ? b : b.slice(0, i);
}
