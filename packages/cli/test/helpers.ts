import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeImage } from "@od/augment";
import { encodePng } from "@od/augment/node";
import { defaultSsdConfig, type SsdConfig, type SsdConfigInput, SsdDetector } from "@od/ssd";
import { saveDetector } from "@od/ssd/node";
import type { TrainEvent, TrainOptions, TrainSummary } from "@od/train/node";
import type { CliIo, TrainNode } from "../src/index.js";
import { CLI_NAME, runCli } from "../src/index.js";

/** The real BCCD dataset (absent on some machines: tests using it skip). */
export const BCCD = fileURLToPath(new URL("../../../../shared/datasets/bccd", import.meta.url));

/** A captured output stream. */
export function capture(isTTY = false): {
  write(s: string): boolean;
  readonly text: string;
  readonly isTTY: boolean;
} {
  let text = "";
  return {
    write(s: string) {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
    isTTY,
  };
}

/** Result of one in-process run. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A training runtime that fails to load. */
export const noTrainNode = async (): Promise<TrainNode> => {
  throw new Error("@od/train/node is not available (test)");
};

/** A `train` for fakes of tests that do not train. */
export const trainNotUsed: TrainNode["train"] = async () => {
  throw new Error("train() is not available in this test: pass loadTrainNode");
};

/** A `loadRunPredictor` for fakes of tests that do not load models. */
export const predictorNotUsed: TrainNode["loadRunPredictor"] = async () => {
  throw new Error("loadRunPredictor() is not available in this test: pass loadTrainNode");
};

/** The run-folder naming of `@od/train/node` (`nextRunDir`, `latestRunDir`), loaded on first call. */
export const RUN_DIRS: Pick<TrainNode, "nextRunDir" | "latestRunDir"> = {
  nextRunDir: async (...a) => (await import("@od/train/node")).nextRunDir(...a),
  latestRunDir: async (...a) => (await import("@od/train/node")).latestRunDir(...a),
};

/**
 * The runtime tests get by default: the real `loadRunPredictor` and run-folder naming of
 * `@od/train/node`, and a `train` that refuses to run (tests of `odet train` and `odet demo` pass their
 * own fake).
 */
export const testTrainNode = async (): Promise<TrainNode> => {
  const { loadRunPredictor } = await import("@od/train/node");
  return { ...RUN_DIRS, loadRunPredictor, train: trainNotUsed };
};

/** A `TrainSummary` as a finished run returns it (fields overridable). */
export function fakeSummary(over: Partial<TrainSummary> = {}): TrainSummary {
  return {
    out: "runs/x",
    backend: "cpu",
    epochsCompleted: 1,
    steps: 1,
    trainSeconds: 1,
    imagesPerSecond: 1,
    bestEpoch: -1,
    best: null,
    peakRssMb: 1,
    stoppedBy: "epochs",
    ...over,
  };
}

/**
 * A fake `@od/train/node` whose `train()` records each call and replays `events` to its `onEvent`,
 * then returns a {@link fakeSummary}; `load` is what `loadTrainNode` takes.
 */
export function recordingTrainNode(events: readonly TrainEvent[] = []): {
  calls: { input: unknown; options: TrainOptions }[];
  load: () => Promise<TrainNode>;
} {
  const calls: { input: unknown; options: TrainOptions }[] = [];
  const node: TrainNode = {
    ...RUN_DIRS,
    loadRunPredictor: predictorNotUsed,
    async train(input, options) {
      calls.push({ input, options });
      for (const e of events) options.onEvent?.(e);
      return fakeSummary({ out: options.out });
    },
  };
  return { calls, load: async () => node };
}

/**
 * The single error line of a failed run: stderr may hold notes first, but exactly one line starts
 * with `odet <cmd>: ` and it is the last.
 */
export function errorLine(stderr: string, cmd: string): string {
  const lines = stderr.trimEnd().split("\n");
  const errors = lines.filter((l) => l.startsWith(`${CLI_NAME} `));
  if (errors.length !== 1 || lines.at(-1) !== errors[0] || !errors[0]?.startsWith(`${CLI_NAME} ${cmd}: `))
    throw new Error(
      `expected one line "${CLI_NAME} ${cmd}: ..." last on stderr; got ${JSON.stringify(stderr)}`,
    );
  return errors[0];
}

/** Runs `odet <args>` in-process in `cwd`. */
export async function od(args: readonly string[], io: Partial<CliIo> = {}): Promise<Run> {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(args, { stdout, stderr, loadTrainNode: testTrainNode, ...io });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A `w × h` RGB PNG with a seeded-free deterministic pattern. */
export function png(w: number, h: number, shade = 0): Buffer {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 4 + shade) & 255;
      data[i + 1] = (y * 4) & 255;
      data[i + 2] = (x ^ y) & 255;
    }
  return encodePng(makeImage(data, w, h, 3));
}

/** One VOC object. */
export interface VocObject {
  readonly name: string;
  readonly box: readonly [number, number, number, number];
}

