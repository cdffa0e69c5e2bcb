/**
 * Node-only helpers of `@od/ssd`: save and load a detector directory (`model.json` + `weights.bin`).
 * @packageDocumentation
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@od/boxes/node";
import type { CropClassifier } from "./classifier.js";
import type { SsdDetector, SsdDetectorOptions } from "./detector.js";
import { fail } from "./errors.js";
import {
  deserializeClassifier,
  deserializeDetector,
  serializeClassifier,
  serializeDetector,
  WEIGHTS_FILE,
} from "./serialize.js";

/**
 * Creates `dir` and writes each `[name, data]` into it with `writeFileAtomic` of `@od/boxes/node`, in
 * order. @throws SsdError `IO_FAILED` naming the path (wrapping the file-system or BoxesError).
 */
async function writeModelFiles(
  fn: string,
  dir: string,
  files: readonly (readonly [string, string | Uint8Array])[],
): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    fail("IO_FAILED", fn, `cannot create ${dir}: ${(e as Error).message}`, { file: dir }, e);
  }
  for (const [name, data] of files) {
    const file = join(dir, name);
    try {
      await writeFileAtomic(file, data);
    } catch (e) {
      fail("IO_FAILED", fn, (e as Error).message, { file }, e);
    }
  }
}

async function readPair(
  fn: string,
  jsonFile: string,
  binFile: string,
): Promise<{ json: unknown; weights: ArrayBuffer }> {
  let text: string;
  let bin: Buffer;
  try {
    text = await readFile(jsonFile, "utf8");
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${jsonFile}: ${(e as Error).message}`, { file: jsonFile });
  }
  try {
    bin = await readFile(binFile);
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${binFile}: ${(e as Error).message}`, { file: binFile });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `${jsonFile} is not valid JSON: ${(e as Error).message}`, {
      file: jsonFile,
    });
  }
  return { json, weights: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer };
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` (creating `dir`), each atomically (`writeFileAtomic` of
 * `@od/boxes/node`: temporary name, fsync, rename), so a crash never leaves a half-written file under the
 * final name.
 * @throws SsdError `IO_FAILED` naming the path that could not be written.
 */
export async function saveDetector(detector: SsdDetector, dir: string): Promise<void> {
  const { json, weights } = await serializeDetector(detector);
  await writeModelFiles("saveDetector", dir, [
    [WEIGHTS_FILE, new Uint8Array(weights)],
    ["model.json", `${JSON.stringify(json, null, 1)}\n`],
  ]);
}

/**
 * Loads a detector saved by {@link saveDetector}.
 * @param options.backbone the user-written backbone of a model saved with one (its config says
 *   `backbone: { kind: "custom", name }`).
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file, parameter and shapes.
 */
export async function loadDetector(dir: string, options: SsdDetectorOptions = {}): Promise<SsdDetector> {
  const m = join(dir, "model.json");
  const { json, weights } = await readPair("loadDetector", m, join(dir, WEIGHTS_FILE));
  return deserializeDetector(json, weights, m, options);
}

/**
 * Writes `dir/classifier.json` and `dir/classifier.bin` (atomically, like {@link saveDetector}).
 * @throws SsdError `IO_FAILED` naming the path that could not be written.
 */
export async function saveClassifier(classifier: CropClassifier, dir: string): Promise<void> {
  const { json, weights } = await serializeClassifier(classifier);
  await writeModelFiles("saveClassifier", dir, [
    ["classifier.bin", new Uint8Array(weights)],
    ["classifier.json", `${JSON.stringify(json, null, 1)}\n`],
  ]);
}

/** Loads a crop classifier saved by {@link saveClassifier}. @throws SsdError `BAD_CHECKPOINT`. */
export async function loadClassifier(dir: string): Promise<CropClassifier> {
  const m = join(dir, "classifier.json");
  const { json, weights } = await readPair("loadClassifier", m, join(dir, "classifier.bin"));
  return deserializeClassifier(json, weights, m);
}
