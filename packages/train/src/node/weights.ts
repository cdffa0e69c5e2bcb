/**
 * Initial weights of a run (`model.weights`): a PyTorch `.pth` / `.safetensors` state dict with
 * torchvision's keys, or an od model folder, loaded into the run's detector with torch's
 * `load_state_dict` semantics (`loadStateDict` of `@od/torch`).
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isOdError, sameSequence } from "@od/boxes";
import { isBackboneParam, isClassHeadParam, mapMobilenetV3LargeKeys, type SsdDetector } from "@od/ssd";
import { loadDetector } from "@od/ssd/node";
import { tf } from "@od/tf";
import {
  describeLoadReport,
  exportStateDict,
  type LoadMismatch,
  loadStateDict,
  readPth,
  readSafetensors,
  type StateDict,
  type TargetParam,
} from "@od/torch";
import { fail } from "../errors.js";

/** The file formats `model.weights` takes. */
export type WeightsFormat = "pth" | "safetensors" | "od";

/**
 * What a weights file holds, told from its keys: `detector`, a detector's state dict (torchvision's keys,
 * or od's parameter names for an od model), or `imagenet-mobilenet_v3_large`, torchvision's ImageNet
 * `mobilenet_v3_large` classifier (`features.*`, `classifier.*`), whose `features` become the backbone.
 */
export type WeightsKind = "detector" | "imagenet-mobilenet_v3_large";

/** What {@link loadInitialWeights} loaded and left (`weights.json` of a run folder). */
export interface WeightsReport {
  /** The file, absolute. */
  readonly file: string;
  readonly format: WeightsFormat;
  readonly kind: WeightsKind;
  /** True when every parameter of the detector was loaded (torch's `strict=True` held). */
  readonly strict: boolean;
  /** Number of detector parameters loaded from the file. */
  readonly loaded: number;
  /**
   * Class-head parameters whose shape differs in the file (another number of classes): left at their
   * seeded initial values.
   */
  readonly reinitialised: readonly string[];
  /** Detector parameters the file does not hold, left at their seeded initial values. */
  readonly missing: readonly string[];
  /** File keys the detector has no place for, not loaded (an ImageNet classifier's `classifier.*`). */
  readonly unexpected: readonly string[];
  /** Keys present on both sides that were not loaded, with torch shapes on both sides. */
  readonly mismatched: readonly LoadMismatch[];
  /** BatchNorm `num_batches_tracked` counters (od keeps none). */
  readonly ignored: readonly string[];
  /** The report in torch's words (`""` when everything loaded). */
  readonly message: string;
  /** The run's class names (label k ≥ 1 is `classNames[k − 1]`): the order the file's class outputs are read in. */
  readonly classNames: readonly string[];
  /**
   * The class names the file holds (an od model's), or `null` when it holds none (`.pth`, `.safetensors`):
   * its class outputs are then taken to be in the run's order, which `data.classNames` sets.
   */
  readonly fileClassNames: readonly string[] | null;
}

/** Options of {@link loadInitialWeights}. */
export interface LoadInitialWeightsOptions {
  /** Upper bound on the bytes a `.pth` / `.safetensors` file may expand to (default: `@od/torch`'s). */
  readonly byteBudget?: number;
}

const FN = "loadInitialWeights";

/** A `BAD_WEIGHTS` TrainError naming the file (and the key, when one is at fault). */
function bad(file: string, why: string, details: Record<string, unknown> = {}): never {
  return fail("BAD_WEIGHTS", FN, `model.weights ${file}: ${why}`, { file, ...details });
}

