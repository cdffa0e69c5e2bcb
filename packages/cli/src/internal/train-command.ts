import path from "node:path";
import { isOdError } from "@od/boxes";
import type { BackendName } from "@od/tf";
import { mergeConfig, resolveTrainConfig, type TrainConfig } from "@od/train";
import type { TrainEvent } from "@od/train/node";
import { stringify as toYaml } from "yaml";
import { CLI_NAME, CliExit, type CliIo } from "../io.js";
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
import { SIGNAL_EXIT, stopOnSignals } from "./interrupt.js";
import { type Progress, progressBar } from "./progress.js";
import { importTrainNode, type TrainNode } from "./train-node.js";

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

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** A `train()` event of one type. */
export type EventOf<T extends TrainEvent["type"]> = Extract<TrainEvent, { readonly type: T }>;

/** The text line of an epoch event (`train()` numbers epochs from 0; the line from 1). */
export function epochLine(e: EventOf<"epoch">, epochs?: number): string {
  return [
    `epoch ${e.epoch + 1}${epochs === undefined ? "" : `/${epochs}`}`,
    `loss ${fmt(e.loss)}`,
    `(loc ${fmt(e.loc)}, cls ${fmt(e.cls)})`,
    `lr ${fmt(e.lr)}`,
    `${e.imagesPerSecond.toFixed(1)} img/s`,
    `${e.seconds.toFixed(1)} s`,
  ].join("  ");
}

/** The text line of an evaluation event. */
export function evalLine(e: EventOf<"eval">): string {
  return `eval epoch ${e.epoch + 1}: mAP@0.5 (VOC) ${fmt(e.vocMap)}  mAP@[.5:.95] (COCO) ${fmt(e.cocoMap)}`;
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
    switch (e.type) {
      case "start":
        stepsPerEpoch = e.stepsPerEpoch;
        note(
          io,
          `${e.trainImages} training / ${e.valImages} validation images, ${e.parameters} parameters, ${e.priors} priors, ${e.stepsPerEpoch} steps per epoch${e.startEpoch > 0 ? `, resuming after epoch ${e.startEpoch}` : ""}`,
        );
        note(io, `backend ${e.backend} (${e.reason})`);
        break;
      case "step": {
        const epoch = e.epoch + 1;
        if (epoch !== barEpoch) {
          bar.start(stepsPerEpoch, `epoch ${epoch}${epochs === undefined ? "" : `/${epochs}`}`);
          barEpoch = epoch;
        }
        bar.update(e.batch + 1, `loss ${fmt(e.loss)} lr ${fmt(e.lr)} ${e.imagesPerSecond.toFixed(1)} img/s`);
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
        note(io, `warning: non-finite loss at step ${e.step} (${e.inARow} in a row); batch skipped`);
        break;
      case "stage":
        bar.stop();
        out(io, `stage ${e.stage}: ${oneLine(e.detail)}`);
        break;
      case "classifier-epoch":
        out(
          io,
          `classifier epoch ${e.epoch + 1}  loss ${fmt(e.loss)}  accuracy ${fmt(e.accuracy)}  lr ${fmt(e.lr)}`,
        );
        break;
      case "staged-eval":
        out(
          io,
          `staged eval (detector + classifier): mAP@0.5 (VOC) ${fmt(e.vocMap)}  mAP@[.5:.95] (COCO) ${fmt(e.cocoMap)}`,
        );
        break;
      case "stopped":
        bar.stop();
        note(io, `stopped: ${oneLine(e.reason)}`);
        break;
      case "checkpoint":
      case "classifier-checkpoint":
        break;
      default:
        return unhandled(e);
    }
  };
  return { onEvent, bar };
}

/** Compile-time check that every event type has a case above. */
function unhandled(e: never): void {
  void e;
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
  // SIGINT/SIGTERM: the step in progress finishes and a checkpoint is written; a second signal exits at once.
  const stop = stopOnSignals({
    onFirst: (sig) => {
      bar.stop();
      note(
        io,
        `${sig}: stopping after the current step to write a checkpoint (interrupt again to exit at once)`,
      );
    },
    onSecond: (code) => {
      bar.stop();
      io.stderr.write(`${CLI_NAME} train: interrupted again: exiting without waiting for the checkpoint\n`);
      process.exit(code);
    },
  });
  try {
    const result = await node.train(config, {
      out: runDir,
      resume: o.resume === true,
      onEvent,
      signal: stop.signal,
    });
    bar.stop();
    if (o.json) out(io, toJson({ type: "result", out: runDir, result }, 0));
    else {
      if (result.best !== null)
        out(io, `best: mAP@0.5 (VOC) ${result.best.vocMap.toFixed(3)} at epoch ${result.bestEpoch}`);
      out(io, `run folder: ${runDir}`);
    }
    const late = stop.received();
    if (late !== undefined)
      throw new CliExit(SIGNAL_EXIT[late], `interrupted after the run had finished; run folder: ${runDir}`);
  } catch (e) {
    if (e instanceof CliExit) throw e;
    const by = stop.received();
    if (by !== undefined && isOdError(e, "INTERRUPTED")) {
      bar.stop();
      const at = (e as { details?: { checkpoint?: unknown } }).details?.checkpoint;
      throw new CliExit(
        SIGNAL_EXIT[by],
        typeof at === "string"
          ? `interrupted: checkpoint written to ${at}; resume with ${CLI_NAME} train --out ${o.out} --resume`
          : "interrupted before the first checkpoint was written",
      );
    }
    throw asCliError(e, runDir);
  } finally {
    stop.dispose();
    bar.stop();
  }
}
