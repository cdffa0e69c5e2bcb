/**
 * torchvision 0.14's MobileNetV3-Large (Howard et al. 2019) as SSDlite's feature extractor
 * (`torchvision/models/mobilenetv3.py`, `torchvision/models/detection/ssdlite.py`), layer for layer
 * and with torchvision's parameter names.
 * @module
 */
import { tf } from "@od/tf";
import type { Backbone, Tap } from "./backbone.js";
import { fail } from "./errors.js";
import type { ForwardContext } from "./layers.js";
import type { ParamStore } from "./params.js";
import {
  type ConvNormActSpec,
  convNormAct,
  initConvNormAct,
  initSqueezeExcitation,
  squeezeExcitation,
  type TorchActivation,
} from "./torch-layers.js";

/**
 * Configuration of the MobileNetV3-Large backbone with SSDlite's extra layers ({@link createBackbone}
 * with `kind: "mobilenet_v3_large"`), as torchvision's `ssdlite320_mobilenet_v3_large` builds it.
 */
export interface MobilenetV3LargeConfig {
  readonly kind: "mobilenet_v3_large";
  /**
   * Channel width multiplier of the MobileNetV3 layers (torchvision `width_mult`, default 1), each
   * rounded by {@link makeDivisible}; the SSDlite extra layers keep their widths.
   */
  readonly widthMultiplier?: number;
  /**
   * Halve the channels of the last blocks (torchvision `reduced_tail`, MobileNetV3 paper Table 6;
   * default false). torchvision's SSDlite sets it when built without a pretrained backbone.
   */
  readonly reducedTail?: boolean;
}

/**
 * torchvision's `_make_divisible(v, divisor)` (from TensorFlow's slim MobileNet): `v` rounded to the
 * nearest multiple of `divisor` (at least `divisor`), raised by one `divisor` if rounding lost more than
 * 10 %.
 */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** One inverted-residual block of MobileNetV3 (torchvision `InvertedResidualConfig`, before width scaling). */
export interface InvertedResidualSetting {
  readonly input: number;
  readonly kernel: number;
  readonly expanded: number;
  readonly output: number;
  readonly squeezeExcite: boolean;
  /** `"RE"` relu, `"HS"` hardswish. */
  readonly activation: "RE" | "HS";
  readonly stride: number;
}

/**
 * MobileNetV3-Large's blocks, torchvision's `_mobilenet_v3_conf("mobilenet_v3_large")` (dilation 1):
 * input, kernel, expanded, output channels, squeeze-excitation, activation, stride; `reducedTail`
 * halves the channels of the last three blocks.
 */
export function mobilenetV3LargeSettings(reducedTail: boolean): InvertedResidualSetting[] {
  const r = reducedTail ? 2 : 1;
  const rows: [number, number, number, number, boolean, "RE" | "HS", number][] = [
    [16, 3, 16, 16, false, "RE", 1],
    [16, 3, 64, 24, false, "RE", 2], // C1
    [24, 3, 72, 24, false, "RE", 1],
    [24, 5, 72, 40, true, "RE", 2], // C2
    [40, 5, 120, 40, true, "RE", 1],
    [40, 5, 120, 40, true, "RE", 1],
    [40, 3, 240, 80, false, "HS", 2], // C3
    [80, 3, 200, 80, false, "HS", 1],
    [80, 3, 184, 80, false, "HS", 1],
    [80, 3, 184, 80, false, "HS", 1],
    [80, 3, 480, 112, true, "HS", 1],
    [112, 3, 672, 112, true, "HS", 1],
    [112, 5, 672, 160 / r, true, "HS", 2], // C4
    [160 / r, 5, 960 / r, 160 / r, true, "HS", 1],
    [160 / r, 5, 960 / r, 160 / r, true, "HS", 1],
  ];
  return rows.map(([input, kernel, expanded, output, squeezeExcite, activation, stride]) => ({
    input,
    kernel,
    expanded,
    output,
    squeezeExcite,
    activation,
    stride,
  }));
}

/** Channels of SSDlite's four extra blocks (torchvision `SSDLiteFeatureExtractorMobileNet`, `width_mult` 1). */
export const SSDLITE_EXTRA_CHANNELS: readonly number[] = Object.freeze([512, 256, 256, 128]);

/** A layer of the network: a conv-norm-activation or a squeeze-excitation, at its torchvision path. */
type Layer =
  | { readonly type: "cna"; readonly spec: ConvNormActSpec }
  | { readonly type: "se"; readonly prefix: string; readonly channels: number; readonly squeeze: number };

interface Block {
  readonly layers: readonly Layer[];
  readonly residual: boolean;
  /** Index in `layers` after which the feature map is tapped (the C4 expansion), if any. */
  readonly tapAfter?: number;
}

