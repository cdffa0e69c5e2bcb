import path from "node:path";
import { isOdError, sameSequence } from "@od/boxes";
import type { BackendName } from "@od/tf";
import {
  type Architecture,
  DEFAULT_RUN_NAME,
  estimateProgress,
  mergeConfig,
  type ProgressEstimate,
  RUNS_DIR,
  resolveTrainConfig,
  type TrainConfig,
} from "@od/train";
import type { ConfigOverride, TrainEvent, WeightsReport } from "@od/train/node";
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
  readonly existOk?: boolean;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly timeLimit?: number;
  readonly backend?: BackendName;
  readonly priors?: string;
  readonly model?: Architecture;
  readonly weights?: string;
  readonly freezeBackboneEpochs?: number;
  readonly backboneLrScale?: number;
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

/** `model.priors` given as a path (`"priors.json"` or `{ file }`): that path, else undefined. */
function priorsFileOf(priors: unknown): string | undefined {
  if (typeof priors === "string") return priors;
  const file = (priors as { file?: unknown } | null | undefined)?.file;
  return typeof file === "string" ? file : undefined;
}

/**
 * The run's settings as given, before defaults: the file (JSON or YAML; a relative `data.root`,
 * `model.priors` file or `model.weights` in it is relative to the file), then the flags on top
 * (`--priors` and `--weights` relative to the working directory; `--model` is `model.architecture`). A given dataset is found as by every command (`locateDataset`): its format is
 * detected unless given, and a COCO folder becomes its annotation file. What a resumed run changes.
 */
export async function trainInputOf(io: CliIo, o: TrainOptions): Promise<Record<string, unknown>> {
  let file: unknown = {};
  if (o.config !== undefined) {
    file = await readConfigFile(io, o.config, "config");
    if (typeof file !== "object" || file === null || Array.isArray(file))
      throw bad(`config ${o.config} must hold an object (data, model, augment, train, eval, staged)`);
    const dir = path.dirname(resolvePath(io, o.config));
    const root = (file as { data?: { root?: unknown } }).data?.root;
    if (typeof root === "string") file = mergeConfig(file, { data: { root: path.resolve(dir, root) } });
    const priors = priorsFileOf((file as { model?: { priors?: unknown } }).model?.priors);
    if (priors !== undefined)
      file = mergeConfig(file, { model: { priors: { file: path.resolve(dir, priors) } } });
    const weights = (file as { model?: { weights?: unknown } }).model?.weights;
    if (typeof weights === "string" && weights !== "")
      file = mergeConfig(file, { model: { weights: path.resolve(dir, weights) } });
  }
  const data: Record<string, unknown> = {};
  if (o.data !== undefined) data.root = resolvePath(io, o.data);
  if (o.format !== undefined) data.format = o.format;
  const train: Record<string, unknown> = {};
  if (o.epochs !== undefined) train.epochs = o.epochs;
  if (o.batchSize !== undefined) train.batchSize = o.batchSize;
  if (o.timeLimit !== undefined) train.timeLimitSeconds = o.timeLimit;
  if (o.backend !== undefined) train.backends = [o.backend];
  if (o.freezeBackboneEpochs !== undefined) train.freezeBackboneEpochs = o.freezeBackboneEpochs;
  if (o.backboneLrScale !== undefined) train.backboneLrScale = o.backboneLrScale;
  const model: Record<string, unknown> = {};
  if (o.priors !== undefined) model.priors = { file: resolvePath(io, o.priors) };
  if (o.model !== undefined) model.architecture = o.model;
  if (o.weights !== undefined) model.weights = resolvePath(io, o.weights);
  const flags: Record<string, unknown> = {};
  if (Object.keys(data).length > 0) flags.data = data;
  if (Object.keys(train).length > 0) flags.train = train;
  if (Object.keys(model).length > 0) flags.model = model;
  let input = mergeConfig(file, flags) as Record<string, unknown>;
  const given = (input as { data?: { root?: unknown; format?: unknown } }).data;
  if (
    typeof given?.root === "string" &&
    (given.format === undefined || (FORMATS as readonly unknown[]).includes(given.format))
  ) {
    // The same detection as every other command (an unknown format is left to the config check).
    const src = await locateDataset(
      io,
      given.root,
      given.format === undefined ? {} : { format: given.format as Format },
    );
    input = mergeConfig(input, { data: { root: src.path, format: src.format } }) as Record<string, unknown>;
  }
  return input;
}

