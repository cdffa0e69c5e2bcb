/**
 * What a run writes for people to read: evaluation files (`eval.json`, `eval.txt`,
 * `eval-staged.json`), curves (`loss.svg`, `lr.svg`, `map.svg`), annotated predictions
 * (`predictions/*.png`) and `summary.json`.
 * @module
 */
import path from "node:path";
import { drawSample, makeSample } from "@od/augment";
import { encodePng } from "@od/augment/node";
import type { DetectionDataset } from "@od/data";
import { formatMetricsTable } from "@od/metrics";
import type { SsdDetector } from "@od/ssd";
import type { TrainConfig } from "../config.js";
import { type Evaluation, evaluateDetector } from "../evaluate.js";
import { learningRateCurveSvg, lossCurveSvg, mapCurveSvg } from "../plots.js";
import type { ImageLoader } from "../sampler.js";
import { StagedDetector } from "../staged.js";
import type { TrainingData } from "./data.js";
import { jsonText, type RunFolder } from "./run-folder.js";
import type { History, RunState, StagedScores, TrainEvent, TrainSummary } from "./types.js";

/** VOC AP@0.5 of an evaluation by class name (the class index when a class has no name). */
export function perClass(ev: Evaluation): Record<string, number> {
  const r: Record<string, number> = {};
  ev.voc.classes.forEach((c, i) => {
    r[c.name ?? String(i)] = c.ap;
  });
  return r;
}

/** The headline numbers of an evaluation. */
export function scoresOf(ev: Evaluation): StagedScores {
  return { vocMap: ev.voc.mAP, voc07Map: ev.voc07.mAP, cocoMap: ev.coco.mAP, perClass: perClass(ev) };
}

/** The VOC and COCO tables of an evaluation as text (the body of `eval.txt`). */
export function metricsText(ev: Evaluation): string {
  return `${formatMetricsTable(ev.voc)}\n\n${formatMetricsTable(ev.coco)}\n`;
}

/** The evaluation as stored: VOC, VOC07 and COCO without COCO's large precision/recall arrays. */
function evaluationJson(ev: Evaluation): object {
  return { voc: ev.voc, voc07: ev.voc07, coco: { ...ev.coco, precision: undefined, recall: undefined } };
}

/** The files describing the best epoch's evaluation, in the order they are published (`eval.json` last). */
export const BEST_EVALUATION_FILES = ["eval.txt", "eval.json"] as const;

/**
 * The contents of `eval.json` (with its 1-based `epoch`) and `eval.txt` for the run's best epoch
 * so far. They are kept in that epoch's checkpoint and copied into the run folder from there.
 */
export function bestEvaluationFiles(
  epoch: number,
  ev: Evaluation,
): Record<(typeof BEST_EVALUATION_FILES)[number], string> {
  return { "eval.json": jsonText({ epoch, ...evaluationJson(ev) }, 1), "eval.txt": metricsText(ev) };
}

/**
 * The evaluation between detector epochs: every `eval.everyEpochs` epochs and after the last, when the
 * run has validation images, scores the detector (VOC, VOC07, COCO), records an `eval` event and adds
 * the mAPs to the history. Writes nothing: a new best VOC mAP@0.5 returns its evaluation files
 * ({@link bestEvaluationFiles}) for the checkpoint.
 * @param epoch the 0-based epoch just completed.
 * @returns the state (with the new best epoch, if any) and, when this epoch is the best so far, its files.
 */
export async function evaluateEpoch(
  e: {
    readonly config: TrainConfig;
    readonly data: TrainingData;
    readonly detector: SsdDetector;
    readonly loadVal: ImageLoader;
    readonly record: (event: TrainEvent) => void;
  },
  epoch: number,
  state: RunState,
  last: boolean,
): Promise<{ state: RunState; best: Record<string, string> | undefined }> {
  const { config, data } = e;
  const due = (epoch + 1) % config.eval.everyEpochs === 0 || last;
  if (data.val.images.length === 0 || !due) return { state, best: undefined };
  const ev = await evaluateDetector(e.detector, data.val.images, e.loadVal, data.classNames, {
    scoreThreshold: config.eval.scoreThreshold,
    iouThreshold: config.eval.iouThreshold,
  });
  state.history.voc.push([epoch + 1, ev.voc.mAP]);
  state.history.coco.push([epoch + 1, ev.coco.mAP]);
  e.record({ type: "eval", epoch, ...scoresOf(ev), seconds: ev.seconds });
  if (!(ev.voc.mAP > state.bestMap)) return { state, best: undefined };
  return {
    state: { ...state, bestMap: ev.voc.mAP, bestEpoch: epoch + 1 },
    best: bestEvaluationFiles(epoch + 1, ev),
  };
}

/** Writes `eval-staged.json`: the staged model (detector + crop classifier) on the validation split. */
export async function writeStagedEvaluation(run: RunFolder, ev: Evaluation): Promise<void> {
  await run.writeJson("eval-staged.json", evaluationJson(ev), 1);
}

