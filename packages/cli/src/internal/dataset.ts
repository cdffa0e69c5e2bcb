import { readdir } from "node:fs/promises";
import path from "node:path";
import type { InvalidBoxPolicy } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import { loadCoco, loadVoc, loadYolo } from "@od/data/node";
import { CLI_NAME, type CliIo } from "../io.js";
import { bad, kindOf, note, resolvePath } from "./common.js";

/** Dataset formats the CLI reads. */
export const FORMATS = ["voc", "coco", "yolo"] as const;
/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];
/** Box policies of the loaders. */
export const POLICIES = ["error", "drop", "clip"] as const;

/** Options shared by the commands that read a dataset. */
export interface DatasetOptions {
  readonly format?: Format;
  readonly split?: string;
  readonly policy?: InvalidBoxPolicy;
  readonly classNames?: readonly string[];
  /** Decode every image fully (`odet data check`); default: image headers only. */
  readonly decodeImages?: boolean;
}

/** Where a dataset is and in which format. */
export interface DatasetSource {
  readonly format: Format;
  /** The absolute folder (VOC, YOLO) or COCO annotation file to load. */
  readonly path: string;
}

/** A loaded dataset with how it was found. */
export interface OpenedDataset {
  readonly dataset: DetectionDataset;
  readonly format: Format;
  /** The folder or (COCO) annotation file that was read. */
  readonly source: string;
}

async function exists(p: string): Promise<boolean> {
  return (await kindOf(p)) !== "missing";
}

async function jsonFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.toLowerCase().endsWith(".json")).sort();
}

/** Guesses the format of a dataset folder or file. */
async function detectFormat(abs: string, kind: "file" | "dir", shown: string): Promise<Format> {
  if (kind === "file") {
    if (abs.toLowerCase().endsWith(".json")) return "coco";
    throw bad(`cannot tell the format of ${shown} (a file that is not .json); pass --format voc|coco|yolo`);
  }
  if (await exists(path.join(abs, "Annotations"))) return "voc";
  for (const f of ["classes.txt", "obj.names", "names.txt", "labels", "images"])
    if (await exists(path.join(abs, f))) return "yolo";
  if ((await jsonFiles(abs)).length > 0 || (await exists(path.join(abs, "annotations")))) return "coco";
  throw bad(
    `cannot tell the format of ${shown} (no Annotations/ for VOC, no images/ or classes.txt for YOLO, no *.json for COCO); pass --format voc|coco|yolo`,
  );
}

/** The COCO annotation file of a folder (and split). */
async function cocoFile(abs: string, split: string | undefined, shown: string): Promise<string> {
  const candidates =
    split === undefined
      ? []
      : [
          path.join(abs, "annotations", `instances_${split}.json`),
          path.join(abs, `${split}.json`),
          path.join(abs, split, "_annotations.coco.json"),
        ];
  for (const c of candidates) if ((await kindOf(c)) === "file") return c;
  if (split !== undefined)
    throw bad(
      `no COCO annotation file for split ${JSON.stringify(split)} in ${shown} (looked for annotations/instances_${split}.json, ${split}.json, ${split}/_annotations.coco.json)`,
    );
  let files = (await jsonFiles(abs)).map((f) => path.join(abs, f));
  if (files.length === 0 && (await kindOf(path.join(abs, "annotations"))) === "dir")
    files = (await jsonFiles(path.join(abs, "annotations"))).map((f) => path.join(abs, "annotations", f));
  if (files.length === 1) return files[0]!;
  if (files.length === 0) throw bad(`no COCO annotation file (*.json) in ${shown}`);
  throw bad(
    `${shown} holds ${files.length} JSON files (${files.map((f) => path.basename(f)).join(", ")}); pass the annotation file itself or --split`,
  );
}

/**
 * The format of a dataset path: `format` when given, else detected from the folder or file as
 * {@link locateDataset} does.
 * @throws CliExit (2) for a missing path or an undetectable format.
 */
export async function datasetFormat(io: CliIo, dir: string, format?: Format): Promise<Format> {
  const abs = resolvePath(io, dir);
  const kind = await kindOf(abs);
  if (kind === "missing") throw bad(`dataset ${dir} does not exist`);
  return format ?? (await detectFormat(abs, kind, dir));
}

/**
 * Finds a dataset for every command (`odet train` included): the path must exist; the format is
 * detected when not given (VOC `Annotations/`, YOLO `images/` / `labels/` / names file, COCO `*.json`),
 * and a COCO folder resolves to its one annotation file (or the split's). Bad input is exit 2 with a
 * one-line reason listing what was looked for.
 * @param dir the dataset argument as the user wrote it (resolved against the working directory).
 */
export async function locateDataset(
  io: CliIo,
  dir: string,
  options: { readonly format?: Format; readonly split?: string } = {},
): Promise<DatasetSource> {
  const abs = resolvePath(io, dir);
  const kind = await kindOf(abs);
  if (kind === "missing") throw bad(`dataset ${dir} does not exist`);
  const format = await datasetFormat(io, dir, options.format);
  if (format === "coco")
    return { format, path: kind === "file" ? abs : await cocoFile(abs, options.split, dir) };
  if (kind !== "dir") throw bad(`a ${format.toUpperCase()} dataset is a folder; ${dir} is a file`);
  return { format, path: abs };
}

/**
 * Loads a VOC folder, a COCO file (or folder holding one), or a YOLO folder (see
 * {@link locateDataset}); loader errors propagate as od errors (exit 2).
 */
export async function openDataset(io: CliIo, dir: string, options: DatasetOptions): Promise<OpenedDataset> {
  const { format, path: source } = await locateDataset(io, dir, {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.split === undefined ? {} : { split: options.split }),
  });
  const common = {
    policy: options.policy ?? "error",
    ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
    ...(options.decodeImages === true ? { decodeImages: true } : {}),
  };
  if (format === "coco") return { dataset: await loadCoco(source, common), format, source };
  const split = options.split === undefined ? {} : { split: options.split };
  const dataset =
    format === "voc"
      ? await loadVoc(source, { ...common, ...split })
      : await loadYolo(source, { ...common, ...split });
  return { dataset, format, source };
}

/** Prints one note line on stderr when the loader's policy dropped or clipped something. */
export function noteIssues(io: CliIo, ds: DetectionDataset): void {
  const r = ds.report;
  if (r.issues.length === 0) return;
  const summary = Object.entries(r.summary)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  note(
    io,
    `note: ${r.issues.length} issue(s) handled by policy ${r.policy} (${summary}); "${CLI_NAME} data check" lists them`,
  );
}
