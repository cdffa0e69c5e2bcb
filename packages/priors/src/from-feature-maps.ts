import { describeValue, type ImageSize } from "@od/boxes";
import type { FeatureMapSize, SsdPriorConfig, Step } from "./config.js";
import { priorLayout } from "./config.js";
import { checkPositive, fail } from "./internal/fail.js";
import { linearScales } from "./presets.js";

/** Options for {@link configFromFeatureMaps}. */
export interface FromFeatureMapsOptions {
  /** Smallest scale `s_min` (default 0.15, torchvision `DefaultBoxGenerator`'s `min_ratio`). */
  readonly minScale?: number;
  /** Largest level scale `s_max` (default 0.9, torchvision's `max_ratio`). */
  readonly maxScale?: number;
  /** Explicit `L + 1` scales; overrides `minScale` / `maxScale`. */
  readonly scales?: readonly number[];
  /** Aspect ratios per level, or one list for every level (default `[2, 3]` on every level). */
  readonly aspectRatios?: readonly number[] | readonly (readonly number[])[];
  /**
   * Centre spacing. `"fit"` (default): cells tile the input exactly, centres `(j + 0.5) / size` (torchvision
   * without steps). `"stride"`: per axis the smallest power of two `s` with `ceil(input / s) = size`, the
   * stride of a conv tower with "same" padding (300 px, 38 cells → 8). Or explicit steps per level.
   */
  readonly steps?: "fit" | "stride" | readonly Step[];
  /** Clamp widths and heights to [0, 1] (default `true`). */
  readonly clip?: boolean;
  /** See {@link PriorGrid.scaleBase} (default `"image"`, as torchvision). */
  readonly scaleBase?: "image" | "short-side";
}

/** A feature-map shape: `{ height, width }` or `[height, width]` (e.g. the last two dims of an NCHW tensor). */
export type FeatureMapShape = FeatureMapSize | readonly [number, number];

/** `Array.isArray` narrows a readonly tuple to `any`; this guard keeps `[height, width]` typed. */
function isShapeTuple(m: FeatureMapShape): m is readonly [number, number] {
  return Array.isArray(m);
}

/**
 * Derives an SSD prior configuration from the feature maps a model taps and its input size, as torchvision's
 * `DefaultBoxGenerator` does at run time: linear scales from `minScale` to `maxScale` plus 1.0 for the last
 * extra box, the given aspect ratios, centres spread over each map. Non-square inputs and maps are fine.
 *
 * @param featureMaps per level `{ height, width }` or `[height, width]` in cells, finest first.
 * @param imageSize network input in px.
 * @returns a validated {@link PriorConfig} (SSD shape spec).
 * @throws PriorsError `INVALID_CONFIG` naming the field and value (non-positive sizes, list lengths, a
 *   `"stride"` that no power of two explains).
 * @example configFromFeatureMaps([[20, 20], [10, 10], [5, 5], [3, 3], [2, 2], [1, 1]], { width: 320, height: 320 },
 *   { minScale: 0.2, maxScale: 0.95 }) // = SSDLITE320_MOBILENET_V3
 */
export function configFromFeatureMaps(
  featureMaps: readonly FeatureMapShape[],
  imageSize: ImageSize,
  options: FromFeatureMapsOptions = {},
): SsdPriorConfig {
  const fn = "configFromFeatureMaps";
  const C = "INVALID_CONFIG";
  if (!Array.isArray(featureMaps) || featureMaps.length === 0) {
    fail(C, fn, `featureMaps must be a non-empty array; got ${describeValue(featureMaps)}`, {
      field: "featureMaps",
    });
  }
  const maps: FeatureMapSize[] = featureMaps.map((m: FeatureMapShape) =>
    isShapeTuple(m) ? { height: m[0], width: m[1] } : { height: m.height, width: m.width },
  );
  const L = maps.length;
  const minScale = checkPositive(C, fn, "options.minScale", options.minScale ?? 0.15);
  const maxScale = checkPositive(C, fn, "options.maxScale", options.maxScale ?? 0.9);
  const scales = options.scales !== undefined ? [...options.scales] : linearScales(L, minScale, maxScale);
  const ar = options.aspectRatios ?? [2, 3];
  let aspectRatios: number[][];
  if (Array.isArray(ar) && ar.length > 0 && ar.every((a: unknown) => typeof a === "number")) {
    aspectRatios = maps.map(() => [...(ar as readonly number[])]);
  } else if (Array.isArray(ar) && ar.length === 0) aspectRatios = maps.map(() => []);
  else aspectRatios = (ar as readonly (readonly number[])[]).map((l) => [...l]);
  let steps: Step[] | undefined;
  const st = options.steps ?? "fit";
  if (st === "stride") {
    checkPositive(C, fn, "imageSize.width", imageSize?.width);
    checkPositive(C, fn, "imageSize.height", imageSize?.height);
    steps = maps.map((m, k) => {
      const x = powerOfTwoStride(fn, `featureMaps[${k}].width`, imageSize.width, m.width);
      const y = powerOfTwoStride(fn, `featureMaps[${k}].height`, imageSize.height, m.height);
      return x === y ? x : { x, y };
    });
  } else if (st !== "fit") steps = [...st];
  const config: SsdPriorConfig = {
    imageSize: { width: imageSize?.width, height: imageSize?.height },
    featureMaps: maps,
    ...(steps === undefined ? {} : { steps }),
    scales,
    aspectRatios,
    clip: options.clip ?? true,
    ...(options.scaleBase === undefined ? {} : { scaleBase: options.scaleBase }),
  };
  priorLayout(config);
  return config;
}

function powerOfTwoStride(fn: string, field: string, input: number, cells: number): number {
  if (!Number.isInteger(cells) || cells < 1)
    fail("INVALID_CONFIG", fn, `${field} must be an integer >= 1; got ${describeValue(cells)}`, { field });
  for (let s = 1; s <= 1 << 20; s *= 2) {
    const c = Math.ceil(input / s);
    if (c === cells) return s;
    if (c < cells) break;
  }
  return fail(
    "INVALID_CONFIG",
    fn,
    `${field} = ${cells} cells is not ceil(${input} / 2^n) for any n; pass explicit steps`,
    { field, value: cells },
  );
}
