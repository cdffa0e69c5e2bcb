import path from "node:path";
import { drawSample, type Image, makeSample, sideBySide } from "@od/augment";
import { encodePng } from "@od/augment/node";
import { type ImageSize, type InvalidBoxPolicy, select } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import { decodeImageFile, fileDecoder } from "@od/data/node";
import {
  type ConfusionMatrix,
  cocoPrCurve,
  formatConfusionMatrix,
  formatMetricsTable,
  prCurveSvg,
} from "@od/metrics";
import { exportOnnx, OnnxDetector } from "@od/onnx";
import { loadOnnxDetector, loadOrtNode } from "@od/onnx/node";
import { type Detections, withInputSize } from "@od/ssd";
import type { BackendName } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { type Evaluation, evaluateDetector, StagedDetector } from "@od/train";
import type { RunPredictor } from "@od/train/node";
import type { CliIo } from "../io.js";
import { bad, kindOf, note, out, printJson, resolvePath, toJson, writeOut } from "./common.js";
import { type Format, noteIssues, openDataset } from "./dataset.js";
import { expandImageInputs } from "./image-inputs.js";
import { progressBar } from "./progress.js";
import { trainNodeOf } from "./train-command.js";
import type { RunModel } from "./train-node.js";

/** Selects the tfjs backend (`--backend`, else the fastest available) before any tensor exists. */
export async function selectBackend(backend: BackendName | undefined): Promise<void> {
  await initBackend(backend === undefined ? {} : { prefer: [backend] });
}

/**
 * Loads the model of a run folder with `loadRunPredictor` of `@od/train/node` (the detector, plus the
 * crop classifier of a staged run), or of a folder saved by `saveDetector` (`model.json` + `weights.bin`).
 */
export async function loadModel(io: CliIo, dir: string): Promise<RunPredictor> {
  const abs = resolvePath(io, dir);
  const kind = await kindOf(abs);
  if (kind === "missing") throw bad(`model folder ${dir} does not exist`);
  if (kind === "file") throw bad(`--model must be a run folder; ${dir} is a file`);
  const node = await trainNodeOf(io);
  return node.loadRunPredictor(abs);
}

/** Runtimes `odet predict` runs a model with. */
export const RUNTIMES = ["tfjs", "onnx"] as const;

/** An ONNX detector as the predict command's model. */
function onnxRunModel(d: OnnxDetector): RunModel {
  return {
    classNames: d.config.classNames,
    numClasses: d.numClasses,
    predict: (images, options) => d.predict(images, options),
    dispose: () => {
      void d.dispose();
    },
  };
}

/**
 * The model `odet predict --runtime onnx` runs: an exported `.onnx` file as it is, or the detector of
 * a run folder exported in memory; both run by `onnxruntime-node`.
 */
export async function loadOnnxModel(io: CliIo, model: string): Promise<RunModel> {
  const abs = resolvePath(io, model);
  const kind = await kindOf(abs);
  if (kind === "file") return onnxRunModel(await loadOnnxDetector(abs));
  const loaded = await loadModel(io, model);
  try {
    if (loaded.classifier !== undefined)
      throw bad(
        `${model} is a staged run with a crop classifier; --runtime onnx runs single-stage detectors`,
      );
    return onnxRunModel(await OnnxDetector.create(exportOnnx(loaded.detector), await loadOrtNode()));
  } finally {
    loaded.dispose();
  }
}

/** The JSON of an evaluation without per-image detections and the large precision arrays. */
function evaluationJson(ev: Evaluation) {
  const voc = (r: Evaluation["voc"]) => ({
    ...r,
    classes: r.classes.map(({ curve: _c, ...c }) => c),
  });
  const { precision: _p, recall: _r, ...coco } = ev.coco;
  return {
    voc: voc(ev.voc),
    voc07: voc(ev.voc07),
    coco,
    confusion: confusionJson(ev.confusion),
    seconds: ev.seconds,
  };
}

