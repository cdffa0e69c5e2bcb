import type { tf } from "@od/tf";
import type { ForwardContext } from "./layers.js";
import type { ParamStore } from "./params.js";

/** The prefix of every backbone parameter name (`backbone.stem.w`, `backbone.features.0.0.0.weight`). */
export const BACKBONE_PARAM_PREFIX = "backbone.";

/**
 * Whether parameter `name` belongs to the backbone (its name starts with {@link BACKBONE_PARAM_PREFIX});
 * what fine-tuning freezes or trains at a lower learning rate. Everything else is a detection head.
 */
export function isBackboneParam(name: string): boolean {
  return name.startsWith(BACKBONE_PARAM_PREFIX);
}

/** One feature map a backbone exposes to the detection heads. */
export interface Tap {
  /** Name of the tap, e.g. `"s8"`. */
  readonly name: string;
  /** Total stride relative to the input (8 means one cell per 8 input px). */
  readonly stride: number;
  /** Channels of the feature map. */
  readonly channels: number;
}

/**
 * A feature extractor: input `[B, H, W, 3]` (float32, values in [−1, 1]) → named feature maps.
 * Implement it to plug in your own network (e.g. one wrapping a tfjs model): `init` creates the
 * parameters, `apply` runs the forward pass, `taps` lists the maps in order of increasing stride.
 */
export interface Backbone {
  /** Identifies the backbone in saved configs. */
  readonly name: string;
  /** The feature maps `apply` returns, finest first. */
  readonly taps: readonly Tap[];
  /** Creates the backbone's parameters under the `backbone.` prefix. */
  init(store: ParamStore, seed: number): void;
  /** `[B, H, W, 3]` → one `[B, h_k, w_k, c_k]` tensor per tap, in `taps` order. */
  apply(store: ParamStore, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D[];
}
