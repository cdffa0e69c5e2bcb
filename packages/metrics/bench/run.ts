/**
 * COCO and VOC evaluation speed on a seeded synthetic set: 5,000 images × 100 detections × 20
 * classes (about 7 ground-truth objects per image, 30% of detections near a ground-truth box).
 * Prints one JSON object per line; `ms` (wall clock) and `cpuMs` (user + system CPU) are medians of
 * the repetitions.
 * Run: npx tsx bench/run.ts [images=5000]
 */
import { unsafeBoxes } from "@od/boxes";
import {
  DetectionEvaluator,
  type Detections,
  evaluateCoco,
  evaluateVoc,
  type GroundTruth,
} from "@od/metrics";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

const SEED = 42;
const IMAGES = Number(process.argv[2] ?? 5000);
const DETS = 100;
const CLASSES = 20;
const REPS = 3;

const rng = xoroshiro128plus(SEED);
const unif = (lo: number, hi: number): number => lo + (hi - lo) * uniformFloat64(rng);

function randomBox(out: Float32Array, i: number): void {
  const w = unif(4, 200);
  const h = unif(4, 200);
  const x = unif(0, 640 - w);
  const y = unif(0, 480 - h);
  out.set([x, y, x + w, y + h], i * 4);
}

const gts: GroundTruth[] = [];
const dets: Detections[] = [];
for (let im = 0; im < IMAGES; im++) {
  const n = uniformInt(rng, 1, 14);
  const gb = new Float32Array(n * 4);
  const gl = new Int32Array(n);
  const crowd = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    randomBox(gb, i);
    gl[i] = uniformInt(rng, 0, CLASSES - 1);
    crowd[i] = uniformFloat64(rng) < 0.02 ? 1 : 0;
  }
  const db = new Float32Array(DETS * 4);
  const dl = new Int32Array(DETS);
  const ds = new Float32Array(DETS);
  for (let i = 0; i < DETS; i++) {
    if (uniformFloat64(rng) < 0.3) {
      const j = uniformInt(rng, 0, n - 1);
      const w = (gb[j * 4 + 2] as number) - (gb[j * 4] as number);
      const h = (gb[j * 4 + 3] as number) - (gb[j * 4 + 1] as number);
      const x1 = (gb[j * 4] as number) + unif(-0.15, 0.15) * w;
      const y1 = (gb[j * 4 + 1] as number) + unif(-0.15, 0.15) * h;
      db.set([x1, y1, x1 + w * unif(0.8, 1.2), y1 + h * unif(0.8, 1.2)], i * 4);
      dl[i] = uniformFloat64(rng) < 0.9 ? (gl[j] as number) : uniformInt(rng, 0, CLASSES - 1);
    } else {
      randomBox(db, i);
      dl[i] = uniformInt(rng, 0, CLASSES - 1);
    }
    ds[i] = uniformFloat64(rng);
  }
  gts.push({ boxes: unsafeBoxes(gb, "xyxy", "px"), labels: gl, crowd });
  dets.push({ boxes: unsafeBoxes(db, "xyxy", "px"), scores: ds, labels: dl });
}

/** Median wall-clock and CPU (user + system) milliseconds of REPS runs; CPU time is the fairer number on a shared machine. */
function time(fn: () => void): { ms: number; cpuMs: number } {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]) => Math.round((v.sort((a, b) => a - b)[REPS >> 1] as number) * 10) / 10;
  return { ms: median(ms), cpuMs: median(cpu) };
}

const shape = { images: IMAGES, detsPerImage: DETS, classes: CLASSES, seed: SEED, reps: REPS };
let mAP = 0;
const cocoMs = time(() => {
  mAP = evaluateCoco(gts, dets, { numClasses: CLASSES }).mAP;
});
console.log(JSON.stringify({ name: "evaluateCoco", ...shape, ...cocoMs, mAP: Math.round(mAP * 1e4) / 1e4 }));
const ev = new DetectionEvaluator({ numClasses: CLASSES });
const addMs = time(() => {
  ev.reset();
  for (let i = 0; i < IMAGES; i++) ev.add(gts[i]!, dets[i]!);
});
console.log(JSON.stringify({ name: "DetectionEvaluator.add (all images)", ...shape, ...addMs }));
const computeMs = time(() => {
  ev.computeCoco();
});
console.log(JSON.stringify({ name: "DetectionEvaluator.computeCoco", ...shape, ...computeMs }));
const vocMs = time(() => {
  mAP = evaluateVoc(gts, dets, { numClasses: CLASSES }).mAP;
});
console.log(JSON.stringify({ name: "evaluateVoc", ...shape, ...vocMs, mAP: Math.round(mAP * 1e4) / 1e4 }));