/** A confusion matrix as JSON that explains itself: labels (background last), rows predicted, columns true. */
export function confusionJson(cm: ConfusionMatrix) {
  return {
    ...cm,
    labels: [...cm.classNames, "background"],
    rows: "predicted class",
    columns: "true class",
  };
}

/** Runs the evaluation with a progress bar. */
export async function runEvaluation(
  io: CliIo,
  detector: RunModel,
  dataset: DetectionDataset,
  json: boolean,
  scoreThreshold = 0.01,
): Promise<Evaluation> {
  const bar = progressBar(io, json);
  bar.start(dataset.images.length, "eval");
  try {
    return await evaluateDetector(detector, dataset.images, fileDecoder(dataset), dataset.classNames, {
      scoreThreshold,
      onProgress: (done) => bar.update(done),
    });
  } finally {
    bar.stop();
  }
}

/**
 * Prints the per-class tables, the confusion matrix and the summary lines, the stable
 * `mAP@0.5 (VOC): 0.xxx` last.
 */
export function printEvaluation(io: CliIo, ev: Evaluation): void {
  out(io, formatMetricsTable(ev.voc));
  out(io);
  out(io, formatMetricsTable(ev.coco));
  out(io);
  out(io, formatConfusionMatrix(ev.confusion));
  out(io);
  out(io, `mAP@[.5:.95] (COCO): ${ev.coco.mAP.toFixed(3)}`);
  out(io, `mAP@0.5 (VOC07 11-point): ${ev.voc07.mAP.toFixed(3)}`);
  out(io, `mAP@0.5 (VOC): ${ev.voc.mAP.toFixed(3)}`);
}

/** Writes `metrics.json`, `confusion.json`, `pr-voc.svg` and `pr-coco.svg` into a folder; returns the files. */
export async function writeEvaluation(dir: string, ev: Evaluation): Promise<string[]> {
  const files = [
    path.join(dir, "metrics.json"),
    path.join(dir, "pr-voc.svg"),
    path.join(dir, "pr-coco.svg"),
    path.join(dir, "confusion.json"),
  ];
  await writeOut(files[0]!, `${toJson(evaluationJson(ev))}\n`);
  await writeOut(files[3]!, `${toJson(confusionJson(ev.confusion))}\n`);
  await writeOut(
    files[1]!,
    prCurveSvg(
      ev.voc.classes.map((c) => ({
        label: `${c.name} AP ${c.ap < 0 ? "–" : c.ap.toFixed(3)}`,
        recall: c.curve.recall,
        precision: c.curve.precision,
      })),
      { title: "Precision-recall, VOC IoU > 0.5 (raw curves)" },
    ),
  );
  await writeOut(
    files[2]!,
    prCurveSvg(
      ev.coco.classes.map((c, k) => ({
        label: `${c.name} AP50 ${c.ap50 < 0 ? "–" : c.ap50.toFixed(3)}`,
        ...cocoPrCurve(ev.coco, { classIndex: k, iouThreshold: 0.5 }),
      })),
      { title: "Precision-recall, COCO IoU 0.5 (101-point interpolated)" },
    ),
  );
  return files;
}

/** A file-name-safe version of a class name or image id. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60) || "_";
}

/** Detections with a score above `threshold` (the ones the confusion matrix counts), in input order. */
function aboveScore(d: Detections, threshold: number): Detections {
  const keep: number[] = [];
  for (let k = 0; k < d.scores.length; k++) if (d.scores[k]! > threshold) keep.push(k);
  return {
    boxes: select(d.boxes, keep),
    scores: Float32Array.from(keep, (k) => d.scores[k]!),
    labels: Int32Array.from(keep, (k) => d.labels[k]!),
  };
}

/**
 * An image drawn twice, side by side: its ground truth (left) and the detections the confusion matrix
 * counts (right, score > its threshold, with scores on the tags).
 * @param gtLabels `[N]` 0-based classes of `names`; `det` labels 0-based too.
 */
