/**
 * Benchmarks of the @od/boxes hot paths against torchvision's CPU ops, on the same seeded inputs.
 *
 * Prints one JSON object per line: `{ name, impl, ms_median, ms_min, runs, ...sizes }` for od, then the
 * same rows timed by torchvision (bench/torchvision_ops.py, run with /usr/bin/python3, single
 * thread), then one `impl: "ratio"` row per benchmark with `torchvision_over_od` (> 1: od is faster).
 * When python3 or torchvision is missing, a `{ name: "torchvision", skipped: true, reason }` row is
 * printed instead of the torchvision and ratio rows.
 *
 * Run: `npx tsx bench/run.ts` in packages/boxes (options: `--runs N`, `--no-torchvision`). It imports the
 * built package (`@od/boxes`, i.e. dist/, what users run), so build first; `npm run bench` does.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { batchedNms, convert, decode, encode, iou, nms, unsafeBoxes } from "@od/boxes";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

interface Row {
  readonly name: string;
  readonly impl: string;
  readonly ms_median: number;
  readonly ms_min: number;
  readonly runs: number;
  readonly [k: string]: unknown;
}

const args = process.argv.slice(2);
const runsArg = args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 15;
const WARMUP = 3;
const PYTHON = "/usr/bin/python3";
const SEED = 20240601;

const rng = xoroshiro128plus(SEED);
const unif = (lo: number, hi: number): number => lo + (hi - lo) * uniformFloat64(rng);

/** `[n, 4]` xyxy boxes with centres uniform in [0, extent]² and sides uniform in [minSide, maxSide]. */
function randomXyxy(n: number, extent: number, minSide: number, maxSide: number): Float32Array {
  const d = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const cx = unif(0, extent);
    const cy = unif(0, extent);
    const w = unif(minSide, maxSide);
    const h = unif(minSide, maxSide);
    d.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], i * 4);
  }
  return d;
}

/** Distinct float32 scores in (0, 1): a seeded shuffle of k/n. */
function distinctScores(n: number): Float32Array {
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = (i + 1) / (n + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = s[i] as number;
    s[i] = s[j] as number;
    s[j] = t;
  }
  return s;
}

