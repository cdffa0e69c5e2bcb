/**
 * Inference speed at batch 1 on a decoded 640×480 image (letterbox, forward, decode, NMS; 2 threads
 * each): od's ONNX Runtime path (`OnnxDetector.predict` with onnxruntime-node) vs od's tfjs-wasm path
 * (`SsdDetector.predict`), and the ONNX path with decode and NMS inside the graph, for the default model, an SSDlite-class model, the largest od model
 * and torchvision's architecture built by od, and
 * torchvision's `ssdlite320_mobilenet_v3_large` in the same run. Each case runs in its own process.
 * One JSON object per line; then the system load (`uptime`), and last the whole speed table as one JSON
 * object (`"bench": "speed table"`: a row per model, images/s per runtime, the load at start and end).
 *
 *   npx tsx bench/run.ts [--runs N] [--no-torchvision]
 */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { uint8Image } from "@od/image";
import { defaultSsdConfig, SsdDetector, ssdlite320MobilenetV3Large } from "@od/ssd";
import { initBackend } from "@od/tf/node";
import { exportStateDict, writeSafetensors } from "@od/torch";
import * as ort from "onnxruntime-node";
import { exportOnnx, OnnxDetector } from "../src/index.js";

const THREADS = 2;
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;

/**
 * [name, α, taps]: the default model, an SSDlite-class one (compute close to ssdlite320's), the largest;
 * α = 0 marks torchvision's own architecture built by od (`ssdlite320MobilenetV3Large`, reduced tail as
 * torchvision builds it without pretrained weights, 3 classes + background, its own post-processing
 * `SSDLITE_POSTPROCESS`: the settings of the torchvision row).
 */
const MODELS: [string, number, number[]][] = [
  ["default: MobileNet α 0.5, taps 8/16/32", 0.5, [8, 16, 32]],
  ["SSDlite-class: MobileNet α 0.75, taps 8/16/32/64", 0.75, [8, 16, 32, 64]],
  ["largest: MobileNet α 1.0, taps 8/16/32", 1.0, [8, 16, 32]],
  ["ssdlite320_mobilenet_v3_large (reduced tail, 4 classes)", 0, []],
];

/** Post-processing settings of every case (od's defaults), for the in-graph variant too. */
const POST = { scoreThreshold: 0.01, iouThreshold: 0.45, topKPerClass: 400, maxDetections: 200 };

interface Case {
  /** onnx: raw outputs, od's post-processing in JS; onnx-nms: decode and NMS inside the graph. */
  readonly runtime: "onnx" | "onnx-nms" | "tfjs-wasm";
  readonly model: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A decoded 640×480 RGB image (bytes, as decodeImage returns them). */
function image() {
  return uint8Image(
    Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24),
    640,
    480,
  );
}

/**
 * Where the SSDlite case of a run (the parent's pid) leaves od's weights with torchvision's keys: the
 * torchvision row loads them, so both predict with identical weights (how many boxes reach NMS, and so
 * the time, depends on the weights).
 */
const ssdliteWeights = (pid: number) => path.join(tmpdir(), `od-onnx-bench-ssdlite-${pid}.safetensors`);

async function bench(c: Case): Promise<void> {
  const [name, alpha, taps] = MODELS[c.model]!;
  const info = await initBackend({ prefer: ["wasm"], threads: c.runtime === "tfjs-wasm" ? THREADS : 1 });
  const ssdlite = alpha === 0;
  const det = ssdlite
    ? ssdlite320MobilenetV3Large({ classNames: ["a", "b", "c"], reducedTail: true, seed: 0 })
    : new SsdDetector(
        defaultSsdConfig({
          classNames: ["a", "b", "c"],
          backbone: { kind: "mobilenet", widthMultiplier: alpha, taps },
        }),
      );
  /** The model's post-processing: SSDlite's own (its config), od's defaults (`POST`) otherwise. */
  const post = ssdlite ? det.config.postprocess : POST;
  let predict: () => Promise<unknown>;
  let release = async () => det.dispose();
  const img = image();
  if (c.runtime !== "tfjs-wasm") {
    const bytes = exportOnnx(det, c.runtime === "onnx-nms" ? { detections: post ?? {} } : {});
    const onnx = await OnnxDetector.create(bytes, ort, { threads: THREADS });
    predict = () => onnx.predict([img], post);
    release = async () => {
      await onnx.dispose();
      det.dispose();
    };
  } else {
    if (ssdlite)
      await writeFile(
        ssdliteWeights(process.ppid),
        writeSafetensors(exportStateDict(await det.params.snapshot())),
      );
    predict = () => det.predict([img], post);
  }
  for (let i = 0; i < 3; i++) await predict();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await predict();
    times.push(performance.now() - t);
  }
  const ms = median(times);
  console.log(
    JSON.stringify({
      bench: "inference batch 1 (640x480 → 320x320)",
      impl: `od ${name}`,
      runtime:
        c.runtime === "tfjs-wasm"
          ? `tfjs ${info.name} (${info.reason})`
          : `onnxruntime-node 1.30.0 (CPU)${c.runtime === "onnx-nms" ? ", decode + NMS in the graph" : ""}`,
      threads: THREADS,
      params: det.countParameters(),
      ms_median: ms,
      images_per_s: 1000 / ms,
    }),
  );
  await release();
}

