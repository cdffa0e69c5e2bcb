import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeImageFile } from "@od/data/node";
import type { Uint8Image } from "@od/image";
import { type Detections, defaultSsdConfig, type SsdConfigInput, SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import { expect } from "vitest";

/** The BCCD images shipped with the CLI's demo data. */
export const BCCD = fileURLToPath(new URL("../../cli/demo-data/bccd/JPEGImages", import.meta.url));

/** The first `n` BCCD images (sorted by name), decoded. */
export async function bccdImages(n: number): Promise<Uint8Image[]> {
  if (!existsSync(BCCD)) return [];
  const files = readdirSync(BCCD)
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .slice(0, n);
  return Promise.all(files.map((f) => decodeImageFile(`${BCCD}/${f}`, { backend: "js" })));
}

/** The model kinds od has, small enough for tests. */
export const MODEL_KINDS: Record<string, Omit<SsdConfigInput, "classNames">> = {
  "default (MobileNet 0.5, separable heads, letterbox 320²)": {},
  "VGG-style, conv heads, resize 256×192": {
    backbone: { kind: "vgg", baseChannels: 8 },
    head: "conv",
    inputSize: { width: 256, height: 192 },
    inputFit: "resize",
  },
  "MobileNet 0.25, 4 taps, conv heads, 256²": {
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32, 64] },
    head: "conv",
    inputSize: { width: 256, height: 256 },
  },
};

/**
 * A detector whose batch-norm statistics and affine parameters are random (seeded), so folding them
 * into the convolutions is exercised, and whose class biases favour objects a little, so random
 * weights give detections.
 */
export function makeDetector(input: Omit<SsdConfigInput, "classNames">, seed = 7): SsdDetector {
  const d = new SsdDetector(defaultSsdConfig({ classNames: ["WBC", "RBC", "Platelets"], seed, ...input }));
  let k = seed * 1000;
  tf.tidy(() => {
    for (const name of d.params.names()) {
      const v = d.params.get(name);
      const s = k++;
      if (name.endsWith(".gamma")) v.assign(tf.randomUniform(v.shape, 0.5, 1.5, "float32", s));
      else if (name.endsWith(".beta")) v.assign(tf.randomUniform(v.shape, -0.2, 0.2, "float32", s));
      else if (name.endsWith(".mean")) v.assign(tf.randomUniform(v.shape, -0.3, 0.3, "float32", s));
      else if (name.endsWith(".var")) v.assign(tf.randomUniform(v.shape, 0.5, 2, "float32", s));
      else if (name.endsWith("cls.pw.b")) v.assign(tf.randomUniform(v.shape, -1, 1, "float32", s));
    }
  });
  return d;
}

/** `max |a − b| / max |a|`: the relative error of `b` against the reference `a`. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

/**
 * Two runs' detections agree image by image: the same labels in the same order, scores within 1e-4,
 * boxes within 1e-3 px, both xyxy px.
 */
export function expectSameDetections(got: readonly Detections[], want: readonly Detections[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    expect([...g.labels], `image ${i}: labels`).toEqual([...w.labels]);
    expect(
      Math.max(0, ...g.scores.map((v, k) => Math.abs(v - w.scores[k]!))),
      `image ${i}: scores`,
    ).toBeLessThanOrEqual(1e-4);
    expect(
      Math.max(0, ...g.boxes.data.map((v, k) => Math.abs(v - w.boxes.data[k]!))),
      `image ${i}: boxes`,
    ).toBeLessThanOrEqual(1e-3);
    expect([g.boxes.format, g.boxes.units]).toEqual(["xyxy", "px"]);
  }
}
