import path from "node:path";
import type { BackendName } from "@od/tf";
import { mergeConfig, resolveTrainConfig, type TrainConfig } from "@od/train";
import { stringify as toYaml } from "yaml";
import type { CliIo } from "../io.js";
import { bad, note, oneLine, out, readConfigFile, resolvePath, toJson } from "./common.js";
import type { Format } from "./dataset.js";
import { type Progress, progressBar } from "./progress.js";
import { importTrainNode, type TrainEvent, type TrainNode } from "./train-node.js";

/** Options of `od train`. */
export interface TrainOptions {
  readonly data?: string;
  readonly format?: Format;
  readonly out?: string;
  readonly config?: string;
  readonly resume?: boolean;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly timeLimit?: number;
  readonly backend?: BackendName;
  readonly printConfig?: boolean;
  readonly json?: boolean;
}

/** The training runtime of an io (its stand-in in tests, else `@od/train/node`). */
export async function trainNodeOf(io: CliIo): Promise<TrainNode> {
  try {
    return await (io.loadTrainNode ?? importTrainNode)();
  } catch (e) {
    throw bad((e as Error).message);
  }
}

/**
 * Builds the run's configuration: the file (JSON or YAML; a relative `data.root` is relative to the
 * file), then the flags on top, validated by `resolveTrainConfig` (TrainError `INVALID_CONFIG`).
 */
export async function trainConfigOf(
  io: CliIo,
  o: TrainOptions,
  placeholderRoot = false,
): Promise<TrainConfig> {
  let file: unknown = {};
  if (o.config !== undefined) {
    file = await readConfigFile(io, o.config, "config");
    if (typeof file !== "object" || file === null || Array.isArray(file))
      throw bad(`config ${o.config} must hold an object (data, model, augment, train, eval, staged)`);
    const root = (file as { data?: { root?: unknown } }).data?.root;
    if (typeof root === "string")
      file = mergeConfig(file, {
        data: { root: path.resolve(path.dirname(resolvePath(io, o.config)), root) },
      });
  }
  const data: Record<string, unknown> = {};
  if (o.data !== undefined) data.root = resolvePath(io, o.data);
  if (o.format !== undefined) data.format = o.format;
  const train: Record<string, unknown> = {};
  if (o.epochs !== undefined) train.epochs = o.epochs;
  if (o.batchSize !== undefined) train.batchSize = o.batchSize;
  if (o.timeLimit !== undefined) train.timeLimitSeconds = o.timeLimit;
  if (o.backend !== undefined) train.backends = [o.backend];
  let input = mergeConfig(file, { data, train });
  const hasRoot = typeof (input as { data?: { root?: unknown } }).data?.root === "string";
  if (!hasRoot) {
    if (!placeholderRoot) throw bad("no dataset: pass --data <dir> or set data.root in --config");
    input = mergeConfig(input, { data: { root: "<dataset folder>" } });
  }
  return resolveTrainConfig(input);
}

