/**
 * Messages between the page (main thread) and its training worker. Every request carries an `id`;
 * the worker answers each with exactly one `result` or `error` of that id, and sends `progress` events
 * while a training request runs.
 * @module
 */

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
      /** Images with VOC XML, one COCO JSON or YOLO labels + names file (see `picked.ts`); trains and evaluates on them. */
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
  loadDemo: { readonly train: number; readonly test: number; readonly classNames: readonly string[] };
  loadFiles: { readonly train: number; readonly test: number; readonly classNames: readonly string[] };
  samples: { readonly grid: RgbImage };
  train: {
    /** `[step, loss]` of every step run. */
    readonly losses: readonly (readonly [number, number])[];
    readonly stopped: boolean;
    /** Epoch (1-based) whose weights the model now has, and its mean loss; -1 when no epoch finished. */
    readonly bestEpoch: number;
    readonly bestLoss: number;
    readonly imagesPerSecond: number;
  };
  stop: { readonly stopping: boolean };
  memory: { readonly numTensors: number; readonly numBytes: number };
  evaluate: {
    readonly map: number;
    readonly perClass: readonly { readonly name: string; readonly ap: number | null }[];
    readonly images: number;
  };
  detect: { readonly detections: readonly Detection[]; readonly drawn: RgbImage };
  exportModel: { readonly json: string; readonly weights: ArrayBuffer };
  loadModel: { readonly classNames: readonly string[] };
  bench: {
    readonly trainImagesPerSecond: number;
    readonly inferImagesPerSecond: number;
    readonly backend: string;
  };
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
    };
