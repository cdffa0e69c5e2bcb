import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Boxes, boxes, unsafeBoxes } from "@od/boxes";
import fc from "fast-check";
import jpeg from "jpeg-js";
import {
  type Image,
  makeSample,
  type Sample,
  toUnitImage,
  type Uint8Image,
  uint8Image,
} from "../src/index.js";

/** A uint8 image of the given size, filled by a cheap hash so every pixel differs. */
export function patternImage(width: number, height: number, channels = 3, seed = 1): Uint8Image {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i + seed * 7919, 2654435761) >>> 24) & 255;
  return uint8Image(data, width, height, channels);
}

export function pxBoxes(rows: number[][]): Boxes<"xyxy", "px"> {
  return boxes(rows, "xyxy", "px");
}

/** fast-check arbitrary: a small sample with 0..5 positive-area boxes inside the image. */
export function arbSample(
  opts: { maxSide?: number; channels?: readonly number[]; float?: boolean } = {},
): fc.Arbitrary<Sample> {
  const maxSide = opts.maxSide ?? 24;
  const channels = opts.channels ?? [1, 3];
  return fc
    .record({
      w: fc.integer({ min: 2, max: maxSide }),
      h: fc.integer({ min: 2, max: maxSide }),
      c: fc.constantFrom(...channels),
      seed: fc.integer({ min: 0, max: 1000 }),
      raw: fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0.05, max: 1, noNaN: true }),
          fc.double({ min: 0.05, max: 1, noNaN: true }),
          fc.integer({ min: 0, max: 3 }),
        ),
        { maxLength: 5 },
      ),
    })
    .map(({ w, h, c, seed, raw }) => {
      const rows = raw.map(([a, b, cw, ch]) => {
        const bw = Math.max(0.5, cw * w * (1 - a));
        const bh = Math.max(0.5, ch * h * (1 - b));
        const x1 = Math.min(a * w, w - bw);
        const y1 = Math.min(b * h, h - bh);
        return [x1, y1, x1 + bw, y1 + bh];
      });
      const bytes = patternImage(w, h, c, seed);
      const image: Image = opts.float ? toUnitImage(bytes) : bytes;
      return makeSample(
        image,
        pxBoxes(rows),
        raw.map((r) => r[4]),
      );
    });
}

/** Asserts every box is finite, positive-area and inside the image. */
export function expectValidBoxes(s: Sample): void {
  const W = s.image.shape[1] as number;
  const H = s.image.shape[0] as number;
  const d = s.boxes.data;
  if (s.labels.length !== s.boxes.length)
    throw new Error(`labels ${s.labels.length} vs boxes ${s.boxes.length}`);
  for (let i = 0; i < d.length; i += 4) {
    const [x1, y1, x2, y2] = [d[i], d[i + 1], d[i + 2], d[i + 3]] as [number, number, number, number];
    if (!(x1 >= 0 && y1 >= 0 && x2 <= W && y2 <= H && x2 > x1 && y2 > y1)) {
      throw new Error(`box ${i / 4} [${x1}, ${y1}, ${x2}, ${y2}] invalid in ${W}x${H}`);
    }
  }
}

export function emptySample(w = 8, h = 6): Sample {
  return makeSample(patternImage(w, h), unsafeBoxes(new Float32Array(0), "xyxy", "px"), []);
}

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** The BCCD dataset directory (`../shared/datasets/bccd` from the repository root), or undefined when absent. */
export const bccdDir: string | undefined = (() => {
  const d = `${repoRoot}../shared/datasets/bccd`;
  return existsSync(`${d}/JPEGImages`) && existsSync(`${d}/Annotations`) ? d : undefined;
})();

export const BCCD_CLASSES = ["RBC", "WBC", "Platelets"] as const;

/** Loads one BCCD image (RGB, jpeg-js) and its VOC boxes as a Sample. */
export function loadBccd(dir: string, id: string): Sample {
  const raw = jpeg.decode(readFileSync(`${dir}/JPEGImages/${id}.jpg`), {
    useTArray: true,
    formatAsRGBA: false,
  });
  const image = uint8Image(
    new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length),
    raw.width,
    raw.height,
  );
  const xml = readFileSync(`${dir}/Annotations/${id}.xml`, "utf8");
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const body = m[1] ?? "";
    const name = /<name>\s*([^<]+?)\s*<\/name>/.exec(body)?.[1] ?? "";
    const num = (tag: string): number =>
      Number(new RegExp(`<${tag}>\\s*([^<]+?)\\s*</${tag}>`).exec(body)?.[1]);
    rows.push([num("xmin"), num("ymin"), num("xmax"), num("ymax")]);
    labels.push(BCCD_CLASSES.indexOf(name as (typeof BCCD_CLASSES)[number]));
  }
  const clipped = rows.map(([a, b, c, d]) => [
    Math.max(0, a as number),
    Math.max(0, b as number),
    Math.min(raw.width, c as number),
    Math.min(raw.height, d as number),
  ]);
  return makeSample(image, pxBoxes(clipped), labels);
}

export function bccdIds(dir: string): string[] {
  return readdirSync(`${dir}/JPEGImages`)
    .filter((f) => f.endsWith(".jpg"))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** FNV-1a 32-bit hash of bytes, hex. */
export function fnv1a(bytes: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= (bytes[i] as number) & 255;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
