import { describeValue } from "@od/boxes";
import { resizePixels } from "@od/image/kernels";
import type { Pixels } from "./image.js";
import { checkInterval, checkPositiveInt, checkRange, fail } from "./internal/check.js";
import { coveredArea } from "./internal/rects.js";
import { random, randomInt, uniform } from "./rng.js";
import { readSample, type Sample, unsafeSample } from "./sample.js";
import {
  checkP,
  type DropReason,
  defineTransform,
  type ProbabilityOptions,
  type Transform,
} from "./transform.js";

/** Options for {@link copyPaste}. */
export interface CopyPasteOptions extends ProbabilityOptions {
  /** Samples whose boxes are the object bank (same channels and dtype as the samples it is applied to). */
  readonly sources: readonly Sample[];
  /** How many objects to paste, drawn uniformly (default `[1, 3]`). */
  readonly count?: readonly [number, number];
  /** Draw objects with weight 1 / (objects of their class in the bank), so rare classes are pasted as often as common ones (default false: uniform over objects). */
  readonly classBalanced?: boolean;
  /** Largest fraction of any box already in the image that one paste may cover (default 0.3). */
  readonly maxOverlap?: number;
  /** Placement attempts per object before it is skipped (default 20). */
  readonly trials?: number;
  /** Scale factor range applied to the crop (default `[1, 1]`). */
  readonly scale?: readonly [number, number];
  /** Width of a linear alpha ramp at the crop's edges, px (default 0: hard edges). */
  readonly feather?: number;
  /** Boxes whose unoccluded fraction falls below this are dropped with reason `occluded` (default 0.25). */
  readonly minVisible?: number;
}

interface BankItem {
  readonly src: number;
  readonly box: number;
  readonly label: number;
}

/**
 * Copy-paste augmentation (Ghiasi et al., "Simple Copy-Paste is a Strong Data Augmentation Method",
 * 2021, with rectangular crops instead of masks): pastes crops of objects from `sources` at random
 * integer positions where they cover at most `maxOverlap` of every box already present (earlier pastes
 * included). Each crop is the integer pixel cover of its box (`[⌊x1⌋, ⌈x2⌉)`), optionally scaled and
 * feathered; the pasted box keeps its sub-pixel position inside the crop. Afterwards every box is
 * checked against the pastes placed after it: a box covered on a whole side is shrunk to its visible
 * part; a box whose visible fraction falls below `minVisible` is dropped (`occluded`, reported for input
 * boxes). Pasted boxes appear in `report.kept` as −1. No geometric record.
 * @throws AugmentError `INVALID_ARGUMENT` for bad options, `SHAPE_MISMATCH` when a source's channels or dtype differ.
 */
