/**
 * Dataset statistics (JSON) and their plots (standalone SVG strings drawn with `@od/plot`: they render
 * in a browser, a README or a report).
 * @module
 */
import { barChartSvg } from "@od/plot";
import type { DetectionDataset } from "./types.js";

/**
 * A histogram with fixed bin edges. Bin `i` counts values in `[edges[i], edges[i+1])`; values below
 * the first edge count in the first bin and values at or above the last edge in the last bin, so
 * `sum(counts)` is the number of values. Edges are finite, so the object is plain JSON.
 */
export interface Histogram {
  /** What is counted, e.g. `"box size sqrt(w*h) px"`. */
  readonly label: string;
  /** `[B + 1]` increasing bin edges. */
  readonly edges: readonly number[];
  /** `[B]` counts. */
  readonly counts: readonly number[];
}

/** Per-class counts. */
export interface ClassStats {
  /** Class name. */
  readonly name: string;
  /** Boxes of this class. */
  readonly boxes: number;
  /** Images with at least one box of this class. */
  readonly images: number;
  /** Boxes of this class marked difficult. */
  readonly difficult: number;
  /** Boxes of this class marked crowd. */
  readonly crowd: number;
  /** Median box size `sqrt(w·h)` in px of the original image (0 when the class has no boxes). */
  readonly medianSizePx: number;
}

/** Statistics of a {@link DetectionDataset}, as plain JSON. */
export interface DatasetStats {
  /** Number of images. */
  readonly images: number;
  /** Images without boxes (negatives). */
  readonly negatives: number;
  /** Number of boxes. */
  readonly boxes: number;
  /** One entry per class, in `classNames` order. */
  readonly classes: readonly ClassStats[];
  /** Image sizes: `"WxH"` → number of images, most frequent first. */
  readonly imageSizes: Readonly<Record<string, number>>;
  /** Boxes per image, bins of width 1 from 0 to the maximum. */
  readonly boxesPerImage: Histogram;
  /** Box size `sqrt(w·h)` in px of the original image (edges 0, 8, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024; COCO's small/medium/large split at 32 and 96). */
  readonly sizePx: Histogram;
  /** Box size relative to the image, `sqrt(w·h / (W·H))`, 20 bins over [0, 1]. */
  readonly sizeRel: Histogram;
  /** Box width in px of the original image (same edges as `sizePx`). */
  readonly widthPx: Histogram;
  /** Box height in px of the original image (same edges as `sizePx`). */
  readonly heightPx: Histogram;
  /** Aspect ratio `log2(w / h)`, bins of 0.5 over [-3, 3] (1:8 to 8:1). */
  readonly aspectLog2: Histogram;
}

/**
 * Units of the px statistics of {@link computeStats} (`sizePx`, `widthPx`, `heightPx`,
 * `medianSizePx`): px of each original image, before any resize to a network input.
 */
export const IMAGE_PX_UNITS = "px of the original image";

const PX_EDGES = [0, 8, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024];
const REL_EDGES = Array.from({ length: 21 }, (_, i) => i / 20);
const ASPECT_EDGES = Array.from({ length: 13 }, (_, i) => -3 + i / 2);

function bin(edges: readonly number[], v: number): number {
  const B = edges.length - 1;
  let lo = 0;
  let hi = B - 1;
  if (!(v >= edges[1]!)) return 0;
  if (v >= edges[B - 1]!) return B - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (v >= edges[mid]!) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hist(label: string, edges: readonly number[], values: ArrayLike<number>): Histogram {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = bin(edges, values[i]!);
    counts[b]!++;
  }
  return { label, edges: [...edges], counts };
}

