/**
 * Node-only helpers of `@od/onnx`: `onnxruntime-node` (an optional peer dependency), and reading and
 * writing `.onnx` files (written atomically with `writeFileAtomic` of `@od/boxes/node`).
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@od/boxes/node";
import type { SsdDetector } from "@od/ssd";
import { fail } from "./errors.js";
import { type ExportOnnxOptions, exportOnnx } from "./export.js";
import { readOnnxMetadata } from "./metadata.js";
import { loadOrt, OnnxDetector, type OnnxDetectorOptions, type OrtModule } from "./runtime.js";

/**
 * Loads `onnxruntime-node` (an optional peer dependency of `@od/onnx`: `npm install
 * onnxruntime-node@1.30.0`, with `onnxruntime-node-install=skip` in `.npmrc` where its GPU download
 * cannot run).
 * @throws OnnxError `RUNTIME_MISSING` naming the package when it is not installed.
 */
export function loadOrtNode(): Promise<OrtModule> {
  return loadOrt("onnxruntime-node", () => import("onnxruntime-node"));
}

/**
 * Exports a detector with `exportOnnx` and writes it to `file` atomically (`writeFileAtomic` of
 * `@od/boxes/node`: to `<file>.tmp-<pid>`, fsynced, then renamed over `file`, so a failed write leaves an
 * existing `file` as it was).
 * @returns the number of bytes written.
 * @throws OnnxError `UNSUPPORTED_OP`; `IO_FAILED` naming the path (wrapping the BoxesError).
 */
export async function saveOnnx(
  detector: SsdDetector,
  file: string,
  options: ExportOnnxOptions = {},
): Promise<number> {
  const bytes = exportOnnx(detector, options);
  try {
    await writeFileAtomic(file, bytes);
  } catch (e) {
    fail("IO_FAILED", "saveOnnx", (e as Error).message, { file }, e);
  }
  return bytes.length;
}

/**
 * Reads an exported model file and checks that od wrote it.
 * @throws OnnxError `IO_FAILED` naming the path; `NOT_OD_MODEL` naming the file.
 */
export async function readOnnxFile(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    return fail("IO_FAILED", "readOnnxFile", `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  try {
    readOnnxMetadata(bytes);
  } catch (e) {
    return fail("NOT_OD_MODEL", "readOnnxFile", `${file}: ${(e as Error).message}`, { file });
  }
  return bytes;
}

/**
 * Opens an exported model file with `onnxruntime-node`.
 * @throws OnnxError `IO_FAILED`, `NOT_OD_MODEL`, `RUNTIME_MISSING`, `RUNTIME_FAILED`.
 */
export async function loadOnnxDetector(
  file: string,
  options: OnnxDetectorOptions = {},
): Promise<OnnxDetector> {
  const bytes = await readOnnxFile(file);
  return OnnxDetector.create(bytes, await loadOrtNode(), options);
}