export function copyPaste(options: CopyPasteOptions): Transform {
  const fn = "copyPaste";
  if (!Array.isArray(options?.sources))
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.sources must be an array of samples; got ${describeValue(options?.sources)}`,
    );
  const sources = options.sources.map((s, i) => readSample(`${fn} (options.sources[${i}])`, s));
  const count = options.count ?? [1, 3];
  checkInterval(fn, "options.count", count, 0, 1000);
  const maxOverlap = options.maxOverlap ?? 0.3;
  checkRange(fn, "options.maxOverlap", maxOverlap, 0, 1);
  const trials = options.trials ?? 20;
  checkPositiveInt(fn, "options.trials", trials);
  const scale = options.scale ?? [1, 1];
  checkInterval(fn, "options.scale", scale, Number.MIN_VALUE, 16);
  const feather = options.feather ?? 0;
  checkRange(fn, "options.feather", feather, 0, 1e6);
  const minVisible = options.minVisible ?? 0.25;
  checkRange(fn, "options.minVisible", minVisible, 0, 1);
  const bank: BankItem[] = [];
  sources.forEach((s, si) => {
    for (let i = 0; i < s.labels.length; i++) bank.push({ src: si, box: i, label: s.labels[i]! });
  });
  const freq = new Map<number, number>();
  for (const it of bank) freq.set(it.label, (freq.get(it.label) ?? 0) + 1);
  const weights = bank.map((it) => (options.classBalanced ? 1 / freq.get(it.label)! : 1));
  const cum = new Float64Array(weights.length);
  weights.reduce((acc, w, i) => {
    cum[i] = acc + w;
    return acc + w;
  }, 0);
  const total = cum.length > 0 ? cum[cum.length - 1]! : 0;

  return defineTransform(fn, checkP(fn, options.p), (parts, _s, rng) => {
    const { px } = parts;
    const W = px.width;
    const H = px.height;
    const C = px.channels;
    const u8 = px.data instanceof Uint8Array;
    const n0 = parts.labels.length;
    // all boxes (input first, then pasted), float64, with the paste index they were added at
    const bx: number[] = Array.from(parts.boxes);
    const lab: number[] = Array.from(parts.labels);
    const addedAt: number[] = new Array(n0).fill(-1);
    const pastes: number[] = [];
    const out = px.data.slice();
    const k = bank.length === 0 ? 0 : randomInt(rng, Math.ceil(count[0]), Math.floor(count[1]));
    for (let p = 0; p < k; p++) {
      const u = random(rng) * total;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      const item = bank[lo]!;
      const src = sources[item.src]!;
      if (src.px.channels !== C || src.px.data instanceof Uint8Array !== u8) {
        fail(
          "SHAPE_MISMATCH",
          fn,
          `options.sources[${item.src}] has ${src.px.channels} channels ${src.px.data instanceof Uint8Array ? "uint8" : "float32"}; the sample has ${C} channels ${u8 ? "uint8" : "float32"}`,
        );
      }
      const sb = src.boxes;
      const b0 = item.box * 4;
      const sx1 = sb[b0]!;
      const sy1 = sb[b0 + 1]!;
      const sx2 = sb[b0 + 2]!;
      const sy2 = sb[b0 + 3]!;
      const cx1 = Math.max(0, Math.floor(sx1));
      const cy1 = Math.max(0, Math.floor(sy1));
      const cx2 = Math.min(src.px.width, Math.ceil(sx2));
      const cy2 = Math.min(src.px.height, Math.ceil(sy2));
      if (cx2 <= cx1 || cy2 <= cy1) continue;
      const s = uniform(rng, scale[0], scale[1]);
      const cw = Math.max(1, Math.round((cx2 - cx1) * s));
      const ch = Math.max(1, Math.round((cy2 - cy1) * s));
      if (cw > W || ch > H) continue;
      let placed = false;
      let x0 = 0;
      let y0 = 0;
      for (let t = 0; t < trials && !placed; t++) {
        x0 = randomInt(rng, 0, W - cw);
        y0 = randomInt(rng, 0, H - ch);
        placed = true;
        for (let j = 0; j < bx.length; j += 4) {
          const x1 = bx[j]!;
          const y1 = bx[j + 1]!;
          const x2 = bx[j + 2]!;
          const y2 = bx[j + 3]!;
          const a = (x2 - x1) * (y2 - y1);
          const iw = Math.min(x2, x0 + cw) - Math.max(x1, x0);
          const ih = Math.min(y2, y0 + ch) - Math.max(y1, y0);
          if (iw > 0 && ih > 0 && (iw * ih) / a > maxOverlap) {
            placed = false;
            break;
          }
        }
      }
      if (!placed) continue;
      const crop = cropPixels(src.px, cx1, cy1, cx2 - cx1, cy2 - cy1);
      const scaled = cw === crop.width && ch === crop.height ? crop : resizePixels(crop, cw, ch, "bilinear");
      blend(out, W, C, scaled, x0, y0, feather, u8);
      const sx = cw / (cx2 - cx1);
      const sy = ch / (cy2 - cy1);
      bx.push(x0 + (sx1 - cx1) * sx, y0 + (sy1 - cy1) * sy, x0 + (sx2 - cx1) * sx, y0 + (sy2 - cy1) * sy);
      lab.push(item.label);
      addedAt.push(pastes.length / 4);
      pastes.push(x0, y0, x0 + cw, y0 + ch);
    }
    const keptList: number[] = [];
    const outBoxes: number[] = [];
    const keptLabels: number[] = [];
    const dropped: { index: number; reason: DropReason }[] = [];
    for (let i = 0; i < lab.length; i++) {
      let x1 = bx[i * 4]!;
      let y1 = bx[i * 4 + 1]!;
      let x2 = bx[i * 4 + 2]!;
      let y2 = bx[i * 4 + 3]!;
      const occ = pastes.slice((addedAt[i]! + 1) * 4);
      const A = (x2 - x1) * (y2 - y1);
      const visible = A > 0 ? 1 - coveredArea(x1, y1, x2, y2, occ) / A : 1;
      if (visible < minVisible) {
        if (i < n0) dropped.push({ index: i, reason: "occluded" });
        continue;
      }
      for (let q = 0; q < occ.length; q += 4) {
        const [ox1, oy1, ox2, oy2] = [occ[q], occ[q + 1], occ[q + 2], occ[q + 3]] as [
          number,
          number,
          number,
          number,
        ];
        if (oy1 <= y1 && oy2 >= y2) {
          if (ox1 <= x1 && ox2 > x1 && ox2 < x2) x1 = ox2;
          else if (ox2 >= x2 && ox1 < x2 && ox1 > x1) x2 = ox1;
        }
        if (ox1 <= x1 && ox2 >= x2) {
          if (oy1 <= y1 && oy2 > y1 && oy2 < y2) y1 = oy2;
          else if (oy2 >= y2 && oy1 < y2 && oy1 > y1) y2 = oy1;
        }
      }
      outBoxes.push(x1, y1, x2, y2);
      keptList.push(i < n0 ? i : -1);
      keptLabels.push(lab[i]!);
    }
    return {
      sample: unsafeSample(
        { ...px, data: out },
        Float32Array.from(outBoxes),
        Int32Array.from(keptLabels),
        parts.records,
      ),
      kept: Int32Array.from(keptList),
      dropped,
    };
  });
}

function cropPixels(px: Pixels, x0: number, y0: number, w: number, h: number): Pixels {
  const C = px.channels;
  const out = px.data instanceof Uint8Array ? new Uint8Array(w * h * C) : new Float32Array(w * h * C);
  for (let y = 0; y < h; y++) {
    const s = ((y0 + y) * px.width + x0) * C;
    out.set(px.data.subarray(s, s + w * C), y * w * C);
  }
  return { data: out, width: w, height: h, channels: C };
}

function blend(
  out: Pixels["data"],
  W: number,
  C: number,
  crop: Pixels,
  x0: number,
  y0: number,
  feather: number,
  u8: boolean,
): void {
  const { width: cw, height: ch, data } = crop;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const d = ((y0 + y) * W + x0 + x) * C;
      const s = (y * cw + x) * C;
      let a = 1;
      if (feather > 0) {
        const e = Math.min(x + 0.5, cw - x - 0.5, y + 0.5, ch - y - 0.5);
        a = Math.min(1, e / feather);
      }
      for (let c = 0; c < C; c++) {
        const v = a === 1 ? data[s + c]! : out[d + c]! * (1 - a) + data[s + c]! * a;
        out[d + c] = u8 ? Math.round(v) : v;
      }
    }
  }
}
