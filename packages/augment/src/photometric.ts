import type { SameRange } from "@od/image";
import { sameRangeImage } from "@od/image/kernels";
import { type Image, maxValue, type Pixels, readPixels } from "./image.js";
import { checkInterval, checkRange } from "./internal/check.js";
import { type Rng, random, uniform } from "./rng.js";
import { unsafeSample } from "./sample.js";
import {
  checkP,
  defineTransform,
  type ProbabilityOptions,
  type StepOutput,
  type Transform,
} from "./transform.js";

/*
 * Colour kernels. Values live in [0, M] with M = 255 (uint8) or 1 (float32); results are clamped to it
 * (and rounded for uint8). Colour channels are the first min(C, 3); a 4th (alpha) channel is never
 * touched. Saturation and hue need 3 colour channels and leave 1-channel images unchanged.
 * Luma weights are ITU-R BT.601 (0.299, 0.587, 0.114), as torchvision `rgb_to_grayscale`.
 */

/** Colour operations applied in this order, each clamped to [0, M]. */
interface Jitter {
  /** Added delta, fraction of the range. */
  brightness?: number;
  /** Contrast factor around the mean luma (after brightness). */
  contrast?: number;
  /** Saturation factor around each pixel's luma. */
  saturation?: number;
  /** Hue shift, turns. */
  hue?: number;
}

const LR = 0.299;
const LG = 0.587;
const LB = 0.114;

const clampTo = (x: number, M: number) => (x < 0 ? 0 : Math.min(x, M));

/** Mean luma after brightness `d` (a histogram for uint8). */
function meanLumaAfter(px: Pixels, d: number): number {
  const { data, channels: C } = px;
  const M = maxValue(data);
  const colour = C >= 3;
  let mean = 0;
  if (data instanceof Uint8Array) {
    const cc = colour ? 3 : 1;
    const hist = new Float64Array(256 * cc);
    for (let i = 0; i < data.length; i += C) {
      for (let c = 0; c < cc; c++) {
        const k = c * 256 + data[i + c]!;
        hist[k]!++;
      }
    }
    const wts = colour ? [LR, LG, LB] : [1];
    for (let c = 0; c < cc; c++)
      for (let v = 0; v < 256; v++) mean += wts[c]! * hist[c * 256 + v]! * clampTo(v + d, M);
  } else if (colour) {
    for (let i = 0; i < data.length; i += C) {
      mean +=
        LR * clampTo(data[i]! + d, M) + LG * clampTo(data[i + 1]! + d, M) + LB * clampTo(data[i + 2]! + d, M);
    }
  } else {
    for (let i = 0; i < data.length; i += C) mean += clampTo(data[i]! + d, M);
  }
  return mean / (data.length / C);
}

/**
 * Applies brightness → contrast → saturation → hue in one pass over the pixels (plus a histogram or a
 * pass for the contrast mean). Values stay float between operations and are clamped after each; uint8
 * results are rounded once at the end. Brightness/contrast alone use a 256-entry table for uint8.
 */
