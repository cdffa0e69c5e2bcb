import { type ParamKind, sameSequence } from "@od/boxes";
import { fail } from "./errors.js";
import { tfToTorch, torchShapeOf, torchToTf } from "./layout.js";
import { type AnyTorchTensor, type StateDict, toFloat32 } from "./tensor.js";

/** One parameter of the model being loaded: torch's key, its layout kind and its tfjs shape. */
export interface TargetParam {
  /** torch's state-dict key (`"backbone.features.0.0.weight"`). */
  readonly key: string;
  /** How its tfjs layout maps to torch's ({@link ParamKind}). */
  readonly kind: ParamKind;
  /**
   * The shape od holds it in (tfjs layout, e.g. `[kh, kw, in, out]` for conv2d). The tfjs shape, not the
   * torch one, because a torch depthwise shape `[C·m, 1, kh, kw]` does not say C and m apart.
   */
  readonly shape: readonly number[];
}

/** A key whose tensor does not fit its target: torch shapes (or dtypes) on both sides. */
export interface LoadMismatch {
  /** The state-dict key. */
  readonly key: string;
  /** `"shape"`, `"dtype"` (not floating point) or `"non-finite"` (a NaN or ±Inf element). */
  readonly reason: "shape" | "dtype" | "non-finite";
  /** Torch shape the model needs. */
  readonly expected: readonly number[];
  /** Torch shape in the state dict. */
  readonly actual: readonly number[];
  /** The state dict tensor's dtype. */
  readonly dtype: string;
}

/** What {@link loadStateDict} matched, as torch's `load_state_dict` reports it (plus mismatches). */
export interface LoadReport {
  /** Target keys absent from the state dict (left to the caller's initialisation). */
  readonly missing: readonly string[];
  /** State-dict keys no target asks for (`num_batches_tracked` excepted: see `ignored`). */
  readonly unexpected: readonly string[];
  /** Keys present on both sides whose tensor cannot be loaded. */
  readonly mismatched: readonly LoadMismatch[];
  /** BatchNorm `*.num_batches_tracked` counters without a target (od keeps no such buffer). */
  readonly ignored: readonly string[];
}

/** Result of {@link loadStateDict}. */
export interface LoadResult {
  /** The loadable parameters by key: float32, tfjs layout and shape of their target. */
  readonly values: ReadonlyMap<string, Float32Array>;
  /** Every key that was not loaded, and why. */
  readonly report: LoadReport;
}

/** Options of {@link loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * `true` (default, torch's default): any missing, unexpected or mismatched key is a
   * `STATE_DICT_MISMATCH` error and nothing is returned. `false`: what matches is returned, the rest is
   * in the report (e.g. fine-tuning with another number of classes: the head is reported and left to
   * initialisation). Unlike torch, a shape mismatch is skipped, not raised, when `strict` is false.
   */
  readonly strict?: boolean;
  /** The file the state dict came from, for messages. */
  readonly file?: string;
}

/** The suffix of BatchNorm's step counter, a buffer od does not keep. */
export const NUM_BATCHES_TRACKED = "num_batches_tracked";

/**
 * torch's `load_state_dict` over a list of target parameters: matches keys, checks each tensor's
 * torch shape against the target's ({@link torchShapeOf}) and that it is finite floating point, and
 * converts what fits to float32 in tfjs layout ({@link torchToTf}). Pure: nothing is mutated, and in
 * strict mode nothing is returned unless everything fits. Errors: `STATE_DICT_MISMATCH` (strict; the
 * message lists missing keys, unexpected keys and each mismatch with both shapes; `details.report`
 * holds the {@link LoadReport}), `INVALID_ARGUMENT` (duplicate target keys).
 */
export function loadStateDict(
  targets: readonly TargetParam[],
  stateDict: StateDict,
  options: LoadStateDictOptions = {},
): LoadResult {
  const fn = "loadStateDict";
  const strict = options.strict ?? true;
  const byKey = new Map<string, TargetParam>();
  for (const t of targets) {
    if (byKey.has(t.key)) fail("INVALID_ARGUMENT", fn, `target key ${JSON.stringify(t.key)} appears twice`);
    byKey.set(t.key, t);
  }
  const missing: string[] = [];
  const mismatched: LoadMismatch[] = [];
  const values = new Map<string, Float32Array>();
  for (const target of targets) {
    const tensor = stateDict.get(target.key);
    if (tensor === undefined) {
      missing.push(target.key);
      continue;
    }
    const expected = torchShapeOf(target.kind, target.shape);
    const mismatch = (reason: LoadMismatch["reason"]): LoadMismatch => ({
      key: target.key,
      reason,
      expected,
      actual: tensor.shape,
      dtype: tensor.dtype,
    });
    if (!sameSequence(expected, tensor.shape)) mismatched.push(mismatch("shape"));
    else if (!isFloat(tensor)) mismatched.push(mismatch("dtype"));
    else {
      const data = toFloat32(tensor);
      if (!data.every(Number.isFinite)) mismatched.push(mismatch("non-finite"));
      else values.set(target.key, torchToTf(target.kind, data, target.shape));
    }
  }
  const unexpected: string[] = [];
  const ignored: string[] = [];
  for (const key of stateDict.keys()) {
    if (byKey.has(key)) continue;
    if (key === NUM_BATCHES_TRACKED || key.endsWith(`.${NUM_BATCHES_TRACKED}`)) ignored.push(key);
    else unexpected.push(key);
  }
  const report: LoadReport = { missing, unexpected, mismatched, ignored };
  if (strict && (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0))
    fail("STATE_DICT_MISMATCH", fn, describeLoadReport(report, options.file), { report, file: options.file });
  return { values, report };
}

