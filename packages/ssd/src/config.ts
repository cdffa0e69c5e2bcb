import { type ImageSize, SSD_VARIANCES, type Variances } from "@od/boxes";
import type { FromFeatureMapsOptions, PriorConfig } from "@od/priors";
import type { BackboneConfig } from "./backbones.js";
import { fail } from "./errors.js";
import { checkPostprocessOptions, type PostprocessOptions } from "./postprocess.js";

/**
 * How an image of any size becomes the network input: `letterbox` keeps its aspect ratio and pads
 * with zeros (centred), `resize` stretches it to the input size. Both go through one
 * `LetterboxRecord` of `@od/boxes` (`keepAspectRatio: false` for `resize`), so boxes map back exactly.
 */
export type InputFit = "letterbox" | "resize";

/** All input fits. */
export const INPUT_FITS: readonly InputFit[] = ["letterbox", "resize"];

/**
 * The default detector, in one place (the trainer's configuration defaults import these): MobileNet
 * α = 0.5 at 320×320, taps at strides 8/16/32, SSDlite heads, priors of scales 0.1–0.6 with ratios 1 and
 * 2, SSD variances, letterboxed input.
 */
export const SSD_DEFAULTS = Object.freeze({
  inputSize: Object.freeze({ width: 320, height: 320 }),
  backbone: Object.freeze({ kind: "mobilenet", widthMultiplier: 0.5, taps: Object.freeze([8, 16, 32]) }),
  head: "separable",
  priors: Object.freeze({ minScale: 0.1, maxScale: 0.6, aspectRatios: Object.freeze([2]) }),
  variances: SSD_VARIANCES,
  inputFit: "letterbox",
  seed: 0,
} as const satisfies Omit<SsdConfig, "formatVersion" | "classNames" | "priors"> & {
  readonly priors: FromFeatureMapsOptions;
});

/**
 * Where prior fitting to a training set starts by default (`fitPriors` of `@od/priors`, run by the
 * trainer): `shapesPerLevel` shapes per cell on the default grid, from scales `minScale`–`maxScale`
 * with ratios 1 and `aspectRatios`.
 */
export const PRIOR_FIT_DEFAULTS = Object.freeze({
  shapesPerLevel: 4,
  minScale: 0.08,
  maxScale: 0.6,
  aspectRatios: Object.freeze([2]),
} as const);

/** Version of the saved-model format and of {@link SsdConfig}; loading another version is refused. */
export const SSD_FORMAT_VERSION = 1;

/** Everything that defines an SSD detector; saved beside its weights. */
export interface SsdConfig {
  /** Always {@link SSD_FORMAT_VERSION}. */
  readonly formatVersion: number;
  /** Network input size in px (any aspect ratio; multiples of the largest stride avoid uneven cells). */
  readonly inputSize: ImageSize;
  /** Object class names, without background: class id k ≥ 1 is `classNames[k − 1]`. */
  readonly classNames: readonly string[];
  /** Feature extractor; its taps feed the heads directly (no extra layers). */
  readonly backbone: BackboneConfig;
  /**
   * Head per tapped map: a plain 3×3 conv, depthwise-separable (od's SSDlite-style head), or
   * `"ssdlite"`: torchvision's `SSDLiteHead` (3×3 depthwise → batch norm → relu6 → 1×1 conv with bias,
   * N(0, 0.03²) initial weights, parameters named as torchvision's state_dict,
   * `head.classification_head.module_list.<k>…` and `head.regression_head.module_list.<k>…`).
   */
  readonly head: SsdHead;
  /**
   * Priors: options for `configFromFeatureMaps` of @od/priors (derived from the actual feature-map
   * shapes), or an explicit prior config (e.g. from `fitPriors`) whose levels match the taps.
   */
  readonly priors: FromFeatureMapsOptions | { readonly config: PriorConfig };
  /** Box-coding variances (default SSD 0.1, 0.1, 0.2, 0.2). */
  readonly variances: Variances;
  /**
   * How images are fitted to `inputSize` by the preprocessing (training and prediction alike);
   * absent in models saved before it existed, which were letterboxed (`"letterbox"`).
   */
  readonly inputFit?: InputFit;
  /** Seed of every initial weight. */
  readonly seed: number;
  /**
   * Momentum of the batch-norm running averages in training (PyTorch's convention: `running ←
   * (1 − m) · running + m · batch`); absent means 0.1, PyTorch's default (torchvision's SSDlite: 0.03).
   */
  readonly bnMomentum?: number;
  /**
   * The model's post-processing defaults (each option of `predict` not given falls back to these, then
   * to od's defaults); absent in models saved before it existed.
   */
  readonly postprocess?: PostprocessOptions;
}