function jitterPx(px: Pixels, j: Jitter): Pixels {
  const { data, channels: C } = px;
  const M = maxValue(data);
  const u8 = data instanceof Uint8Array;
  const out = data.slice();
  const d = (j.brightness ?? 0) * M;
  const hasC = j.contrast !== undefined;
  const f = j.contrast ?? 1;
  const colour = C >= 3;
  const hasS = colour && j.saturation !== undefined;
  const sat = j.saturation ?? 1;
  const hasH = colour && j.hue !== undefined && j.hue !== 0;
  const shift = j.hue ?? 0;
  const cm = hasC ? meanLumaAfter(px, d) * (1 - f) : 0;
  if (!hasS && !hasH) {
    const map = (v: number) => {
      const x = clampTo(v + d, M);
      return hasC ? clampTo(cm + f * x, M) : x;
    };
    const cc = colour ? 3 : 1;
    if (u8) {
      const lut = new Uint8Array(256);
      for (let v = 0; v < 256; v++) lut[v] = Math.round(map(v));
      for (let i = 0; i < data.length; i += C) for (let c = 0; c < cc; c++) out[i + c] = lut[data[i + c]!]!;
    } else {
      for (let i = 0; i < data.length; i += C) for (let c = 0; c < cc; c++) out[i + c] = map(data[i + c]!);
    }
    return { ...px, data: out };
  }
  if (u8) {
    // Brightness and contrast are per-value: one table of the float values after them (the same
    // operations as below, so the same bytes), then saturation / hue per pixel.
    const bc = new Float64Array(256);
    for (let v = 0; v < 256; v++) {
      const x = clampTo(v + d, M);
      bc[v] = hasC ? clampTo(cm + f * x, M) : x;
    }
    jitterU8(data as Uint8Array, out as Uint8Array, C, bc, hasS, sat, hasH, shift);
    return { ...px, data: out };
  }
  for (let i = 0; i < data.length; i += C) {
    let r = clampTo(data[i]! + d, M);
    let g = clampTo(data[i + 1]! + d, M);
    let b = clampTo(data[i + 2]! + d, M);
    if (hasC) {
      r = clampTo(cm + f * r, M);
      g = clampTo(cm + f * g, M);
      b = clampTo(cm + f * b, M);
    }
    if (hasS) {
      const l = (LR * r + LG * g + LB * b) * (1 - sat);
      r = clampTo(l + sat * r, M);
      g = clampTo(l + sat * g, M);
      b = clampTo(l + sat * b, M);
    }
    if (hasH) {
      const max = r > g ? Math.max(r, b) : Math.max(g, b);
      const min = r < g ? Math.min(r, b) : Math.min(g, b);
      const c = max - min;
      if (c > 0) {
        let h = max === r ? (g - b) / c : max === g ? (b - r) / c + 2 : (r - g) / c + 4;
        h = h / 6 + shift;
        h -= Math.floor(h);
        const h6 = h * 6;
        const sel = Math.floor(h6);
        const fr = h6 - sel;
        const q = max - c * fr;
        const t = min + c * fr;
        if (sel === 0) {
          r = max;
          g = t;
          b = min;
        } else if (sel === 1) {
          r = q;
          g = max;
          b = min;
        } else if (sel === 2) {
          r = min;
          g = max;
          b = t;
        } else if (sel === 3) {
          r = min;
          g = q;
          b = max;
        } else if (sel === 4) {
          r = t;
          g = min;
          b = max;
        } else {
          r = max;
          g = min;
          b = q;
        }
      }
    }
    if (u8) {
      out[i] = Math.round(r);
      out[i + 1] = Math.round(g);
      out[i + 2] = Math.round(b);
    } else {
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
    }
  }
  return { ...px, data: out };
}

/** Saturation / hue of uint8 pixels with ≥ 3 channels after the brightness/contrast table `bc`. */
function jitterU8(
  data: Uint8Array,
  out: Uint8Array,
  C: number,
  bc: Float64Array,
  hasS: boolean,
  sat: number,
  hasH: boolean,
  shift: number,
): void {
  const lr = new Float64Array(256);
  const lg = new Float64Array(256);
  const lb = new Float64Array(256);
  const sv = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const x = bc[v]!;
    lr[v] = LR * x;
    lg[v] = LG * x;
    lb[v] = LB * x;
    sv[v] = sat * x;
  }
  const s1 = 1 - sat;
  for (let i = 0; i < data.length; i += C) {
    const vr = data[i]!;
    const vg = data[i + 1]!;
    const vb = data[i + 2]!;
    let r: number;
    let g: number;
    let b: number;
    if (hasS) {
      const l = (lr[vr]! + lg[vg]! + lb[vb]!) * s1;
      r = l + sv[vr]!;
      g = l + sv[vg]!;
      b = l + sv[vb]!;
      r = r < 0 ? 0 : Math.min(r, 255);
      g = g < 0 ? 0 : Math.min(g, 255);
      b = b < 0 ? 0 : Math.min(b, 255);
    } else {
      r = bc[vr]!;
      g = bc[vg]!;
      b = bc[vb]!;
    }
    if (hasH) {
      const max = r > g ? Math.max(r, b) : Math.max(g, b);
      const min = r < g ? Math.min(r, b) : Math.min(g, b);
      const c = max - min;
      if (c > 0) {
        let h = max === r ? (g - b) / c : max === g ? (b - r) / c + 2 : (r - g) / c + 4;
        h = h / 6 + shift;
        h -= Math.floor(h);
        const h6 = h * 6;
        const sel = Math.floor(h6);
        const fr = h6 - sel;
        const q = max - c * fr;
        const t = min + c * fr;
        if (sel === 0) {
          r = max;
          g = t;
          b = min;
        } else if (sel === 1) {
          r = q;
          g = max;
          b = min;
        } else if (sel === 2) {
          r = min;
          g = max;
          b = t;
        } else if (sel === 3) {
          r = min;
          g = q;
          b = max;
        } else if (sel === 4) {
          r = t;
          g = min;
          b = max;
        } else {
          r = max;
          g = min;
          b = q;
        }
      }
    }
    out[i] = Math.round(r);
    out[i + 1] = Math.round(g);
    out[i + 2] = Math.round(b);
  }
}