function isFloat(t: AnyTorchTensor): boolean {
  return t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16" || t.dtype === "float64";
}

/**
 * The report as torch words it (`Missing key(s) in state_dict: "a", "b". Unexpected key(s) …. size
 * mismatch for k: copying a param with shape [..] from checkpoint, the shape in current model is [..].`),
 * at most 10 keys per list; `""` when nothing is wrong.
 */
export function describeLoadReport(report: LoadReport, file?: string): string {
  const list = (keys: readonly string[]): string =>
    `${keys
      .slice(0, 10)
      .map((k) => JSON.stringify(k))
      .join(", ")}${keys.length > 10 ? ` and ${keys.length - 10} more` : ""}`;
  const parts: string[] = [];
  if (report.missing.length > 0) parts.push(`Missing key(s) in state_dict: ${list(report.missing)}.`);
  if (report.unexpected.length > 0)
    parts.push(`Unexpected key(s) in state_dict: ${list(report.unexpected)}.`);
  for (const m of report.mismatched.slice(0, 10)) {
    const shapes = `[${m.actual.join(", ")}]`;
    if (m.reason === "shape")
      parts.push(
        `size mismatch for ${m.key}: copying a param with shape ${shapes} from checkpoint, the shape in current model is [${m.expected.join(", ")}].`,
      );
    else if (m.reason === "dtype")
      parts.push(`dtype mismatch for ${m.key}: ${m.dtype} is not floating point.`);
    else parts.push(`non-finite values in ${m.key}: a NaN or infinite element.`);
  }
  if (report.mismatched.length > 10) parts.push(`and ${report.mismatched.length - 10} more mismatches.`);
  if (parts.length === 0) return "";
  const hint = prefixHint(report);
  if (hint !== undefined) parts.push(hint);
  return `Error(s) in loading state_dict${file === undefined ? "" : ` from ${file}`}: ${parts.join(" ")}`;
}

/** One od parameter to export: torch key, kind, tfjs shape and float32 elements in tfjs order. */
export interface SourceParam extends TargetParam {
  /** `numel(shape)` elements in tfjs layout. */
  readonly data: Float32Array;
}

/** Options of {@link exportStateDict}. */
export interface ExportStateDictOptions {
  /**
   * Value of the `*.num_batches_tracked` int64 scalar added next to every `*.running_mean` that has none
   * (torch's strict load requires it). Default `0n`.
   */
  readonly numBatchesTracked?: bigint;
}

/**
 * The torch state dict of od parameters: each converted to torch layout ({@link tfToTorch}) as float32,
 * in the given order, plus a `num_batches_tracked` int64 scalar after each BatchNorm's `running_var`
 * (or `running_mean`) so that torch's `load_state_dict(strict=True)` accepts it. Write it with
 * `writeSafetensors`. Errors: `INVALID_ARGUMENT` (duplicate key, wrong data length, kind or rank).
 */
export function exportStateDict(
  params: readonly SourceParam[],
  options: ExportStateDictOptions = {},
): Map<string, AnyTorchTensor> {
  const fn = "exportStateDict";
  const out = new Map<string, AnyTorchTensor>();
  const keys = new Set(params.map((p) => p.key));
  if (keys.size !== params.length) fail("INVALID_ARGUMENT", fn, "params hold a duplicate key");
  const tracked = options.numBatchesTracked ?? 0n;
  for (const p of params) {
    out.set(p.key, {
      dtype: "float32",
      shape: torchShapeOf(p.kind, p.shape),
      data: tfToTorch(p.kind, p.data, p.shape),
    });
    const m = /^(.*\.)?running_(mean|var)$/.exec(p.key);
    if (m === null) continue;
    const prefix = m[1] ?? "";
    const counter = `${prefix}${NUM_BATCHES_TRACKED}`;
    const other = `${prefix}running_${m[2] === "mean" ? "var" : "mean"}`;
    // after the later of running_mean / running_var, as torch orders BatchNorm's buffers
    if (!keys.has(counter) && (!keys.has(other) || out.has(other)))
      out.set(counter, { dtype: "int64", shape: [], data: new BigInt64Array([tracked]) });
  }
  return out;
}

/** A hint when the unexpected keys are the missing ones behind a common prefix (DDP's `module.`). */
function prefixHint(report: LoadReport): string | undefined {
  const first = report.unexpected[0];
  if (first === undefined || report.missing.length === 0) return undefined;
  const missing = new Set(report.missing);
  for (const m of report.missing) {
    if (!first.endsWith(m) || first.length === m.length) continue;
    const prefix = first.slice(0, first.length - m.length);
    if (report.unexpected.every((k) => k.startsWith(prefix) && missing.has(k.slice(prefix.length))))
      return `Every unexpected key is a missing key behind ${JSON.stringify(prefix)}: stripKeyPrefix(stateDict, ${JSON.stringify(prefix)}) first.`;
  }
  return undefined;
}