export function comparisonImage(
  image: Image,
  gt: { readonly boxes: Detections["boxes"]; readonly labels: Int32Array },
  det: Detections,
  names: readonly string[],
  threshold: number,
): Image {
  const shown = aboveScore(det, threshold);
  const left = drawSample(makeSample(image, gt.boxes, gt.labels), { labelNames: names });
  const right = drawSample(makeSample(image, shown.boxes, shown.labels), {
    labelNames: names,
    scores: shown.scores,
  });
  return sideBySide([left, right], { titles: ["ground truth", `predictions: score above ${threshold}`] });
}

/**
 * Writes up to `perClass` side-by-side images (ground truth | predictions) per class into
 * `<dir>/samples/`: for each class in turn, the first images (dataset order) holding a ground-truth box
 * of that class that no earlier class took, named `<class>-<k>-<image id>.png`.
 * @returns the files written.
 */
export async function writeComparisons(
  dir: string,
  dataset: DetectionDataset,
  ev: Evaluation,
  perClass: number,
): Promise<string[]> {
  const names = ev.confusion.classNames;
  // a class-agnostic model is scored as one class "object": every ground-truth box is of class 0
  const agnostic = names.length === 1 && dataset.classNames.length !== 1;
  const gtLabels = (i: number) => {
    const l = dataset.images[i]!.labels;
    return agnostic ? new Int32Array(l.length) : l;
  };
  const load = fileDecoder(dataset);
  const taken = new Set<number>();
  const files: string[] = [];
  for (let c = 0; c < names.length && perClass > 0; c++) {
    let k = 0;
    for (let i = 0; i < dataset.images.length && k < perClass; i++) {
      if (taken.has(i) || !gtLabels(i).includes(c)) continue;
      taken.add(i);
      k++;
      const rec = dataset.images[i]!;
      const drawn = comparisonImage(
        await load(rec),
        { boxes: rec.boxes, labels: gtLabels(i) },
        ev.detections[i]!,
        names,
        ev.confusion.confThreshold,
      );
      const file = path.join(dir, "samples", `${safeName(names[c]!)}-${k}-${safeName(rec.id)}.png`);
      await writeOut(file, encodePng(drawn));
      files.push(file);
    }
  }
  return files;
}

/** Options of `odet eval`. */
export interface EvalOptions {
  readonly model: string;
  readonly data: string;
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly score: number;
  readonly samples: number;
  readonly backend?: BackendName;
  readonly out?: string;
  readonly json?: boolean;
}

/** `odet eval`. */
export async function evalCommand(io: CliIo, o: EvalOptions): Promise<void> {
  await selectBackend(o.backend);
  const detector = await loadModel(io, o.model);
  try {
    const { dataset } = await openDataset(io, o.data, {
      ...(o.format === undefined ? {} : { format: o.format }),
      ...(o.split === undefined ? {} : { split: o.split }),
      policy: o.policy,
      classNames: detector.classNames,
    });
    noteIssues(io, dataset);
    if (dataset.images.length === 0) throw bad(`dataset ${o.data} has no images to evaluate`);
    if (
      dataset.report.boxesRead > 0 &&
      dataset.report.boxesKept === 0 &&
      dataset.report.summary["unknown-class"]
    )
      throw bad(
        `no box of ${o.data} has one of the model's classes (${detector.classNames.join(", ")}); is it the dataset the model was trained on?`,
      );
    const ev = await runEvaluation(io, detector, dataset, o.json === true, o.score);
    const outDir = o.out === undefined ? undefined : resolvePath(io, o.out);
    const files = outDir === undefined ? [] : await writeEvaluation(outDir, ev);
    const samples = outDir === undefined ? [] : await writeComparisons(outDir, dataset, ev, o.samples);
    if (o.json) {
      printJson(io, {
        ...evaluationJson(ev),
        ...(files.length > 0 ? { files } : {}),
        ...(outDir === undefined ? {} : { samples }),
      });
      return;
    }
    printEvaluation(io, ev);
    if (files.length > 0) out(io, `wrote ${files.join(", ")}`);
    if (samples.length > 0)
      out(
        io,
        `wrote ${samples.length} ground truth | prediction image(s) to ${path.join(outDir as string, "samples")}`,
      );
  } finally {
    detector.dispose();
  }
}

