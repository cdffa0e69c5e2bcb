/**
 * Minimal VOC reader for the BCCD example: parses Annotations/*.xml of one ImageSets/Main split into the
 * `CoverageImage` list `analyzeCoverage` and `fitPriors` take. VOC corners are 1-based pixel indices; they are
 * turned into continuous px as `[xmin − 1, ymin − 1, xmax, ymax]`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unsafeBoxes } from "@od/boxes";
import { XMLParser } from "fast-xml-parser";
import type { CoverageImage } from "../src/index.js";

/** BCCD classes; label = index + 1 (0 is background). */
export const BCCD_CLASSES = ["RBC", "WBC", "Platelets"] as const;

/** `<repo>/../shared/datasets/bccd`, or `undefined` when it is absent. */
export function bccdRoot(): string | undefined {
  const root = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));
  return existsSync(join(root, "Annotations")) ? root : undefined;
}

interface VocObject {
  name: string;
  bndbox: { xmin: number; ymin: number; xmax: number; ymax: number };
}

/** Reads one split (`trainval`, `test`, ...) of a VOC dataset with the BCCD classes. */
export function loadBccd(root: string, split: string): CoverageImage[] {
  const parser = new XMLParser({ isArray: (name) => name === "object" });
  const ids = readFileSync(join(root, "ImageSets", "Main", `${split}.txt`), "utf8")
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return ids.map((id) => {
    const doc = parser.parse(readFileSync(join(root, "Annotations", `${id}.xml`), "utf8")) as {
      annotation: { size: { width: number; height: number }; object?: VocObject[] };
    };
    const a = doc.annotation;
    const objs = a.object ?? [];
    const data = new Float32Array(objs.length * 4);
    const labels = new Int32Array(objs.length);
    objs.forEach((o, i) => {
      const b = o.bndbox;
      data.set([b.xmin - 1, b.ymin - 1, b.xmax, b.ymax], 4 * i);
      const k = BCCD_CLASSES.indexOf(String(o.name).trim() as (typeof BCCD_CLASSES)[number]);
      if (k < 0) throw new Error(`${id}: unknown class ${o.name}`);
      labels[i] = k + 1;
    });
    return {
      id,
      size: { width: Number(a.size.width), height: Number(a.size.height) },
      boxes: unsafeBoxes(data, "xyxy", "px"),
      labels,
    };
  });
}