function brightnessPx(px: Pixels, delta: number): Pixels {
  return jitterPx(px, { brightness: delta });
}
function contrastPx(px: Pixels, f: number): Pixels {
  return jitterPx(px, { contrast: f });
}
function saturationPx(px: Pixels, f: number): Pixels {
  return jitterPx(px, { saturation: f });
}
function huePx(px: Pixels, shift: number): Pixels {
  return jitterPx(px, { hue: shift });
}

/**
 * Adds `delta · M` to every colour value (`delta` a fraction of the range, e.g. 32/255 as SSD), where
 * M is the top of the image's range (255 for bytes, 1 for [0, 1] floats). Like every standalone colour
 * function here, returns an image of the range it was given.
 */
export function adjustBrightness<I extends Image>(image: I, delta: number): SameRange<I> {
  const px = readPixels("adjustBrightness", "image", image);
  checkRange("adjustBrightness", "delta", delta, -1, 1);
  return sameRangeImage(image, brightnessPx(px, delta));
}

/** Blends with the image's mean luma: `v' = m + factor · (v − m)` (torchvision `adjust_contrast`). */
export function adjustContrast<I extends Image>(image: I, factor: number): SameRange<I> {
  const px = readPixels("adjustContrast", "image", image);
  checkRange("adjustContrast", "factor", factor, 0, 100);
  return sameRangeImage(image, contrastPx(px, factor));
}

/** Blends each pixel with its own luma: `v' = l + factor · (v − l)` (torchvision `adjust_saturation`); 0 gives grey. */
export function adjustSaturation<I extends Image>(image: I, factor: number): SameRange<I> {
  const px = readPixels("adjustSaturation", "image", image);
  checkRange("adjustSaturation", "factor", factor, 0, 100);
  return sameRangeImage(image, saturationPx(px, factor));
}

/** Rotates hue by `shift` turns (−0.5..0.5) in HSV space, keeping saturation and value (torchvision `adjust_hue`). */
export function adjustHue<I extends Image>(image: I, shift: number): SameRange<I> {
  const px = readPixels("adjustHue", "image", image);
  checkRange("adjustHue", "shift", shift, -0.5, 0.5);
  return sameRangeImage(image, huePx(px, shift));
}

/** Replaces the colour channels by their BT.601 luma (the channel count is kept). */
export function toGrayscale<I extends Image>(image: I): SameRange<I> {
  return sameRangeImage(image, saturationPx(readPixels("toGrayscale", "image", image), 0));
}

/** Adds Gaussian noise of standard deviation `std · M` to every colour value, drawn from `rng`. */
export function addGaussianNoise<I extends Image>(image: I, std: number, rng: Rng): SameRange<I> {
  const px = readPixels("addGaussianNoise", "image", image);
  checkRange("addGaussianNoise", "std", std, 0, 1);
  return sameRangeImage(image, noisePx(px, std, rng));
}
function noisePx(px: Pixels, std: number, rng: Rng): Pixels {
  const { data, channels: C } = px;
  const M = maxValue(data);
  const u8 = data instanceof Uint8Array;
  const out = data.slice();
  const s = std * M;
  const cc = Math.min(C, 3);
  let spare = Number.NaN;
  for (let i = 0; i < data.length; i += C) {
    for (let c = 0; c < cc; c++) {
      let z: number;
      if (Number.isNaN(spare)) {
        // Box–Muller on the two 16-bit halves of one 32-bit draw: two normals per draw.
        const x = rng.next() >>> 0;
        const u1 = ((x >>> 16) + 0.5) / 65536;
        const u2 = ((x & 0xffff) + 0.5) / 65536;
        const rad = Math.sqrt(-2 * Math.log(u1));
        z = rad * Math.cos(2 * Math.PI * u2);
        spare = rad * Math.sin(2 * Math.PI * u2);
      } else {
        z = spare;
        spare = Number.NaN;
      }
      const v = data[i + c]! + z * s;
      const cl = v < 0 ? 0 : Math.min(v, M);
      out[i + c] = u8 ? Math.round(cl) : cl;
    }
  }
  return { ...px, data: out };
}