function checkOptions(c: MobilenetV3LargeConfig): { width: number; reducedTail: boolean } {
  const fn = "mobilenetV3LargeBackbone";
  const width = c.widthMultiplier ?? 1;
  if (!(typeof width === "number" && Number.isFinite(width) && width > 0 && width <= 4))
    fail("INVALID_CONFIG", fn, `widthMultiplier must be in (0, 4]; got ${String(c.widthMultiplier)}`, {
      field: "backbone.widthMultiplier",
      value: c.widthMultiplier,
    });
  const reducedTail = c.reducedTail ?? false;
  if (typeof reducedTail !== "boolean")
    fail("INVALID_CONFIG", fn, `reducedTail must be a boolean; got ${JSON.stringify(c.reducedTail)}`, {
      field: "backbone.reducedTail",
      value: c.reducedTail,
    });
  return { width, reducedTail };
}

/**
 * The module path of layer `j` of inverted-residual block `i` (1-based, as in torchvision's
 * `features`), after SSDlite splits the network at the C4 block `c4` into `features.0` (up to C4's
 * expansion layer) and `features.1` (C4's remaining layers as `features.1.0.<j>`, then the rest).
 */
function blockLayerPath(i: number, j: number, c4: number): string {
  if (i < c4) return `backbone.features.0.${i}.block.${j}`;
  if (i === c4) return j === 0 ? `backbone.features.0.${c4}` : `backbone.features.1.0.${j}`;
  return `backbone.features.1.${i - c4}.block.${j}`;
}

/** Index of the C4 block in MobileNetV3-Large's `features` (the last stride-2 block: 13). */
const C4_BLOCK = mobilenetV3LargeSettings(false).reduce((last, s, k) => (s.stride > 1 ? k + 1 : last), 0);
/** Index of the last 1×1 conv in MobileNetV3-Large's `features` (16). */
const LAST_CONV = mobilenetV3LargeSettings(false).length + 1;

/** What {@link mapMobilenetV3LargeKeys} returns. */
export interface MobilenetV3KeyMapping {
  /** Classification checkpoint key → SSDlite key (`features.3.block.1.0.weight` → `backbone.features.0.3.block.1.0.weight`). */
  readonly mapped: ReadonlyMap<string, string>;
  /** Keys with no place in the detector (the classifier, `classifier.*`), in input order. */
  readonly unmapped: readonly string[];
}

/**
 * The SSDlite key of a key of torchvision's ImageNet `mobilenet_v3_large` classification state_dict, as
 * torchvision places a pretrained backbone (`weights_backbone`): `features.0` (stem) →
 * `backbone.features.0.0`, blocks 1–12 → `backbone.features.0.<i>`, the C4 block 13 split after its
 * expansion layer (`features.13.block.0` → `backbone.features.0.13`, `features.13.block.<j ≥ 1>` →
 * `backbone.features.1.0.<j>`), blocks 14–15 → `backbone.features.1.<i − 13>`, the last conv
 * `features.16` → `backbone.features.1.3`; `undefined` for any other key (`classifier.*`).
 */
export function mobilenetV3LargeBackboneKey(key: string): string | undefined {
  const m = /^features\.(\d+)\.(.+)$/.exec(key);
  if (m === null) return undefined;
  const i = Number(m[1]);
  const rest = m[2]!;
  if (i === 0) return `backbone.features.0.0.${rest}`;
  if (i === LAST_CONV) return `backbone.features.1.${LAST_CONV - C4_BLOCK}.${rest}`;
  if (i > LAST_CONV) return undefined;
  const b = /^block\.(\d+)\.(.+)$/.exec(rest);
  if (b === null) return undefined;
  return `${blockLayerPath(i, Number(b[1]), C4_BLOCK)}.${b[2]!}`;
}

/**
 * Maps every key of an ImageNet `mobilenet_v3_large` classification state_dict with
 * {@link mobilenetV3LargeBackboneKey}: load the renamed tensors into an SSDlite model (non-strictly: the
 * extras and heads stay initialised) to start from a pretrained backbone. The width multiplier and
 * `reducedTail` of the checkpoint must match the model's (torchvision's ImageNet weights: width 1, no
 * reduced tail); shapes are for the loader to check.
 */
export function mapMobilenetV3LargeKeys(keys: Iterable<string>): MobilenetV3KeyMapping {
  const mapped = new Map<string, string>();
  const unmapped: string[] = [];
  for (const k of keys) {
    const to = mobilenetV3LargeBackboneKey(k);
    if (to === undefined) unmapped.push(k);
    else mapped.set(k, to);
  }
  return { mapped, unmapped };
}

/**
 * torchvision's `ssdlite320_mobilenet_v3_large` backbone: MobileNetV3-Large's `features` split at the C4
 * block's expansion (tap 1, stride 16: the expansion's output; tap 2, stride 32: the last 1×1 conv,
 * 6 × the last block's channels), then four extra blocks (1×1 conv → 3×3 depthwise stride 2 → 1×1
 * conv, each with batch norm and relu6; taps 3–6, strides 64–512). On a 320×320 input the six maps are
 * 20, 10, 5, 3, 2 and 1 cells wide. Batch norm ε 0.001 as torchvision sets it; parameter names are
 * torchvision's state_dict keys (`backbone.features.0.0.0.weight`, …), values in tfjs layout.
 * @throws SsdError `INVALID_CONFIG` naming the field.
 */