function vocXml(file: string, w: number, h: number, objects: readonly VocObject[]): string {
  const objs = objects
    .map(
      (o) =>
        `<object><name>${o.name}</name><difficult>0</difficult><bndbox><xmin>${o.box[0]}</xmin><ymin>${o.box[1]}</ymin><xmax>${o.box[2]}</xmax><ymax>${o.box[3]}</ymax></bndbox></object>`,
    )
    .join("");
  return `<annotation><filename>${file}</filename><size><width>${w}</width><height>${h}</height><depth>3</depth></size>${objs}</annotation>`;
}

/**
 * A tiny VOC dataset in a temp folder: `img1` (64×48, a cell and a ZERO-AREA cell at object[1]),
 * `img2` (64×48, a blob); `ImageSets/Main/all.txt`. With `corrupt`, `img3.png` holds garbage bytes.
 */
export async function vocFixture(options: { corrupt?: boolean; clean?: boolean } = {}): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "od-cli-voc-"));
  await mkdir(path.join(root, "Annotations"), { recursive: true });
  await mkdir(path.join(root, "JPEGImages"), { recursive: true });
  await mkdir(path.join(root, "ImageSets", "Main"), { recursive: true });
  const images: [string, VocObject[]][] = [
    [
      "img1",
      [
        { name: "cell", box: [5, 5, 30, 30] },
        ...(options.clean ? [] : [{ name: "cell", box: [40, 10, 40, 10] } as const]),
      ],
    ],
    ["img2", [{ name: "blob", box: [20, 10, 50, 40] }]],
  ];
  if (options.corrupt) images.push(["img3", [{ name: "cell", box: [1, 1, 20, 20] }]]);
  for (const [id, objects] of images) {
    const file = `${id}.png`;
    await writeFile(path.join(root, "Annotations", `${id}.xml`), vocXml(file, 64, 48, objects));
    await writeFile(
      path.join(root, "JPEGImages", file),
      id === "img3" ? Buffer.from("this is not an image at all, just text") : png(64, 48, id.length),
    );
  }
  await writeFile(path.join(root, "ImageSets", "Main", "all.txt"), images.map(([id]) => id).join("\n"));
  return root;
}

/**
 * A VOC dataset with train's lists: `ImageSets/Main/trainval.txt` = img1, img2 (one `cell`, one
 * `blob`, 64×48) and `test.txt` = img3 (two `cell`s). The test image's boxes are the only 40 px wide
 * ones, so a command that looked at it shows. `all.txt` lists the three.
 */
export async function vocSplitFixture(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "od-cli-vocsplit-"));
  for (const d of ["Annotations", "JPEGImages", path.join("ImageSets", "Main")])
    await mkdir(path.join(root, d), { recursive: true });
  const images: [string, VocObject[]][] = [
    ["img1", [{ name: "cell", box: [5, 5, 25, 25] }]],
    ["img2", [{ name: "blob", box: [20, 10, 40, 30] }]],
    [
      "img3",
      [
        { name: "cell", box: [2, 2, 42, 42] },
        { name: "cell", box: [10, 4, 50, 44] },
      ],
    ],
  ];
  for (const [id, objects] of images) {
    await writeFile(path.join(root, "Annotations", `${id}.xml`), vocXml(`${id}.png`, 64, 48, objects));
    await writeFile(path.join(root, "JPEGImages", `${id}.png`), png(64, 48, id.length));
  }
  await writeFile(path.join(root, "ImageSets", "Main", "trainval.txt"), "img1\nimg2\n");
  await writeFile(path.join(root, "ImageSets", "Main", "test.txt"), "img3\n");
  await writeFile(path.join(root, "ImageSets", "Main", "all.txt"), "img1\nimg2\nimg3\n");
  return root;
}

/** A COCO dataset of `n` 64×48 PNGs (`im<i>.png`), one `cell` box each, in `<root>/instances.json`. */
export async function cocoFixture(n: number): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "od-cli-coco-"));
  const images = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    file_name: `im${i}.png`,
    width: 64,
    height: 48,
  }));
  for (const im of images) await writeFile(path.join(root, im.file_name), png(64, 48, im.id));
  const annotations = images.map((im) => ({
    id: im.id,
    image_id: im.id,
    category_id: 1,
    bbox: [4, 4, 10 + im.id, 10],
    area: (10 + im.id) * 10,
    iscrowd: 0,
  }));
  await writeFile(
    path.join(root, "instances.json"),
    JSON.stringify({ images, annotations, categories: [{ id: 1, name: "cell" }] }),
  );
  return root;
}

/**
 * The untrained detector of the CLI tests: 64×64 input, MobileNet α 0.25 with taps 8/16/32, classes
 * `blob` and `cell` (the classes of {@link vocFixture}); `over` replaces any field.
 */
export function tinyDetectorConfig(over: Partial<SsdConfigInput> = {}): SsdConfig {
  return defaultSsdConfig({
    classNames: ["blob", "cell"],
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
    ...over,
  });
}

/**
 * Saves an untrained detector of {@link tinyDetectorConfig}`(over)` with `saveDetector` into `dir`
 * (created if missing). @returns `dir`.
 */
export async function saveTinyDetector(dir: string, over: Partial<SsdConfigInput> = {}): Promise<string> {
  const d = new SsdDetector(tinyDetectorConfig(over));
  try {
    await saveDetector(d, dir);
  } finally {
    d.dispose();
  }
  return dir;
}
