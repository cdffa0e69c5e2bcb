/**
 * Benchmarks of @od/augment on BCCD-sized images (640×480 RGB), single thread, one JSON object per line.
 * Compares letterbox and flip with OpenCV (python3-opencv) in the same run when `/usr/bin/python3` has cv2.
 * Throughput is reported per CPU second of this process (`process.cpuUsage`; Python's
 * `time.process_time`) as well as per wall second, so a busy machine does not distort the comparison.
 * Every case reads `sample.image` of its output, so lazy (view) steps are timed with their rendering.
 * Measures the built package (`@od/augment`, resolved through its exports to dist/, as users run it):
 * build first (`npx tsc -b packages/augment` at the repo root; `npm run bench` does, turbo's bench task
 * depends on build).
 * Usage: npx tsx bench/run.ts [seconds per case, default 2]
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import {
  createRng,
  horizontalFlip,
  letterbox,
  makeSample,
  type Sample,
  ssdCrop,
  ssdPipeline,
  type Transform,
  uint8Image,
} from "@od/augment";
import { unsafeBoxes } from "@od/boxes";
import jpeg from "jpeg-js";

const seconds = Number(process.argv[2] ?? 2);
const here = fileURLToPath(new URL(".", import.meta.url));
const dir = `${here}../../../../shared/datasets/bccd`;
const N = 16;

function loadSamples(): { samples: Sample[]; source: string } {
  if (!existsSync(`${dir}/JPEGImages`)) {
    // Synthetic stand-ins of the same size when the dataset is absent.
    const samples = Array.from({ length: 4 }, (_, k) => {
      const data = new Uint8Array(640 * 480 * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31 + k * 17) & 255;
      return makeSample(
        uint8Image(data, 640, 480),
        unsafeBoxes(Float32Array.of(100, 100, 200, 180, 300, 250, 380, 330), "xyxy", "px"),
        [0, 1],
      );
    });
    return { samples, source: "synthetic" };
  }
  const ids = readdirSync(`${dir}/JPEGImages`)
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .slice(0, N);
  const samples = ids.map((f) => {
    const raw = jpeg.decode(readFileSync(`${dir}/JPEGImages/${f}`), { useTArray: true, formatAsRGBA: false });
    const xml = readFileSync(`${dir}/Annotations/${f.replace(/\.jpg$/, ".xml")}`, "utf8");
    const rows: number[] = [];
    for (const m of xml.matchAll(/<bndbox>([\s\S]*?)<\/bndbox>/g)) {
      const g = (t: string) => Number(new RegExp(`<${t}>\\s*([^<]+)`).exec(m[1] ?? "")?.[1]);
      rows.push(
        Math.max(0, g("xmin")),
        Math.max(0, g("ymin")),
        Math.min(raw.width, g("xmax")),
        Math.min(raw.height, g("ymax")),
      );
    }
    const image = uint8Image(
      new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length),
      raw.width,
      raw.height,
    );
    return makeSample(
      image,
      unsafeBoxes(Float32Array.from(rows), "xyxy", "px"),
      new Array(rows.length / 4).fill(0),
    );
  });
  return { samples, source: "bccd" };
}

const { samples, source } = loadSamples();

// Reading `sample.image` renders the output: shifts and flips are lazy until something reads the pixels.
let sink = 0;
function run(t: Transform, s: Sample, rng: ReturnType<typeof createRng>): void {
  sink ^= t.apply(s, rng).sample.image.data[0] as number;
}

function bench(name: string, t: Transform): number {
  const rng = createRng(1);
  for (let i = 0; i < 5; i++) run(t, samples[i % samples.length] as Sample, rng);
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) {
    run(t, samples[n % samples.length] as Sample, rng);
    n++;
  }
  const dt = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const ips = n / cpu;
  console.log(
    JSON.stringify({
      bench: name,
      impl: "@od/augment",
      source,
      images: n,
      imagesPerCpuSecond: Math.round(ips * 10) / 10,
      cpuMsPerImage: Math.round((1e5 * cpu) / n) / 100,
      imagesPerWallSecond: Math.round((n / dt) * 10) / 10,
    }),
  );
  return ips;
}

const lb = bench("letterbox 640x480->300x300", letterbox({ width: 300, height: 300 }));
const fl = bench("horizontalFlip 640x480", horizontalFlip());
bench("ssdCrop 640x480", ssdCrop());
const pipe = bench("ssdPipeline 640x480->300x300", ssdPipeline());

try {
  const out = execFileSync(
    "/usr/bin/python3",
    [
      `${here}opencv_letterbox.py`,
      existsSync(`${dir}/JPEGImages`) ? `${dir}/JPEGImages` : "",
      String(N),
      String(seconds),
    ],
    { encoding: "utf8" },
  );
  process.stdout.write(out);
  const cv = out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { bench: string; imagesPerCpuSecond: number });
  const cvLb = cv.find((r) => r.bench.startsWith("letterbox"))?.imagesPerCpuSecond;
  const cvFl = cv.find((r) => r.bench.startsWith("horizontalFlip"))?.imagesPerCpuSecond;
  console.log(
    JSON.stringify({
      bench: "summary",
      letterboxSlowdownVsOpenCV: cvLb === undefined ? null : Math.round((cvLb / lb) * 100) / 100,
      flipSlowdownVsOpenCV: cvFl === undefined ? null : Math.round((cvFl / fl) * 100) / 100,
      letterboxWithin3x: cvLb === undefined ? null : cvLb / lb <= 3,
      pipelineImagesPerCpuSecond: Math.round(pipe),
      loadAverage: loadavg()[0],
      pipelineAtLeast200: pipe >= 200,
      sink: sink & 1,
    }),
  );
} catch (e) {
  console.log(JSON.stringify({ bench: "opencv", skipped: String(e).slice(0, 200) }));
}