function median(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Computes {@link DatasetStats}: counts per class, image sizes, and histograms of boxes per image,
 * box size (px and relative), width, height and aspect ratio. One pass over the boxes.
 * @example JSON.stringify(computeStats(ds), null, 2)
 */
export function computeStats(dataset: DetectionDataset): DatasetStats {
  const C = dataset.classNames.length;
  const boxes = new Array<number>(C).fill(0);
  const imagesWith = new Array<number>(C).fill(0);
  const difficult = new Array<number>(C).fill(0);
  const crowd = new Array<number>(C).fill(0);
  const sizesByClass: number[][] = Array.from({ length: C }, () => []);
  const size: number[] = [];
  const rel: number[] = [];
  const ws: number[] = [];
  const hs: number[] = [];
  const aspect: number[] = [];
  const perImage: number[] = [];
  const imageSizes = new Map<string, number>();
  let negatives = 0;
  let total = 0;
  const seen = new Uint8Array(C);
  for (const r of dataset.images) {
    const n = r.boxes.length;
    perImage.push(n);
    total += n;
    if (n === 0) negatives++;
    const key = `${r.size.width}x${r.size.height}`;
    imageSizes.set(key, (imageSizes.get(key) ?? 0) + 1);
    seen.fill(0);
    const d = r.boxes.data;
    const area = r.size.width * r.size.height;
    for (let k = 0; k < n; k++) {
      const c = r.labels[k]!;
      const w = d[k * 4 + 2]! - d[k * 4]!;
      const h = d[k * 4 + 3]! - d[k * 4 + 1]!;
      const s = Math.sqrt(Math.max(0, w * h));
      size.push(s);
      rel.push(Math.sqrt(Math.max(0, (w * h) / area)));
      ws.push(w);
      hs.push(h);
      aspect.push(w > 0 && h > 0 ? Math.log2(w / h) : 0);
      if (c >= 0 && c < C) {
        boxes[c]!++;
        if (r.difficult[k]) difficult[c]!++;
        if (r.crowd[k]) crowd[c]!++;
        sizesByClass[c]!.push(s);
        seen[c] = 1;
      }
    }
    for (let c = 0; c < C; c++) imagesWith[c]! += seen[c]!;
  }
  const maxPer = perImage.reduce((a, b) => Math.max(a, b), 0);
  return {
    images: dataset.images.length,
    negatives,
    boxes: total,
    classes: dataset.classNames.map((name, c) => ({
      name,
      boxes: boxes[c]!,
      images: imagesWith[c]!,
      difficult: difficult[c]!,
      crowd: crowd[c]!,
      medianSizePx: median(sizesByClass[c]!),
    })),
    imageSizes: Object.fromEntries([...imageSizes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    boxesPerImage: hist(
      "boxes per image",
      Array.from({ length: maxPer + 2 }, (_, i) => i),
      perImage,
    ),
    sizePx: hist(`box size sqrt(w*h), ${IMAGE_PX_UNITS}`, PX_EDGES, size),
    sizeRel: hist("box size sqrt(w*h / (W*H)), relative to the image", REL_EDGES, rel),
    widthPx: hist(`box width, ${IMAGE_PX_UNITS}`, PX_EDGES, ws),
    heightPx: hist(`box height, ${IMAGE_PX_UNITS}`, PX_EDGES, hs),
    aspectLog2: hist("aspect log2(w/h)", ASPECT_EDGES, aspect),
  };
}

/** Tick label of a bin edge: integers as written, other values to 3 significant digits. */
function edgeLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/**
 * A {@link Histogram} as an SVG bar chart (`@od/plot` `barChartSvg`, 480 × 300 px): one bar per bin
 * labelled by its lower edge (`≥` the last edge for the last bin), the count above it; x titled with
 * the histogram's label (which carries its unit), y with "count".
 */
export function histogramSvg(h: Histogram, title: string = h.label): string {
  const labels = h.counts.map((_, i) =>
    i === h.counts.length - 1 ? `≥${edgeLabel(h.edges[i]!)}` : edgeLabel(h.edges[i]!),
  );
  return barChartSvg({
    title,
    x: { label: h.label },
    y: { label: "count" },
    bars: h.counts.map((value, i) => ({ label: labels[i]!, value })),
  });
}

/**
 * Every plot of {@link DatasetStats} as SVG documents: `classes` (boxes per class), `boxesPerImage`,
 * `sizePx`, `sizeRel`, `widthPx`, `heightPx`, `aspectLog2`.
 */
export function statsSvg(stats: DatasetStats): Record<string, string> {
  return {
    classes: barChartSvg({
      title: "boxes per class",
      x: { label: "class" },
      y: { label: "boxes" },
      bars: stats.classes.map((c) => ({ label: c.name, value: c.boxes })),
    }),
    boxesPerImage: histogramSvg(stats.boxesPerImage),
    sizePx: histogramSvg(stats.sizePx),
    sizeRel: histogramSvg(stats.sizeRel),
    widthPx: histogramSvg(stats.widthPx),
    heightPx: histogramSvg(stats.heightPx),
    aspectLog2: histogramSvg(stats.aspectLog2),
  };
}