/**
 * Loads the initial weights of `file` into `detector` (in place) and reports what it did. `file` is a
 * `.pth` (PyTorch zip archive; told by its signature), a `.safetensors` file, or an od model folder or
 * its `model.json` (as `saveDetector` writes it). Torch semantics:
 * - a detector state dict loads strictly (every parameter, finite, of the right shape) when its class
 *   count matches; when only the class heads' shapes differ ({@link isClassHeadParam} of `@od/ssd`:
 *   another number of classes), everything else is loaded and the class heads keep their seeded
 *   initial values (`reinitialised`);
 * - an ImageNet `mobilenet_v3_large` classifier (keys `features.*` and `classifier.*`, mapped with
 *   `mapMobilenetV3LargeKeys` of `@od/ssd`) loads strictly into the backbone's MobileNetV3 layers
 *   (`backbone.features.*`); the SSDlite extra layers and heads keep their initial values (`missing`),
 *   `classifier.*` is not loaded (`unexpected`).
 * A `.pth` or `.safetensors` file holds no class names: its class outputs are taken in the run's order
 * (`classNames` of the report; `data.classNames` sets it). An od model's class names are checked: the
 * run's classes in another order are refused.
 * @throws TrainError `BAD_WEIGHTS` naming the file and the first offending key: unreadable or malformed
 *   file (the reader's reason), keys of another network, a shape that does not fit, a NaN or infinite
 *   value, a non-float tensor; an od model whose classes are the run's in another order (key `classNames`).
 */
export async function loadInitialWeights(
  detector: SsdDetector,
  file: string,
  options: LoadInitialWeightsOptions = {},
): Promise<WeightsReport> {
  const abs = path.resolve(file);
  const { format, stateDict, classNames: fileClassNames = null } = await readWeights(abs, options);
  const classNames = detector.config.classNames;
  if (fileClassNames !== null) refusePermutedClasses(abs, fileClassNames, classNames);
  const p = detector.params;
  const all: TargetParam[] = p.layout();
  const kind = weightsKind(stateDict.keys());
  let targets = all;
  let source = stateDict;
  let unmapped: readonly string[] = [];
  if (kind === "imagenet-mobilenet_v3_large") {
    const { mapped, unmapped: rest } = mapMobilenetV3LargeKeys(stateDict.keys());
    source = new Map([...stateDict].flatMap(([k, t]) => (mapped.has(k) ? [[mapped.get(k)!, t]] : [])));
    unmapped = rest;
    targets = all.filter((t) => isBackboneParam(t.key) && t.key.startsWith("backbone.features."));
    if (targets.length === 0)
      bad(
        abs,
        `is an ImageNet mobilenet_v3_large classifier (keys features.*, classifier.*); it fits the backbone of model.architecture ssdlite320_mobilenet_v3_large, not ${detector.config.backbone.kind}`,
        { kind },
      );
  }
  const { values, report } = loadStateDict(targets, source, { strict: false, file: abs });
  const reinitialised = report.mismatched.filter((m) => m.reason === "shape" && isClassHeadParam(m.key));
  const refused = report.mismatched.filter((m) => !reinitialised.includes(m));
  const loadedAll = kind === "detector" && reinitialised.length === 0;
  const problem = refused[0]?.key ?? report.missing[0] ?? report.unexpected[0];
  if (problem !== undefined) {
    const what = describeLoadReport({ ...report, mismatched: refused });
    // a torchvision backbone of another width or tail differs in shapes only
    const hint =
      detector.config.backbone.kind === "mobilenet_v3_large" &&
      refused.some((m) => m.reason === "shape" && isBackboneParam(m.key))
        ? ` Its backbone has other shapes: set model.backbone.widthMultiplier and reducedTail to the checkpoint's (torchvision's COCO ssdlite320_mobilenet_v3_large checkpoint has reducedTail: true; an ImageNet mobilenet_v3_large classifier has reducedTail: false).`
        : "";
    bad(
      abs,
      `does not fit this ${modelName(detector)} (first key at fault: ${JSON.stringify(problem)}). ${what}${hint}`,
      { key: problem, report },
    );
  }
  tf.tidy(() => {
    for (const [key, data] of values) {
      const v = p.get(key);
      v.assign(tf.tensor(data, v.shape, "float32"));
    }
  });
  const loadedKeys = new Set(values.keys());
  const missing = all
    .map((t) => t.key)
    .filter((k) => !loadedKeys.has(k) && !reinitialised.some((m) => m.key === k));
  const out: WeightsReport = {
    file: abs,
    format,
    kind,
    strict: loadedAll && missing.length === 0,
    loaded: values.size,
    reinitialised: reinitialised.map((m) => m.key),
    missing,
    unexpected: [...unmapped],
    mismatched: reinitialised,
    ignored: report.ignored,
    message: "",
    classNames,
    fileClassNames,
  };
  return {
    ...out,
    message: describeLoadReport({
      missing: out.missing,
      unexpected: out.unexpected,
      mismatched: out.mismatched,
      ignored: out.ignored,
    }),
  };
}