/**
 * Builds a new run's configuration: {@link trainInputOf} with every default filled in, validated by
 * `resolveTrainConfig` (TrainError `INVALID_CONFIG`).
 * @param placeholderRoot stand in `<dataset folder>` for a missing `data.root` (`--print-config`).
 */
export async function trainConfigOf(
  io: CliIo,
  o: TrainOptions,
  placeholderRoot = false,
): Promise<TrainConfig> {
  let input: unknown = await trainInputOf(io, o);
  if (typeof (input as { data?: { root?: unknown } }).data?.root !== "string") {
    if (!placeholderRoot) throw bad("no dataset: pass --data <dir> or set data.root in --config");
    input = mergeConfig(input, { data: { root: "<dataset folder>" } });
  }
  return resolveTrainConfig(input);
}

/** `1m05s`-style duration of whole seconds: `42s`, `4m10s`, `2h03m`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** A `train()` event of one type. */
export type EventOf<T extends TrainEvent["type"]> = Extract<TrainEvent, { readonly type: T }>;

/**
 * `epoch 23/200`, or under a time limit `epoch 23/~68 (time limit)` (the epoch the limit is expected to
 * end the run in; `epoch 1/? (time limit)` before the pace is known).
 * @param epoch 1-based epoch number.
 * @param plan the run's estimate (`estimateProgress` of `@od/train`); without it, `epoch 23`.
 */
export function epochLabel(epoch: number, plan?: ProgressEstimate): string {
  if (plan === undefined) return `epoch ${epoch}`;
  if (!plan.byTimeLimit) return `epoch ${epoch}/${plan.totalEpochs ?? "?"}`;
  return `epoch ${epoch}/${plan.totalEpochs === undefined ? "?" : `~${plan.totalEpochs}`} (time limit)`;
}

/** `eta 4m10s`, or nothing before the pace is known. */
function etaText(plan: ProgressEstimate | undefined): string[] {
  return plan?.etaSeconds === undefined ? [] : [`eta ${duration(plan.etaSeconds)}`];
}

/**
 * The text line of an epoch event (`train()` numbers epochs from 0; the line from 1):
 * `epoch 23/~68 (time limit)  loss …  (loc …, cls …)  lr …  41.0 img/s  1.5 s  eta 1m08s`.
 * @param plan the run's estimate after this epoch (see {@link epochLabel}).
 */
export function epochLine(e: EventOf<"epoch">, plan?: ProgressEstimate): string {
  return [
    epochLabel(e.epoch + 1, plan),
    `loss ${fmt(e.loss)}`,
    `(loc ${fmt(e.loc)}, cls ${fmt(e.cls)})`,
    `lr ${fmt(e.lr)}`,
    `${e.imagesPerSecond.toFixed(1)} img/s`,
    `${e.seconds.toFixed(1)} s`,
    ...etaText(plan),
  ].join("  ");
}

/** The text line of an evaluation event. */
export function evalLine(e: EventOf<"eval">): string {
  return `eval epoch ${e.epoch + 1}: mAP@0.5 (VOC) ${fmt(e.vocMap)}  mAP@[.5:.95] (COCO) ${fmt(e.cocoMap)}`;
}

/** A config value in an `overriding` line: strings as they are, anything else as JSON. */
function valueText(v: unknown): string {
  return v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v);
}

/** Up to `max` keys, then `and N more`. */
function keyList(keys: readonly string[], max = 6): string {
  return `${keys.slice(0, max).join(", ")}${keys.length > max ? ` and ${keys.length - max} more` : ""}`;
}

/**
 * The lines of a `weights` event: what was loaded from where, and each group of keys that was not
 * (re-initialised class head, missing, unexpected), as `weights.json` of the run folder holds them.
 */
export function weightsLines(r: WeightsReport): string[] {
  const what =
    r.kind === "imagenet-mobilenet_v3_large"
      ? "an ImageNet mobilenet_v3_large classifier, into the backbone"
      : "a detector";
  const lines = [
    `weights: ${r.file} (${r.format}, ${what}): ${r.loaded} tensors loaded${r.strict ? ", every parameter (strict)" : ""}`,
  ];
  if (r.reinitialised.length > 0)
    lines.push(`weights: class head re-initialised (another number of classes): ${keyList(r.reinitialised)}`);
  const missing = r.missing.filter((k) => !r.reinitialised.includes(k));
  if (missing.length > 0) lines.push(`weights: missing (initial values kept): ${keyList(missing)}`);
  if (r.unexpected.length > 0) lines.push(`weights: unexpected (not loaded): ${keyList(r.unexpected)}`);
  const classLine = weightsClassLine(r);
  if (classLine !== undefined) lines.push(classLine);
  return lines;
}

