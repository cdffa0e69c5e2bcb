import { mkdir } from "node:fs/promises";
import path from "node:path";
import { saveOnnx } from "@od/onnx/node";
import type { BackendName } from "@od/tf";
import type { CliIo } from "../io.js";
import { bad, fsExit, kindOf, out, printJson, resolvePath } from "./common.js";
import { loadModel, selectBackend } from "./model-commands.js";

/** Formats `odet export` writes. */
export const EXPORT_FORMATS = ["onnx"] as const;

/** Options of `odet export`. */
export interface ExportOptions {
  readonly model: string;
  readonly format: (typeof EXPORT_FORMATS)[number];
  readonly out: string;
  readonly backend?: BackendName;
  readonly json?: boolean;
}

/**
 * `odet export`: the detector of a run folder (or a folder saved by `saveDetector`) as an ONNX model,
 * written to a temporary file and renamed, so an existing file is replaced whole or left as it was.
 * A staged run's crop classifier is not part of the export (refused).
 */
export async function exportCommand(io: CliIo, o: ExportOptions): Promise<void> {
  await selectBackend(o.backend);
  const model = await loadModel(io, o.model);
  try {
    if (model.classifier !== undefined)
      throw bad(
        `${o.model} is a staged run with a crop classifier; only single-stage detectors export to ONNX`,
      );
    const file = resolvePath(io, o.out);
    if ((await kindOf(file)) === "dir")
      throw bad(`--out ${o.out} is a folder; give a file name (model.onnx)`);
    try {
      await mkdir(path.dirname(file), { recursive: true });
    } catch (e) {
      throw fsExit(e, path.dirname(file)) ?? e;
    }
    const bytes = await saveOnnx(model.detector, file);
    if (o.json) {
      printJson(io, { format: o.format, out: file, bytes, classNames: model.detector.config.classNames });
      return;
    }
    out(
      io,
      `wrote ${file} (ONNX opset 17, ${bytes} bytes; input [N, 3, ${model.detector.config.inputSize.height}, ${model.detector.config.inputSize.width}] NCHW; outputs loc, logits)`,
    );
  } finally {
    model.dispose();
  }
}
