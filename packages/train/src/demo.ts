/**
 * The demo's training configuration: the one `odet demo` trains in Node and the example web page
 * trains in a browser, on the BCCD slice shipped with `@od/cli` (`demo-data/bccd`).
 * @module
 */
import type { BackendName } from "@od/tf";
import { resolveTrainConfig, type TrainConfig } from "./config.js";

/** Epochs the demo trains by default (a fixed number, so its mAP does not depend on the machine). */
export const DEMO_EPOCHS = 120;

/** The seed of the demo's initial weights, batch order and augmentation. */
export const DEMO_SEED = 0;

/**
 * The demo's training configuration: a 256×256 SSD with a MobileNet (α 0.25, taps at strides 8, 16,
 * 32) trained a fixed number of epochs from a fixed seed with a fixed split of the work (one
 * data-parallel worker beside the main thread in Node, one wasm thread each), batches of 8, no time
 * limit, so the same backend gives the same weights and the same mAP on any machine; a faster one just
 * finishes sooner.
 * @param data the demo dataset folder or URL (VOC: `trainval` trains, `test` validates).
 * @param options.epochs default {@link DEMO_EPOCHS}; `options.backend` restricts `train.backends`.
 */
export function demoConfig(
  data: string,
  options: { readonly epochs?: number; readonly backend?: BackendName } = {},
): TrainConfig {
  return resolveTrainConfig({
    data: { root: data, format: "voc", trainSplit: "trainval", valSplit: "test", policy: "clip" },
    model: {
      inputSize: { width: 256, height: 256 },
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
    },
    train: {
      epochs: options.epochs ?? DEMO_EPOCHS,
      batchSize: 8,
      warmupSteps: 20,
      seed: DEMO_SEED,
      workers: 1,
      timeLimitSeconds: 0,
      ...(options.backend === undefined ? {} : { backends: [options.backend] }),
    },
    eval: { everyEpochs: 1000, samples: 0 },
  });
}