/**
 * What the loaded class head means, when it was loaded (not re-initialised) from a detector: a file
 * without class names is read in the run's class order, which is stated; an od model with other class
 * names is named. `undefined` when the file's names equal the run's or no class head was loaded.
 */
export function weightsClassLine(r: WeightsReport): string | undefined {
  if (r.kind !== "detector" || r.reinitialised.length > 0) return undefined;
  const run = r.classNames.join(", ");
  if (r.fileClassNames === null)
    return `weights: the file holds no class names; its class outputs are read in this run's order: ${run} (data.classNames sets it; it must be the order the weights were trained with)`;
  if (sameSequence(r.fileClassNames, r.classNames)) return undefined;
  return `weights: the file's classes (${r.fileClassNames.join(", ")}) are not this run's (${run}); its class head is loaded as is, its output k read as this run's class k`;
}

/** The line of a setting a resumed run changes: `overriding train.epochs: 2 → 5`. */
export function overrideLine(o: ConfigOverride): string {
  return `overriding ${o.key}: ${valueText(o.from)} → ${valueText(o.to)}`;
}

/**
 * Renders `train()` events: a progress bar per epoch (fed by `step` events) and one line per epoch and
 * evaluation, each with the run's expected last epoch and ETA ({@link epochLabel}); with `json`, one
 * JSON object per event on stdout.
 */
