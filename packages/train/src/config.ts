import { INPUT_FITS, PRIOR_FIT_DEFAULTS, SSD_DEFAULTS, ssdlite320MobilenetV3LargeConfig } from "@od/ssd";
import { z } from "zod";
import { fail } from "./errors.js";

/**
 * The detector architectures a run can train (`model.architecture`): `ssd`, od's configurable SSD
 * (backbone, head, input size and priors from the rest of `model`), and
 * `ssdlite320_mobilenet_v3_large`, torchvision's model of that name (`ssdlite320MobilenetV3Large` of
 * `@od/ssd`: 320×320 input resized without keeping the aspect ratio, its own priors and
 * post-processing; `model.backbone` may set its `widthMultiplier` and `reducedTail`).
 */
export const ARCHITECTURES = ["ssd", "ssdlite320_mobilenet_v3_large"] as const;

/** One of {@link ARCHITECTURES}. */
export type Architecture = (typeof ARCHITECTURES)[number];

/** torchvision's SSDlite as `@od/ssd` defines it: where its input size, fit, head and priors are read from. */
const SSDLITE = ssdlite320MobilenetV3LargeConfig({ numClasses: 2 });

const [FIRST_FIT, ...OTHER_FITS] = INPUT_FITS as [
  (typeof INPUT_FITS)[number],
  ...(typeof INPUT_FITS)[number][],
];

/**
 * Default of `data.prefetch`: training batches prepared ahead of the step (measured on BCCD; see the
 * README's "Input pipeline" section).
 */
const PREFETCH_DEFAULT = 0;

const size = z.object({ width: z.number().int().min(32), height: z.number().int().min(32) }).strict();

/** An explicit prior config (`PriorConfig` of `@od/priors`): the grid is checked, the rest passed through. */
const explicitPriors = z.looseObject({
  imageSize: z.looseObject({ width: z.number().positive(), height: z.number().positive() }),
  featureMaps: z
    .array(z.looseObject({ width: z.number().int().positive(), height: z.number().int().positive() }))
    .min(1),
});

/** A prior config file: its path, and once read (`loadPriorsFile` of `@od/train/node`) its contents. */
const priorsFile = z.object({ file: z.string().min(1), config: explicitPriors.optional() }).strict();

/** `model.backbone`: one variant per backbone kind. */
const backboneSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("mobilenet"),
      widthMultiplier: z.number().positive().max(4),
      taps: z.array(z.number().int()).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("vgg"),
      baseChannels: z.number().int().positive().optional(),
      taps: z.array(z.number().int()).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("mobilenet_v3_large"),
      widthMultiplier: z.number().positive().max(4).optional(),
      reducedTail: z.boolean().optional(),
    })
    .strict(),
]);

/** `model.priors` (see the field's documentation). */
const priorsSchema = z.union([
  z
    .string()
    .min(1)
    .transform((file) => ({ file }))
    .pipe(priorsFile),
  priorsFile,
  z
    .object({
      minScale: z.number().positive().optional(),
      maxScale: z.number().positive().optional(),
      aspectRatios: z
        .union([z.array(z.number().positive()), z.array(z.array(z.number().positive()))])
        .optional(),
    })
    .strict(),
  z
    .object({
      /**
       * Fit prior shapes to the training set's boxes before training (the recipe's first
       * lesson), keeping the feature-map grid: `shapesPerLevel` shapes per cell chosen by
       * `fitPriors` of @od/priors, starting from `minScale`–`maxScale`.
       */
      fit: z
        .object({
          shapesPerLevel: z.number().int().min(1).max(12).default(PRIOR_FIT_DEFAULTS.shapesPerLevel),
          minScale: z.number().positive().default(PRIOR_FIT_DEFAULTS.minScale),
          maxScale: z.number().positive().default(PRIOR_FIT_DEFAULTS.maxScale),
        })
        .strict(),
    })
    .strict(),
  z.looseObject({ config: explicitPriors }).transform((p) => ({ config: p.config })),
  explicitPriors.transform((config) => ({ config })),
]);