/**
 * Refuses a file whose classes are the run's in another order: loading it would permute the labels
 * (its output k would be read as the run's class k). Other class lists load (with another count the
 * class head is re-initialised) and are reported.
 * @throws TrainError `BAD_WEIGHTS` naming both orders and the `data.classNames` that fixes it.
 */
function refusePermutedClasses(
  file: string,
  fileNames: readonly string[],
  runNames: readonly string[],
): void {
  const sorted = (a: readonly string[]) => [...a].sort();
  if (sameSequence(fileNames, runNames) || !sameSequence(sorted(fileNames), sorted(runNames))) return;
  bad(
    file,
    `holds the classes ${JSON.stringify(fileNames)} and this run has ${JSON.stringify(runNames)}: the same classes in another order, so every label would be permuted. Set data.classNames to ${JSON.stringify(fileNames)} to train in the file's order.`,
    { key: "classNames", fileClassNames: fileNames, classNames: runNames },
  );
}

/** `ssdlite320_mobilenet_v3_large (4 classes)` / `ssd (3 classes)`: the detector in words. */
function modelName(detector: SsdDetector): string {
  const arch = detector.config.head === "ssdlite" ? "ssdlite320_mobilenet_v3_large" : "ssd";
  return `${arch} (${detector.numClasses} classes with background)`;
}

/**
 * {@link WeightsKind} of a state dict's keys: an ImageNet `mobilenet_v3_large` classifier has
 * `features.0.0.weight` and only `features.*` / `classifier.*` keys; anything else is taken for a
 * detector (and checked key by key).
 */
export function weightsKind(keys: Iterable<string>): WeightsKind {
  const list = [...keys];
  return list.includes("features.0.0.weight") &&
    list.every((k) => k.startsWith("features.") || k.startsWith("classifier."))
    ? "imagenet-mobilenet_v3_large"
    : "detector";
}

/** The state dict of a weights file, in torch layout (an od model's parameters converted). */
async function readWeights(
  file: string,
  options: LoadInitialWeightsOptions,
): Promise<{ format: WeightsFormat; stateDict: StateDict; classNames?: readonly string[] }> {
  let isDir: boolean;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return bad(file, code === "ENOENT" ? "does not exist" : `cannot be read (${(e as Error).message})`);
  }
  if (isDir || path.basename(file) === "model.json") {
    const dir = isDir ? file : path.dirname(file);
    return { format: "od", ...(await readOdModel(dir, file)) };
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    return bad(file, `cannot be read (${(e as Error).message})`);
  }
  const budget = options.byteBudget === undefined ? {} : { byteBudget: options.byteBudget };
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const isSafetensors = file.endsWith(".safetensors");
  if (!isZip && !isSafetensors)
    return bad(
      file,
      "is neither a PyTorch .pth (zip) archive nor a .safetensors file, nor an od model folder or model.json",
    );
  try {
    return isZip
      ? { format: "pth", stateDict: readPth(bytes, { ...budget, file }) }
      : { format: "safetensors", stateDict: readSafetensors(bytes, { ...budget, file }).tensors };
  } catch (e) {
    if (isOdError(e)) return bad(file, `cannot be read: ${e.message}`, { cause: e.code });
    throw e;
  }
}

/** An od model folder's parameters as a torch-layout state dict (keys: od's parameter names), and its class names. */
async function readOdModel(
  dir: string,
  file: string,
): Promise<{ stateDict: StateDict; classNames: readonly string[] }> {
  let saved: SsdDetector;
  try {
    saved = await loadDetector(dir);
  } catch (e) {
    if (isOdError(e)) return bad(file, `cannot be read as an od model: ${e.message}`, { cause: e.code });
    throw e;
  }
  try {
    return { stateDict: exportStateDict(await saved.params.snapshot()), classNames: saved.config.classNames };
  } finally {
    saved.dispose();
  }
}