export function eventPrinter(io: CliIo, json: boolean): { onEvent: (e: TrainEvent) => void; bar: Progress } {
  const bar = progressBar(io, json);
  let start: EventOf<"start"> | undefined;
  let barEpoch: number | undefined;
  const plan = (epochsDone: number, elapsedSeconds: number): ProgressEstimate | undefined =>
    start === undefined
      ? undefined
      : estimateProgress({
          epochs: start.epochs,
          timeLimitSeconds: start.timeLimitSeconds,
          startEpoch: start.startEpoch,
          startSeconds: start.elapsedSeconds,
          epochsDone,
          elapsedSeconds,
        });
  const onEvent = (e: TrainEvent) => {
    if (json) {
      out(io, toJson(e, 0));
      return;
    }
    switch (e.type) {
      case "start":
        start = e;
        note(
          io,
          `${e.trainImages} training / ${e.valImages} validation images, ${e.parameters} parameters, ${e.priors} priors, ${e.stepsPerEpoch} steps per epoch${e.startEpoch > 0 ? `, resuming after epoch ${e.startEpoch}` : ""}`,
        );
        note(io, `backend ${e.backend} (${e.reason})`);
        if (e.timeLimitSeconds > 0)
          note(
            io,
            `time limit ${duration(e.timeLimitSeconds)} of training${e.elapsedSeconds > 0 ? ` (${duration(e.elapsedSeconds)} spent before this resume)` : ""}, at most ${e.epochs} epochs`,
          );
        break;
      case "resume":
        for (const o of e.overrides) note(io, overrideLine(o));
        break;
      case "weights":
        for (const line of weightsLines(e.report)) note(io, line);
        break;
      case "step": {
        const epoch = e.epoch + 1;
        const steps = start?.stepsPerEpoch ?? 1;
        const p = plan(e.epoch + (e.batch + 1) / steps, e.elapsedSeconds);
        if (epoch !== barEpoch) {
          bar.start(steps, epochLabel(epoch, p));
          barEpoch = epoch;
        }
        bar.update(
          e.batch + 1,
          [`loss ${fmt(e.loss)} lr ${fmt(e.lr)} ${e.imagesPerSecond.toFixed(1)} img/s`, ...etaText(p)].join(
            "  ",
          ),
        );
        break;
      }
      case "epoch":
        bar.stop();
        barEpoch = undefined;
        out(io, epochLine(e, plan(e.epoch + 1, e.elapsedSeconds)));
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

/**
 * The one-line reason of a refused run folder (TrainError `RUN_EXISTS`):
 * `runs/x is not empty (a run from 2025-01-02 10:11:12 UTC); use --resume …`.
 * @param shown the folder as the user named it.
 */
export function runExistsMessage(shown: string, details: Readonly<Record<string, unknown>>): string {
  const started = typeof details.startedAt === "string" ? details.startedAt : undefined;
  const n = typeof details.entries === "number" ? details.entries : undefined;
  const what =
    started !== undefined
      ? `a run from ${started.slice(0, 19).replace("T", " ")} UTC`
      : `${n ?? "some"} ${n === 1 ? "entry" : "entries"}, not a run folder`;
  return `${shown} is not empty (${what}); use --resume to continue it or --exist-ok to train into it anyway`;
}

/**
 * Where the run goes: `--out`; without it, a new run takes the first free `runs/train`, `runs/train2`,
 * … and `--resume` the newest of them (both relative to the working directory).
 */
async function runDirOf(
  io: CliIo,
  node: TrainNode,
  o: TrainOptions,
): Promise<{ dir: string; shown: string; picked: boolean }> {
  if (o.out !== undefined) return { dir: resolvePath(io, o.out), shown: o.out, picked: false };
  const parent = resolvePath(io, RUNS_DIR);
  const dir = o.resume ? await node.latestRunDir(parent) : await node.nextRunDir(parent);
  if (dir === undefined)
    throw bad(
      `no run to resume: no ${RUNS_DIR}/${DEFAULT_RUN_NAME}*/checkpoints/last.json in ${io.cwd ?? process.cwd()}; pass --out <run folder>`,
    );
  return { dir, shown: path.relative(io.cwd ?? process.cwd(), dir), picked: true };
}

/** `odet train`. */
export async function trainCommand(io: CliIo, o: TrainOptions): Promise<void> {
  if (o.printConfig) {
    const config = await trainConfigOf(io, o, true);
    if (o.json) out(io, toJson(config));
    else io.stdout.write(toYaml(config));
    return;
  }
  // A resumed run keeps its saved settings: only what is given here changes them.
  const input = o.resume ? await trainInputOf(io, o) : await trainConfigOf(io, o);
  const root = (input as { data?: { root?: unknown } }).data?.root;
  // A missing dataset is the most common mistake: say so before anything else is printed.
  if (typeof root === "string" && (await kindOf(root)) === "missing")
    throw bad(`dataset ${root} does not exist`);
  const node = await trainNodeOf(io);
  const run = await runDirOf(io, node, o);
  const { onEvent, bar } = eventPrinter(io, o.json === true);
  if (!o.json)
    note(
      io,
      run.picked && o.resume
        ? `resuming the most recent run, ${run.shown}`
        : `${o.resume ? "resuming" : "training"} into ${run.picked ? run.shown : run.dir}`,
    );
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
    const result = await node.train(input, {
      out: run.dir,
      resume: o.resume === true,
      existOk: o.existOk === true,
      onEvent,
      signal: stop.signal,
    });
    bar.stop();
    if (o.json) out(io, toJson({ type: "result", out: run.dir, result }, 0));
    else {
      if (result.best !== null)
        out(io, `best: mAP@0.5 (VOC) ${result.best.vocMap.toFixed(3)} at epoch ${result.bestEpoch}`);
      out(io, `run folder: ${run.dir}`);
    }
    const late = stop.received();
    if (late !== undefined)
      throw new CliExit(SIGNAL_EXIT[late], `interrupted after the run had finished; run folder: ${run.dir}`);
  } catch (e) {
    if (e instanceof CliExit) throw e;
    const by = stop.received();
    if (by !== undefined && isOdError(e, "INTERRUPTED")) {
      bar.stop();
      const at = (e as { details?: { checkpoint?: unknown } }).details?.checkpoint;
      throw new CliExit(
        SIGNAL_EXIT[by],
        typeof at === "string"
          ? `interrupted: checkpoint written to ${at}; resume with ${CLI_NAME} train --out ${run.shown} --resume`
          : "interrupted before the first checkpoint was written",
      );
    }
    throw runError(e, run);
  } finally {
    stop.dispose();
    bar.stop();
  }
}

/** What a failed run reports: a refused folder in the CLI's words, else as {@link asCliError}. */
export function runError(e: unknown, run: { readonly dir: string; readonly shown: string }): unknown {
  if (isOdError(e, "RUN_EXISTS")) return bad(runExistsMessage(run.shown, e.details ?? {}));
  return asCliError(e, run.dir);
}