/**
 * Separable Gaussian blur of standard deviation `sigma` px, kernel radius `ceil(3σ)`, edges replicated
 * (as OpenCV `GaussianBlur` with `BORDER_REPLICATE`). All channels, alpha included.
 */
export function gaussianBlur<I extends Image>(image: I, sigma: number): SameRange<I> {
  const px = readPixels("gaussianBlur", "image", image);
  checkRange("gaussianBlur", "sigma", sigma, 0, 100);
  return sameRangeImage(image, blurPx(px, sigma));
}
function blurPx(px: Pixels, sigma: number): Pixels {
  const { data, width: W, height: H, channels: C } = px;
  if (sigma <= 0) return { ...px, data: data.slice() };
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + r] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        let v = 0;
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i >= W ? W - 1 : x + i;
          v += data[(row + xx) * C + c]! * k[i + r]!;
        }
        tmp[(row + x) * C + c] = v;
      }
    }
  }
  const out = data.slice();
  const u8 = data instanceof Uint8Array;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        let v = 0;
        for (let i = -r; i <= r; i++) {
          const yy = y + i < 0 ? 0 : y + i >= H ? H - 1 : y + i;
          v += tmp[(yy * W + x) * C + c]! * k[i + r]!;
        }
        out[(y * W + x) * C + c] = u8 ? Math.round(v) : v;
      }
    }
  }
  return { ...px, data: out };
}

function photometric(fn: string, p: number, map: (px: Pixels, rng: Rng) => Pixels): Transform {
  return defineTransform(fn, p, (parts, _s, rng): StepOutput => {
    const n = parts.labels.length;
    const kept = new Int32Array(n);
    for (let i = 0; i < n; i++) kept[i] = i;
    return {
      sample: unsafeSample(map(parts.px, rng), parts.boxes, parts.labels, parts.records),
      kept,
      dropped: [],
    };
  });
}

/** Options for {@link brightness}. */
export interface BrightnessOptions extends ProbabilityOptions {
  /** Range of the added delta as a fraction of the value range (default `[-32/255, 32/255]`, as SSD). */
  readonly delta?: readonly [number, number];
}
/** Random brightness: adds a uniform `delta ∈ options.delta` (fraction of the range); see {@link adjustBrightness}. Boxes untouched. */
export function brightness(options: BrightnessOptions = {}): Transform {
  const r = options.delta ?? [-32 / 255, 32 / 255];
  checkInterval("brightness", "options.delta", r, -1, 1);
  return photometric("brightness", checkP("brightness", options.p), (px, rng) =>
    brightnessPx(px, uniform(rng, r[0], r[1])),
  );
}

/** Options for {@link contrast}, {@link saturation}. */
export interface FactorOptions extends ProbabilityOptions {
  /** Range of the factor (default `[0.5, 1.5]`, as SSD). */
  readonly factor?: readonly [number, number];
}
/** Random contrast; see {@link adjustContrast}. */
export function contrast(options: FactorOptions = {}): Transform {
  const r = options.factor ?? [0.5, 1.5];
  checkInterval("contrast", "options.factor", r, 0, 100);
  return photometric("contrast", checkP("contrast", options.p), (px, rng) =>
    contrastPx(px, uniform(rng, r[0], r[1])),
  );
}
/** Random saturation; see {@link adjustSaturation}. */
export function saturation(options: FactorOptions = {}): Transform {
  const r = options.factor ?? [0.5, 1.5];
  checkInterval("saturation", "options.factor", r, 0, 100);
  return photometric("saturation", checkP("saturation", options.p), (px, rng) =>
    saturationPx(px, uniform(rng, r[0], r[1])),
  );
}

