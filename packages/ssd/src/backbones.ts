import type { tf } from "@od/tf";
import type { Backbone, Tap } from "./backbone.js";
import { fail } from "./errors.js";

export type { Backbone, Tap } from "./backbone.js";

import { convBnAct, initConvBnAct, initSeparable, separable } from "./layers.js";
import { type MobilenetV3LargeConfig, mobilenetV3LargeBackbone } from "./mobilenet-v3.js";

/** Configuration of the MobileNet v1 backbone ({@link createBackbone} with `kind: "mobilenet"`). */
export interface MobilenetConfig {
  readonly kind: "mobilenet";
  /** Channel width multiplier α (MobileNet v1): 1.0 is the full network, 0.25–0.5 train fast on a CPU. */
  readonly widthMultiplier: number;
  /** Strides to tap, a subset of 8, 16, 32, 64 (default [8, 16, 32]). */
  readonly taps?: readonly number[];
}

/** Configuration of the VGG-style backbone ({@link createBackbone} with `kind: "vgg"`). */
export interface VggConfig {
  readonly kind: "vgg";
  /** Channels of the first stage; doubled at each of the next stages up to 8× (default 16). */
  readonly baseChannels?: number;
  /** Strides to tap, a subset of 8, 16, 32, 64 (default [8, 16, 32]). */
  readonly taps?: readonly number[];
}

/**
 * A backbone written by the user: the config records only its name; the {@link Backbone} object itself
 * is passed to `new SsdDetector(config, { backbone })` and `loadDetector(dir, { backbone })`.
 */
export interface CustomBackboneConfig {
  readonly kind: "custom";
  /** Must equal the passed backbone's `name`. */
  readonly name: string;
}

/** A backbone configuration: a built-in one, or a user-written one by name. */
export type BackboneConfig = MobilenetConfig | VggConfig | MobilenetV3LargeConfig | CustomBackboneConfig;

const STRIDES = [8, 16, 32, 64];

function checkTaps(fn: string, taps: readonly number[]): number[] {
  if (!Array.isArray(taps) || taps.length === 0 || !taps.every((t) => STRIDES.includes(t))) {
    fail(
      "INVALID_CONFIG",
      fn,
      `taps must be a non-empty subset of [${STRIDES.join(", ")}]; got [${String(taps)}]`,
      { field: "taps" },
    );
  }
  return [...new Set(taps)].sort((a, b) => a - b);
}

function ch(c: number, alpha: number): number {
  return Math.max(8, Math.round((c * alpha) / 8) * 8);
}

/**
 * A MobileNet v1 style backbone (Howard et al. 2017): a 3×3 stride-2 conv, then depthwise-separable
 * blocks; channels scaled by the width multiplier. Stage outputs at strides 8, 16, 32 (and 64, one more
 * stage, when tapped) feed the heads directly, as the recipe's "Feature Layers" section recommends.
 */
export function mobilenetBackbone(config: MobilenetConfig): Backbone {
  const fn = "mobilenetBackbone";
  const a = config.widthMultiplier;
  if (!(typeof a === "number" && a > 0 && a <= 4)) {
    fail("INVALID_CONFIG", fn, `widthMultiplier must be in (0, 4]; got ${String(a)}`, {
      field: "widthMultiplier",
    });
  }
  const taps = checkTaps(fn, config.taps ?? [8, 16, 32]);
  const last = taps[taps.length - 1]!;
  // [name, cout, stride] per block after the stem (stride 2, 32α channels).
  const blocks: [string, number, number][] = [
    ["b1", ch(64, a), 1],
    ["b2", ch(128, a), 2],
    ["b3", ch(128, a), 1],
    ["b4", ch(256, a), 2],
    ["b5", ch(256, a), 1], // stride 8
    ["b6", ch(512, a), 2],
    ["b7", ch(512, a), 1],
    ["b8", ch(512, a), 1], // stride 16
    ["b9", ch(1024, a), 2],
    ["b10", ch(1024, a), 1], // stride 32
    ["b11", ch(512, a), 2],
    ["b12", ch(512, a), 1], // stride 64
  ];
  const tapAfter: Record<string, number> = { b5: 8, b8: 16, b10: 32, b12: 64 };
  const lastBlock = Object.entries(tapAfter).find(([, s]) => s === last)?.[0] as string;
  const used = blocks.slice(0, blocks.findIndex(([n]) => n === lastBlock) + 1);
  const tapList: Tap[] = taps.map((s) => {
    const name = Object.entries(tapAfter).find(([, v]) => v === s)?.[0] as string;
    return {
      name: `s${s}`,
      stride: s,
      channels: (blocks.find(([n]) => n === name) as [string, number, number])[1],
    };
  });
  const stem = ch(32, a);
  return {
    name: `mobilenet-${a}`,
    taps: tapList,
    init(store, seed) {
      initConvBnAct(store, "backbone.stem", 3, 3, stem, seed);
      let cin = stem;
      for (const [n, cout] of used) {
        initSeparable(store, `backbone.${n}`, cin, cout, seed);
        cin = cout;
      }
    },
    apply(store, x, ctx) {
      let y = convBnAct(store, "backbone.stem", x, 2, ctx);
      const out: tf.Tensor4D[] = [];
      for (const [n, , stride] of used) {
        y = separable(store, `backbone.${n}`, y, stride, ctx);
        const s = tapAfter[n];
        if (s !== undefined && taps.includes(s)) out.push(y);
      }
      return out;
    },
  };
}

