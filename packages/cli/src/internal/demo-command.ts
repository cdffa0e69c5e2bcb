import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "@od/tf";
import { resolveTrainConfig } from "@od/train";
import { CLI_NAME, type CliIo } from "../io.js";
import { asCliError, bad, kindOf, note, out, resolvePath } from "./common.js";
import { openDataset } from "./dataset.js";
import { loadModel, predictFiles, printEvaluation, runEvaluation } from "./model-commands.js";
import { eventPrinter, trainNodeOf } from "./train-command.js";

/** The BCCD slice shipped with the package (`demo-data/bccd`, MIT, see its README). */
export function demoDataDir(): string {
  return fileURLToPath(new URL("../../demo-data/bccd", import.meta.url));
}

/** Options of `odet demo`. */
export interface DemoOptions {
  readonly out: string;
  readonly timeLimit: number;
  readonly backend?: BackendName;
}

/**
 * `odet demo`: trains the default detector on the shipped BCCD slice for at most `timeLimit` seconds,
 * evaluates it on the slice's test split, writes a few annotated predictions, and ends with the line
 * `mAP@0.5 (VOC): 0.xxx`.
 */
export async function demoCommand(io: CliIo, o: DemoOptions): Promise<void> {
  const data = demoDataDir();
  if ((await kindOf(data)) !== "dir")
    throw bad(`the demo dataset is missing from this installation (${data})`);
  const runDir = resolvePath(io, o.out);
  const config = resolveTrainConfig({
    data: { root: data, format: "voc", trainSplit: "trainval", valSplit: "test", policy: "clip" },
    model: {
      inputSize: { width: 192, height: 192 },
      backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
    },
    train: {
      epochs: 200,
      batchSize: 8,
      warmupSteps: 20,
      timeLimitSeconds: o.timeLimit,
      ...(o.backend === undefined ? {} : { backends: [o.backend] }),
    },
    eval: { everyEpochs: 1000, samples: 0 },
  });
  const node = await trainNodeOf(io);
  note(io, `${CLI_NAME} demo: training on ${data} (60 images) for at most ${o.timeLimit} s into ${runDir}`);
  const { onEvent, bar } = eventPrinter(io, false, config.train.epochs);
  try {
    await node.train(config, { out: runDir, onEvent });
  } catch (e) {
    throw asCliError(e, runDir);
  } finally {
    bar.stop();
  }
  const detector = await loadModel(io, runDir);
  try {
    const { dataset } = await openDataset(io, data, {
      format: "voc",
      split: "test",
      policy: "clip",
      classNames: detector.classNames,
    });
    const ev = await runEvaluation(io, detector, dataset, false);
    const root = dataset.root ?? data;
    const samples = dataset.images.slice(0, 4).map((r) => path.resolve(root, r.file));
    const predDir = path.join(runDir, "predictions");
    await predictFiles(io, detector, samples, predDir, { score: 0.3, json: false });
    out(io, `annotated predictions of ${samples.length} test images: ${predDir}`);
    out(io);
    printEvaluation(io, ev);
  } finally {
    detector.dispose();
  }
}
