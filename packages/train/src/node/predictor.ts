/**
 * Loading the model of a run folder for prediction: the detector, or detector + crop classifier of a
 * staged run.
 * @module
 */
import path from "node:path";
import type { CropClassifier, Detections, ImageInput, PostprocessOptions, SsdDetector } from "@od/ssd";
import { loadClassifier, loadDetector } from "@od/ssd/node";
import { StagedDetector } from "../staged.js";
import { exists } from "./run-folder.js";

/**
 * Loads the detector of a run folder (`best/` if present, else `model/`), or of a model folder
 * (`model.json` + `weights.bin`) given directly.
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file.
 */
export async function loadRunDetector(dir: string): Promise<SsdDetector> {
  for (const sub of [".", "best", "model"])
    if (await exists(path.join(dir, sub, "model.json"))) return loadDetector(path.join(dir, sub));
  return loadDetector(dir);
}

/**
 * A model of a run folder ready to predict: the detector, or, when the run trained a crop classifier
 * (staged training, `classifier/`), detector + classifier as one model.
 */
export interface RunPredictor {
  /** Class names of the predictions (label k ≥ 1 is `classNames[k − 1]`). */
  readonly classNames: readonly string[];
  /** `classNames.length + 1`. */
  readonly numClasses: number;
  /** The (stage-1) detector. */
  readonly detector: SsdDetector;
  /** The crop classifier of a staged run, else `undefined`. */
  readonly classifier: CropClassifier | undefined;
  /** Per image: `[K]` xyxy px boxes of that image, scores (decreasing), labels ≥ 1 (see `SsdDetector.predict`). */
  predict(images: readonly ImageInput[], options?: PostprocessOptions): Promise<Detections[]>;
  /** Releases the models. */
  dispose(): void;
}

/**
 * Loads the model of a run folder for prediction: the detector as {@link loadRunDetector} does, plus
 * the crop classifier of a staged run (`<dir>/classifier/`, or `../classifier/` when `dir` is the
 * run's `best/` or `model/` folder). With a classifier, predictions are the detector's boxes relabelled
 * by it (score = detection score × class probability).
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file.
 */
export async function loadRunPredictor(dir: string): Promise<RunPredictor> {
  const detector = await loadRunDetector(dir);
  let classifier: CropClassifier | undefined;
  try {
    for (const c of [path.join(dir, "classifier"), path.join(dir, "..", "classifier")]) {
      if (c.endsWith(`..${path.sep}classifier`) && !(await exists(path.join(dir, "model.json")))) continue;
      if (await exists(path.join(c, "classifier.json"))) {
        classifier = await loadClassifier(c);
        break;
      }
    }
  } catch (e) {
    detector.dispose();
    throw e;
  }
  if (classifier !== undefined) {
    const staged = new StagedDetector(detector, classifier);
    return {
      classNames: staged.classNames,
      numClasses: staged.numClasses,
      detector,
      classifier,
      predict: (images, options) => staged.predict(images, options),
      dispose: () => staged.dispose(),
    };
  }
  return {
    classNames: detector.config.classNames,
    numClasses: detector.numClasses,
    detector,
    classifier: undefined,
    predict: (images, options) => detector.predict(images, options),
    dispose: () => detector.dispose(),
  };
}