const childArg = process.argv.indexOf("--child");
if (childArg > 0) {
  await bench(JSON.parse(process.argv[childArg + 1] ?? "{}") as Case);
  process.exit(0);
}
const self = fileURLToPath(import.meta.url);
const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();
const loadAtStart = uptime();
/** Every result line of the run, parsed, for the table at the end. */
const results: Record<string, unknown>[] = [];
const emit = (line: string) => {
  console.log(line);
  results.push(JSON.parse(line) as Record<string, unknown>);
};
for (let m = 0; m < MODELS.length; m++) {
  for (const runtime of ["onnx", "onnx-nms", "tfjs-wasm"] as const) {
    const args = [
      "--import",
      "tsx",
      self,
      "--child",
      JSON.stringify({ runtime, model: m }),
      "--runs",
      String(runs),
    ];
    const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    for (const line of out.split("\n")) if (line.startsWith("{")) emit(line);
  }
}
const py = "/usr/bin/python3";
const script = fileURLToPath(new URL("./torchvision_infer.py", import.meta.url));
if (process.argv.includes("--no-torchvision") || !existsSync(py)) {
  emit(
    JSON.stringify({ bench: "torchvision", skipped: true, reason: "not asked for or no /usr/bin/python3" }),
  );
} else {
  try {
    const weights = ssdliteWeights(process.pid);
    const out = execFileSync(
      py,
      [script, String(THREADS), String(runs), ...(existsSync(weights) ? [weights] : [])],
      {
        encoding: "utf8",
      },
    );
    for (const line of out.split("\n")) if (line.startsWith("{")) emit(line);
  } catch (e) {
    emit(
      JSON.stringify({ bench: "torchvision", skipped: true, reason: (e as Error).message.split("\n")[0] }),
    );
  }
}
rmSync(ssdliteWeights(process.pid), { force: true });
const loadAtEnd = uptime();
console.log(JSON.stringify({ bench: "load", uptime: loadAtEnd }));
console.log(JSON.stringify(speedTable(results, loadAtStart, loadAtEnd)));

/**
 * The speed table of the run as one JSON object: a row per model (od's three, then torchvision's
 * ssdlite320), images/s per runtime column (`null` where a case does not apply or was skipped), and the
 * system load at the start and end of the run.
 */
function speedTable(lines: readonly Record<string, unknown>[], start: string, end: string) {
  const column = (runtime: unknown): string =>
    typeof runtime !== "string"
      ? ""
      : runtime.startsWith("tfjs")
        ? "tfjs_wasm"
        : runtime.includes("in the graph")
          ? "onnx_runtime_nms_in_graph"
          : runtime.startsWith("onnxruntime")
            ? "onnx_runtime"
            : "torchvision";
  const rows = new Map<string, Record<string, number | string | null>>();
  const row = (model: string, params: unknown) => {
    let r = rows.get(model);
    if (r === undefined) {
      r = {
        model,
        params: typeof params === "number" ? params : null,
        onnx_runtime: null,
        onnx_runtime_nms_in_graph: null,
        tfjs_wasm: null,
        torchvision: null,
      };
      rows.set(model, r);
    }
    return r;
  };
  for (const l of lines) {
    if (typeof l.impl !== "string" || typeof l.images_per_s !== "number") continue;
    const r = row(l.impl, l.params);
    r[column(l.runtime)] = Math.round(l.images_per_s * 10) / 10;
  }
  const skipped = lines.filter((l) => l.skipped === true);
  return {
    bench: "speed table",
    setup: `batch 1, a decoded 640x480 image, ${THREADS} threads, median of ${runs} runs`,
    unit: "images/s",
    rows: [...rows.values()],
    ...(skipped.length > 0 ? { skipped } : {}),
    load_start: start,
    load_end: end,
  };
}
