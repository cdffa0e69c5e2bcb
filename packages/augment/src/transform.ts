import { type Coords, describeValue } from "@od/boxes";
import type { Source } from "@od/image/kernels";
import { checkRange, fail } from "./internal/check.js";
import { type Rng, random } from "./rng.js";
import { readSample, readSampleLazy, type Sample, type SampleParts } from "./sample.js";

/** Why a transform dropped a box. */
export type DropReason =
  /** The box ended up entirely outside the new image. */
  | "outside"
  /** After clipping, its width or height is 0. */
  | "zero-area"
  /** Its visible fraction (area after clipping / area before) fell below `minVisibility`. */
  | "min-visibility"
  /** Its area fell below `minArea` px². */
  | "min-area"
  /** Its width or height fell below `minWidth` / `minHeight` px. */
  | "min-size"
  /** SSD crop: its centre is outside the crop window. */
  | "center-outside"
  /** Occlusion / copy-paste: its unoccluded fraction fell below the threshold. */
  | "occluded";

/** One dropped box. */
export interface DroppedBox {
  /** Name of the step that dropped it. */
  readonly transform: string;
  /** Index of the box in the input of the transform you called; −1 for a box added inside it (copy-paste, mosaic). */
  readonly index: number;
  /** Index of the box in the input of the step that dropped it. */
  readonly stepIndex: number;
  /** Why. */
  readonly reason: DropReason;
  /** Its xyxy px coordinates in that step's input. */
  readonly box: Coords;
  /** Its label. */
  readonly label: number;
}

/** What one step did. */
export interface StepReport {
  /** The step's name (`"letterbox"`, `"ssdCrop"`, ...). */
  readonly transform: string;
  /** False when its probability draw skipped it (the sample passed through unchanged). */
  readonly applied: boolean;
  /** Boxes it dropped. */
  readonly dropped: number;
  /** Boxes it added (copy-paste, mosaic). */
  readonly added: number;
}

/** The report of a transform (or a whole composed pipeline): nothing is lost silently. */
export interface TransformReport {
  /** One entry per step that ran, in order. */
  readonly steps: readonly StepReport[];
  /** Every dropped box, in the order they were dropped. */
  readonly dropped: readonly DroppedBox[];
  /** `[K]` index in the input of each output box (−1 for boxes added on the way). */
  readonly kept: Int32Array;
}

/** The result of applying a transform. */
export interface TransformResult {
  /** The new sample (the input is never mutated). */
  readonly sample: Sample;
  /** What was dropped, added or skipped. */
  readonly report: TransformReport;
}

/**
 * A transform: a pure function of the sample and the pipeline's generator. The same sample and the same
 * generator state give the same output bytes; the generator is advanced in place.
 */
export interface Transform {
  /** Name used in reports and error messages. */
  readonly name: string;
  /** Applies the transform. @throws AugmentError on invalid samples. */
  readonly apply: (sample: Sample, rng: Rng) => TransformResult;
}

/** Options every transform accepts. */
export interface ProbabilityOptions {
  /** Probability of applying the transform (default 1). Skipped steps still validate the sample. */
  readonly p?: number;
}

/** What a step kernel returns. @internal */
export interface StepOutput {
  readonly sample: Sample;
  /** Index in the step input of each output box (−1 for added). */
  readonly kept: Int32Array;
  /** Dropped boxes (index in the step input; −1 with `box` and `label` for a box added inside the step). */
  readonly dropped: readonly {
    readonly index: number;
    readonly reason: DropReason;
    readonly box?: Coords;
    readonly label?: number;
  }[];
}

function identity(n: number): Int32Array {
  const k = new Int32Array(n);
  for (let i = 0; i < n; i++) k[i] = i;
  return k;
}

/** The report of a step that changed nothing. @internal */
export function passThrough(sample: Sample, name: string, applied: boolean): TransformResult {
  return {
    sample,
    report: {
      steps: [{ transform: name, applied, dropped: 0, added: 0 }],
      dropped: [],
      kept: identity(sample.boxes.length),
    },
  };
}

/** Checks a probability option. @internal */
export function checkP(fn: string, p: unknown): number {
  if (p === undefined) return 1;
  checkRange(fn, "options.p", p, 0, 1);
  return p;
}

/**
 * Wraps a step kernel into a {@link Transform}: validates the sample, draws the probability, runs the
 * kernel and turns its output into a report. @internal
 */
export function defineTransform(
  name: string,
  p: number,
  kernel: (parts: SampleParts, sample: Sample, rng: Rng) => StepOutput,
): Transform {
  return makeTransform(
    name,
    p,
    false,
    kernel as (parts: SampleParts<Source>, sample: Sample, rng: Rng) => StepOutput,
  );
}

/**
 * As {@link defineTransform} for a kernel that takes lazy views (shifts, flips, resamplers): a sample
 * produced lazily by the previous step is passed on without rendering its image. @internal
 */
export function defineLazyTransform(
  name: string,
  p: number,
  kernel: (parts: SampleParts<Source>, sample: Sample, rng: Rng) => StepOutput,
): Transform {
  return makeTransform(name, p, true, kernel);
}

