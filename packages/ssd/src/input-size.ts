import type { ImageSize } from "@od/boxes";
import { SsdDetector } from "./detector.js";
import { fail } from "./errors.js";

/**
 * Whether a detector can run at another network input size: true when its priors are derived from
 * the feature maps (`config.priors` holds `configFromFeatureMaps` options), false when it carries an
 * explicit prior config (`priors: { config }`, e.g. fitted by `fitPriors` for its own input size).
 */
export function canChangeInputSize(detector: SsdDetector): boolean {
  const p = detector.config.priors;
  return !("config" in p && p.config !== undefined);
}

/**
 * The same detector at another network input size (what `--imgsz` of a predict command does): a new
 * {@link SsdDetector} whose config differs only in `inputSize`, holding the same weight values (the
 * backbone and the heads are fully convolutional, so no weight depends on the input size). Its priors
 * are generated again for the new feature-map shapes from the config's prior options, whose scales
 * are relative to the input. The two detectors share the weights' tfjs data by reference count:
 * disposing (or training) one leaves the other intact; dispose both.
 * @param inputSize `{ width, height }` in px, integers ≥ 32 (multiples of the largest stride, 32 for
 *   the default backbone, avoid uneven cells).
 * @throws SsdError `INVALID_ARGUMENT` when the detector has an explicit prior config (see
 *   {@link canChangeInputSize}); `INVALID_CONFIG` for a size that is not integers ≥ 32.
 */
export function withInputSize(detector: SsdDetector, inputSize: ImageSize): SsdDetector {
  const fn = "withInputSize";
  const { width, height } = detector.config.inputSize;
  if (!canChangeInputSize(detector)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `the detector's priors are an explicit prior config for its ${width}x${height} input (e.g. fitted by fitPriors), so its input size cannot change; use ${width}x${height}`,
      { arg: "inputSize", value: inputSize },
    );
  }
  const resized = new SsdDetector({ ...detector.config, inputSize: { ...inputSize } });
  for (const name of resized.params.names()) resized.params.get(name).assign(detector.params.get(name));
  return resized;
}
