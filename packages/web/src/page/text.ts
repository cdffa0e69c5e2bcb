/** The first line of `message`, at most `max` characters (an ellipsis marks a cut): what the page's error line shows. */
export function oneLine(message: string, max = 300): string {
  const first = message.split(/\r?\n/, 1)[0] ?? "";
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
