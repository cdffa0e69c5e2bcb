/**
 * The `odet` program: every command, built on commander with `exitOverride` and `configureOutput`, so
 * it runs in-process (tests, other tools) with captured output and an exit code instead of
 * `process.exit`.
 * @module
 */
import { readFileSync } from "node:fs";
import { isOdError } from "@od/boxes";
import { CONFUSION_CONF_THRESHOLD, CONFUSION_IOU_THRESHOLD } from "@od/metrics";
import { BACKENDS, type BackendName } from "@od/tf";
import { ARCHITECTURES, DEFAULT_RUN_NAME, RUNS_DIR } from "@od/train";
import { Command, CommanderError, Option } from "commander";
import { backendCommand } from "./internal/backend-command.js";
import {
  asCliError,
  classListArg,
  intArg,
  numArg,
  oneLine,
  sizeArg,
  squareOrSizeArg,
} from "./internal/common.js";
import { dataCheck, dataStats } from "./internal/data-commands.js";
import { FORMATS, POLICIES } from "./internal/dataset.js";
import { DEMO_EPOCHS, DEMO_SEED, demoCommand } from "./internal/demo-command.js";
import { EXPORT_FORMATS, exportCommand } from "./internal/export-command.js";
import { evalCommand, predictCommand, RUNTIMES } from "./internal/model-commands.js";
import { PRESETS, priorsAnalyze, priorsFit } from "./internal/priors-commands.js";
import { show } from "./internal/show-command.js";
import { trainCommand } from "./internal/train-command.js";
import { CLI_NAME, CliExit, type CliIo, EXIT } from "./io.js";

const EXIT_HELP = `
Exit codes: 0 success; 1 "${CLI_NAME} data check" found issues its policy (error) rejects;
2 bad input (usage, missing folder, unknown format, corrupt data or image, invalid config) or a
file-system fault (permission, read-only, disk full, a file where a folder is expected),
printed as one line "${CLI_NAME} <command>: <reason>"; 3 internal error (a bug).`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Routes a command's output to `io`, turns commander's exits into exceptions, one-line errors. */
function configure(cmd: Command, io: CliIo, name: string): Command {
  return cmd.exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    getOutHelpWidth: () => io.stdout.columns ?? 100,
    getErrHelpWidth: () => io.stderr.columns ?? 100,
    outputError: (s, write) =>
      write(`${prefix(name)}: ${oneLine(s.replace(/^error: /, ""))} (see "${prefix(name)} --help")\n`),
  });
}

/** `odet` or `odet <command>`: how a line of output names the command. */
function prefix(name: string): string {
  return name ? `${CLI_NAME} ${name}` : CLI_NAME;
}

/** The "Examples:" help section; each line is a command line after the program name. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${CLI_NAME} ${l}`).join("\n")}\n`;
}

/**
 * Wraps an action: od errors, file-system faults and `CliExit` messages become one line
 * `odet <name>: <reason>` on stderr (exit 2, or the `CliExit` code); anything else is a bug (exit 3).
 */
function act<A extends unknown[]>(io: CliIo, name: string, f: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await f(...args);
    } catch (caught) {
      const e = asCliError(caught);
      if (e instanceof CliExit) {
        if (e.message) io.stderr.write(`${prefix(name)}: ${oneLine(e.message)}\n`);
        throw new CliExit(e.exitCode);
      }
      if (isOdError(e)) {
        io.stderr.write(`${prefix(name)}: ${oneLine(e.message)}\n`);
        throw new CliExit(EXIT.badInput);
      }
      const msg = e instanceof Error ? e.message : String(e);
      io.stderr.write(`${prefix(name)}: internal error: ${oneLine(msg)}\n`);
      throw new CliExit(EXIT.internal);
    }
  };
}

const formatOption = () =>
  new Option("--format <format>", "dataset format (detected from the folder when omitted)").choices(FORMATS);
const splitOption = () =>
  new Option(
    "--split <name>",
    "split: VOC ImageSets/Main/<name>.txt, YOLO images/<name>, COCO instances_<name>.json",
  );
const policyOption = (def: string) =>
  new Option("--policy <policy>", "invalid boxes / images: error | drop | clip")
    .choices(POLICIES)
    .default(def);
const backendOption = () => new Option("--backend <name>", "tfjs backend").choices(BACKENDS);
const jsonOption = () => new Option("--json", "machine-readable JSON on stdout");

