import { letterboxRecord } from "@od/boxes";
import { letterboxPixels } from "@od/image/kernels";
import type { Image } from "./image.js";
import { makeImage, readPixels } from "./image.js";
import { checkPositiveInt, fail } from "./internal/check.js";
import { GLYPH_H, GLYPH_W, glyph } from "./internal/font.js";
import { createRng } from "./rng.js";
import { readSample, type Sample } from "./sample.js";
import type { Transform } from "./transform.js";

/** Options for {@link drawSample}. */
export interface DrawOptions {
  /** Names printed next to each box, indexed by label (default: the label number). */
  readonly labelNames?: readonly string[];
  /** Box outline thickness, px (default 2). */
  readonly thickness?: number;
  /** Font scale (default 1: 5×7 px glyphs). */
  readonly fontScale?: number;
  /**
   * `[N]` scores (e.g. detection confidences in [0, 1]), one per box, printed after the box's name
   * with two decimals (`RBC 0.87`); absent = names only.
   */
  readonly scores?: ArrayLike<number>;
}

/** A fixed palette of distinct RGB colours, cycled by label. */
const PALETTE: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
];

/** Converts any sample image to RGB uint8 (float32 × 255, grey replicated, alpha dropped). */
function toRgb8(
  fn: string,
  image: Image,
  arg = "image",
): { data: Uint8Array; width: number; height: number } {
  const px = readPixels(fn, arg, image);
  const { data, width, height, channels: C } = px;
  const out = new Uint8Array(width * height * 3);
  const f = data instanceof Uint8Array ? 1 : 255;
  for (let i = 0, o = 0; i < data.length; i += C, o += 3) {
    for (let c = 0; c < 3; c++) {
      const v = data[i + (C >= 3 ? c : 0)]! * f;
      out[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return { data: out, width, height };
}

function fillRect(
  img: { data: Uint8Array; width: number; height: number },
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  rgb: readonly number[],
): void {
  const xa = Math.max(0, x0);
  const ya = Math.max(0, y0);
  const xb = Math.min(img.width, x1);
  const yb = Math.min(img.height, y1);
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * img.width + x) * 3;
      img.data[o] = rgb[0]!;
      img.data[o + 1] = rgb[1]!;
      img.data[o + 2] = rgb[2]!;
    }
  }
}

function drawText(
  img: { data: Uint8Array; width: number; height: number },
  text: string,
  x0: number,
  y0: number,
  s: number,
  rgb: readonly number[],
): void {
  let x = x0;
  for (const ch of text) {
    const rows = glyph(ch);
    for (let r = 0; r < GLYPH_H; r++) {
      const bits = rows[r]!;
      for (let c = 0; c < GLYPH_W; c++)
        if (bits & (1 << (GLYPH_W - 1 - c)))
          fillRect(img, x + c * s, y0 + r * s, x + (c + 1) * s, y0 + (r + 1) * s, rgb);
    }
    x += (GLYPH_W + 1) * s;
  }
}

/** The tag text of box `i`: its name, then its score with two decimals when scores are given. */
function tagText(options: DrawOptions, label: number, i: number): string {
  const name = options.labelNames?.[label] ?? String(label);
  return options.scores === undefined ? name : `${name} ${options.scores[i]!.toFixed(2)}`;
}

/**
 * Draws a sample's boxes (outlines, one colour per label) and tags (label name, plus the score when
 * `options.scores` is given, in a 5×7 bitmap font on a filled tag above each box, or inside it at the
 * top edge) onto an RGB uint8 copy of its image. Pure JS, browser-safe; `@od/augment/node` encodes the
 * result as PNG.
 * @returns `[H, W, 3]` uint8.
 * @throws AugmentError on an invalid sample; `SHAPE_MISMATCH` when `options.scores` does not have one
 *   value per box.
 */
