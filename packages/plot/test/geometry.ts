import { FONT_SIZE, LINE_HEIGHT, type Rect, textWidth } from "../src/index.js";

const fromEntities = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

const attr = (tag: string, name: string): string | undefined =>
  tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/** The estimated box of every `<text>` in an SVG fragment (same estimate the layout uses). */
export function textBoxes(fragment: string): { box: Rect; lines: string[] }[] {
  const out: { box: Rect; lines: string[] }[] = [];
  for (const m of fragment.matchAll(/<text([^>]*)>(.*?)<\/text>/g)) {
    const tag = m[1] as string;
    const body = m[2] as string;
    const size = Number(attr(tag, "font-size") ?? FONT_SIZE.base);
    const x = Number(attr(tag, "x"));
    const y = Number(attr(tag, "y"));
    const lines = body.includes("<tspan")
      ? [...body.matchAll(/<tspan[^>]*>(.*?)<\/tspan>/g)].map((t) => fromEntities(t[1] as string))
      : [fromEntities(body)];
    const width = Math.max(...lines.map((l) => textWidth(l, size)));
    const anchor = attr(tag, "text-anchor") ?? "start";
    const left = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
    out.push({ lines, box: { x: left, y: y - size, width, height: lines.length * size * LINE_HEIGHT } });
  }
  return out;
}

/** The viewBox of an SVG document. */
export function viewBox(svg: string): Rect {
  const [x, y, width, height] = (svg.match(/viewBox="([^"]*)"/)?.[1] ?? "").split(" ").map(Number);
  return { x: x as number, y: y as number, width: width as number, height: height as number };
}

/** The content of the first `<g class="...">` group (title, legend), or "" without one. */
export function group(svg: string, cls: string): string {
  return svg.match(new RegExp(`<g class="${cls}">(.*?)</g>`, "s"))?.[1] ?? "";
}

/** Boxes of the swatch shapes (`line`, `rect`, `circle`) of an SVG fragment. */
export function shapeBoxes(fragment: string): Rect[] {
  const out: Rect[] = [];
  for (const m of fragment.matchAll(/<(line|rect|circle)([^>]*)\/?>/g)) {
    const t = m[2] as string;
    const n = (k: string) => Number(attr(t, k) ?? 0);
    if (m[1] === "line")
      out.push({
        x: Math.min(n("x1"), n("x2")),
        y: Math.min(n("y1"), n("y2")),
        width: Math.abs(n("x2") - n("x1")),
        height: Math.abs(n("y2") - n("y1")),
      });
    else if (m[1] === "rect") out.push({ x: n("x"), y: n("y"), width: n("width"), height: n("height") });
    else out.push({ x: n("cx") - n("r"), y: n("cy") - n("r"), width: 2 * n("r"), height: 2 * n("r") });
  }
  return out;
}
