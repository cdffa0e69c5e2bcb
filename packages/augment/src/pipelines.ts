import { expand, type Fill, ssdCrop } from "./crop.js";
import type { BoxFilter } from "./filter.js";
import { horizontalFlip } from "./flip.js";
import { letterbox } from "./letterbox.js";
import { colorJitter } from "./photometric.js";
import { compose, type Transform } from "./transform.js";

/** Options for {@link ssdPipeline}. */
export interface SsdPipelineOptions {
  /** Network input width, px (default 300). */
  readonly width?: number;
  /** Network input height, px (default 300). */
  readonly height?: number;
  /**
   * Probability of the zoom-out (default 0.5), its ratio range (default `[1, 4]`) and fill (default
   * `"zero"`, the same black as the letterbox padding and the mean after mean subtraction; `"mean"` as
   * SSD costs a full pass over the large canvas).
   */
  readonly expand?: { readonly p?: number; readonly ratio?: readonly [number, number]; readonly fill?: Fill };
  /** Box filter for the last (letterbox) step (default: drop boxes under 2 px wide or high). */
  readonly filter?: BoxFilter;
}

/**
 * The default SSD training augmentation (after Liu et al. 2016 and ssd.pytorch's `SSDAugmentation`),
 * reordered so the colour jitter runs on the small network input rather than the full image:
 * expand (p 0.5, zero fill) → SSD crop → horizontal flip (p 0.5) → letterbox to `width × height`
 * (aspect kept, as the recipe advises) → {@link colorJitter}: brightness, contrast, saturation, hue (p 0.5 each).
 */
export function ssdPipeline(options: SsdPipelineOptions = {}): Transform {
  const width = options.width ?? 300;
  const height = options.height ?? 300;
  return compose(
    [
      expand({
        p: options.expand?.p ?? 0.5,
        ratio: options.expand?.ratio ?? [1, 4],
        fill: options.expand?.fill ?? "zero",
      }),
      ssdCrop(),
      horizontalFlip({ p: 0.5 }),
      letterbox({ width, height, filter: options.filter ?? { minWidth: 2, minHeight: 2 } }),
      colorJitter(),
    ],
    { name: "ssdPipeline" },
  );
}
