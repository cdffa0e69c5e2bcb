/**
 * Benchmarks of @od/data on the BCCD dataset (../shared/datasets/bccd from the repository root):
 * loading (with and without image header checks), decoding a JPEG with sharp vs jpeg-js, and the
 * pipeline's throughput. Prints one JSON object per line; prints `{ name: "bccd", skipped: true }` when
 * the dataset is absent.
 *
 * Run: `npx tsx bench/run.ts` in packages/data (options: `--images N` decoded per backend, default 40).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPipeline } from "../src/index.js";
import { decodeImage, fileDecoder, loadSharp, loadVoc } from "../src/node.js";

const BCCD = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));
const arg = process.argv.indexOf("--images");
const N = arg > 0 ? Number(process.argv[arg + 1]) : 40;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}
const out = (row: Record<string, unknown>) => console.log(JSON.stringify(row));

if (!existsSync(path.join(BCCD, "Annotations"))) {
  out({ name: "bccd", skipped: true, reason: `${BCCD} not found` });
} else {
  for (const checkImages of [false, true]) {
    const t: number[] = [];
    let boxes = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const ds = await loadVoc(BCCD, { policy: "drop", checkImages });
      t.push(performance.now() - t0);
      boxes = ds.report.boxesKept;
    }
    out({
      name: "loadVoc",
      checkImages,
      images: 364,
      boxes,
      ms_median: +median(t).toFixed(1),
      ms_min: +Math.min(...t).toFixed(1),
      runs: 3,
    });
  }
  const ds = await loadVoc(BCCD, { policy: "drop", checkImages: false });
  const files = ds.images.slice(0, N).map((r) => new Uint8Array(readFileSync(path.join(BCCD, r.file))));
  const backends: ("sharp" | "js")[] = (await loadSharp()) ? ["sharp", "js"] : ["js"];
  for (const backend of backends) {
    await decodeImage(files[0]!, { backend }); // warm up
    const t: number[] = [];
    for (const f of files) {
      const t0 = performance.now();
      await decodeImage(f, { backend });
      t.push(performance.now() - t0);
    }
    out({
      name: "decodeImage",
      backend,
      size: "640x480 jpeg",
      ms_per_image_median: +median(t).toFixed(2),
      ms_min: +Math.min(...t).toFixed(2),
      images: files.length,
    });
  }
  for (const backend of backends) {
    const sub = { ...ds, images: ds.images.slice(0, 64) };
    const p = createPipeline({
      dataset: sub,
      decode: fileDecoder(sub, { backend }),
      batchSize: 8,
      seed: 1,
      prefetch: 2,
    });
    const t0 = performance.now();
    let n = 0;
    for await (const b of p.epoch(0)) n += b.samples.length;
    const ms = performance.now() - t0;
    out({
      name: "pipeline",
      backend,
      batchSize: 8,
      images: n,
      ms_total: +ms.toFixed(1),
      images_per_s: +((n / ms) * 1000).toFixed(1),
    });
  }
}