function field(e: TrainEvent, ...names: string[]): unknown {
  for (const n of names) {
    let v: unknown = e;
    for (const part of n.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    if (v !== undefined) return v;
  }
  return undefined;
}

function numField(e: TrainEvent, ...names: string[]): number | undefined {
  const v = field(e, ...names);
  return typeof v === "number" ? v : undefined;
}

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** The text line of an epoch-end event. */
export function epochLine(e: TrainEvent): string {
  const epoch = numField(e, "epoch");
  const epochs = numField(e, "epochs", "totalEpochs");
  const parts = [`epoch ${epoch ?? "?"}${epochs === undefined ? "" : `/${epochs}`}`];
  parts.push(`loss ${fmt(numField(e, "loss", "meanLoss", "losses.total"))}`);
  const loc = numField(e, "locLoss", "losses.loc");
  const cls = numField(e, "clsLoss", "confLoss", "losses.cls", "losses.conf");
  if (loc !== undefined || cls !== undefined) parts.push(`(loc ${fmt(loc)}, cls ${fmt(cls)})`);
  parts.push(`lr ${fmt(numField(e, "lr", "learningRate"))}`);
  const ips = numField(e, "imagesPerSecond", "throughput", "imgPerSec");
  if (ips !== undefined) parts.push(`${ips.toFixed(1)} img/s`);
  const secs = numField(e, "seconds", "elapsed", "durationSeconds");
  if (secs !== undefined) parts.push(`${secs.toFixed(1)} s`);
  return parts.join("  ");
}

/** The text line of an evaluation event. */
export function evalLine(e: TrainEvent): string {
  const epoch = numField(e, "epoch");
  const voc = numField(e, "vocMap50", "mAP50", "map50", "voc.mAP", "evaluation.voc.mAP", "metrics.voc.mAP");
  const coco = numField(e, "cocoMap", "mAP", "coco.mAP", "evaluation.coco.mAP", "metrics.coco.mAP");
  return `eval${epoch === undefined ? "" : ` epoch ${epoch}`}: mAP@0.5 (VOC) ${fmt(voc)}  mAP@[.5:.95] (COCO) ${fmt(coco)}`;
}

/** Renders training events: a bar per epoch and one line per epoch and evaluation (or JSON lines). */
export function eventPrinter(io: CliIo, json: boolean): { onEvent: (e: TrainEvent) => void; bar: Progress } {
  const bar = progressBar(io, json);
  const onEvent = (e: TrainEvent) => {
    if (json) {
      out(io, toJson(e, 0));
      return;
    }
    const type = String(e.type ?? e.kind ?? "");
    switch (type) {
      case "epoch-start": {
        const epoch = numField(e, "epoch");
        const epochs = numField(e, "epochs", "totalEpochs");
        bar.start(
          numField(e, "steps", "stepsPerEpoch", "totalSteps") ?? 1,
          `epoch ${epoch ?? ""}${epochs ? `/${epochs}` : ""}`,
        );
        break;
      }
      case "step": {
        const step = numField(e, "step", "stepInEpoch") ?? 0;
        bar.update(step, `loss ${fmt(numField(e, "loss", "losses.total"))} lr ${fmt(numField(e, "lr"))}`);
        break;
      }
      case "epoch":
      case "epoch-end":
        bar.stop();
        out(io, epochLine(e));
        break;
      case "eval":
      case "evaluation":
        bar.stop();
        out(io, evalLine(e));
        break;
      case "start": {
        const backend = field(e, "backend.name", "backend");
        const reason = field(e, "backend.reason", "backendReason");
        const parts = [
          numField(e, "trainImages") === undefined ? "" : `${numField(e, "trainImages")} training images`,
          numField(e, "valImages") === undefined ? "" : `${numField(e, "valImages")} validation images`,
          typeof backend === "string"
            ? `backend ${backend}${typeof reason === "string" ? ` (${reason})` : ""}`
            : "",
        ].filter((s) => s !== "");
        if (parts.length > 0) note(io, parts.join(", "));
        break;
      }
      case "stop":
      case "done":
      case "log":
      case "warning": {
        bar.stop();
        const m = field(e, "message", "reason");
        if (typeof m === "string") note(io, oneLine(m));
        break;
      }
      default:
        break;
    }
  };
  return { onEvent, bar };
}

/** `od train`. */
export async function trainCommand(io: CliIo, o: TrainOptions): Promise<void> {
  const config = await trainConfigOf(io, o, o.printConfig === true);
  if (o.printConfig) {
    if (o.json) out(io, toJson(config));
    else io.stdout.write(toYaml(config));
    return;
  }
  if (o.out === undefined) throw bad("pass --out runs/<name> (the run folder)");
  const runDir = resolvePath(io, o.out);
  const node = await trainNodeOf(io);
  const { onEvent, bar } = eventPrinter(io, o.json === true);
  if (!o.json) note(io, `${o.resume ? "resuming" : "training"} into ${runDir}`);
  try {
    const result = await node.train(config, { out: runDir, resume: o.resume === true, onEvent });
    bar.stop();
    if (o.json) out(io, toJson({ type: "result", out: runDir, result: result ?? null }, 0));
    else out(io, `run folder: ${runDir}`);
  } finally {
    bar.stop();
  }
}
