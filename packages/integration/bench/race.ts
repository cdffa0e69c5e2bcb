/**
 * Accuracy for time: od and torchvision train the same model (torchvision's ssdlite320_mobilenet_v3_large
 * for BCCD: 3 classes + background, width 1, reduced tail) from the same initial weights on BCCD's train
 * split for the same wall-clock budget, one after the other on the same cores, and od's metrics judge both
 * on BCCD's test split.
 *
 * 1. `bccd_race_torchvision.py init`: torchvision's random initialisation (seed 0) → `init.pth`.
 * 2. od: `odet train --model ssdlite320_mobilenet_v3_large --weights init.pth --time-limit BUDGET` on the
 *    train split (its validation on the val split), with
 *    its defaults otherwise (AdamW, the `ssd` augmentation preset, cosine fitted to the time limit,
 *    validation every 5 epochs, the best epoch kept); class order RBC, WBC, Platelets as torchvision's.
 * 3. torchvision: `bccd_race_torchvision.py train` (SGD, flip, cosine fitted to the time the same way),
 *    stopped after BUDGET seconds.
 * 4. `odet eval --split test` of od's kept model (`best/`), od's last epoch (`model/`), and torchvision's
 *    final weights (loaded into od with `loadInitialWeights`, strictly, and saved as an od model).
 *
 * Needs /usr/bin/python3 with torch and torchvision, the full BCCD at ../shared/datasets/bccd and built
 * packages (`npm run build`). Prints one JSON line. Run it on an otherwise idle machine:
 *   npx tsx bench/race.ts [--budget 900] [--out /tmp/od-race] [--lr 0.05]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ssdlite320MobilenetV3Large } from "@od/ssd";
import { saveDetector } from "@od/ssd/node";
import { initBackend } from "@od/tf/node";
import { loadInitialWeights } from "@od/train/node";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const budget = Number(arg("budget", "900"));
const out = path.resolve(arg("out", "/tmp/od-race"));
const tvLr = arg("lr", "0.05");
const BCCD = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));
const ODET = fileURLToPath(new URL("../../cli/bin/odet.js", import.meta.url));
const PY_SCRIPT = fileURLToPath(new URL("./bccd_race_torchvision.py", import.meta.url));
const PY = "/usr/bin/python3";
const CLASS_NAMES = ["RBC", "WBC", "Platelets"];
const MODEL = { kind: "mobilenet_v3_large", widthMultiplier: 1, reducedTail: true } as const;

mkdirSync(out, { recursive: true });
const init = path.join(out, "init.pth");
const tvWeights = path.join(out, "torchvision.pth");
const tvModel = path.join(out, "torchvision-model");
const odRun = path.join(out, "od-run");
const configFile = path.join(out, "od-config.json");

/** Runs a command with the output shown on stderr; returns its stdout and wall seconds. */
function run(cmd: string, args: readonly string[]): { stdout: string; seconds: number } {
  const t0 = performance.now();
  console.error(`$ ${[cmd, ...args].join(" ")}`);
  const stdout = execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return { stdout, seconds: (performance.now() - t0) / 1000 };
}

/** The summary of `odet eval --json` of a model folder on BCCD's test split. */
function evaluate(model: string) {
  const { stdout } = run("node", [
    ODET,
    "eval",
    "--model",
    model,
    "--data",
    BCCD,
    "--split",
    "test",
    "--json",
  ]);
  const ev = JSON.parse(stdout) as {
    voc: { mAP: number; classes: { name: string; ap: number }[] };
    coco: { mAP: number };
  };
  return {
    vocMap: ev.voc.mAP,
    perClass: Object.fromEntries(ev.voc.classes.map((c) => [c.name, c.ap])),
    cocoMap: ev.coco.mAP,
  };
}

run(PY, [PY_SCRIPT, "init", init]);

writeFileSync(
  configFile,
  JSON.stringify(
    {
      data: { root: BCCD, trainSplit: "train", valSplit: "val", classNames: CLASS_NAMES },
      model: { backbone: MODEL },
    },
    null,
    2,
  ),
);
const od = run("node", [
  ODET,
  "train",
  "--config",
  configFile,
  "--model",
  "ssdlite320_mobilenet_v3_large",
  "--weights",
  init,
  "--epochs",
  "1000",
  "--time-limit",
  String(budget),
  "--out",
  odRun,
]);

const tv = run(PY, [PY_SCRIPT, "train", init, tvWeights, String(budget), tvLr]);
const tvInfo = JSON.parse(tv.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;

await initBackend({ prefer: ["wasm", "cpu"] });
const det = ssdlite320MobilenetV3Large({
  classNames: CLASS_NAMES,
  widthMultiplier: MODEL.widthMultiplier,
  reducedTail: MODEL.reducedTail,
});
const report = await loadInitialWeights(det, tvWeights);
if (!report.strict) throw new Error(`torchvision's weights did not load strictly: ${report.message}`);
await saveDetector(det, tvModel);
det.dispose();

console.log(
  JSON.stringify({
    bench: "accuracy-for-time",
    budgetSeconds: budget,
    data: "BCCD train split → test split (od's evaluateDetector, odet eval)",
    od: {
      wallSeconds: Math.round(od.seconds),
      kept: evaluate(odRun),
      lastEpoch: evaluate(path.join(odRun, "model")),
    },
    torchvision: { wallSeconds: Math.round(tv.seconds), ...tvInfo, final: evaluate(tvModel) },
  }),
);
