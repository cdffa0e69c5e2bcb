/**
 * torchvision's `ssdlite320_mobilenet_v3_large` as an od model: config and named constructor.
 * @module
 */
import { SSD_VARIANCES } from "@od/boxes";
import { SSDLITE320_MOBILENET_V3 } from "@od/priors";
import { checkSsdConfig, SSD_FORMAT_VERSION, type SsdConfig } from "./config.js";
import { SsdDetector } from "./detector.js";
import { fail } from "./errors.js";
import type { PostprocessOptions } from "./postprocess.js";

/**
 * torchvision's post-processing settings of `ssdlite320_mobilenet_v3_large`: `score_thresh` 0.001,
 * `nms_thresh` 0.55, `detections_per_img` 300, `topk_candidates` 300 (per class), boxes clipped to the
 * input before NMS.
 */
export const SSDLITE_POSTPROCESS: Readonly<Required<PostprocessOptions>> = Object.freeze({
  scoreThreshold: 0.001,
  iouThreshold: 0.55,
  topKPerClass: 300,
  maxDetections: 300,
  clipToInput: true,
});

/** torchvision's batch-norm momentum for SSDlite (`partial(nn.BatchNorm2d, eps=0.001, momentum=0.03)`). */
export const SSDLITE_BN_MOMENTUM = 0.03;

/** Options of {@link ssdlite320MobilenetV3LargeConfig}: the classes, by names or by count. */
export interface Ssdlite320Options {
  /** Object class names (without background). */
  readonly classNames?: readonly string[];
  /**
   * Number of classes including background, as torchvision's `num_classes` (ignored when `classNames`
   * is given): classes are named `class1` … `class<numClasses − 1>`.
   */
  readonly numClasses?: number;
  /** torchvision `width_mult` of the MobileNetV3 layers (default 1). */
  readonly widthMultiplier?: number;
  /**
   * torchvision `reduced_tail` (default false, as with an ImageNet backbone; torchvision's builder sets
   * it when called with `weights_backbone=None`).
   */
  readonly reducedTail?: boolean;
  /** Seed of every initial weight (default 0). */
  readonly seed?: number;
}

/**
 * The config of torchvision's `ssdlite320_mobilenet_v3_large(num_classes, width_mult, reduced_tail)`:
 * 320×320 input resized without keeping the aspect ratio (`inputFit: "resize"`), `[0, 1] → [−1, 1]`
 * (od's one normalisation), MobileNetV3-Large with SSDlite's extra blocks, `SSDLiteHead`, torchvision's
 * `DefaultBoxGenerator([[2, 3]] * 6, min_ratio=0.2, max_ratio=0.95)` priors (`SSDLITE320_MOBILENET_V3` of
 * @od/priors, 3,234 boxes), BoxCoder weights (10, 10, 5, 5) = variances (0.1, 0.1, 0.2, 0.2), batch-norm
 * momentum 0.03 and {@link SSDLITE_POSTPROCESS}.
 * @throws SsdError `INVALID_CONFIG` naming the option (no classes, `numClasses` < 2, bad width).
 */
export function ssdlite320MobilenetV3LargeConfig(options: Ssdlite320Options): SsdConfig {
  const fn = "ssdlite320MobilenetV3LargeConfig";
  let classNames = options.classNames;
  if (classNames === undefined) {
    const n = options.numClasses;
    if (!(Number.isInteger(n) && n !== undefined && n >= 2))
      fail(
        "INVALID_CONFIG",
        fn,
        `give classNames, or numClasses (an integer >= 2, background included); got ${String(n)}`,
        { field: "numClasses", value: n },
      );
    classNames = Array.from({ length: n - 1 }, (_, k) => `class${k + 1}`);
  }
  const config: SsdConfig = {
    formatVersion: SSD_FORMAT_VERSION,
    inputSize: { width: 320, height: 320 },
    classNames: [...classNames],
    backbone: {
      kind: "mobilenet_v3_large",
      widthMultiplier: options.widthMultiplier ?? 1,
      reducedTail: options.reducedTail ?? false,
    },
    head: "ssdlite",
    priors: { config: SSDLITE320_MOBILENET_V3 },
    variances: [...SSD_VARIANCES],
    inputFit: "resize",
    seed: options.seed ?? 0,
    bnMomentum: SSDLITE_BN_MOMENTUM,
    postprocess: { ...SSDLITE_POSTPROCESS },
  };
  checkSsdConfig(config);
  return config;
}

/**
 * torchvision's `ssdlite320_mobilenet_v3_large` with seeded initial weights (N(0, 0.03²) convs as
 * torchvision's `_normal_init`); parameter names are torchvision's state_dict keys. See
 * {@link ssdlite320MobilenetV3LargeConfig}. Owns tfjs variables: call `dispose()`.
 * @throws SsdError `INVALID_CONFIG`.
 */
export function ssdlite320MobilenetV3Large(options: Ssdlite320Options): SsdDetector {
  return new SsdDetector(ssdlite320MobilenetV3LargeConfig(options));
}
