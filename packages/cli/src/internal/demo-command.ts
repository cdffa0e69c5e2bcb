import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendName } from "@od/tf";
import { DEMO_EPOCHS, DEMO_SEED, demoConfig, RUNS_DIR } from "@od/train";
import { CLI_NAME, type CliIo } from "../io.js";
import { bad, kindOf, note, out, resolvePath } from "./common.js";
import { openDataset } from "./dataset.js";
import { loadModel, predictFiles, printEvaluation, runEvaluation } from "./model-commands.js";
import { eventPrinter, runError, trainNodeOf } from "./train-command.js";

export { DEMO_EPOCHS, DEMO_SEED, demoConfig };

/** The BCCD slice shipped with the package (`demo-data/bccd`, MIT, see its README). */
export function demoDataDir(): string {
  return fileURLToPath(new URL("../../demo-data/bccd", import.meta.url));
}

/** Base name of the demo's run folders when `--out` is not given: `runs/demo`, `runs/demo2`, … */
const DEMO_RUN_NAME = "demo";

/** Options of `odet demo`. */
export interface DemoOptions {
  readonly out?: string;
  readonly epochs?: number;
  readonly existOk?: boolean;
  readonly backend?: BackendName;
}

/**
 * `odet demo`: trains a small detector on the shipped BCCD slice ({@link demoConfig}: a fixed number of
 * epochs from a fixed seed), evaluates it on the slice's test split, writes a few annotated
 * predictions, and ends with the line `mAP@0.5 (VOC): 0.xxx`. Without `--out` the run goes to the first
 * free `runs/demo`, `runs/demo2`, …
 */
export async function demoCommand(io: CliIo, o: DemoOptions): Promise<void> {
  const data = demoDataDir();
  if ((await kindOf(data)) !== "dir")
    throw bad(`the demo dataset is missing from this installation (${data})`);
  const config = demoConfig(data, {
    ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
    ...(o.backend === undefined ? {} : { backend: o.backend }),
  });
  const node = await trainNodeOf(io);
  const runDir =
    o.out === undefined
      ? await node.nextRunDir(resolvePath(io, RUNS_DIR), DEMO_RUN_NAME)
      : resolvePath(io, o.out);
  const shown = o.out ?? path.relative(io.cwd ?? process.cwd(), runDir);
  note(
    io,
    `${CLI_NAME} demo: training on ${data} (60 images) for ${config.train.epochs} epochs (seed ${config.train.seed}) into ${shown}`,
  );
  const { onEvent, bar } = eventPrinter(io, false);
  try {
    await node.train(config, { out: runDir, existOk: o.existOk === true, onEvent });
  } catch (e) {
    throw runError(e, { dir: runDir, shown });
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
