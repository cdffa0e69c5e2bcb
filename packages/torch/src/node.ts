import { readFile, writeFile } from "node:fs/promises";
import type { PickleValue } from "./pickle.js";
import { type ReadPthOptions, readPth, readPthObject } from "./pth.js";
import {
  type ReadSafetensorsOptions,
  readSafetensors,
  type SafetensorsContents,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from "./safetensors.js";
import type { StateDict } from "./tensor.js";

/** {@link readPth} of a file; messages name `path`. */
export async function readPthFile(
  path: string,
  options: Omit<ReadPthOptions, "file"> = {},
): Promise<StateDict> {
  return readPth(await readFile(path), { ...options, file: path });
}

/** {@link readPthObject} of a file (a whole checkpoint); messages name `path`. */
export async function readPthObjectFile(
  path: string,
  options: Omit<ReadPthOptions, "file" | "key"> = {},
): Promise<PickleValue> {
  return readPthObject(await readFile(path), { ...options, file: path });
}

/** {@link readSafetensors} of a file; messages name `path`. */
export async function readSafetensorsFile(
  path: string,
  options: Omit<ReadSafetensorsOptions, "file"> = {},
): Promise<SafetensorsContents> {
  return readSafetensors(await readFile(path), { ...options, file: path });
}

/** Writes {@link writeSafetensors}' bytes to `path` (replacing it). */
export async function writeSafetensorsFile(
  path: string,
  tensors: StateDict,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  await writeFile(path, writeSafetensors(tensors, options));
}
