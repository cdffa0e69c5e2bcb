import { type Boxes, decode, unsafeBoxes } from "@od/boxes";
import { configFromFeatureMaps, generatePriors, type PriorConfig, priorLayout } from "@od/priors";
import { tf } from "@od/tf";
import {
  type Backbone,
  type BackboneConfig,
  type CustomBackboneConfig,
  createBackbone,
  featureSize,
} from "./backbones.js";
import { checkSsdConfig, type SsdConfig } from "./config.js";
import { fail } from "./errors.js";
import type { ImageInput } from "./images.js";
import {
  convWithBias,
  depthwiseBnRelu6,
  type ForwardContext,
  initBatchNorm,
  initConv,
  initDepthwise,
} from "./layers.js";
import { ParamStore } from "./params.js";
import { type Detections, type PostprocessOptions, postprocess } from "./postprocess.js";
import { preprocessBatch } from "./preprocess.js";
import { initSsdliteHead, ssdliteHead, ssdliteHeadPrefix } from "./ssdlite-head.js";

/** `head.classification_head.module_list.` (the prefix of every block of {@link ssdliteHeadPrefix}). */
const SSDLITE_CLASS_HEAD_PREFIX = ssdliteHeadPrefix("classification", 0).replace(/\d+$/, "");

/**
 * Whether parameter `name` belongs to a class head, the layers whose shape depends on the number of
 * classes (`head<k>.cls.*` of od's heads, `head.classification_head.*` of torchvision's SSDlite): what
 * fine-tuning to another class count initialises afresh.
 */
export function isClassHeadParam(name: string): boolean {
  return /^head\d+\.cls\./.test(name) || name.startsWith(SSDLITE_CLASS_HEAD_PREFIX);
}

/** Raw outputs of {@link SsdDetector.forward}. */
export interface SsdOutputs {
  /** `[B, P, 4]` box deltas against the priors (tx, ty, tw, th). */
  readonly loc: tf.Tensor3D;
  /** `[B, P, C]` class logits, class 0 = background. */
  readonly logits: tf.Tensor3D;
}

/** Options of the {@link SsdDetector} constructor. */
export interface SsdDetectorOptions {
  /** A user-written backbone (see {@link CustomBackboneConfig}); built-in ones come from `config.backbone`. */
  readonly backbone?: Backbone;
}

/** The backbone a config names: the passed custom one (checked against the config), or a built-in one. */
function backboneFor(config: BackboneConfig, custom: Backbone | undefined): Backbone {
  if (custom === undefined) return createBackbone(config);
  if (config.kind !== "custom" || config.name !== custom.name)
    fail(
      "INVALID_CONFIG",
      "SsdDetector",
      `a custom backbone named ${JSON.stringify(custom.name)} needs config.backbone = { kind: "custom", name: ${JSON.stringify(custom.name)} }; got ${JSON.stringify(config)}`,
      { field: "backbone" },
    );
  return custom;
}

/**
 * An SSD detector (Liu et al. 2016) on tfjs-core: a backbone whose tapped feature maps feed one box
 * head and one class head each (no extra layers between backbone and heads, as in the recipe's
 * "Feature Layers" section). Priors come from @od/priors for the actual feature-map shapes.
 *
 * Owns tfjs variables: call {@link SsdDetector.dispose} when done.
 */
export class SsdDetector {
  /** The validated configuration. */
  readonly config: SsdConfig;
  /** Parameters and batch-norm state. */
  readonly params: ParamStore;
  /** The feature extractor. */
  readonly backbone: Backbone;
  /** Prior configuration matching the heads. */
  readonly priorConfig: PriorConfig;
  /** `[P, 4]` cxcywh rel priors, in the order of the outputs (level, row, column, shape). */
  readonly priors: Boxes<"cxcywh", "rel">;
  /** Boxes per cell on each level. */
  readonly boxesPerCell: readonly number[];
  /** Number of classes including background. */
  readonly numClasses: number;

  /**
   * Builds a detector with seeded initial weights.
   * @param options.backbone a user-written backbone; `config.backbone` must then be
   *   `{ kind: "custom", name: backbone.name }` (the saved config names it).
   * @throws SsdError `INVALID_CONFIG` (also when a custom backbone and `config.backbone` disagree).
   */
  /**
   * {@link predict}'s network input, reused from call to call (the largest batch so far): a new buffer
   * per call costs more than the preprocessing where the engine maps fresh pages for every large
   * allocation (Chromium).
   */
  #input = new Float32Array(0);