/** One COCO results entry (bbox xywh px of the image, category id = 1-based class). */
export interface CocoDetection {
  readonly image_id: number;
  readonly category_id: number;
  readonly bbox: [number, number, number, number];
  readonly score: number;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Post-processing settings of `predict`. */
export interface PredictSettings {
  /** Keep detections with a score above this. */
  readonly score: number;
  /** Class-wise NMS IoU threshold (default: the detector's, 0.45). */
  readonly iou?: number;
  /** At most this many detections per image (default: the detector's, 200). */
  readonly maxDet?: number;
  /** No progress bar (JSON on stdout). */
  readonly json: boolean;
}

/** COCO results entries of one image's detections (labels ≥ 1 = category ids). */
function cocoResults(imageId: number, det: Detections): CocoDetection[] {
  const b = det.boxes.data;
  return Array.from(det.scores, (s, k) => {
    const x1 = b[4 * k]!;
    const y1 = b[4 * k + 1]!;
    return {
      image_id: imageId,
      category_id: det.labels[k]!,
      bbox: [round2(x1), round2(y1), round2(b[4 * k + 2]! - x1), round2(b[4 * k + 3]! - y1)],
      score: Math.round(s * 1e4) / 1e4,
    };
  });
}

/**
 * An image with its detections drawn: boxes, class names and scores (`RBC 0.87`).
 * @param det labels ≥ 1 (`names[label − 1]`), as `predict` returns them.
 */
export function annotatedImage(image: Image, det: Detections, names: readonly string[]): Image {
  const labels = Int32Array.from(det.labels, (l) => l - 1);
  return drawSample(makeSample(image, det.boxes, labels), { labelNames: names, scores: det.scores });
}

/**
 * Predicts on image files, writes one annotated PNG per image (`<stem>.png`, boxes with class names
 * and scores) and `detections.json` in COCO results format: `image_id` = 1-based position in `files`,
 * `category_id` = 1-based class of the model (`classNames[category_id − 1]`), `bbox` = `[x, y, w, h]`
 * in px of the image, `score` rounded to 4 decimals.
 */
export async function predictFiles(
  io: CliIo,
  detector: RunModel,
  files: readonly string[],
  outDir: string,
  settings: PredictSettings,
): Promise<{
  images: { id: number; file: string; output: string; detections: number }[];
  detections: CocoDetection[];
}> {
  const names = detector.classNames;
  const images: { id: number; file: string; output: string; detections: number }[] = [];
  const detections: CocoDetection[] = [];
  const used = new Set<string>();
  const bar = progressBar(io, settings.json);
  bar.start(files.length, "predict");
  try {
    for (const [i, f] of files.entries()) {
      const abs = resolvePath(io, f);
      const image = await decodeImageFile(abs);
      const [det] = await detector.predict([{ data: image.data, shape: image.shape }], {
        scoreThreshold: settings.score,
        ...(settings.iou === undefined ? {} : { iouThreshold: settings.iou }),
        ...(settings.maxDet === undefined ? {} : { maxDetections: settings.maxDet }),
      });
      if (det === undefined) continue;
      detections.push(...cocoResults(i + 1, det));
      let stem = path.basename(abs).replace(/\.[^.]+$/, "");
      if (used.has(stem)) stem = `${stem}-${i + 1}`;
      used.add(stem);
      const output = path.join(outDir, `${stem}.png`);
      await writeOut(output, encodePng(annotatedImage(image, det, names)));
      images.push({ id: i + 1, file: abs, output, detections: det.scores.length });
      bar.update(i + 1);
    }
  } finally {
    bar.stop();
  }
  await writeOut(path.join(outDir, "detections.json"), `${JSON.stringify(detections)}\n`);
  return { images, detections };
}

/**
 * A model at another network input size (`--imgsz`): its detector through `withInputSize` of
 * `@od/ssd` (same weights, priors generated again), with the crop classifier of a staged run kept.
 * Disposing the result disposes `model` too.
 * @throws SsdError `INVALID_ARGUMENT` when the detector's priors are an explicit (e.g. fitted) config.
 */
export function resizedModel(model: RunPredictor, size: ImageSize): RunModel {
  const detector = withInputSize(model.detector, size);
  const release = () => {
    detector.dispose();
    model.dispose();
  };
  if (model.classifier !== undefined) {
    // StagedDetector would own (and dispose) the classifier; `model` owns it here, so only predict is used
    const staged = new StagedDetector(detector, model.classifier);
    return {
      classNames: staged.classNames,
      numClasses: staged.numClasses,
      predict: (images, options) => staged.predict(images, options),
      dispose: release,
    };
  }
  return {
    classNames: detector.config.classNames,
    numClasses: detector.numClasses,
    predict: (images, options) => detector.predict(images, options),
    dispose: release,
  };
}

/** Options of `odet predict`. */
export interface PredictOptions {
  readonly model: string;
  readonly out: string;
  readonly score: number;
  readonly iou?: number;
  readonly maxDet?: number;
  readonly imgsz?: ImageSize;
  readonly recursive?: boolean;
  readonly saveJson?: string;
  readonly backend?: BackendName;
  readonly runtime?: (typeof RUNTIMES)[number];
  readonly json?: boolean;
}

/** `odet predict`: files, folders and glob patterns (see {@link expandImageInputs}). */
export async function predictCommand(io: CliIo, args: readonly string[], o: PredictOptions): Promise<void> {
  const { files, skipped, duplicates } = await expandImageInputs(io, args, {
    recursive: o.recursive === true,
  });
  if (skipped.length > 0)
    note(io, `note: skipped ${skipped.length} file(s) that are not JPEG or PNG (e.g. ${skipped[0]})`);
  if (duplicates.length > 0)
    note(
      io,
      `note: ${duplicates.length} image(s) named more than once are predicted once (e.g. ${duplicates[0]})`,
    );
  await selectBackend(o.backend);
  const onnx = o.runtime === "onnx";
  if (onnx && o.imgsz !== undefined)
    throw bad("--imgsz is not available with --runtime onnx: an exported graph has a fixed input size");
  const loaded = onnx ? await loadOnnxModel(io, o.model) : await loadModel(io, o.model);
  let detector: RunModel = loaded;
  try {
    if (o.imgsz !== undefined && !onnx) detector = resizedModel(loaded as RunPredictor, o.imgsz);
    const outDir = resolvePath(io, o.out);
    const r = await predictFiles(io, detector, files, outDir, {
      score: o.score,
      ...(o.iou === undefined ? {} : { iou: o.iou }),
      ...(o.maxDet === undefined ? {} : { maxDet: o.maxDet }),
      json: o.json === true,
    });
    const saved = o.saveJson === undefined ? undefined : resolvePath(io, o.saveJson);
    if (saved !== undefined) await writeOut(saved, `${JSON.stringify(r.detections)}\n`);
    if (o.json) {
      printJson(io, {
        out: outDir,
        categories: detector.classNames.map((name, i) => ({ id: i + 1, name })),
        images: r.images,
        detections: r.detections,
        ...(saved === undefined ? {} : { savedJson: saved }),
      });
      return;
    }
    for (const im of r.images)
      out(io, `${im.file} (image_id ${im.id}): ${im.detections} detection(s) -> ${im.output}`);
    out(
      io,
      `wrote ${path.join(outDir, "detections.json")}${saved === undefined ? "" : ` and ${saved}`} (${r.detections.length} detections, COCO results format; category_id: ${detector.classNames.map((n, i) => `${i + 1} ${n}`).join(", ")})`,
    );
  } finally {
    detector.dispose();
  }
}
