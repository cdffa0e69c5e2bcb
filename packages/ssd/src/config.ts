import type { ImageSize, Variances } from "@od/boxes";
import type { FromFeatureMapsOptions, PriorConfig } from "@od/priors";
import type { BackboneConfig } from "./backbones.js";
import { fail } from "./errors.js";

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
  /** Head per tapped map: a plain 3×3 conv, or depthwise-separable (SSDlite). */
  readonly head: "conv" | "separable";
  /**
   * Priors: options for `configFromFeatureMaps` of @od/priors (derived from the actual feature-map
   * shapes), or an explicit prior config (e.g. from `fitPriors`) whose levels match the taps.
   */
  readonly priors: FromFeatureMapsOptions | { readonly config: PriorConfig };
  /** Box-coding variances (default SSD 0.1, 0.1, 0.2, 0.2). */
  readonly variances: Variances;
  /** Seed of every initial weight. */
  readonly seed: number;
}

/** Fields of {@link SsdConfig} that have defaults. */
export type SsdConfigInput = Partial<SsdConfig> & Pick<SsdConfig, "classNames">;

/** The default detector: MobileNet α = 0.5 at 320×320, taps at strides 8/16/32, SSDlite heads. */
export function defaultSsdConfig(input: SsdConfigInput): SsdConfig {
  const config: SsdConfig = {
    formatVersion: SSD_FORMAT_VERSION,
    inputSize: input.inputSize ?? { width: 320, height: 320 },
    classNames: input.classNames,
    backbone: input.backbone ?? { kind: "mobilenet", widthMultiplier: 0.5, taps: [8, 16, 32] },
    head: input.head ?? "separable",
    priors: input.priors ?? { minScale: 0.1, maxScale: 0.6, aspectRatios: [2] },
    variances: input.variances ?? [0.1, 0.1, 0.2, 0.2],
    seed: input.seed ?? 0,
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
  if (config.head !== "conv" && config.head !== "separable")
    bad("head", config.head, '"conv" or "separable"');
  const v = config.variances;
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => Number.isFinite(x) && x > 0))
    bad("variances", v, "4 numbers > 0");
  if (!Number.isInteger(config.seed)) bad("seed", config.seed, "an integer");
}
