import path from "node:path";
import { drawSample, makeSample } from "@od/augment";
import { encodePng } from "@od/augment/node";
import { type InvalidBoxPolicy, boxes as makeBoxes } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import { decodeImageFile, fileDecoder } from "@od/data/node";
import { cocoPrCurve, formatMetricsTable, prCurveSvg } from "@od/metrics";
import type { SsdDetector } from "@od/ssd";
import { loadDetector } from "@od/ssd/node";
import { type BackendName, initBackend } from "@od/tf";
import { type Evaluation, evaluateDetector } from "@od/train";
import type { CliIo } from "../io.js";
import { bad, kindOf, out, printJson, resolvePath, toJson, writeOut } from "./common.js";
import { type Format, noteIssues, openDataset } from "./dataset.js";
import { progressBar } from "./progress.js";
import { importTrainNode, type RunModel, type TrainNode } from "./train-node.js";

/** Selects the tfjs backend (`--backend`, else the fastest available) before any tensor exists. */
export async function selectBackend(backend: BackendName | undefined): Promise<void> {
  await initBackend(backend === undefined ? {} : { prefer: [backend] });
}

/** A detector as a {@link RunModel}. */
export function detectorModel(detector: SsdDetector): RunModel {
  return {
    classNames: detector.config.classNames,
    numClasses: detector.numClasses,
    predict: (images, options) => detector.predict(images, options),
    dispose: () => detector.dispose(),
  };
}

/**
 * Loads the model of a run folder with `loadRunPredictor` of `@od/train/node` (detector, plus the crop
 * classifier of a staged run), else `loadRunDetector`, or, when neither is available, from a folder
 * saved by `saveDetector` (`model.json` + `weights.bin`).
 */
export async function loadModel(io: CliIo, dir: string): Promise<RunModel> {
  const abs = resolvePath(io, dir);
  const kind = await kindOf(abs);
  if (kind === "missing") throw bad(`model folder ${dir} does not exist`);
  if (kind === "file") throw bad(`--model must be a run folder; ${dir} is a file`);
  let node: TrainNode | undefined;
  try {
    node = await (io.loadTrainNode ?? importTrainNode)();
  } catch {
    node = undefined;
  }
  if (node?.loadRunPredictor !== undefined) return node.loadRunPredictor(abs);
  if (node?.loadRunDetector !== undefined) return detectorModel(await node.loadRunDetector(abs));
  return detectorModel(await loadDetector(abs));
}