/** Detection heads: see {@link SsdConfig.head}. */
export type SsdHead = "conv" | "separable" | "ssdlite";

/** All detection heads. */
export const SSD_HEADS: readonly SsdHead[] = Object.freeze(["conv", "separable", "ssdlite"]);

/** Fields of {@link SsdConfig} that have defaults. */
export type SsdConfigInput = Partial<SsdConfig> & Pick<SsdConfig, "classNames">;

/** A complete config from the given fields and {@link SSD_DEFAULTS}. @throws SsdError `INVALID_CONFIG`. */
export function defaultSsdConfig(input: SsdConfigInput): SsdConfig {
  const d = SSD_DEFAULTS;
  const config: SsdConfig = {
    formatVersion: SSD_FORMAT_VERSION,
    inputSize: input.inputSize ?? { ...d.inputSize },
    classNames: input.classNames,
    backbone: input.backbone ?? { ...d.backbone, taps: [...d.backbone.taps] },
    head: input.head ?? d.head,
    priors: input.priors ?? { ...d.priors, aspectRatios: [...d.priors.aspectRatios] },
    variances: input.variances ?? [...d.variances],
    inputFit: input.inputFit ?? d.inputFit,
    seed: input.seed ?? d.seed,
  };
  checkSsdConfig(config);
  return config;
}

/** Validates a config; every error names the field and the value. @throws SsdError `INVALID_CONFIG`. */
export function checkSsdConfig(config: SsdConfig): void {
  const fn = "checkSsdConfig";
  const bad = (field: string, v: unknown, want: string): never =>
    fail("INVALID_CONFIG", fn, `config.${field} must be ${want}; got ${JSON.stringify(v)}`, {
      field,
      value: v,
    });
  if (config.formatVersion !== SSD_FORMAT_VERSION)
    bad("formatVersion", config.formatVersion, String(SSD_FORMAT_VERSION));
  const s = config.inputSize;
  if (!s || !Number.isInteger(s.width) || !Number.isInteger(s.height) || s.width < 32 || s.height < 32) {
    bad("inputSize", s, "{ width, height } integers >= 32");
  }
  if (
    !Array.isArray(config.classNames) ||
    config.classNames.length === 0 ||
    !config.classNames.every((c) => typeof c === "string")
  ) {
    bad("classNames", config.classNames, "a non-empty list of strings");
  }
  if (!SSD_HEADS.includes(config.head)) bad("head", config.head, '"conv", "separable" or "ssdlite"');
  const v = config.variances;
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isFinite(x) && x > 0))
    bad("variances", v, "4 numbers > 0");
  if (config.inputFit !== undefined && !INPUT_FITS.includes(config.inputFit))
    bad("inputFit", config.inputFit, '"letterbox" or "resize"');
  if (!Number.isInteger(config.seed)) bad("seed", config.seed, "an integer");
  const m = config.bnMomentum;
  if (m !== undefined && !(typeof m === "number" && m > 0 && m <= 1))
    bad("bnMomentum", m, "a number in (0, 1]");
  if (config.postprocess !== undefined) {
    try {
      checkPostprocessOptions(config.postprocess);
    } catch (e) {
      bad("postprocess", config.postprocess, `valid postprocess options (${(e as Error).message})`);
    }
  }
}
