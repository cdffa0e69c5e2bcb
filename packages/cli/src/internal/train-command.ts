import path from "node:path";
import type { BackendName } from "@od/tf";
import { mergeConfig, resolveTrainConfig, type TrainConfig } from "@od/train";
import { stringify as toYaml } from "yaml";
import type { CliIo } from "../io.js";
import {
  asCliError,
  bad,
  kindOf,
  note,
  oneLine,
  out,
  readConfigFile,
  resolvePath,
  toJson,
} from "./common.js";
import { FORMATS, type Format, locateDataset } from "./dataset.js";
import { type Progress, progressBar } from "./progress.js";
import { importTrainNode, type TrainEvent, type TrainNode } from "./train-node.js";

/** Options of `odet train`. */
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
 * file), then the flags on top, validated by `resolveTrainConfig` (TrainError `INVALID_CONFIG`). The
 * dataset is found as by every command (`locateDataset`): its format is detected unless given, and a
 * COCO folder becomes its annotation file.
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
  const given = (input as { data?: { root?: unknown; format?: unknown } }).data;
  if (typeof given?.root !== "string") {
    if (!placeholderRoot) throw bad("no dataset: pass --data <dir> or set data.root in --config");
    input = mergeConfig(input, { data: { root: "<dataset folder>" } });
  } else if (given.format === undefined || (FORMATS as readonly unknown[]).includes(given.format)) {
    // The same detection as every other command (an unknown format is left to the config check).
    const src = await locateDataset(
      io,
      given.root,
      given.format === undefined ? {} : { format: given.format as Format },
    );
    input = mergeConfig(input, { data: { root: src.path, format: src.format } });
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

/** 1-based epoch number of an event (`train()` numbers epochs from 0). */
function epochNo(e: TrainEvent): number | undefined {
  const v = numField(e, "epoch");
  return v === undefined ? undefined : v + 1;
}

/** The text line of an epoch event. */
export function epochLine(e: TrainEvent, epochs?: number): string {
  const epoch = epochNo(e);
  const parts = [`epoch ${epoch ?? "?"}${epochs === undefined ? "" : `/${epochs}`}`];
  parts.push(`loss ${fmt(numField(e, "loss"))}`);
  const loc = numField(e, "loc");
  const cls = numField(e, "cls");
  if (loc !== undefined || cls !== undefined) parts.push(`(loc ${fmt(loc)}, cls ${fmt(cls)})`);
  parts.push(`lr ${fmt(numField(e, "lr"))}`);
  const ips = numField(e, "imagesPerSecond");
  if (ips !== undefined) parts.push(`${ips.toFixed(1)} img/s`);
  const secs = numField(e, "seconds");
  if (secs !== undefined) parts.push(`${secs.toFixed(1)} s`);
  return parts.join("  ");
}

/** The text line of an evaluation event. */
export function evalLine(e: TrainEvent): string {
  const epoch = epochNo(e);
  return `eval${epoch === undefined ? "" : ` epoch ${epoch}`}: mAP@0.5 (VOC) ${fmt(numField(e, "vocMap"))}  mAP@[.5:.95] (COCO) ${fmt(numField(e, "cocoMap"))}`;
}

/**
 * Renders `train()` events: a progress bar per epoch (fed by `step` events) and one line per epoch and
 * evaluation; with `json`, one JSON object per event on stdout.
 * @param epochs total epochs, for `epoch k/N`.
 */
export function eventPrinter(
  io: CliIo,
  json: boolean,
  epochs?: number,
): { onEvent: (e: TrainEvent) => void; bar: Progress } {
  const bar = progressBar(io, json);
  let stepsPerEpoch = 1;
  let barEpoch: number | undefined;
  const onEvent = (e: TrainEvent) => {
    if (json) {
      out(io, toJson(e, 0));
      return;
    }
    switch (String(e.type ?? "")) {
      case "start": {
        stepsPerEpoch = numField(e, "stepsPerEpoch") ?? 1;
        const start = numField(e, "startEpoch") ?? 0;
        note(
          io,
          `${numField(e, "trainImages") ?? "?"} training / ${numField(e, "valImages") ?? "?"} validation images, ${numField(e, "parameters") ?? "?"} parameters, ${numField(e, "priors") ?? "?"} priors, ${stepsPerEpoch} steps per epoch${start > 0 ? `, resuming after epoch ${start}` : ""}`,
        );
        const backend = field(e, "backend");
        const reason = field(e, "reason");
        if (typeof backend === "string")
          note(io, `backend ${backend}${typeof reason === "string" ? ` (${reason})` : ""}`);
        break;
      }
      case "step": {
        const epoch = epochNo(e);
        if (epoch !== barEpoch) {
          bar.start(stepsPerEpoch, `epoch ${epoch ?? "?"}${epochs === undefined ? "" : `/${epochs}`}`);
          barEpoch = epoch;
        }
        const b = numField(e, "batch");
        bar.update(
          b === undefined ? 0 : b + 1,
          `loss ${fmt(numField(e, "loss"))} lr ${fmt(numField(e, "lr"))} ${(numField(e, "imagesPerSecond") ?? 0).toFixed(1)} img/s`,
        );
        break;
      }
      case "epoch":
        bar.stop();
        barEpoch = undefined;
        out(io, epochLine(e, epochs));
        break;
      case "eval":
        bar.stop();
        out(io, evalLine(e));
        break;
      case "nonfinite":
        note(
          io,
          `warning: non-finite loss at step ${numField(e, "step") ?? "?"} (${numField(e, "inARow") ?? "?"} in a row); batch skipped`,
        );
        break;
      case "stage": {
        bar.stop();
        const detail = field(e, "detail");
        out(
          io,
          `stage ${String(field(e, "stage") ?? "?")}${typeof detail === "string" ? `: ${oneLine(detail)}` : ""}`,
        );
        break;
      }
      case "classifier-epoch":
        out(
          io,
          `classifier epoch ${(numField(e, "epoch") ?? 0) + 1}  loss ${fmt(numField(e, "loss"))}  accuracy ${fmt(numField(e, "accuracy"))}  lr ${fmt(numField(e, "lr"))}`,
        );
        break;
      case "staged-eval":
        out(
          io,
          `staged eval (detector + classifier): mAP@0.5 (VOC) ${fmt(numField(e, "vocMap"))}  mAP@[.5:.95] (COCO) ${fmt(numField(e, "cocoMap"))}`,
        );
        break;
      case "stopped": {
        bar.stop();
        const m = field(e, "reason");
        note(io, `stopped: ${typeof m === "string" ? oneLine(m) : "?"}`);
        break;
      }
      default:
        break;
    }
  };
  return { onEvent, bar };
}

/** `odet train`. */
export async function trainCommand(io: CliIo, o: TrainOptions): Promise<void> {
  const config = await trainConfigOf(io, o, o.printConfig === true);
  if (o.printConfig) {
    if (o.json) out(io, toJson(config));
    else io.stdout.write(toYaml(config));
    return;
  }
  if (o.out === undefined) throw bad("pass --out runs/<name> (the run folder)");
  // A missing dataset is the most common mistake: say so before anything else is printed.
  if ((await kindOf(config.data.root)) === "missing") throw bad(`dataset ${config.data.root} does not exist`);
  const runDir = resolvePath(io, o.out);
  const node = await trainNodeOf(io);
  const { onEvent, bar } = eventPrinter(io, o.json === true, config.train.epochs);
  if (!o.json) note(io, `${o.resume ? "resuming" : "training"} into ${runDir}`);
  try {
    const result = await node.train(config, { out: runDir, resume: o.resume === true, onEvent });
    bar.stop();
    if (o.json) out(io, toJson({ type: "result", out: runDir, result: result ?? null }, 0));
    else {
      const best = (result as { best?: { vocMap?: unknown } | null; bestEpoch?: unknown } | undefined)?.best;
      if (typeof best?.vocMap === "number")
        out(
          io,
          `best: mAP@0.5 (VOC) ${best.vocMap.toFixed(3)} at epoch ${String((result as { bestEpoch?: unknown }).bestEpoch)}`,
        );
      out(io, `run folder: ${runDir}`);
    }
  } catch (e) {
    throw asCliError(e, runDir);
  } finally {
    bar.stop();
  }
}