/** The JSON of an evaluation without per-image detections and the large precision arrays. */
function evaluationJson(ev: Evaluation) {
  const voc = (r: Evaluation["voc"]) => ({
    ...r,
    classes: r.classes.map(({ curve: _c, ...c }) => c),
  });
  const { precision: _p, recall: _r, ...coco } = ev.coco;
  return { voc: voc(ev.voc), voc07: voc(ev.voc07), coco, seconds: ev.seconds };
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

/** Prints the per-class tables and the summary lines, the stable `mAP@0.5 (VOC): 0.xxx` last. */
export function printEvaluation(io: CliIo, ev: Evaluation): void {
  out(io, formatMetricsTable(ev.voc));
  out(io);
  out(io, formatMetricsTable(ev.coco));
  out(io);
  out(io, `mAP@[.5:.95] (COCO): ${ev.coco.mAP.toFixed(3)}`);
  out(io, `mAP@0.5 (VOC07 11-point): ${ev.voc07.mAP.toFixed(3)}`);
  out(io, `mAP@0.5 (VOC): ${ev.voc.mAP.toFixed(3)}`);
}

/** Writes `metrics.json`, `pr-voc.svg` and `pr-coco.svg` into a folder; returns the files. */
export async function writeEvaluation(dir: string, ev: Evaluation): Promise<string[]> {
  const files = [path.join(dir, "metrics.json"), path.join(dir, "pr-voc.svg"), path.join(dir, "pr-coco.svg")];
  await writeOut(files[0] as string, `${toJson(evaluationJson(ev))}\n`);
  await writeOut(
    files[1] as string,
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
    files[2] as string,
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

/** Options of `odet eval`. */
export interface EvalOptions {
  readonly model: string;
  readonly data: string;
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly score: number;
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
    const files = o.out === undefined ? [] : await writeEvaluation(resolvePath(io, o.out), ev);
    if (o.json) {
      printJson(io, { ...evaluationJson(ev), ...(files.length > 0 ? { files } : {}) });
      return;
    }
    printEvaluation(io, ev);
    if (files.length > 0) out(io, `wrote ${files.join(", ")}`);
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

/**
 * Predicts on image files, writes one annotated PNG per image (`<stem>.png`) and `detections.json`
 * (COCO results: `image_id` = 1-based position in `files`, `category_id` = 1-based class).
 */
export async function predictFiles(
  io: CliIo,
  detector: RunModel,
  files: readonly string[],
  outDir: string,
  score: number,
  json: boolean,
): Promise<{
  images: { id: number; file: string; output: string; detections: number }[];
  detections: CocoDetection[];
}> {
  const names = detector.classNames;
  const images: { id: number; file: string; output: string; detections: number }[] = [];
  const detections: CocoDetection[] = [];
  const used = new Set<string>();
  const bar = progressBar(io, json);
  bar.start(files.length, "predict");
  try {
    for (const [i, f] of files.entries()) {
      const abs = resolvePath(io, f);
      const image = await decodeImageFile(abs);
      const [det] = await detector.predict([{ data: image.data, shape: image.shape }], {
        scoreThreshold: score,
      });
      if (det === undefined) continue;
      const labels = Int32Array.from(det.labels, (l) => l - 1);
      for (let k = 0; k < det.scores.length; k++) {
        const b = det.boxes.data;
        const x1 = b[4 * k] as number;
        const y1 = b[4 * k + 1] as number;
        detections.push({
          image_id: i + 1,
          category_id: det.labels[k] as number,
          bbox: [
            round2(x1),
            round2(y1),
            round2((b[4 * k + 2] as number) - x1),
            round2((b[4 * k + 3] as number) - y1),
          ],
          score: Math.round((det.scores[k] as number) * 1e4) / 1e4,
        });
      }
      let stem = path.basename(abs).replace(/\.[^.]+$/, "");
      if (used.has(stem)) stem = `${stem}-${i + 1}`;
      used.add(stem);
      const output = path.join(outDir, `${stem}.png`);
      const drawn = drawSample(makeSample(image, makeBoxes(det.boxes.data, "xyxy", "px"), labels), {
        labelNames: names,
      });
      await writeOut(output, encodePng(drawn));
      images.push({ id: i + 1, file: abs, output, detections: det.scores.length });
      bar.update(i + 1);
    }
  } finally {
    bar.stop();
  }
  await writeOut(path.join(outDir, "detections.json"), `${JSON.stringify(detections)}\n`);
  return { images, detections };
}

/** Options of `odet predict`. */
export interface PredictOptions {
  readonly model: string;
  readonly out: string;
  readonly score: number;
  readonly backend?: BackendName;
  readonly json?: boolean;
}

/** `odet predict`. */
export async function predictCommand(io: CliIo, files: readonly string[], o: PredictOptions): Promise<void> {
  for (const f of files) {
    const k = await kindOf(resolvePath(io, f));
    if (k === "missing") throw bad(`image ${f} does not exist`);
    if (k === "dir") throw bad(`${f} is a folder; pass image files (e.g. ${path.join(f, "*.jpg")})`);
  }
  await selectBackend(o.backend);
  const detector = await loadModel(io, o.model);
  try {
    const outDir = resolvePath(io, o.out);
    const r = await predictFiles(io, detector, files, outDir, o.score, o.json === true);
    if (o.json) {
      printJson(io, {
        out: outDir,
        categories: detector.classNames.map((name, i) => ({ id: i + 1, name })),
        images: r.images,
        detections: r.detections,
      });
      return;
    }
    for (const im of r.images) out(io, `${im.file}: ${im.detections} detection(s) -> ${im.output}`);
    out(
      io,
      `wrote ${path.join(outDir, "detections.json")} (${r.detections.length} detections, COCO results format)`,
    );
  } finally {
    detector.dispose();
  }
}
