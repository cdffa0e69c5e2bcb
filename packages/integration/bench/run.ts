/**
 * SSD speed next to torchvision's ssdlite320_mobilenet_v3_large on the same machine, in one run.
 * Prints one JSON object per line: training images/s (batch 8, 320×320, forward + MultiBox loss +
 * backward + AdamW step) and inference images/s (batch 1, predict on a 640×480 image: letterbox,
 * forward, decode, NMS), on wasm (one thread; data-parallel replicas over the cores; one XNNPACK
 * thread per core) and cpu. Each configuration runs in its own process.
 *
 * Each od row names the model (width α, tapped strides) with its parameters and multiply-adds
 * (GMACs, one 320×320 forward), counted like the torchvision script counts its own.
 *
 * With `--ssdlite` the od model is torchvision's own architecture (`ssdlite320MobilenetV3Large`, 4
 * classes, reduced tail: the model the torchvision script builds), so both rows time the same network.
 *
 * `--threads N` gives each side N threads (default: every core): torchvision `torch.set_num_threads(N)`,
 * od N wasm threads for inference and one training thread plus N − 1 data-parallel replicas. The
 * same-architecture comparison at two threads each is `npx tsx bench/run.ts --ssdlite --threads 2`.
 *
 * Usage: npx tsx bench/run.ts [--quick] [--no-torchvision] [--no-cpu] [--threads N] [--alpha A [--taps 8,16,32] | --ssdlite]
 * (`--no-cpu` leaves out the cpu-backend row, the slowest.)
 */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticShapes } from "@od/data";
import { uint8Image } from "@od/image";
import { defaultSsdConfig, SsdDetector, ssdlite320MobilenetV3Large } from "@od/ssd";
import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import { exportStateDict, writeSafetensors } from "@od/torch";
import {
  collate,
  Optimizer,
  resolveTrainConfig,
  type TrainingBatch,
  trainableNames,
  trainingPipeline,
  trainStep,
} from "@od/train";
import { DataParallel } from "@od/train/node";

const quick = process.argv.includes("--quick");
const steps = quick ? 2 : 12;
/**
 * Untimed calls before the timed ones, the same on both sides: od's inference takes 20–50 calls to
 * reach its steady pace here (not V8's wasm tiering: the same with --no-wasm-dynamic-tiering), and
 * both sides' training a few steps.
 */
const trainWarmup = quick ? 1 : 4;
const inferRuns = quick ? 3 : 30;
const inferWarmup = quick ? 1 : 50;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] as number;

/**
 * Multiply-adds of one forward pass at batch 1 (every conv, depthwise conv and matMul), counted from
 * the kernels' shapes, the same way the torchvision script counts them with forward hooks.
 */
async function countGmacs(det: SsdDetector): Promise<number> {
  const { width, height } = det.config.inputSize;
  const x = tf.zeros([1, height, width, 3]) as tf.Tensor4D;
  const prof = await tf.profile(() => {
    const o = det.forward(x, false, { foldBatchNorm: false });
    return [o.loc, o.logits];
  });
  x.dispose();
  let macs = 0;
  for (const k of prof.kernels) {
    const [a, b] = k.inputShapes as number[][];
    const out = (k.outputShapes as number[][])[0] ?? [];
    const n = out.reduce((p, q) => p * q, 1);
    if (k.name === "Conv2D" || k.name === "FusedConv2D")
      macs += n * (b?.[0] ?? 0) * (b?.[1] ?? 0) * (b?.[2] ?? 0);
    else if (k.name === "DepthwiseConv2dNative" || k.name === "FusedDepthwiseConv2D")
      macs += n * (b?.[0] ?? 0) * (b?.[1] ?? 0);
    else if (k.name === "BatchMatMul" || k.name === "_FusedMatMul") macs += n * (a?.[a.length - 1] ?? 0);
  }
  return macs / 1e9;
}