/** `model` as written, before {@link resolveModel}. */
type ModelInput = {
  readonly architecture: Architecture;
  readonly inputSize?: z.infer<typeof size> | undefined;
  readonly inputFit?: (typeof INPUT_FITS)[number] | undefined;
  readonly backbone?: z.infer<typeof backboneSchema> | undefined;
  readonly head?: "conv" | "separable" | "ssdlite" | undefined;
  readonly priors?: z.infer<typeof priorsSchema> | undefined;
  readonly classAgnostic: boolean;
  readonly weights?: string | undefined;
};

/**
 * Fills `model`'s defaults for its architecture and refuses settings the architecture does not have
 * (each issue names the key, the value and what the architecture takes). `ssd`: od's defaults
 * (`SSD_DEFAULTS` of `@od/ssd`; priors fitted to the training set). `ssdlite320_mobilenet_v3_large`:
 * input size, fit, head and priors of `ssdlite320MobilenetV3LargeConfig` of `@od/ssd`. The result parses
 * to itself (a run's `config.json` reads back unchanged).
 */
function resolveModel(m: ModelInput, ctx: z.RefinementCtx) {
  const issue = (path: string[], message: string) =>
    ctx.addIssue({ code: "custom", path: ["model", ...path], message });
  const arch = m.architecture;
  const backbone = m.backbone;
  if (arch === "ssdlite320_mobilenet_v3_large") {
    const want = SSDLITE.inputSize;
    if (m.inputSize !== undefined && (m.inputSize.width !== want.width || m.inputSize.height !== want.height))
      issue(
        ["inputSize"],
        `is ${m.inputSize.width}x${m.inputSize.height} but ${arch} takes ${want.width}x${want.height}`,
      );
    if (m.inputFit !== undefined && m.inputFit !== SSDLITE.inputFit)
      issue(["inputFit"], `is ${m.inputFit} but ${arch} takes ${SSDLITE.inputFit}`);
    if (m.head !== undefined && m.head !== SSDLITE.head)
      issue(["head"], `is ${m.head} but ${arch} has the ${SSDLITE.head} head`);
    if (backbone !== undefined && backbone.kind !== "mobilenet_v3_large")
      issue(["backbone", "kind"], `is ${backbone.kind} but ${arch} has the mobilenet_v3_large backbone`);
    const own = SSDLITE.backbone as { widthMultiplier: number; reducedTail: boolean };
    const b = backbone?.kind === "mobilenet_v3_large" ? backbone : undefined;
    return {
      architecture: arch,
      inputSize: { ...want },
      inputFit: SSDLITE.inputFit ?? "resize",
      backbone: {
        kind: "mobilenet_v3_large" as const,
        widthMultiplier: b?.widthMultiplier ?? own.widthMultiplier,
        reducedTail: b?.reducedTail ?? own.reducedTail,
      },
      head: "ssdlite" as const,
      priors:
        m.priors ??
        ({ config: (SSDLITE.priors as { config: unknown }).config } as z.infer<typeof priorsSchema>),
      classAgnostic: m.classAgnostic,
      ...(m.weights === undefined ? {} : { weights: m.weights }),
    };
  }
  if (backbone?.kind === "mobilenet_v3_large")
    issue(
      ["backbone", "kind"],
      `mobilenet_v3_large is the backbone of ssdlite320_mobilenet_v3_large; set model.architecture to it`,
    );
  if (m.head === "ssdlite")
    issue(
      ["head"],
      `ssdlite is the head of ssdlite320_mobilenet_v3_large; set model.architecture to it, or use conv or separable`,
    );
  return {
    architecture: arch,
    inputSize: m.inputSize ?? { ...SSD_DEFAULTS.inputSize },
    inputFit: m.inputFit ?? SSD_DEFAULTS.inputFit,
    backbone: backbone ?? { ...SSD_DEFAULTS.backbone, taps: [...SSD_DEFAULTS.backbone.taps] },
    head: m.head ?? SSD_DEFAULTS.head,
    priors: m.priors ?? priorsSchema.parse({ fit: {} }),
    classAgnostic: m.classAgnostic,
    ...(m.weights === undefined ? {} : { weights: m.weights }),
  };
}