/** Options for {@link hue}. */
export interface HueOptions extends ProbabilityOptions {
  /** Range of the hue shift in turns (default `[-18/360, 18/360]`, as SSD's ±18°). */
  readonly shift?: readonly [number, number];
}
/** Random hue rotation; see {@link adjustHue}. */
export function hue(options: HueOptions = {}): Transform {
  const r = options.shift ?? [-18 / 360, 18 / 360];
  checkInterval("hue", "options.shift", r, -0.5, 0.5);
  return photometric("hue", checkP("hue", options.p), (px, rng) => huePx(px, uniform(rng, r[0], r[1])));
}

/** Converts to grey (channels kept); see {@link toGrayscale}. */
export function grayscale(options: ProbabilityOptions = {}): Transform {
  return photometric("grayscale", checkP("grayscale", options.p), (px) => saturationPx(px, 0));
}

/** Options for {@link noise}. */
export interface NoiseOptions extends ProbabilityOptions {
  /** Range of the noise standard deviation as a fraction of the value range (default `[0, 0.05]`). */
  readonly std?: readonly [number, number];
}
/** Additive Gaussian noise; see {@link addGaussianNoise}. */
export function noise(options: NoiseOptions = {}): Transform {
  const r = options.std ?? [0, 0.05];
  checkInterval("noise", "options.std", r, 0, 1);
  return photometric("noise", checkP("noise", options.p), (px, rng) =>
    noisePx(px, uniform(rng, r[0], r[1]), rng),
  );
}

/** Options for {@link blur}. */
export interface BlurOptions extends ProbabilityOptions {
  /** Range of the Gaussian σ, px (default `[0.1, 1.5]`). */
  readonly sigma?: readonly [number, number];
}
/** Gaussian blur with a random σ; see {@link gaussianBlur}. */
export function blur(options: BlurOptions = {}): Transform {
  const r = options.sigma ?? [0.1, 1.5];
  checkInterval("blur", "options.sigma", r, 0, 100);
  return photometric("blur", checkP("blur", options.p), (px, rng) => blurPx(px, uniform(rng, r[0], r[1])));
}

/** Options for {@link colorJitter}: each entry is a range; each operation has probability `pEach`. */
export interface ColorJitterOptions extends ProbabilityOptions {
  /** Brightness delta range, fraction of the value range (default `[-32/255, 32/255]`). */
  readonly brightness?: readonly [number, number];
  /** Contrast factor range (default `[0.5, 1.5]`). */
  readonly contrast?: readonly [number, number];
  /** Saturation factor range (default `[0.5, 1.5]`). */
  readonly saturation?: readonly [number, number];
  /** Hue shift range, turns (default `[-18/360, 18/360]`). */
  readonly hue?: readonly [number, number];
  /** Probability of each of the four operations (default 0.5, as SSD's photometric distortion). */
  readonly pEach?: number;
}

/**
 * SSD-style photometric distortion in one pass: brightness, contrast, saturation and hue, each applied
 * with probability `pEach` and a uniform parameter from its range, in that order (as composing
 * {@link brightness}, {@link contrast}, {@link saturation}, {@link hue}, except that uint8 values are
 * rounded once at the end instead of after each step). Boxes untouched.
 */
export function colorJitter(options: ColorJitterOptions = {}): Transform {
  const fn = "colorJitter";
  const b = options.brightness ?? [-32 / 255, 32 / 255];
  const c = options.contrast ?? [0.5, 1.5];
  const s = options.saturation ?? [0.5, 1.5];
  const h = options.hue ?? [-18 / 360, 18 / 360];
  checkInterval(fn, "options.brightness", b, -1, 1);
  checkInterval(fn, "options.contrast", c, 0, 100);
  checkInterval(fn, "options.saturation", s, 0, 100);
  checkInterval(fn, "options.hue", h, -0.5, 0.5);
  const pEach = options.pEach ?? 0.5;
  checkRange(fn, "options.pEach", pEach, 0, 1);
  return photometric(fn, checkP(fn, options.p), (px, rng) => {
    const j: Jitter = {};
    if (random(rng) < pEach) j.brightness = uniform(rng, b[0], b[1]);
    if (random(rng) < pEach) j.contrast = uniform(rng, c[0], c[1]);
    if (random(rng) < pEach) j.saturation = uniform(rng, s[0], s[1]);
    if (random(rng) < pEach) j.hue = uniform(rng, h[0], h[1]);
    const none =
      j.brightness === undefined &&
      j.contrast === undefined &&
      j.saturation === undefined &&
      j.hue === undefined;
    return none ? px : jitterPx(px, j);
  });
}
