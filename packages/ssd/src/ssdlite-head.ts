/**
 * torchvision's `SSDLiteHead` (`torchvision/models/detection/ssdlite.py`): per feature map one
 * `_prediction_block` for the class logits and one for the box regression, each a 3×3 depthwise
 * `Conv2dNormActivation` with relu6 then a 1×1 `nn.Conv2d` with bias, named as torchvision's state_dict.
 * @module
 */
import type { tf } from "@od/tf";
import type { ForwardContext } from "./layers.js";
import type { ParamStore } from "./params.js";
import { convNormAct, initConvNormAct, initPointwiseWithBias, pointwiseWithBias } from "./torch-layers.js";

/** The two heads: class logits (`A · C` channels) and box regression (`A · 4`). */
export type SsdliteHeadKind = "classification" | "regression";

/** Module path of the prediction block of feature map `k`: `head.<kind>_head.module_list.<k>`. */
export function ssdliteHeadPrefix(kind: SsdliteHeadKind, k: number): string {
  return `head.${kind}_head.module_list.${k}`;
}

/** Creates one prediction block over `channels` input channels with `outputs` output channels. */
export function initSsdliteHead(
  store: ParamStore,
  kind: SsdliteHeadKind,
  k: number,
  channels: number,
  outputs: number,
  seed: number,
): void {
  const p = ssdliteHeadPrefix(kind, k);
  initConvNormAct(
    store,
    {
      prefix: `${p}.0`,
      cin: channels,
      cout: channels,
      kernel: 3,
      stride: 1,
      depthwise: true,
      activation: "relu6",
    },
    seed,
  );
  initPointwiseWithBias(store, `${p}.1`, channels, outputs, seed);
}

/**
 * Applies one prediction block created by {@link initSsdliteHead}.
 * @param x `[B, h, w, channels]`. @returns `[B, h, w, outputs]` (NHWC: channel `a · C + c` is anchor a, class c).
 */
export function ssdliteHead(
  store: ParamStore,
  kind: SsdliteHeadKind,
  k: number,
  x: tf.Tensor4D,
  ctx: ForwardContext,
): tf.Tensor4D {
  const p = ssdliteHeadPrefix(kind, k);
  const [, , , channels] = x.shape;
  const d = convNormAct(
    store,
    {
      prefix: `${p}.0`,
      cin: channels,
      cout: channels,
      kernel: 3,
      stride: 1,
      depthwise: true,
      activation: "relu6",
    },
    x,
    ctx,
  );
  return pointwiseWithBias(store, `${p}.1`, d, ctx);
}