/** Writes `loss.svg` (log scale), `lr.svg` and `map.svg`. */
export async function writeCurves(run: RunFolder, h: History): Promise<void> {
  await run.write("loss.svg", lossCurveSvg(h.loss));
  await run.write("lr.svg", learningRateCurveSvg(h.lr));
  await run.write("map.svg", mapCurveSvg(h.voc, h.coco));
}

/**
 * Writes `predictions/<id>.png` for the first `n` validation images: the model's detections (score ≥
 * 0.3) drawn with their class names.
 */
export async function writePredictions(
  run: RunFolder,
  model: SsdDetector | StagedDetector,
  val: DetectionDataset,
  load: ImageLoader,
  n: number,
): Promise<void> {
  const classNames = model instanceof StagedDetector ? model.classNames : model.config.classNames;
  if (n === 0 || val.images.length === 0) return;
  for (const rec of val.images.slice(0, n)) {
    const img = await load(rec);
    const [det] = await model.predict([img], { scoreThreshold: 0.3 });
    if (det === undefined) continue;
    const drawn = drawSample(
      makeSample(
        img,
        det.boxes,
        det.labels.map((l) => l - 1),
      ),
      { labelNames: [...classNames] },
    );
    await run.write(path.join("predictions", `${rec.id}.png`), encodePng(drawn));
  }
}

/** The scores of `eval.json` (the best epoch), `null` when the run has none. */
export async function readBest(run: RunFolder): Promise<TrainSummary["best"]> {
  const e = (await run.readJson("eval.json")) as
    | {
        voc?: { mAP: number; classes: { name?: string; ap: number }[] };
        voc07?: { mAP: number };
        coco?: { mAP: number };
      }
    | undefined;
  if (e?.voc === undefined || e.voc07 === undefined || e.coco === undefined) return null;
  const byClass: Record<string, number> = {};
  e.voc.classes.forEach((c, i) => {
    byClass[c.name ?? String(i)] = c.ap;
  });
  return { vocMap: e.voc.mAP, voc07Map: e.voc07.mAP, cocoMap: e.coco.mAP, perClass: byClass };
}

/**
 * The summary of a finished run, written to `summary.json` (2-space JSON).
 * @param detector stage 1's final state and what ended it.
 * @param staged the staged model's scores (staged training only).
 * @param oneStage the comparison run (`staged.compareOneStage` only).
 */
export async function writeSummary(
  run: RunFolder,
  backend: string,
  detector: { readonly state: RunState; readonly stoppedBy: TrainSummary["stoppedBy"] },
  staged: { readonly scores: StagedScores | null } | undefined,
  oneStage: TrainSummary["oneStage"],
): Promise<TrainSummary> {
  const { state } = detector;
  const summary: TrainSummary = {
    out: run.dir,
    backend,
    epochsCompleted: state.epochsCompleted,
    steps: state.step,
    trainSeconds: state.trainSeconds,
    imagesPerSecond: state.imagesSeen / Math.max(state.trainSeconds, 1e-9),
    bestEpoch: state.bestEpoch,
    best: state.bestEpoch < 0 ? null : await readBest(run),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    stoppedBy: detector.stoppedBy,
    ...(staged !== undefined ? { staged: staged.scores } : {}),
    ...(oneStage !== undefined ? { oneStage } : {}),
  };
  await run.writeJson("summary.json", summary, 2, true);
  return summary;
}

const STAGE1_HEADER = "## Stage 1: class-agnostic detector (one class, object)";

/**
 * Rewrites `eval.txt` of a staged run: the stage-1 tables (as written at its best epoch), the staged
 * model's tables, and a comparison table (with the one-stage detector when it was trained).
 * @param stagedText the staged model's tables ({@link metricsText}).
 */
export async function writeStagedReport(
  run: RunFolder,
  stagedText: string,
  staged: StagedScores | null,
  oneStage: TrainSummary["oneStage"],
): Promise<void> {
  let stage1 = (await run.readText("eval.txt")) ?? "";
  stage1 = stage1.split("\n## Staged")[0] ?? "";
  if (stage1.startsWith(STAGE1_HEADER)) stage1 = stage1.slice(STAGE1_HEADER.length).replace(/^\n+/, "");
  const best = await readBest(run);
  const f = (v: number | undefined) => (v === undefined || v < 0 ? "–" : v.toFixed(3));
  const rows: [string, StagedScores | null | undefined][] = [
    ["stage 1 detector (class-agnostic)", best],
    ["staged (detector + classifier)", staged],
  ];
  if (oneStage !== undefined)
    rows.push([`one-stage detector (${path.basename(oneStage?.out ?? "one-stage")}/)`, oneStage]);
  const w = Math.max(...rows.map(([n]) => n.length));
  const table = [
    `${"model".padEnd(w)}  VOC mAP@0.5  COCO mAP`,
    ...rows.map(([n, sc]) => `${n.padEnd(w)}  ${f(sc?.vocMap).padStart(11)}  ${f(sc?.cocoMap).padStart(8)}`),
  ].join("\n");
  await run.write(
    "eval.txt",
    `${STAGE1_HEADER}\n\n${stage1.trimEnd()}\n\n## Staged: detector boxes relabelled by the crop classifier\n\n${stagedText.trimEnd()}\n\n## Comparison (validation split; stage 1 is scored as one class)\n\n${table}\n`,
  );
}
