/**
 * SSD speed next to torchvision's ssdlite320_mobilenet_v3_large on the same machine, in one run.
 * Prints one JSON object per line: training images/s (batch 8, 320×320, forward + MultiBox loss +
 * backward + AdamW step) and inference images/s (batch 1, predict on a 640×480 image: letterbox,
 * forward, decode, NMS), on wasm (single thread and data-parallel over the cores) and cpu.
 *
 * Usage: npx tsx bench/run.ts [--quick] [--no-torchvision]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { syntheticShapes } from "@od/data";
import { defaultSsdConfig, SsdDetector } from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import { BatchBuilder, Optimizer, resolveTrainConfig, trainableNames, trainStep } from "@od/train";
import { DataParallel } from "@od/train/node";

const quick = process.argv.includes("--quick");
const steps = quick ? 2 : 4;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

async function bench(backend: "wasm" | "cpu", alpha: number, workers: number): Promise<void> {
  await initBackend({ prefer: [backend] });
  const backbone = { kind: "mobilenet" as const, widthMultiplier: alpha, taps: [8, 16, 32] };
  const config = resolveTrainConfig({
    data: { root: "." },
    model: { backbone },
    augment: { preset: "none" },
    train: { backends: [backend] },
  });
  const det = new SsdDetector(
    defaultSsdConfig({ classNames: ["a", "b", "c"], backbone, inputSize: config.model.inputSize }),
  );
  const names = trainableNames(det);
  const vars = det.trainableVariables();
  const opt = new Optimizer(
    { kind: "adamw" },
    names.map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
  );
  const { dataset, images } = syntheticShapes({ count: 8, size: 320, seed: 1 });
  const batch = await new BatchBuilder(config, det.priors, async (r) => images.get(r.file)!).build(
    dataset.images,
    0,
    0,
  );
  const dp = workers > 0 ? await DataParallel.start(det, config, workers) : undefined;
  const times: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = performance.now();
    if (dp) await dp.step(opt, batch, 1e-3);
    else trainStep(det, opt, batch, config, 1e-3);
    if (i > 0) times.push(performance.now() - t);
  }
  await dp?.dispose();
  const ms = median(times);
  console.log(
    JSON.stringify({
      bench: "train step batch 8 320x320",
      impl: `od mobilenet α=${alpha}`,
      backend,
      workers,
      params: det.countParameters(),
      ms_median: ms,
      images_per_s: 8000 / ms,
    }),
  );
  const img = tf.randomUniform([480, 640, 3], 0, 255, "float32", 2) as tf.Tensor3D;
  await det.predict([img]);
  const inf: number[] = [];
  for (let i = 0; i < (quick ? 3 : 10); i++) {
    const t = performance.now();
    await det.predict([img]);
    inf.push(performance.now() - t);
  }
  const im = median(inf);
  console.log(
    JSON.stringify({
      bench: "inference batch 1 (640x480 → 320x320)",
      impl: `od mobilenet α=${alpha}`,
      backend,
      ms_median: im,
      images_per_s: 1000 / im,
    }),
  );
  img.dispose();
  opt.dispose();
  det.dispose();
}

const cores = availableParallelism();
const alphaArg = process.argv.indexOf("--alpha");
const alphas = alphaArg > 0 ? [Number(process.argv[alphaArg + 1])] : [0.5, 1.0];
for (const alpha of alphas) {
  await bench("wasm", alpha, 0);
  await bench("wasm", alpha, cores - 1);
}
if (!quick) await bench("cpu", 0.5, 0);
const py = "/usr/bin/python3";
const script = fileURLToPath(new URL("./torchvision_ssdlite.py", import.meta.url));
if (process.argv.includes("--no-torchvision") || !existsSync(py)) {
  console.log(
    JSON.stringify({ bench: "torchvision", skipped: true, reason: "python3 with torchvision not available" }),
  );
} else {
  try {
    process.stdout.write(
      execFileSync(py, [script, String(cores), String(steps), quick ? "3" : "10"], { encoding: "utf8" }),
    );
  } catch (e) {
    console.log(
      JSON.stringify({ bench: "torchvision", skipped: true, reason: (e as Error).message.split("\n")[0] }),
    );
  }
}