export function mobilenetV3LargeBackbone(config: MobilenetV3LargeConfig): Backbone {
  const { width, reducedTail } = checkOptions(config);
  const ch = (c: number): number => makeDivisible(c * width);
  const settings = mobilenetV3LargeSettings(reducedTail);
  const c4 = C4_BLOCK;
  const act = (a: "RE" | "HS"): TorchActivation => (a === "HS" ? "hardswish" : "relu");
  const stemChannels = ch(settings[0]!.input);
  const blocks: Block[] = [];
  blocks.push({
    layers: [
      {
        type: "cna",
        spec: {
          prefix: "backbone.features.0.0",
          cin: 3,
          cout: stemChannels,
          kernel: 3,
          stride: 2,
          depthwise: false,
          activation: "hardswish",
        },
      },
    ],
    residual: false,
  });
  settings.forEach((s, k) => {
    const i = k + 1;
    const cin = ch(s.input);
    const exp = ch(s.expanded);
    const cout = ch(s.output);
    const a = act(s.activation);
    const layers: Layer[] = [];
    const path = (): string => blockLayerPath(i, layers.length, c4);
    if (exp !== cin)
      layers.push({
        type: "cna",
        spec: { prefix: path(), cin, cout: exp, kernel: 1, stride: 1, depthwise: false, activation: a },
      });
    layers.push({
      type: "cna",
      spec: {
        prefix: path(),
        cin: exp,
        cout: exp,
        kernel: s.kernel,
        stride: s.stride,
        depthwise: true,
        activation: a,
      },
    });
    if (s.squeezeExcite)
      layers.push({ type: "se", prefix: path(), channels: exp, squeeze: makeDivisible(exp / 4) });
    layers.push({
      type: "cna",
      spec: { prefix: path(), cin: exp, cout, kernel: 1, stride: 1, depthwise: false, activation: "linear" },
    });
    blocks.push({ layers, residual: s.stride === 1 && cin === cout, ...(i === c4 ? { tapAfter: 0 } : {}) });
  });
  if (exp0(blocks[c4]!) === undefined)
    fail("INVALID_CONFIG", "mobilenetV3LargeBackbone", "the C4 block has no expansion layer to tap");
  const lastIn = ch(settings[settings.length - 1]!.output);
  const lastOut = 6 * lastIn;
  blocks.push({
    layers: [
      {
        type: "cna",
        spec: {
          prefix: `backbone.features.1.${LAST_CONV - C4_BLOCK}`,
          cin: lastIn,
          cout: lastOut,
          kernel: 1,
          stride: 1,
          depthwise: false,
          activation: "hardswish",
        },
      },
    ],
    residual: false,
  });
  const extras: ConvNormActSpec[][] = [];
  let cin = lastOut;
  SSDLITE_EXTRA_CHANNELS.forEach((cout, e) => {
    const mid = Math.floor(cout / 2);
    const p = `backbone.extra.${e}`;
    extras.push([
      { prefix: `${p}.0`, cin, cout: mid, kernel: 1, stride: 1, depthwise: false, activation: "relu6" },
      { prefix: `${p}.1`, cin: mid, cout: mid, kernel: 3, stride: 2, depthwise: true, activation: "relu6" },
      { prefix: `${p}.2`, cin: mid, cout, kernel: 1, stride: 1, depthwise: false, activation: "relu6" },
    ]);
    cin = cout;
  });
  const taps: Tap[] = [
    { name: "c4", stride: 16, channels: exp0(blocks[c4]!)! },
    { name: "c5", stride: 32, channels: lastOut },
    ...SSDLITE_EXTRA_CHANNELS.map((c, e) => ({ name: `extra${e}`, stride: 64 * 2 ** e, channels: c })),
  ];
  const applyLayer = (store: ParamStore, l: Layer, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D =>
    l.type === "cna" ? convNormAct(store, l.spec, x, ctx) : squeezeExcitation(store, l.prefix, x);
  return {
    name: `mobilenet_v3_large-${width}${reducedTail ? "-reduced_tail" : ""}`,
    taps,
    init(store, seed) {
      for (const b of blocks) {
        for (const l of b.layers) {
          if (l.type === "cna") initConvNormAct(store, l.spec, seed);
          else initSqueezeExcitation(store, l.prefix, l.channels, l.squeeze, seed);
        }
      }
      for (const e of extras) for (const s of e) initConvNormAct(store, s, seed);
    },
    apply(store, x, ctx) {
      const out: tf.Tensor4D[] = [];
      let y = x;
      for (const b of blocks) {
        const input = y;
        b.layers.forEach((l, j) => {
          y = applyLayer(store, l, y, ctx);
          if (b.tapAfter === j) out.push(y);
        });
        if (b.residual) y = tf.add(y, input);
      }
      out.push(y);
      for (const e of extras) {
        for (const s of e) y = convNormAct(store, s, y, ctx);
        out.push(y);
      }
      return out;
    },
  };
}

/** Channels after a block's first layer when it is an expansion (a full 1×1 conv). */
function exp0(b: Block): number | undefined {
  const l = b.layers[0];
  return l?.type === "cna" && !l.spec.depthwise && l.spec.kernel === 1 ? l.spec.cout : undefined;
}