/**
 * A small VGG-style backbone (Simonyan & Zisserman 2015, scaled down): stages of two 3×3 conv+BN+relu6
 * layers, the first of each stage with stride 2 (instead of max-pooling, so every op has a wasm gradient).
 */
export function vggBackbone(config: VggConfig): Backbone {
  const fn = "vggBackbone";
  const base = config.baseChannels ?? 16;
  if (!(Number.isInteger(base) && base > 0 && base <= 512)) {
    fail("INVALID_CONFIG", fn, `baseChannels must be an integer in [1, 512]; got ${String(base)}`, {
      field: "baseChannels",
    });
  }
  const taps = checkTaps(fn, config.taps ?? [8, 16, 32]);
  const last = taps[taps.length - 1]!;
  const stages: { name: string; cout: number; stride: number }[] = [];
  for (let s = 2, i = 0; s <= last; s *= 2, i++)
    stages.push({ name: `st${i}`, cout: base * 2 ** Math.min(i, 3), stride: s });
  return {
    name: `vgg-${base}`,
    taps: taps.map((s) => ({
      name: `s${s}`,
      stride: s,
      channels: (stages.find((t) => t.stride === s) as { cout: number }).cout,
    })),
    init(store, seed) {
      let cin = 3;
      for (const st of stages) {
        initConvBnAct(store, `backbone.${st.name}.a`, 3, cin, st.cout, seed);
        initConvBnAct(store, `backbone.${st.name}.b`, 3, st.cout, st.cout, seed);
        cin = st.cout;
      }
    },
    apply(store, x, ctx) {
      let y = x;
      const out: tf.Tensor4D[] = [];
      for (const st of stages) {
        y = convBnAct(store, `backbone.${st.name}.a`, y, 2, ctx);
        y = convBnAct(store, `backbone.${st.name}.b`, y, 1, ctx);
        if (taps.includes(st.stride)) out.push(y);
      }
      return out;
    },
  };
}

/**
 * Builds a built-in backbone from its config.
 * @throws SsdError `INVALID_CONFIG` for an unknown kind, and for `kind: "custom"` (a user-written
 *   backbone cannot be built from its name: pass it as the `backbone` option).
 */
export function createBackbone(config: BackboneConfig): Backbone {
  if (config.kind === "mobilenet") return mobilenetBackbone(config);
  if (config.kind === "vgg") return vggBackbone(config);
  if (config.kind === "mobilenet_v3_large") return mobilenetV3LargeBackbone(config);
  if (config.kind === "custom")
    return fail(
      "INVALID_CONFIG",
      "createBackbone",
      `backbone ${JSON.stringify(config.name)} is a custom backbone: pass the Backbone object as the backbone option (new SsdDetector(config, { backbone }), loadDetector(dir, { backbone }))`,
    );
  return fail(
    "INVALID_CONFIG",
    "createBackbone",
    `backbone.kind must be "mobilenet", "vgg" or "mobilenet_v3_large"; got ${String((config as { kind?: unknown }).kind)}`,
  );
}

/** Feature-map size after `stride` with "same" padding at every stride-2 layer: `ceil(n / stride)`. */
export function featureSize(n: number, stride: number): number {
  let m = n;
  for (let s = 1; s < stride; s *= 2) m = Math.ceil(m / 2);
  return m;
}