export function drawSample(sample: Sample, options: DrawOptions = {}): Image {
  const fn = "drawSample";
  const parts = readSample(fn, sample);
  const img = toRgb8(fn, sample.image);
  const t = options.thickness ?? 2;
  const s = options.fontScale ?? 1;
  checkPositiveInt(fn, "options.thickness", t);
  checkPositiveInt(fn, "options.fontScale", s);
  if (options.scores !== undefined && options.scores.length !== parts.labels.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `options.scores has ${options.scores.length} values but the sample has ${parts.labels.length} boxes`,
      { arg: "options.scores" },
    );
  }
  const b = parts.boxes;
  for (let i = 0; i < parts.labels.length; i++) {
    const label = parts.labels[i]!;
    const rgb = PALETTE[((label % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
    const x1 = Math.round(b[i * 4]!);
    const y1 = Math.round(b[i * 4 + 1]!);
    const x2 = Math.round(b[i * 4 + 2]!);
    const y2 = Math.round(b[i * 4 + 3]!);
    fillRect(img, x1, y1, x2, y1 + t, rgb);
    fillRect(img, x1, y2 - t, x2, y2, rgb);
    fillRect(img, x1, y1, x1 + t, y2, rgb);
    fillRect(img, x2 - t, y1, x2, y2, rgb);
    const text = tagText(options, label, i);
    const tw = text.length * (GLYPH_W + 1) * s + s;
    const th = (GLYPH_H + 2) * s;
    const ty = y1 - th >= 0 ? y1 - th : y1;
    fillRect(img, x1, ty, x1 + tw, ty + th, rgb);
    drawText(img, text, x1 + s, ty + s, s, [0, 0, 0]);
  }
  return makeImage(img.data, img.width, img.height, 3);
}

/** Options for {@link augmentationGrid}. */
export interface GridOptions extends DrawOptions {
  /** How many augmented versions (default 16). */
  readonly n?: number;
  /** Columns (default ⌈√n⌉). */
  readonly cols?: number;
  /** Cell size, px; each drawn sample is letterboxed into it (default 256 × 256). */
  readonly cellWidth?: number;
  /** Cell height, px. */
  readonly cellHeight?: number;
  /** Seed of the generator driving the transform (default 0); version k continues the same stream. */
  readonly seed?: number;
}

/**
 * A grid of `n` augmented versions of one sample, each drawn with {@link drawSample} and letterboxed
 * into a cell, for eyeballing a pipeline (the recipe's "debugging is half the work").
 * @returns `[rows · (cellHeight + 2) + 2, cols · (cellWidth + 2) + 2, 3]` uint8, grey gutters.
 */
export function augmentationGrid(sample: Sample, transform: Transform, options: GridOptions = {}): Image {
  const fn = "augmentationGrid";
  const n = options.n ?? 16;
  checkPositiveInt(fn, "options.n", n);
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  checkPositiveInt(fn, "options.cols", cols);
  const cw = options.cellWidth ?? 256;
  const ch = options.cellHeight ?? 256;
  checkPositiveInt(fn, "options.cellWidth", cw);
  checkPositiveInt(fn, "options.cellHeight", ch);
  const rows = Math.ceil(n / cols);
  const W = cols * (cw + 2) + 2;
  const H = rows * (ch + 2) + 2;
  const out = new Uint8Array(W * H * 3).fill(96);
  const rng = createRng(options.seed ?? 0);
  for (let k = 0; k < n; k++) {
    const drawn = readPixels(fn, "drawn", drawSample(transform.apply(sample, rng).sample, options));
    const rec = letterboxRecord({ width: drawn.width, height: drawn.height }, { width: cw, height: ch });
    const cell = letterboxPixels(drawn, rec, "area");
    const ox = 2 + (k % cols) * (cw + 2);
    const oy = 2 + Math.floor(k / cols) * (ch + 2);
    for (let y = 0; y < ch; y++)
      out.set(cell.data.subarray(y * cw * 3, (y + 1) * cw * 3), ((oy + y) * W + ox) * 3);
  }
  return makeImage(out, W, H, 3);
}

/** Options of {@link sideBySide}. */
export interface SideBySideOptions {
  /** One title per image, drawn in a strip above it (5×7 font, black on white); absent = no strip. */
  readonly titles?: readonly string[];
  /** Gap between images, px (default 4). */
  readonly gap?: number;
  /** Font scale of the titles (default 1). */
  readonly fontScale?: number;
}

/**
 * Images placed left to right on a grey background, top-aligned, each with an optional title strip
 * above it: e.g. an image drawn with its ground truth next to the same image drawn with predictions.
 * Any channel count and dtype are accepted (converted as {@link drawSample} does).
 * @param images one or more images (any sizes).
 * @returns `[titleH + maxH, ΣW + gap·(n − 1), 3]` uint8, `titleH = 9 · fontScale` with titles, else 0.
 * @throws AugmentError `INVALID_ARGUMENT` for no images, a bad gap or font scale; `SHAPE_MISMATCH` when
 *   `titles` does not have one entry per image; `INVALID_IMAGE` for an invalid image.
 */
export function sideBySide(images: readonly Image[], options: SideBySideOptions = {}): Image {
  const fn = "sideBySide";
  if (images.length === 0) fail("INVALID_ARGUMENT", fn, "images must hold at least one image; got none");
  const gap = options.gap ?? 4;
  const s = options.fontScale ?? 1;
  if (!(Number.isInteger(gap) && gap >= 0))
    fail("INVALID_ARGUMENT", fn, `options.gap must be an integer >= 0; got ${gap}`, { arg: "options.gap" });
  checkPositiveInt(fn, "options.fontScale", s);
  const titles = options.titles;
  if (titles !== undefined && titles.length !== images.length) {
    fail(
      "SHAPE_MISMATCH",
      fn,
      `options.titles has ${titles.length} entries but there are ${images.length} images`,
      { arg: "options.titles" },
    );
  }
  const parts = images.map((im, i) => toRgb8(fn, im, `images[${i}]`));
  const titleH = titles === undefined ? 0 : (GLYPH_H + 2) * s;
  const W = parts.reduce((sum, p) => sum + p.width, 0) + gap * (parts.length - 1);
  const H = titleH + Math.max(...parts.map((p) => p.height));
  const out = { data: new Uint8Array(W * H * 3).fill(96), width: W, height: H };
  let x0 = 0;
  parts.forEach((p, i) => {
    if (titles !== undefined) {
      fillRect(out, x0, 0, x0 + p.width, titleH, [255, 255, 255]);
      drawText(out, titles[i]!, x0 + s, s, s, [0, 0, 0]);
    }
    for (let y = 0; y < p.height; y++)
      out.data.set(p.data.subarray(y * p.width * 3, (y + 1) * p.width * 3), ((titleH + y) * W + x0) * 3);
    x0 += p.width + gap;
  });
  return makeImage(out.data, W, H, 3);
}
