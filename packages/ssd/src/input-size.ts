import type { ImageSize } from "@od/boxes";
import type { FeatureMapSize, PriorConfig, Step } from "@od/priors";
import { featureSize } from "./backbones.js";
import { checkSsdConfig } from "./config.js";
import { SsdDetector } from "./detector.js";
import { fail } from "./errors.js";

/**
 * One axis of a level's centre spacing at a new input size: the `input / cells` spacing stays that
 * spacing, a power-of-two stride that explains the old grid (`ceil(input / stride) = cells`) stays that
 * stride; anything else has no counterpart (`undefined`). The spacing of the old grid counts as
 * `input / cells` when both readings fit it.
 */
function axisStep(
  step: number | undefined,
  oldInput: number,
  oldCells: number,
  newInput: number,
  newCells: number,
): number | undefined {
  const fit = oldInput / oldCells;
  if (step === undefined || Math.abs(step - fit) <= 1e-9 * fit) return newInput / newCells;
  if (Number.isInteger(Math.log2(step)) && Math.ceil(oldInput / step) === oldCells) return step;
  return undefined;
}

/**
 * An explicit prior config moved to another input size: prior shapes are fractions of the input, so
 * they stay; the grid becomes `maps` at `size`, with each level's spacing carried over by
 * {@link axisStep}. Returns the reason instead when a level's spacing has no counterpart.
 */
function regridPriors(
  config: PriorConfig,
  maps: readonly FeatureMapSize[],
  size: ImageSize,
): PriorConfig | string {
  const steps: Step[] = [];
  for (let k = 0; k < maps.length; k++) {
    const old = config.featureMaps[k]!;
    const now = maps[k]!;
    const s = config.steps?.[k];
    const sx = typeof s === "object" ? s.x : s;
    const sy = typeof s === "object" ? s.y : s;
    const x = axisStep(sx, config.imageSize.width, old.width, size.width, now.width);
    const y = axisStep(sy, config.imageSize.height, old.height, size.height, now.height);
    if (x === undefined || y === undefined)
      return `level ${k} of its prior config has centre spacing ${JSON.stringify(s)} px, which is neither input / cells nor a power-of-two stride`;
    steps.push(x === y ? x : { x, y });
  }
  return {
    ...config,
    imageSize: { width: size.width, height: size.height },
    featureMaps: maps.map((m) => ({ height: m.height, width: m.width })),
    steps,
  };
}

/** The detector's feature maps at an input size (one per backbone tap). */
function mapsAt(detector: SsdDetector, size: ImageSize): FeatureMapSize[] {
  return detector.backbone.taps.map((t) => ({
    height: featureSize(size.height, t.stride),
    width: featureSize(size.width, t.stride),
  }));
}

/** The explicit prior config of a detector, if it has one. */
function explicitPriors(detector: SsdDetector): PriorConfig | undefined {
  const p = detector.config.priors;
  return "config" in p && p.config !== undefined ? p.config : undefined;
}

/**
 * Whether a detector can run at another network input size (see {@link withInputSize}): always when
 * its priors are derived from the feature maps; for an explicit prior config (e.g. fitted by
 * `fitPriors`), when every level's centre spacing is either `input / cells` or a power-of-two stride.
 */
export function canChangeInputSize(detector: SsdDetector): boolean {
  const config = explicitPriors(detector);
  if (config === undefined) return true;
  const size = detector.config.inputSize;
  return typeof regridPriors(config, mapsAt(detector, size), size) !== "string";
}

/**
 * The same detector at another network input size (what `--imgsz` of a predict command does): a new
 * {@link SsdDetector} whose config differs only in `inputSize` (and, for an explicit prior config, its
 * grid), holding the same weight values: the backbone and the heads are fully convolutional, so no
 * weight depends on the input size. Prior shapes are fractions of the input and stay as they are; the
 * priors are laid out again on the feature maps of the new size. Derived priors are generated from
 * the config's options; an explicit config (e.g. fitted by `fitPriors`) keeps its shapes per level,
 * and each level's centre spacing stays `input / cells`, or the same power-of-two stride.
 * The two detectors share the weights' tfjs data by reference count: disposing (or training) one
 * leaves the other intact; dispose both.
 * @param inputSize `{ width, height }` in px, integers ≥ 32 (multiples of the largest stride, 32 for
 *   the default backbone, avoid uneven cells).
 * @throws SsdError `INVALID_CONFIG` for a size that is not integers ≥ 32; `INVALID_ARGUMENT` when an
 *   explicit prior config has a centre spacing with no counterpart at another size (see
 *   {@link canChangeInputSize}), naming the level.
 */
export function withInputSize(detector: SsdDetector, inputSize: ImageSize): SsdDetector {
  const fn = "withInputSize";
  const size = { width: inputSize.width, height: inputSize.height };
  checkSsdConfig({ ...detector.config, inputSize: size });
  const explicit = explicitPriors(detector);
  let priors = detector.config.priors;
  if (explicit !== undefined) {
    const regridded = regridPriors(explicit, mapsAt(detector, size), size);
    if (typeof regridded === "string") {
      const { width, height } = detector.config.inputSize;
      fail(
        "INVALID_ARGUMENT",
        fn,
        `the detector cannot change its ${width}x${height} input size: ${regridded}`,
        { arg: "inputSize", value: inputSize },
      );
    }
    priors = { config: regridded };
  }
  const resized = new SsdDetector(
    { ...detector.config, inputSize: size, priors },
    detector.config.backbone.kind === "custom" ? { backbone: detector.backbone } : {},
  );
  for (const name of resized.params.names()) resized.params.get(name).assign(detector.params.get(name));
  return resized;
}
