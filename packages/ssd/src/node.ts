/**
 * Node-only helpers of `@od/ssd`: save and load a detector directory (`model.json` + `weights.bin`).
 * @packageDocumentation
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SsdDetector } from "./detector.js";
import { fail } from "./errors.js";
import { deserializeDetector, serializeDetector, WEIGHTS_FILE } from "./serialize.js";

/**
 * Writes `dir/model.json` and `dir/weights.bin` (each written to a temporary name, then renamed, so a
 * crash never leaves a half-written file under the final name).
 */
export async function saveDetector(detector: SsdDetector, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { json, weights } = await serializeDetector(detector);
  const w = join(dir, WEIGHTS_FILE);
  const m = join(dir, "model.json");
  await writeFile(`${w}.tmp`, new Uint8Array(weights));
  await rename(`${w}.tmp`, w);
  await writeFile(`${m}.tmp`, `${JSON.stringify(json, null, 1)}\n`);
  await rename(`${m}.tmp`, m);
}

/**
 * Loads a detector saved by {@link saveDetector}.
 * @throws SsdError `BAD_CHECKPOINT` naming the missing or mismatching file, parameter and shapes.
 */
export async function loadDetector(dir: string): Promise<SsdDetector> {
  const fn = "loadDetector";
  const m = join(dir, "model.json");
  const w = join(dir, WEIGHTS_FILE);
  let text: string;
  let bin: Buffer;
  try {
    text = await readFile(m, "utf8");
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${m}: ${(e as Error).message}`, { file: m });
  }
  try {
    bin = await readFile(w);
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${w}: ${(e as Error).message}`, { file: w });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `${m} is not valid JSON: ${(e as Error).message}`, { file: m });
  }
  const ab = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return deserializeDetector(json, ab, m);
}