function time(fn: () => unknown): { ms_median: number; ms_min: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const mid = ts.length >> 1;
  const median =
    ts.length % 2 === 1 ? (ts[mid] as number) : ((ts[mid - 1] as number) + (ts[mid] as number)) / 2;
  return { ms_median: round(median), ms_min: round(ts[0] as number) };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

function emit(row: Row | Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

// ---- inputs (all seeded) ----
const IOU_N = 1000;
const IOU_M = 8732;
const iouA = randomXyxy(IOU_N, 300, 5, 150);
const iouB = randomXyxy(IOU_M, 300, 5, 150);
const NMS_N = 10_000;
const NMS_CLASSES = 20;
const NMS_THR = 0.5;
const nmsBoxes = randomXyxy(NMS_N, 1000, 10, 100);
const nmsScores = distinctScores(NMS_N);
const nmsClasses = new Int32Array(NMS_N);
for (let i = 0; i < NMS_N; i++) nmsClasses[i] = uniformInt(rng, 0, NMS_CLASSES - 1);
const CODER_N = 8732;
const priorsXyxy = randomXyxy(CODER_N, 1, 0.05, 0.9);
const matchedXyxy = randomXyxy(CODER_N, 1, 0.02, 0.9);

const rows: Row[] = [];
function bench(name: string, impl: string, fn: () => unknown, extra: Record<string, unknown>): void {
  const r: Row = { name, impl, ...time(fn), runs: RUNS, ...extra };
  rows.push(r);
  emit(r);
}

emit({ name: "env", impl: "od", node: process.version, threads: 1, seed: SEED });

const A = unsafeBoxes(iouA, "xyxy", "px");
const B = unsafeBoxes(iouB, "xyxy", "px");
const iouOut = new Float32Array(IOU_N * IOU_M);
bench("iou_matrix", "od", () => iou(A, B, iouOut), { n: IOU_N, m: IOU_M });

const NB = unsafeBoxes(nmsBoxes, "xyxy", "px");
const kept = nms(NB, nmsScores, NMS_THR).length;
bench("nms", "od", () => nms(NB, nmsScores, NMS_THR), { n: NMS_N, iou_threshold: NMS_THR, kept });

const keptB = batchedNms(NB, nmsScores, nmsClasses, NMS_THR).length;
bench("batched_nms", "od", () => batchedNms(NB, nmsScores, nmsClasses, NMS_THR), {
  n: NMS_N,
  classes: NMS_CLASSES,
  iou_threshold: NMS_THR,
  kept: keptB,
});
// The coordinate-offset alternative (torchvision's small-input path), measured to justify per-class.
const offsetBoxes = new Float32Array(NMS_N * 4);
const offsetKept = (): Int32Array => {
  let maxCoord = 0;
  for (let q = 0; q < nmsBoxes.length; q++) maxCoord = Math.max(maxCoord, nmsBoxes[q] as number);
  for (let i = 0; i < NMS_N; i++) {
    const off = (nmsClasses[i] as number) * (maxCoord + 1);
    for (let c = 0; c < 4; c++) offsetBoxes[i * 4 + c] = (nmsBoxes[i * 4 + c] as number) + off;
  }
  return nms(unsafeBoxes(offsetBoxes, "xyxy", "px"), nmsScores, NMS_THR);
};
bench("batched_nms", "od-offset-trick", offsetKept, {
  n: NMS_N,
  classes: NMS_CLASSES,
  iou_threshold: NMS_THR,
  kept: offsetKept().length,
});

const priors = convert(unsafeBoxes(priorsXyxy, "xyxy", "rel"), "cxcywh");
const matched = unsafeBoxes(matchedXyxy, "xyxy", "rel");
const deltas = new Float32Array(CODER_N * 4);
const decoded = new Float32Array(CODER_N * 4);
bench("encode_decode", "od", () => decode(encode(matched, priors, {}, deltas), priors, {}, decoded), {
  n: CODER_N,
});

// ---- torchvision on the same inputs ----
function torchvisionRows(): Row[] | string {
  if (args.includes("--no-torchvision")) return "disabled by --no-torchvision";
  const probe = spawnSync(PYTHON, ["-c", "import torch, torchvision, numpy"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${PYTHON} with torch, torchvision and numpy not available: ${(probe.error?.message ?? probe.stderr).trim().split("\n").pop() ?? ""}`;
  }
  const dir = mkdtempSync(join(tmpdir(), "od-boxes-bench-"));
  try {
    const put = (file: string, a: Float32Array | Int32Array): void =>
      writeFileSync(join(dir, file), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    put("iou_a.f32", iouA);
    put("iou_b.f32", iouB);
    put("nms_boxes.f32", nmsBoxes);
    put("nms_scores.f32", nmsScores);
    put("nms_classes.i32", nmsClasses);
    put("coder_priors_xyxy.f32", priorsXyxy);
    put("coder_matched_xyxy.f32", matchedXyxy);
    const meta = {
      runs: RUNS,
      warmup: WARMUP,
      iou: { n: IOU_N, m: IOU_M },
      nms: { n: NMS_N, classes: NMS_CLASSES, iou_threshold: NMS_THR },
      coder: { n: CODER_N },
    };
    writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
    const script = fileURLToPath(new URL("./torchvision_ops.py", import.meta.url));
    const r = spawnSync(PYTHON, [script, dir], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) return `torchvision_ops.py failed: ${r.stderr.trim().split("\n").pop() ?? ""}`;
    const out: Row[] = [];
    for (const line of r.stdout.split("\n")) {
      if (line.trim() === "") continue;
      const row = JSON.parse(line) as Row;
      emit(row);
      if (row.name !== "env") out.push(row);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tv = torchvisionRows();
if (typeof tv === "string") {
  emit({ name: "torchvision", impl: "torchvision", skipped: true, reason: tv });
} else {
  for (const t of tv) {
    const o = rows.find((r) => r.name === t.name && r.impl === "od");
    if (o === undefined) continue;
    emit({
      name: t.name,
      impl: "ratio",
      torchvision_over_od: round(t.ms_median / o.ms_median),
      torchvision_over_od_min: round(t.ms_min / o.ms_min),
      ...(t.kept !== undefined ? { kept_equal: t.kept === o.kept } : {}),
    });
  }
}