/** One measured configuration, run in its own process (the wasm thread count is fixed per process). */
interface Case {
  readonly backend: "wasm" | "cpu";
  readonly alpha: number;
  readonly taps: number[];
  /** XNNPACK threads of this process's wasm backend. */
  readonly threads: number;
  /** Data-parallel worker threads for training (0: train in this thread only). */
  readonly workers: number;
  /** Also time inference (batch 1). */
  readonly infer: boolean;
  /** Time torchvision's architecture (`ssdlite320MobilenetV3Large`) instead of the α / taps model. */
  readonly ssdlite?: boolean;
}

/**
 * Where the SSDlite inference case leaves od's weights (torchvision's keys): torchvision's inference row
 * loads them, so both sides predict with identical weights (how many boxes reach NMS depends on them).
 */
const SSDLITE_WEIGHTS = path.join(tmpdir(), `od-bench-ssdlite-${process.ppid}.safetensors`);

async function bench(c: Case): Promise<void> {
  const info = await initBackend({ prefer: [c.backend], threads: c.threads });
  const { alpha, taps, workers, backend } = c;
  const backbone = { kind: "mobilenet" as const, widthMultiplier: alpha, taps };
  const config = resolveTrainConfig({
    data: { root: "." },
    model: { backbone, ...(c.ssdlite ? { inputFit: "resize" as const } : {}) },
    augment: { preset: "none" },
    train: { backends: [backend] },
  });
  const det = c.ssdlite
    ? ssdlite320MobilenetV3Large({ numClasses: 4, reducedTail: true })
    : new SsdDetector(
        defaultSsdConfig({ classNames: ["a", "b", "c"], backbone, inputSize: config.model.inputSize }),
      );
  const impl = c.ssdlite
    ? "od ssdlite320_mobilenet_v3_large (reduced tail)"
    : `od mobilenet α=${alpha} taps ${taps.join("/")}`;
  const names = trainableNames(det);
  const vars = det.trainableVariables();
  const opt = new Optimizer(
    { kind: "adamw" },
    names.map((name, i) => ({ name, variable: vars[i] as tf.Variable })),
  );
  const { dataset, images } = syntheticShapes({ count: 8, size: 320, seed: 1 });
  const load = async (r: { readonly file: string }) => images.get(r.file)!;
  let batch: TrainingBatch | undefined;
  for await (const b of trainingPipeline(config, dataset, det, load).epoch(0)) batch = collate(b);
  if (batch === undefined) throw new Error("no training batch");
  const dp = workers > 0 ? await DataParallel.start(det, config, workers) : undefined;
  const times: number[] = [];
  for (let i = 0; i < trainWarmup + steps; i++) {
    const t = performance.now();
    if (dp) await dp.step(opt, batch, 1e-3);
    else trainStep(det, opt, batch, config, 1e-3);
    if (i >= trainWarmup) times.push(performance.now() - t);
  }
  await dp?.dispose();
  const ms = median(times);
  console.log(
    JSON.stringify({
      bench: "train step batch 8 320x320",
      impl,
      backend,
      backendInfo: info.reason,
      threads: c.threads,
      workers,
      params: det.countParameters(),
      ms_median: ms,
      images_per_s: 8000 / ms,
    }),
  );
  if (c.infer) {
    // a decoded 640×480 RGB image (bytes, as decodeImage returns): predict letterboxes it on the CPU
    // with @od/image's resampler, as training does
    const img = uint8Image(
      Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24),
      640,
      480,
    );
    if (c.ssdlite)
      await writeFile(SSDLITE_WEIGHTS, writeSafetensors(exportStateDict(await det.params.snapshot())));
    for (let i = 0; i < inferWarmup; i++) await det.predict([img]);
    const inf: number[] = [];
    for (let i = 0; i < inferRuns; i++) {
      const t = performance.now();
      await det.predict([img]);
      inf.push(performance.now() - t);
    }
    const im = median(inf);
    console.log(
      JSON.stringify({
        bench: "inference batch 1 (640x480 → 320x320)",
        impl,
        backend,
        backendInfo: info.reason,
        threads: c.threads,
        params: det.countParameters(),
        gmacs: await countGmacs(det),
        ms_median: im,
        images_per_s: 1000 / im,
      }),
    );
  }
  opt.dispose();
  det.dispose();
}