/**
 * Builds the `odet` program. Run it with `parseAsync(argv, { from: "user" })`, or use {@link runCli}
 * to get the exit code. Nothing calls `process.exit`.
 * @param io where output goes and relative paths resolve.
 */
export function createProgram(io: CliIo): Command {
  const program = configure(new Command(CLI_NAME), io, "")
    .description("Build, check and train SSD object detectors in TypeScript.")
    .version(version(), "-V, --version")
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `${examples(
        "demo",
        "data check ./bccd",
        "priors analyze --data ./bccd --out coverage.html",
        "train --data ./bccd --out runs/bccd --epochs 30",
        "eval --model runs/bccd --data ./bccd --split test",
      )}${EXIT_HELP}\n`,
    );
  const sub = (parent: Command, name: string, path: string) => configure(parent.command(name), io, path);

  // --- data -----------------------------------------------------------------------------------
  const data = sub(program, "data", "data").description("check datasets and compute their statistics");
  sub(data, "check", "data check")
    .description(
      "validate a dataset: every affected box or image (file, where, value, reason, action) and a summary",
    )
    .argument("<dir>", "dataset folder (VOC, YOLO) or COCO annotation file / folder")
    .addOption(formatOption())
    .addOption(splitOption())
    .addOption(
      new Option(
        "--policy <policy>",
        "error: any issue fails the check (exit 1), all are listed; drop / clip: report what the loader would do (exit 0)",
      )
        .choices(POLICIES)
        .default("error"),
    )
    .option(
      "--classes <names>",
      "the expected class names, comma-separated; other names are unknown-class issues",
      classListArg,
    )
    .option(
      "--headers-only",
      "read image headers only (faster; truncated or corrupt image data goes unnoticed)",
    )
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `${examples("data check ./bccd", "data check ./bccd --split trainval --policy clip", "data check ./bccd --classes RBC,WBC,Platelets", "data check ./coco/instances_val.json --json")}
Every image is decoded (files are read only if they are regular files within the size limits).
Near-duplicate class names (case, spacing, Unicode form, one edit apart) are listed.
Exit: 0 when the dataset loads under the policy (issues handled by drop/clip are listed),
1 when --policy error and issues or near-duplicate class names exist (all listed),
2 when it cannot be loaded at all (malformed file, empty dataset, no image left).\n`,
    )
    .action(act(io, "data check", (dir: string, o) => dataCheck(io, dir, o)));
  sub(data, "stats", "data stats")
    .description("dataset statistics (classes, sizes, aspect ratios) as JSON, with SVG plots in --out")
    .argument("<dir>", "dataset folder or COCO file")
    .addOption(formatOption())
    .addOption(splitOption())
    .addOption(policyOption("clip"))
    .option("--out <dir>", "write stats.json and one SVG per plot here")
    .addOption(jsonOption())
    .addHelpText("after", examples("data stats ./bccd --out stats/", "data stats ./bccd --split test --json"))
    .action(act(io, "data stats", (dir: string, o) => dataStats(io, dir, o)));

  // --- priors ---------------------------------------------------------------------------------
  const priors = sub(program, "priors", "priors").description("check and fit prior (default) boxes");
  const priorOptions = (c: Command) =>
    c
      .requiredOption("--data <dir>", "dataset folder or COCO file")
      .addOption(formatOption())
      .addOption(
        new Option(
          "--split <name>",
          "train: the images odet train trains on (VOC ImageSets/Main/trainval.txt; COCO/YOLO its seeded 80% split); val: the images it validates on; test: the dataset's test split; all: every image; other names: that split of the dataset",
        ).default("train"),
      )
      .addOption(policyOption("clip"))
      .option(
        "--input <WxH>",
        "network input (default 320x320; presets and configs carry their own)",
        sizeArg,
      )
      .option("--config <file>", `prior config JSON/YAML (e.g. written by ${CLI_NAME} priors fit)`)
      .addOption(
        new Option(
          "--preset <name>",
          `default = ${CLI_NAME} train's model; ssd300, ssdlite320 = torchvision's`,
        ).choices(PRESETS),
      );
  priorOptions(sub(priors, "analyze", "priors analyze"))
    .description("how well the priors cover the ground truth: recall@0.5 overall, by size and class; orphans")
    .option("--out <file>", "write the HTML report (inline SVG plots)")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "priors analyze --data ./bccd --out coverage.html",
        "priors analyze --data ./bccd --preset ssd300 --json",
        "priors analyze --data ./bccd --config priors.json",
        "priors analyze --data ./bccd --split test",
      ),
    )
    .action(act(io, "priors analyze", (o) => priorsAnalyze(io, o)));
  priorOptions(sub(priors, "fit", "priors fit"))
    .description("fit prior shapes to the dataset under a budget; prints coverage before and after")
    .requiredOption("--budget <N>", "at most N priors in total", intArg(1))
    .option("--seed <n>", "seed of the search", intArg(0), 0)
    .option("--iterations <n>", "local-search mutations (default 400)", intArg(0))
    .option("--out <file>", "write the fitted prior config (JSON)")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "priors fit --data ./bccd --budget 3000 --out priors.json",
        "priors fit --data ./bccd --budget 2000 --input 256x256 --json",
      ),
    )
    .action(act(io, "priors fit", (o) => priorsFit(io, o)));

  // --- show -----------------------------------------------------------------------------------
  sub(program, "show", "show")
    .description("draw n augmented versions of one sample into a grid PNG")
    .requiredOption("--data <dir>", "dataset folder or COCO file")
    .addOption(formatOption())
    .addOption(splitOption())
    .addOption(policyOption("clip"))
    .option("--augment <preset|file>", "ssd | light | none | a training config (.json/.yaml)", "ssd")
    .option("--input <WxH>", "network input the pipeline letterboxes to (default 320x320)", sizeArg)
    .option("--index <i>", "which image of the dataset", intArg(0), 0)
    .option("--n <n>", "number of versions", intArg(1), 16)
    .option("--seed <n>", "seed", intArg(0), 0)
    .option("--out <file>", "PNG to write", "grid.png")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples(
        "show --data ./bccd --out grid.png",
        "show --data ./bccd --augment light --index 3 --n 9 --seed 1",
      ),
    )
    .action(act(io, "show", (o) => show(io, o)));

  // --- train ----------------------------------------------------------------------------------
  sub(program, "train", "train")
    .description("train an SSD detector into a run folder (config file + flags, validated)")
    .option("--data <dir>", "dataset folder or COCO file (overrides data.root)")
    .addOption(formatOption())
    .option(
      "--out <dir>",
      `run folder (default: the first free ${RUNS_DIR}/${DEFAULT_RUN_NAME}, ${RUNS_DIR}/${DEFAULT_RUN_NAME}2, …; with --resume the newest of them)`,
    )
    .option("--config <file>", "training config (.json, .yaml); flags override its values")
    .option(
      "--resume",
      "continue the run in --out from its last checkpoint, with its saved settings (flags given change them)",
    )
    .option(
      "--exist-ok",
      "start a new run in a folder that is not empty: the earlier run's files there are deleted first",
    )
    .option("--epochs <n>", "train.epochs", intArg(1))
    .option("--batch-size <n>", "train.batchSize", intArg(1))
    .option("--time-limit <seconds>", "train.timeLimitSeconds (0 = none)", numArg(0, Number.MAX_SAFE_INTEGER))
    .option("--priors <file>", `model.priors: a prior config JSON (as ${CLI_NAME} priors fit --out writes)`)
    .addOption(new Option("--model <architecture>", "model.architecture").choices(ARCHITECTURES))
    .option(
      "--weights <file>",
      "model.weights: initial weights (.pth, .safetensors, or an od model folder / model.json)",
    )
    .option(
      "--freeze-backbone-epochs <n>",
      "train.freezeBackboneEpochs: epochs the backbone is frozen at the start",
      intArg(0),
    )
    .option(
      "--backbone-lr-scale <x>",
      "train.backboneLrScale: the backbone's learning rate as a multiple of lr (0 = no updates)",
      numArg(0, 1000),
    )
    .addOption(backendOption())
    .option("--print-config", "print the resolved config (defaults filled in) and exit")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `${examples(
        "train --data ./bccd --out runs/bccd",
        "train --config bccd.yaml --out runs/bccd --epochs 50 --backend wasm",
        "train --data ./bccd --priors priors.json --time-limit 1800",
        "train --data ./bccd --model ssdlite320_mobilenet_v3_large --weights ssdlite.pth --freeze-backbone-epochs 2",
        "train --out runs/bccd --resume",
        "train --out runs/bccd --resume --epochs 50",
        "train --print-config > train.yaml",
      )}
Run folders: a new run needs an empty or new --out; a folder holding files is refused (exit 2) unless
--resume (continue it) or --exist-ok (train into it: its checkpoints/, best/, model/, predictions/,
log.jsonl, eval and summary files and the rest of the earlier run are deleted first; other files stay).
Without --out runs go to ${RUNS_DIR}/${DEFAULT_RUN_NAME}, ${RUNS_DIR}/${DEFAULT_RUN_NAME}2, … in the current folder.
Resume: the run's own config.json is used (epochs, time limit and every other setting); flags given
with --resume change those settings and are listed ("overriding train.epochs: 2 → 5"); the model
cannot change. Training time already spent counts against the time limit.
Priors: --priors <file> or model.priors: "priors.json" in the config (relative to the config file);
the run's config.json records the path and the prior config read from it.
Models: --model ssd (default: od's SSD, priors fitted to the training boxes) or
ssdlite320_mobilenet_v3_large (torchvision's: 320x320 input resized without keeping the aspect ratio,
its own priors and post-processing; model.backbone.widthMultiplier / reducedTail in the config).
Fine-tuning: --weights loads a torchvision state dict (.pth, .safetensors) of the same model, or an
ImageNet mobilenet_v3_large classifier into the backbone alone, or an od model; with another number of
classes the class head starts afresh (seeded) and the rest is loaded. What was loaded, re-initialised or
left out is printed and saved as weights.json in the run folder; weights of another network are refused
(exit 2). --freeze-backbone-epochs N trains the heads alone for the first N epochs (backbone weights
and batch-norm statistics unchanged); --backbone-lr-scale X trains the backbone at X times the rate.
Progress: under a time limit the epoch total is the epoch the limit is expected to end the run in at
the measured pace ("epoch 23/~68 (time limit)"); every epoch line ends with an ETA.\n`,
    )
    .action(act(io, "train", (o) => trainCommand(io, o)));

  // --- eval -----------------------------------------------------------------------------------
  sub(program, "eval", "eval")
    .description(
      "evaluate a trained model: per-class AP, VOC and COCO numbers, a confusion matrix, PR curves",
    )
    .requiredOption("--model <dir>", "run folder (or a saved detector folder)")
    .requiredOption("--data <dir>", "dataset folder or COCO file")
    .addOption(formatOption())
    .addOption(splitOption().default("test"))
    .addOption(policyOption("clip"))
    .option("--score <t>", "score threshold of the detections", numArg(0, 0.999), 0.01)
    .option(
      "--samples <n>",
      "with --out: images per class drawn with ground truth and predictions side by side (samples/)",
      intArg(0),
      2,
    )
    .addOption(backendOption())
    .option("--out <dir>", "write metrics.json, confusion.json, pr-voc.svg, pr-coco.svg, samples/")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `${examples(
        "eval --model runs/bccd --data ./bccd",
        "eval --model runs/bccd --data ./bccd --split val --out runs/bccd/eval --json",
      )}
Confusion matrix (Ultralytics' rules): detections with score > ${CONFUSION_CONF_THRESHOLD} matched to ground truth at
IoU > ${CONFUSION_IOU_THRESHOLD} whatever their classes; rows = predicted class, columns = true class; the background
row counts missed objects, the background column false detections.\n`,
    )
    .action(act(io, "eval", (o) => evalCommand(io, o)));

  // --- predict --------------------------------------------------------------------------------
  sub(program, "predict", "predict")
    .description("detect objects in images: annotated PNGs and detections.json (COCO results format)")
    .argument(
      "<images...>",
      "JPEG or PNG files, folders of them, or glob patterns (quoted: 'photos/**/*.jpg')",
    )
    .requiredOption("--model <dir>", "run folder (or a saved detector folder)")
    .requiredOption("--out <dir>", "output folder")
    .option("--conf, --score <t>", "confidence (score) threshold", numArg(0, 0.999), 0.3)
    .option("--iou <t>", "class-wise NMS IoU threshold (default: the model's)", numArg(0, 1))
    .option("--max-det <n>", "at most n detections per image (default: the model's)", intArg(1))
    .option(
      "--imgsz <size>",
      "network input N or WxH instead of the model's (same weights, priors laid out for that size)",
      squareOrSizeArg,
    )
    .option("--recursive", "also read images in sub-folders of folder arguments")
    .option("--save-json <file>", "also write the COCO results (detections.json) to this file")
    .addOption(
      new Option(
        "--runtime <name>",
        "tfjs (od's own forward pass) or onnx (ONNX Runtime via onnxruntime-node; --model may also be a .onnx file from odet export)",
      )
        .choices(RUNTIMES)
        .default("tfjs"),
    )
    .addOption(backendOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `${examples(
        "predict --model runs/bccd --out preds/ photos/",
        "predict --model runs/bccd --out preds/ 'photos/**/*.jpg' --conf 0.5 --iou 0.5 --max-det 50",
        "predict --model runs/bccd --out preds/ a.png --imgsz 416 --save-json results.json",
        "predict --model model.onnx --runtime onnx --out preds/ photos/",
      )}
Each image is drawn with its boxes, class names and scores as <out>/<name>.png.
detections.json: [{ image_id, category_id, bbox: [x, y, w, h] px of the image, score }], the list that
pycocotools' COCO.loadRes reads. image_id = 1-based position of the image in the expanded input list
(arguments in the order given; a folder's or a pattern's images sorted by path); category_id = 1-based
class of the model (the order of its class names; --json and the last output line list both).\n`,
    )
    .action(act(io, "predict", (images: string[], o) => predictCommand(io, images, o)));

  // --- export ---------------------------------------------------------------------------------
  sub(program, "export", "export")
    .description("export a trained detector for other runtimes (ONNX: onnxruntime, TensorRT, OpenVINO, ...)")
    .requiredOption("--model <dir>", "run folder (or a saved detector folder)")
    .addOption(new Option("--format <format>", "export format").choices(EXPORT_FORMATS).default("onnx"))
    .requiredOption("--out <file>", "file to write (replaced whole, or left as it was on failure)")
    .addOption(backendOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `${examples("export --model runs/bccd --format onnx --out bccd.onnx", "predict --model bccd.onnx --runtime onnx --out preds/ photos/")}
The ONNX graph (opset 17): input "input" [N, 3, H, W] float32 NCHW RGB, normalised to [-1, 1]
(letterboxed or resized to the model's input size); outputs "loc" [N, P, 4] (box deltas against the
priors) and "logits" [N, P, C] (class 0 background). Batch norm is folded into the convolutions; the
model's config, priors, class names and normalisation are in its metadata_props (od.*).\n`,
    )
    .action(act(io, "export", (o) => exportCommand(io, o)));

  // --- demo -----------------------------------------------------------------------------------
  sub(program, "demo", "demo")
    .description(
      "train, evaluate and predict on the BCCD slice shipped with @od/cli (a few minutes on 2 CPU cores)",
    )
    .option("--out <dir>", "run folder (default: the first free runs/demo, runs/demo2, …)")
    .option("--exist-ok", "train into a --out that is not empty (the earlier run's files are deleted first)")
    .option("--epochs <n>", `epochs to train (default ${DEMO_EPOCHS})`, intArg(1))
    .addOption(backendOption())
    .addHelpText(
      "after",
      `${examples("demo", "demo --out runs/demo-quick --epochs 5")}
Trains a fixed number of epochs from a fixed seed (${DEMO_SEED}), so the same backend prints the same mAP on any
machine; a faster machine just finishes sooner. The last line is "mAP@0.5 (VOC): 0.xxx" on the slice's
20 test images.\n`,
    )
    .action(act(io, "demo", (o) => demoCommand(io, o)));

  // --- backend --------------------------------------------------------------------------------
  sub(program, "backend", "backend")
    .description("which tfjs backend is active and why (tfjs-node, wasm or cpu)")
    .option(
      "--prefer <list>",
      "backends to try in order, comma-separated (default tensorflow,wasm,cpu)",
      (v: string) => v.split(",").map((s) => s.trim()) as BackendName[],
    )
    .addOption(jsonOption())
    .addHelpText("after", examples("backend", "backend --prefer wasm,cpu --json"))
    .action(act(io, "backend", (o) => backendCommand(io, o)));

  return program;
}

/**
 * Runs `odet` with the given arguments (without `node` and the script) and returns the exit code.
 * Output goes to `io`; nothing calls `process.exit`.
 * @example const code = await runCli(["data", "check", "./bccd", "--json"], { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CliExit) return e.exitCode;
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    io.stderr.write(`${CLI_NAME}: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    return EXIT.internal;
  }
}
