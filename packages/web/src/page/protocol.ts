/**
 * Messages between the page (main thread) and its training worker. Every request carries an `id`;
 * the worker answers each with exactly one `result` or `error` of that id, and sends `progress` events
 * while a training request runs.
 * @module
 */
import type { Speed } from "../speed.js";

/** Packed `[H, W, 3]` RGB bytes. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** One detection in `xyxy` px of the image it was made on. */
export interface Detection {
  readonly box: readonly [number, number, number, number];
  /** Class name (`classNames[label − 1]`). */
  readonly className: string;
  /** Class id ≥ 1. */
  readonly label: number;
  /** Class probability in [0, 1]. */
  readonly score: number;
}

/** What the page asks the worker. */
export type Request =
  | { readonly type: "init"; readonly threads?: number }
  | { readonly type: "loadDemo" }
  | {
      /**
       * Images with VOC XML, one COCO JSON or YOLO labels + names file (see `picked.ts`), split by
       * `trainValSplit` of `@od/train` (seeded) into the images trained on and those validated on.
       */
      readonly type: "loadFiles";
      readonly files: readonly { readonly name: string; readonly data: Uint8Array }[];
    }
  | { readonly type: "samples"; readonly index: number; readonly n: number; readonly seed: number }
  | {
      readonly type: "train";
      readonly steps: number;
      /** Epochs the learning-rate schedule spans (default: the epochs `steps` make, so it ends with them). */
      readonly epochs?: number;
    }
  | { readonly type: "stop" }
  | { readonly type: "memory" }
  | { readonly type: "evaluate" }
  | {
      readonly type: "detect";
      /** An encoded image file (JPEG, PNG, ...) and its name, or packed RGB bytes. */
      readonly image: { readonly file: ArrayBuffer; readonly name: string } | RgbImage;
      readonly scoreThreshold?: number;
    }
  | { readonly type: "exportModel" }
  | {
      readonly type: "loadModel";
      readonly json: { readonly text: string; readonly name: string };
      readonly weights: { readonly data: ArrayBuffer; readonly name: string };
    }
  | {
      readonly type: "bench";
      readonly steps: number;
      readonly batchSize: number;
      readonly predictions: number;
    };

/** The results, by request type. */
export interface Results {
  init: { readonly backend: string; readonly reason: string; readonly crossOriginIsolated: boolean };
  loadDemo: DataInfo;
  loadFiles: DataInfo;
  samples: { readonly grid: RgbImage };
  train: {
    /** `[step, loss]` of every step run. */
    readonly losses: readonly (readonly [number, number])[];
    readonly stopped: boolean;
    /** Every evaluated epoch, in order. */
    readonly epochs: readonly EpochReport[];
    /**
     * Epoch (1-based, of this training) whose weights the model now has: the one with the highest
     * validation VOC mAP@0.5 (ties: the earlier); -1 when none was evaluated (stopped in the first
     * epoch, or no validation images), and the model then has the weights of the last step.
     */
    readonly keptEpoch: number;
    /** Validation VOC mAP@0.5 of the kept epoch; `null` when `keptEpoch` is -1. */
    readonly keptMap: number | null;
    /** Training images per second (training steps only). */
    readonly imagesPerSecond: number;
    /** Seconds spent in training steps, and in the per-epoch validation (prediction and scoring). */
    readonly trainSeconds: number;
    readonly evalSeconds: number;
  };
  stop: { readonly stopping: boolean };
  memory: { readonly numTensors: number; readonly numBytes: number };
  evaluate: {
    /** VOC mAP@0.5 (all-point) on the validation images. */
    readonly map: number;
    readonly perClass: readonly { readonly name: string; readonly ap: number | null }[];
    /** Validation images evaluated, and where they come from (as in {@link DataInfo}). */
    readonly images: number;
    readonly split: string;
  };
  detect: { readonly detections: readonly Detection[]; readonly drawn: RgbImage };
  exportModel: { readonly json: string; readonly weights: ArrayBuffer };
  loadModel: { readonly classNames: readonly string[] };
  bench: Speed;
}

/** What a loaded dataset gives: the images trained on, those validated on, and the classes. */
export interface DataInfo {
  readonly train: number;
  readonly val: number;
  /** Where the validation images come from, e.g. `the slice's test split`. */
  readonly valSource: string;
  readonly classNames: readonly string[];
}

/**
 * One epoch of a training that ended (complete, or the last one when the steps ran out mid-epoch;
 * an epoch interrupted by `stop` is not evaluated).
 */
export interface EpochReport {
  /** 1-based, counted from the start of this training request. */
  readonly epoch: number;
  /** Steps run in it, and their mean loss (NaN when none was finite). */
  readonly steps: number;
  readonly meanLoss: number;
  /** VOC mAP@0.5 (all-point) on the validation images; `null` when there are none. */
  readonly valMap: number | null;
  /** Seconds the validation took (prediction and scoring). */
  readonly evalSeconds: number;
}

/** A request with its id. */
export type RequestMessage = Request & { readonly id: number };

/** What the worker sends back. */
export type Response =
  | { readonly id: number; readonly kind: "result"; readonly result: Results[keyof Results] }
  | { readonly id: number; readonly kind: "error"; readonly message: string }
  | {
      readonly id: number;
      readonly kind: "progress";
      readonly step: number;
      readonly total: number;
      readonly loss: number;
      readonly epoch: number;
    }
  | {
      /** Sent by a training request after each evaluated epoch. */
      readonly id: number;
      readonly kind: "epoch";
      readonly report: EpochReport;
      /** The epoch kept so far (see `Results["train"].keptEpoch`). */
      readonly keptEpoch: number;
    };