function makeTransform(
  name: string,
  p: number,
  lazy: boolean,
  kernel: (parts: SampleParts<Source>, sample: Sample, rng: Rng) => StepOutput,
): Transform {
  return {
    name,
    apply(sample: Sample, rng: Rng): TransformResult {
      const parts = lazy ? readSampleLazy(name, sample) : readSample(name, sample);
      if (p < 1 && !(random(rng) < p)) return passThrough(sample, name, false);
      const out = kernel(parts, sample, rng);
      const b = parts.boxes;
      const dropped: DroppedBox[] = out.dropped.map(({ index, reason, box, label }) => ({
        transform: name,
        index,
        stepIndex: index,
        reason,
        box:
          index < 0 && box !== undefined
            ? box
            : [b[index * 4]!, b[index * 4 + 1]!, b[index * 4 + 2]!, b[index * 4 + 3]!],
        label: index < 0 && label !== undefined ? label : parts.labels[index]!,
      }));
      let added = 0;
      for (let i = 0; i < out.kept.length; i++) if (out.kept[i]! < 0) added++;
      return {
        sample: out.sample,
        report: {
          steps: [{ transform: name, applied: true, dropped: dropped.length, added }],
          dropped,
          kept: out.kept,
        },
      };
    },
  };
}

/** Options for {@link compose}. */
export interface ComposeOptions extends ProbabilityOptions {
  /** Name in reports (default `"compose"`). */
  readonly name?: string;
}

/**
 * Chains transforms: each gets the previous one's sample and the SAME generator. The report lists every
 * step and every dropped box with its index in the pipeline's input.
 * @example
 * const t = compose([flipHorizontal({ p: 0.5 }), ssdCrop(), letterbox({ width: 300, height: 300 })]);
 * const { sample, report } = t.apply(input, createRng(42));
 * @throws AugmentError `INVALID_ARGUMENT` when an entry is not a transform.
 */
export function compose(transforms: readonly Transform[], options: ComposeOptions = {}): Transform {
  const fn = "compose";
  if (!Array.isArray(transforms))
    fail("INVALID_ARGUMENT", fn, `transforms must be an array; got ${describeValue(transforms)}`);
  transforms.forEach((t, i) => {
    if (typeof t !== "object" || t === null || typeof (t as Partial<Transform>).apply !== "function") {
      fail("INVALID_ARGUMENT", fn, `transforms[${i}] must be a Transform; got ${describeValue(t)}`, {
        index: i,
      });
    }
  });
  const p = checkP(fn, options.p);
  const name = options.name ?? "compose";
  const list = [...transforms];
  return {
    name,
    apply(sample: Sample, rng: Rng): TransformResult {
      readSampleLazy(name, sample);
      if (p < 1 && !(random(rng) < p)) return passThrough(sample, name, false);
      let cur = sample;
      let origin = identity(sample.boxes.length);
      const steps: StepReport[] = [];
      const dropped: DroppedBox[] = [];
      for (const t of list) {
        const r = t.apply(cur, rng);
        steps.push(...r.report.steps);
        for (const d of r.report.dropped) dropped.push({ ...d, index: d.index < 0 ? -1 : origin[d.index]! });
        const next = new Int32Array(r.report.kept.length);
        for (let j = 0; j < next.length; j++) {
          const k = r.report.kept[j]!;
          next[j] = k < 0 ? -1 : origin[k]!;
        }
        origin = next;
        cur = r.sample;
      }
      return { sample: cur, report: { steps, dropped, kept: origin } };
    },
  };
}

/**
 * Applies exactly one of `transforms`, chosen uniformly (or by `weights`).
 * @throws AugmentError `INVALID_ARGUMENT` for an empty list or bad weights.
 */
export function oneOf(
  transforms: readonly Transform[],
  options: ProbabilityOptions & { readonly weights?: readonly number[] } = {},
): Transform {
  const fn = "oneOf";
  if (!Array.isArray(transforms) || transforms.length === 0) {
    fail("INVALID_ARGUMENT", fn, `transforms must be a non-empty array; got ${describeValue(transforms)}`);
  }
  const w = options.weights ?? transforms.map(() => 1);
  if (w.length !== transforms.length || w.some((x) => !(x >= 0)) || w.reduce((a, b) => a + b, 0) <= 0) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.weights must be ${transforms.length} non-negative numbers with a positive sum; got ${describeValue(w)}`,
    );
  }
  const total = w.reduce((a, b) => a + b, 0);
  const p = checkP(fn, options.p);
  return {
    name: "oneOf",
    apply(sample: Sample, rng: Rng): TransformResult {
      readSampleLazy(fn, sample);
      if (p < 1 && !(random(rng) < p)) return passThrough(sample, fn, false);
      let u = random(rng) * total;
      let i = 0;
      while (i < w.length - 1 && u >= w[i]!) u -= w[i++]!;
      return transforms[i]!.apply(sample, rng);
    },
  };
}