  constructor(config: SsdConfig, options: SsdDetectorOptions = {}) {
    checkSsdConfig(config);
    this.config = config;
    this.numClasses = config.classNames.length + 1;
    this.backbone = backboneFor(config.backbone, options.backbone);
    const { width, height } = config.inputSize;
    const maps = this.backbone.taps.map((t) => ({
      height: featureSize(height, t.stride),
      width: featureSize(width, t.stride),
    }));
    this.priorConfig =
      "config" in config.priors && config.priors.config !== undefined
        ? config.priors.config
        : configFromFeatureMaps(
            maps,
            config.inputSize,
            config.priors as Parameters<typeof configFromFeatureMaps>[2],
          );
    const layout = priorLayout(this.priorConfig);
    if (
      layout.levels.length !== maps.length ||
      layout.levels.some((l, k) => l.rows !== maps[k]?.height || l.cols !== maps[k]?.width)
    ) {
      fail(
        "INVALID_CONFIG",
        "SsdDetector",
        `config.priors has levels ${JSON.stringify(layout.levels.map((l) => [l.rows, l.cols]))} but the backbone taps give ${JSON.stringify(maps.map((m) => [m.height, m.width]))}`,
        { field: "priors" },
      );
    }
    this.boxesPerCell = layout.levels.map((l) => l.boxesPerCell);
    this.priors = generatePriors(this.priorConfig);
    this.params = new ParamStore();
    this.backbone.init(this.params, config.seed);
    this.#initHeads();
  }