/** Schema of a training configuration (JSON or YAML). Every field has a default except `data.root`. */
export const trainConfigSchema = z
  .object({
    data: z
      .object({
        /** Dataset folder (VOC, YOLO) or annotation file (COCO). */
        root: z.string().min(1),
        format: z.enum(["voc", "coco", "yolo"]).default("voc"),
        /** Split names for VOC (`ImageSets/Main/<split>.txt`); for COCO/YOLO a seeded split is made. */
        trainSplit: z.string().default("trainval"),
        valSplit: z.string().default("test"),
        /** Share of images used for validation when the format has no splits. */
        valFraction: z.number().min(0).max(0.9).default(0.2),
        /** What to do with invalid boxes when loading (reported in the run folder). */
        policy: z.enum(["error", "drop", "clip"]).default("clip"),
        /** A folder of extra background-only images. */
        negativesDir: z.string().optional(),
        /** Share of each batch drawn from background-only images (when the dataset has any). */
        negativeShare: z.number().min(0).max(0.9).default(0),
        /**
         * Training batches decoded, augmented and encoded ahead of the training step (0: each batch is
         * prepared when the step asks for it). Does not change what is trained, only when it is prepared.
         */
        prefetch: z.number().int().min(0).max(16).default(PREFETCH_DEFAULT),
        /**
         * The class order: class k is `classNames[k]`. VOC: default the sorted names found in the
         * annotations; a name outside the list is refused by the loader. COCO / YOLO: the file's own order,
         * which this must equal when given. Set it to a checkpoint's order when fine-tuning from one:
         * a `.pth` / `.safetensors` holds no class names, so a checkpoint trained with another order would
         * load with its labels permuted.
         */
        classNames: z.array(z.string().min(1)).min(1).optional(),
        /** Limit the number of training / validation images (for quick runs). */
        maxTrainImages: z.number().int().positive().optional(),
        maxValImages: z.number().int().positive().optional(),
      })
      .strict(),
    model: z
      .object({
        /** The detector to train: see {@link ARCHITECTURES}. */
        architecture: z.enum(ARCHITECTURES).default("ssd"),
        /** Network input size in px (default 320×320; `ssdlite320_mobilenet_v3_large`: 320×320 only). */
        inputSize: size.optional(),
        /**
         * How images are fitted to `inputSize` (training and prediction alike): `letterbox` or `resize`
         * (default `letterbox`; `ssdlite320_mobilenet_v3_large`: `resize` only).
         */
        inputFit: z.enum([FIRST_FIT, ...OTHER_FITS]).optional(),
        /**
         * The backbone: `mobilenet` (default) or `vgg` for `ssd`; `mobilenet_v3_large` with its
         * `widthMultiplier` (default 1) and `reducedTail` (default false) for
         * `ssdlite320_mobilenet_v3_large`.
         */
        backbone: backboneSchema.optional(),
        /** Detection heads of `ssd`: `conv` or `separable` (default); `ssdlite320_mobilenet_v3_large`: `ssdlite`. */
        head: z.enum(["conv", "separable", "ssdlite"]).optional(),
        /**
         * Scales and aspect ratios of priors derived from the feature maps, priors fitted to the
         * training boxes (`{ fit }`, the default for `ssd`; `ssdlite320_mobilenet_v3_large` keeps its own priors unless asked), an explicit prior config (`{ config }`, e.g. the
         * result of `fitPriors`; the bare config `odet priors fit --out` writes is accepted too), or
         * the path of a JSON file holding one (`"priors.json"` or `{ file: "priors.json" }`; read by
         * `train()` of `@od/train/node`, which records `{ file, config }` in the run's `config.json`).
         * The explicit config is checked loosely here and fully by the detector.
         */
        priors: priorsSchema.optional(),
        /** Train a class-agnostic detector (one "object" class), as stage 1 of staged training. */
        classAgnostic: z.boolean().default(false),
        /**
         * Initial weights: a PyTorch `.pth` or `.safetensors` state dict (torchvision's keys: a detector
         * of this architecture, or an ImageNet `mobilenet_v3_large` classifier for the backbone alone), or
         * an od model folder / its `model.json`. Read by `train()` of `@od/train/node` (see
         * `loadInitialWeights`); absent: seeded initial weights.
         */
        weights: z.string().min(1).optional(),
      })
      .strict()
      // parsed like a given `{}`, so every field takes its own default (written once)
      .prefault({})
      .transform(resolveModel),
    augment: z
      .object({
        /** `ssd`: expand, SSD crop, flip, letterbox, colour jitter; `light`: flip + letterbox; `none`: letterbox only. */
        preset: z.enum(["ssd", "light", "none"]).default("ssd"),
        /** Probability of the zoom-out step of the `ssd` preset. */
        expandP: z.number().min(0).max(1).default(0.5),
        /** Largest zoom-out ratio of the `ssd` preset. */
        expandMax: z.number().min(1).max(8).default(2),
        /** Probability of the recipe's occlusion augmentation (cut-outs on objects). */
        occlusionP: z.number().min(0).max(1).default(0),
      })
      .strict()
      .default({ preset: "ssd", expandP: 0.5, expandMax: 2, occlusionP: 0 }),
    train: z
      .object({
        epochs: z.number().int().positive().default(30),
        batchSize: z.number().int().positive().default(8),
        optimizer: z.enum(["sgd", "adamw"]).default("adamw"),
        lr: z.number().positive().default(2e-3),
        momentum: z.number().min(0).max(1).default(0.9),
        weightDecay: z.number().min(0).default(5e-4),
        warmupSteps: z.number().int().min(0).default(100),
        schedule: z.enum(["cosine", "step", "constant"]).default("cosine"),
        /** Epochs at which the step schedule multiplies the rate by 0.1. */
        milestones: z.array(z.number().int().positive()).default([]),
        gradClip: z.number().positive().default(10),
        matchThreshold: z.number().min(0).max(1).default(0.5),
        negPosRatio: z.number().min(0).default(3),
        minNegativesPerImage: z.number().int().min(0).default(8),
        /** Stop after this many non-finite losses in a row. */
        maxNonFinite: z.number().int().positive().default(5),
        seed: z.number().int().default(0),
        /** tfjs backends to try, in order. */
        backends: z.array(z.enum(["tensorflow", "wasm", "cpu"])).default(["tensorflow", "wasm", "cpu"]),
        /** Stop after this many seconds of training (checked between steps); 0 = no limit. */
        timeLimitSeconds: z.number().min(0).default(0),
        /**
         * Worker threads for data-parallel training (each computes a shard of every batch). `auto`: one
         * fewer than the cores for the single-threaded wasm and cpu backends, none for tfjs-node.
         */
        workers: z.union([z.literal("auto"), z.number().int().min(0).max(15)]).default("auto"),
        /**
         * Epochs (counted from the run's first) in which the backbone is frozen: its parameters get no
         * update and its batch norm runs in inference mode (running statistics used and kept), as
         * torchvision's frozen layers; the heads train. 0: never frozen.
         */
        freezeBackboneEpochs: z.number().int().min(0).default(0),
        /**
         * The backbone's learning rate as a multiple of the schedule's (`lr`, warm-up and decay included),
         * as a PyTorch parameter group; the heads take the schedule's. 1: the same for all.
         */
        backboneLrScale: z.number().min(0).max(1e3).default(1),
      })
      .strict()
      // parsed like a given `{}`, so every field takes its own default above (written once)
      .prefault({}),
    eval: z
      .object({
        /** Evaluate on the validation split every N epochs (and after the last). */
        everyEpochs: z.number().int().positive().default(5),
        scoreThreshold: z.number().min(0).max(1).default(0.01),
        iouThreshold: z.number().min(0).max(1).default(0.45),
        /** Annotated validation predictions written to the run folder. */
        samples: z.number().int().min(0).default(4),
      })
      .strict()
      .default({ everyEpochs: 5, scoreThreshold: 0.01, iouThreshold: 0.45, samples: 4 }),
    staged: z
      .object({
        /** Train a stage-2 crop classifier after the (class-agnostic) detector. */
        enabled: z.boolean().default(false),
        cropSize: z.number().int().min(8).default(32),
        epochs: z.number().int().positive().default(10),
        lr: z.number().positive().default(3e-3),
        /** Crops per classifier step. */
        batchSize: z.number().int().positive().default(32),
        /** Each side of a training crop moves by up to this share of the box side (seeded). */
        jitter: z.number().min(0).max(0.5).default(0.1),
        /** Also train the classifier on stage-1 detections that overlap a ground-truth box (IoU ≥ 0.5). */
        detectorCrops: z.boolean().default(false),
        /** Also train a one-stage detector with the same budget and report both (doubles the time). */
        compareOneStage: z.boolean().default(false),
      })
      .strict()
      .default({
        enabled: false,
        cropSize: 32,
        epochs: 10,
        lr: 3e-3,
        batchSize: 32,
        jitter: 0.1,
        detectorCrops: false,
        compareOneStage: false,
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // runs after an issue elsewhere too, when the model section may not have been resolved
    const p = (c.model as Partial<typeof c.model> | undefined)?.priors;
    if (p !== undefined && "config" in p && p.config !== undefined && c.model.inputSize !== undefined) {
      const a = p.config.imageSize;
      const b = c.model.inputSize;
      if (a.width !== b.width || a.height !== b.height)
        ctx.addIssue({
          code: "custom",
          path: ["model", "priors", "config", "imageSize"],
          message: `is ${a.width}x${a.height} but model.inputSize is ${b.width}x${b.height}; fit the priors at the input size`,
        });
    }
  });

/** A training configuration with every default filled in. */
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/** What a user writes: the same shape with every field optional but `data.root`. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Validates a configuration and fills in the defaults.
 * @throws TrainError `INVALID_CONFIG` listing every problem with its field path and the value given.
 */
export function resolveTrainConfig(input: unknown): TrainConfig {
  const priorsPath = (input as { model?: { priors?: { config?: unknown } } } | null)?.model?.priors?.config;
  // A path under `config` is a common slip; say where a path goes.
  if (typeof priorsPath === "string") {
    const line = `model.priors.config: holds a prior config, not a path; for a file write model.priors: ${JSON.stringify(priorsPath)} (or model.priors.file)`;
    fail("INVALID_CONFIG", "resolveTrainConfig", `invalid training config:\n  ${line}`, { issues: [line] });
  }
  const r = trainConfigSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    fail("INVALID_CONFIG", "resolveTrainConfig", `invalid training config:\n  ${lines.join("\n  ")}`, {
      issues: lines,
    });
  }
  return r.data;
}

/** Deep-merges plain objects (arrays and scalars in `b` replace those in `a`). */
export function mergeConfig(a: unknown, b: unknown): unknown {
  if (
    typeof a !== "object" ||
    a === null ||
    Array.isArray(a) ||
    typeof b !== "object" ||
    b === null ||
    Array.isArray(b)
  ) {
    return b === undefined ? a : b;
  }
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = mergeConfig(out[k], v);
  return out;
}