const threadsArg = process.argv.indexOf("--threads");
/** The threads each side may use (default: every core): od's wasm threads and replicas, torchvision's torch threads. */
const cores = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : availableParallelism();
if (!(Number.isInteger(cores) && cores >= 1))
  throw new Error(`bench/run.ts: --threads must be a positive integer; got ${process.argv[threadsArg + 1]}`);
const childArg = process.argv.indexOf("--child");
if (childArg > 0) {
  await bench(JSON.parse(process.argv[childArg + 1] ?? "{}") as Case);
  process.exit(0);
}
const alphaArg = process.argv.indexOf("--alpha");
const tapsArg = process.argv.indexOf("--taps");
/** [α, taps]: the default model, an SSDlite-class one (compute close to ssdlite320's) and α = 1. */
const models: [number, number[]][] =
  alphaArg > 0
    ? [
        [
          Number(process.argv[alphaArg + 1]),
          tapsArg > 0 ? (process.argv[tapsArg + 1] ?? "").split(",").map(Number) : [8, 16, 32],
        ],
      ]
    : [
        [0.5, [8, 16, 32]],
        [0.75, [8, 16, 32, 64]],
        [1.0, [8, 16, 32]],
      ];
const self = fileURLToPath(import.meta.url);
function runCase(c: Case): void {
  const args = ["--import", "tsx", self, "--child", JSON.stringify(c), ...(quick ? ["--quick"] : [])];
  const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  for (const line of out.split("\n")) if (line.startsWith("{")) console.log(line);
}
const ssdliteOnly = process.argv.includes("--ssdlite");
if (ssdliteOnly) {
  runCase({ backend: "wasm", alpha: 1, taps: [], threads: 1, workers: 0, infer: true, ssdlite: true });
  runCase({
    backend: "wasm",
    alpha: 1,
    taps: [],
    threads: 1,
    workers: cores - 1,
    infer: false,
    ssdlite: true,
  });
  runCase({ backend: "wasm", alpha: 1, taps: [], threads: cores, workers: 0, infer: true, ssdlite: true });
}
for (const [alpha, taps] of ssdliteOnly ? [] : models) {
  // One wasm thread, trained in one thread; the same with data-parallel replicas over the other cores
  // (one thread each, the trainer's default); inference with one XNNPACK thread per core.
  runCase({ backend: "wasm", alpha, taps, threads: 1, workers: 0, infer: true });
  runCase({ backend: "wasm", alpha, taps, threads: 1, workers: cores - 1, infer: false });
  runCase({ backend: "wasm", alpha, taps, threads: cores, workers: 0, infer: true });
}
if (!quick && !ssdliteOnly && !process.argv.includes("--no-cpu"))
  runCase({ backend: "cpu", alpha: 0.5, taps: [8, 16, 32], threads: 1, workers: 0, infer: true });
/** od's SSDlite weights written by this run's children (their parent is this process). */
const ownWeights = path.join(tmpdir(), `od-bench-ssdlite-${process.pid}.safetensors`);
const py = "/usr/bin/python3";
const script = fileURLToPath(new URL("./torchvision_ssdlite.py", import.meta.url));
if (process.argv.includes("--no-torchvision") || !existsSync(py)) {
  console.log(
    JSON.stringify({ bench: "torchvision", skipped: true, reason: "python3 with torchvision not available" }),
  );
} else {
  try {
    process.stdout.write(
      execFileSync(
        py,
        [
          script,
          String(cores),
          String(steps),
          String(inferRuns),
          String(trainWarmup),
          String(inferWarmup),
          ...(ssdliteOnly && existsSync(ownWeights) ? [ownWeights] : []),
        ],
        { encoding: "utf8" },
      ),
    );
  } catch (e) {
    console.log(
      JSON.stringify({ bench: "torchvision", skipped: true, reason: (e as Error).message.split("\n")[0] }),
    );
  }
}
rmSync(ownWeights, { force: true });
