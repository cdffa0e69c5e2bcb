import { expect } from "vitest";
import { type Rect, rectContains, rectsOverlap } from "../src/index.js";
import { group, shapeBoxes, textBoxes, viewBox } from "./geometry.js";

/**
 * Checks what every chart promises about its title and legend: each legend text and swatch lies
 * inside the viewBox and does not intersect the title's box.
 */
export function expectLegendClear(svg: string): void {
  const vb = viewBox(svg);
  const title = textBoxes(group(svg, "title")).map((t) => t.box);
  const legend = group(svg, "legend");
  const boxes: Rect[] = [...textBoxes(legend).map((t) => t.box), ...shapeBoxes(legend)];
  for (const t of title) expect(rectContains(vb, t)).toBe(true);
  for (const b of boxes) {
    expect(rectContains(vb, b)).toBe(true);
    for (const t of title) expect(rectsOverlap(b, t)).toBe(false);
  }
}

/** Hostile names: markup, entities, quotes. */
export const HOSTILE = [`<script>alert("x")</script>`, "Platelets & co", `it's "quoted"`] as const;

/** How those names must appear in the SVG. */
export const HOSTILE_ESCAPED = [
  "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
  "Platelets &amp; co",
  "it&#39;s &quot;quoted&quot;",
] as const;

/** A legend name far wider than any chart. */
export const LONG_NAME = `${"a very long class name ".repeat(12)}that ends here`;

/** `CODE: message` of the od error (`isOdError: true`) `f` throws, `"no error"` when it returns. */
export function errorText(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const od = e as { isOdError?: unknown; code?: unknown; message?: unknown };
    return od.isOdError === true ? `${String(od.code)}: ${String(od.message)}` : String(e);
  }
  return "no error";
}