  #initHeads(): void {
    const C = this.numClasses;
    const seed = this.config.seed;
    // Background starts at probability 0.99 (RetinaNet-style prior, Lin et al. 2017): stable early training.
    const bgBias = Math.log((0.99 * (C - 1)) / 0.01);
    if (this.config.head === "ssdlite") {
      // torchvision's state_dict order: every classification block, then every regression block.
      for (const [kind, per] of [
        ["classification", C],
        ["regression", 4],
      ] as const) {
        this.backbone.taps.forEach((tap, k) => {
          initSsdliteHead(this.params, kind, k, tap.channels, this.boxesPerCell[k]! * per, seed);
        });
      }
      return;
    }
    this.backbone.taps.forEach((tap, k) => {
      const A = this.boxesPerCell[k]!;
      for (const [kind, out] of [
        ["loc", A * 4],
        ["cls", A * C],
      ] as const) {
        const name = `head${k}.${kind}`;
        if (this.config.head === "separable") {
          initDepthwise(this.params, `${name}.dw`, 3, tap.channels, seed);
          initBatchNorm(this.params, `${name}.dwbn`, tap.channels);
          initConv(this.params, `${name}.pw`, 1, tap.channels, out, seed, true);
        } else {
          initConv(this.params, `${name}.pw`, 3, tap.channels, out, seed, true);
        }
        if (kind === "loc") this.#scale(`${name}.pw.w`, 0.1);
        if (kind === "cls") this.#setClassBias(`${name}.pw.b`, A, C, bgBias);
      }
    });
  }

  #scale(name: string, f: number): void {
    const v = this.params.get(name);
    tf.tidy(() => v.assign(tf.mul(v, f)));
  }

  #setClassBias(name: string, A: number, C: number, bg: number): void {
    const b = new Float32Array(A * C);
    for (let a = 0; a < A; a++) b[a * C] = bg;
    const v = this.params.get(name);
    tf.tidy(() => v.assign(tf.tensor1d(b)));
  }

  #head(name: string, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    if (this.config.head === "separable") {
      const d = depthwiseBnRelu6(this.params, `${name}.dw`, `${name}.dwbn`, x, 1, ctx);
      return convWithBias(this.params, `${name}.pw`, d, 1, ctx);
    }
    return convWithBias(this.params, `${name}.pw`, x, 1, ctx);
  }

  /**
   * The network: normalised input → per-prior deltas and logits.
   * @param x `[B, H, W, 3]` network input (see `preprocessBatch`: float32 in `NETWORK_INPUT_RANGE`),
   *   H×W = `config.inputSize`.
   * @param training batch norm in training mode (batch statistics; running averages updated).
   * @param options `foldBatchNorm` (inference only, default true): fold batch norm into the convolutions
   * and run fused conv + bias + relu6 ops; false runs the layers one by one (same values up to float32
   * rounding). `frozenBackbone` (default false): the backbone runs in inference mode even when
   * `training` (its batch norm uses and keeps its running statistics, as torchvision's frozen layers);
   * the heads follow `training`.
   * @returns `loc [B, P, 4]`, `logits [B, P, C]` (caller owns them).
   * @throws SsdError `BAD_IMAGE` when the input shape is not `[B, H, W, 3]`.
   */
  forward(
    x: tf.Tensor4D,
    training = false,
    options: { readonly foldBatchNorm?: boolean; readonly frozenBackbone?: boolean } = {},
  ): SsdOutputs {
    const { width, height } = this.config.inputSize;
    if (x.rank !== 4 || x.shape[1] !== height || x.shape[2] !== width || x.shape[3] !== 3) {
      fail(
        "BAD_IMAGE",
        "SsdDetector.forward",
        `x must be [B, ${height}, ${width}, 3]; got [${x.shape.join(", ")}]`,
      );
    }
    const ctx: ForwardContext = {
      training,
      ...(this.config.bnMomentum !== undefined ? { bnMomentum: this.config.bnMomentum } : {}),
      ...(options.foldBatchNorm !== undefined ? { foldBatchNorm: options.foldBatchNorm } : {}),
    };
    const backboneCtx: ForwardContext = options.frozenBackbone === true ? { ...ctx, training: false } : ctx;
    return tf.tidy(() => {
      const feats = this.backbone.apply(this.params, x, backboneCtx);
      const B = x.shape[0];
      const C = this.numClasses;
      const locs: tf.Tensor3D[] = [];
      const logits: tf.Tensor3D[] = [];
      feats.forEach((f, k) => {
        if (this.config.head === "ssdlite") {
          locs.push(tf.reshape(ssdliteHead(this.params, "regression", k, f, ctx), [B, -1, 4]));
          logits.push(tf.reshape(ssdliteHead(this.params, "classification", k, f, ctx), [B, -1, C]));
          return;
        }
        locs.push(tf.reshape(this.#head(`head${k}.loc`, f, ctx), [B, -1, 4]));
        logits.push(tf.reshape(this.#head(`head${k}.cls`, f, ctx), [B, -1, C]));
      });
      return { loc: tf.concat(locs, 1), logits: tf.concat(logits, 1) };
    });
  }

  /**
   * Decodes one image's deltas against the priors (variances from the config).
   * @param deltas `[P, 4]` values of `forward(...).loc` for one image.
   * @returns `[P, 4]` cxcywh boxes relative to the network input.
   */
  decode(deltas: Float32Array): Boxes<"cxcywh", "rel"> {
    return decode(deltas, this.priors, { variances: this.config.variances });
  }

  /**
   * Detects objects in images of any size: `preprocessBatch` fits each to the input size (letterbox or
   * resize as `config.inputFit` says, with the resampler training uses) and normalises it, recording
   * the geometry; then forward in inference mode, softmax, and {@link postprocess} per image, which maps
   * boxes back to each original image with the exact inverse of its record.
   * @param images one or more images (see {@link ImageInput}); processed in one batch.
   * @param options post-processing; each option not given falls back to `config.postprocess`, then to
   *   od's defaults.
   * @returns one {@link Detections} per image, boxes in xyxy px of that image.
   * @throws SsdError `BAD_IMAGE` naming the image index; `INVALID_ARGUMENT` for bad options; ImageError
   *   `RANGE_MISMATCH` for network input passed as an image.
   */
  async predict(images: readonly ImageInput[], options: PostprocessOptions = {}): Promise<Detections[]> {
    const { width, height } = this.config.inputSize;
    const need = (Array.isArray(images) ? images.length : 0) * height * width * 3;
    if (this.#input.length < need) this.#input = new Float32Array(need);
    // The input buffer is reused: the tensor is made from it, run and disposed before anything awaits.
    const { batch, records } = preprocessBatch(images, this.config, "predict", this.#input.subarray(0, need));
    const x = tf.tensor4d(batch, [records.length, height, width, 3]);
    const { loc, probs } = tf.tidy(() => {
      const out = this.forward(x, false);
      return { loc: out.loc, probs: tf.softmax(out.logits) };
    });
    x.dispose();
    const [deltas, p] = await Promise.all([
      loc.data() as Promise<Float32Array>,
      probs.data() as Promise<Float32Array>,
    ]);
    tf.dispose([loc, probs]);
    const P = this.priors.length;
    const C = this.numClasses;
    return records.map((rec, b) =>
      postprocess(
        deltas.subarray(b * P * 4, (b + 1) * P * 4),
        p.subarray(b * P * C, (b + 1) * P * C),
        this.priors,
        this.config.variances,
        rec,
        { ...this.config.postprocess, ...options },
      ),
    );
  }

  /** Trainable variables, for `optimizer.minimize(f, true, detector.trainableVariables())`. */
  trainableVariables(): tf.Variable[] {
    return this.params.trainableVariables();
  }

  /** Number of trainable parameters. */
  countParameters(): number {
    return this.params.countTrainable();
  }

  /** Releases every tfjs variable. */
  dispose(): void {
    this.params.dispose();
  }
}

/** Wraps a `[P, 4]` Float32Array as cxcywh rel boxes (no copy), e.g. decoded model output. */
export function relBoxes(data: Float32Array): Boxes<"cxcywh", "rel"> {
  return unsafeBoxes(data, "cxcywh", "rel");
}
