/**
 * Checkpoints of a training stage: a model's parameters, the optimizer state and the stage's own
 * state after a completed epoch (`epoch-NNNN/`) or, when training was interrupted, after a step
 * within one (`epoch-NNNN-bMMMM/`: NNNN epochs and MMMM batches of the next one done), next to a
 * `last.json` that points at the newest complete one. Switching `last.json` is the commit point of a
 * run: a checkpoint folder is written under a temporary name and renamed into place first, so
 * `last.json` never points at a partial one. Stage 1 keeps them in `<run>/checkpoints/`, stage 2 (the
 * crop classifier) in `<run>/checkpoints/classifier/`.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { TMP_MARK, tempPathOf } from "@od/boxes/node";
import {
  type CropClassifier,
  type ParamStore,
  type SsdDetector,
  unpackParams,
  type WeightSpec,
} from "@od/ssd";
import { saveClassifier, saveDetector } from "@od/ssd/node";
import { z } from "zod";
import { fail } from "../errors.js";
import type { Optimizer } from "../optim.js";
import { makeDir, removePath, renamePath, syncDir, writeAndSync } from "./fs-steps.js";
import { RunFolder } from "./run-folder.js";

/** Name of the checkpoint folder after `epoch` completed epochs and `batch` batches of the next one. */
export function checkpointName(epoch: number, batch = 0): string {
  const e = `epoch-${String(epoch).padStart(4, "0")}`;
  return batch === 0 ? e : `${e}-b${String(batch).padStart(4, "0")}`;
}

/**
 * Checks parsed checkpoint JSON against a zod schema.
 * @throws TrainError `BAD_CHECKPOINT` from `fn` naming `file`, the first wrong field and its value.
 */
export function parseCheckpointJson<T>(schema: z.ZodType<T>, json: unknown, file: string, fn: string): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const at = issue.path.map(String).join(".");
  let value: unknown = json;
  for (const k of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
  const got = value === undefined ? "missing" : `got ${JSON.stringify(value)?.slice(0, 120)}`;
  return fail("BAD_CHECKPOINT", fn, `${file}: ${at === "" ? "" : `${at} `}${issue.message}; ${got}`, {
    file,
    field: at,
  });
}

/**
 * Reads and parses a JSON file of a checkpoint.
 * @throws TrainError `BAD_CHECKPOINT` from `fn` naming `file` when it is missing, unreadable or not JSON.
 */
async function readJsonFile(file: string, fn: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `${file} is not valid JSON (${(e as Error).message})`, { file });
  }
}

/** Reads a binary file of a checkpoint. @throws TrainError `BAD_CHECKPOINT` naming `file`. */
async function readBinaryFile(file: string, fn: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    return fail("BAD_CHECKPOINT", fn, `cannot read ${file}: ${(e as Error).message}`, { file });
  }
}

/** Schema of a checkpoint field holding an integer ≥ 0 (its error says so). */
export const checkpointInt = z
  .number({ error: "must be an integer >= 0" })
  .int("must be an integer >= 0")
  .min(0, "must be an integer >= 0");

/** Schema of `last.json`. */
const lastSchema = z.object({
  dir: z
    .string({ error: "must be a folder name" })
    .regex(/^epoch-\d{4}(-b\d{4})?$/, "must be a folder name epoch-NNNN[-bMMMM]"),
  epoch: checkpointInt,
});

/** Schema of `optimizer.json`. */
const optimizerSchema = z.object({
  step: checkpointInt,
  slots: z.array(
    z.object({ name: z.string(), sizes: z.array(checkpointInt), updates: checkpointInt.optional() }),
    { error: "must be an array of { name, sizes, updates? }" },
  ),
});

/** Schema of the model JSON of a checkpoint (the part restoring reads). */
const modelJsonSchema = z.looseObject({
  weightsManifest: z
    .array(z.looseObject({ weights: z.array(z.looseObject({ name: z.string() })) }), {
      error: "must be an array of { weights }",
    })
    .min(1, "must list the weights"),
});

/** A model a checkpoint holds: its parameters, and how it writes itself into a folder. */
export interface CheckpointModel {
  /** Parameters restored from a checkpoint (trainable weights and batch-norm statistics). */
  readonly params: ParamStore;
  /** Writes the model's files into `dir` (e.g. `saveDetector` of `@od/ssd/node`). */
  save(dir: string): Promise<void>;
  /** Names of the files `save` writes: the JSON holding `weightsManifest`, and the weights. */
  readonly files: { readonly json: string; readonly weights: string };
}

/** A detector as a {@link CheckpointModel} (`model.json` + `weights.bin`, loadable with `loadDetector`). */
export function detectorCheckpoint(detector: SsdDetector): CheckpointModel {
  return {
    params: detector.params,
    save: (dir) => saveDetector(detector, dir),
    files: { json: "model.json", weights: "weights.bin" },
  };
}

/** A crop classifier as a {@link CheckpointModel} (`classifier.json` + `classifier.bin`, loadable with `loadClassifier`). */
export function classifierCheckpoint(classifier: CropClassifier): CheckpointModel {
  return {
    params: classifier.params,
    save: (dir) => saveClassifier(classifier, dir),
    files: { json: "classifier.json", weights: "classifier.bin" },
  };
}

/** Where the newest checkpoint of a stage is (`last.json`). */
export interface CheckpointPointer {
  /** Absolute folder of the checkpoint. */
  readonly dir: string;
  /** Its folder name (`epoch-NNNN` or `epoch-NNNN-bMMMM`). */
  readonly name: string;
  /** Epochs completed when it was written. */
  readonly epoch: number;
}

/** Extras of {@link Checkpoints.save}. */
export interface SaveOptions {
  /** Batches of the next epoch already trained (a checkpoint written mid-epoch); default 0. */
  readonly batch?: number;
  /** More files to keep in the checkpoint folder (name → contents), e.g. the evaluation of the best epoch. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Checkpoint folders pruning must keep (e.g. the best epoch's). */
  readonly keep?: readonly string[];
}

/**
 * The checkpoints of one training stage under `root`. Each checkpoint folder holds the model's files,
 * `optimizer.bin` (every slot's float32 values, concatenated), `optimizer.json` (`{ step, slots: [{
 * name, sizes, updates }] }`; `updates`, each variable's own update count, absent in older checkpoints) and `state.json` (the stage's state `S`); `last.json` (`{ dir, epoch }`) is
 * switched only once the folder is complete, and then older folders but the previous one are removed.
 */
export class Checkpoints<S> {
  readonly #folder: RunFolder;
  readonly #readState: (json: unknown, file: string) => S;

  /**
   * @param root folder of the stage's checkpoints (created on the first save).
   * @param readState checks a parsed `state.json` and returns it as `S` (throws `BAD_CHECKPOINT` naming `file`).
   */
  constructor(root: string, readState: (json: unknown, file: string) => S) {
    this.#folder = new RunFolder(root);
    this.#readState = readState;
  }

  /** Absolute folder of the checkpoints. */
  get root(): string {
    return this.#folder.dir;
  }

  /**
   * The newest complete checkpoint, or `undefined` when there is none (`last.json` missing).
   * @throws TrainError `BAD_CHECKPOINT` naming `last.json` when it is not valid.
   */
  async latest(): Promise<CheckpointPointer | undefined> {
    const file = this.#folder.path("last.json");
    if ((await this.#folder.readText("last.json")) === undefined) return undefined;
    const fn = "Checkpoints.latest";
    const j = parseCheckpointJson(lastSchema, await readJsonFile(file, fn), file, fn);
    return { dir: this.#folder.path(j.dir), name: j.dir, epoch: j.epoch };
  }

  /**
   * The stage state stored in a checkpoint, without restoring anything.
   * @throws TrainError `BAD_CHECKPOINT` when `state.json` is missing or invalid.
   */
  async readState(pointer: CheckpointPointer): Promise<S> {
    const file = path.join(pointer.dir, "state.json");
    return this.#readState(await readJsonFile(file, "Checkpoints.readState"), file);
  }

  /**
   * Writes the checkpoint of `epoch` completed epochs (and `options.batch` batches of the next) into
   * a temporary folder, renames it into place, then points `last.json` at it (the commit), then
   * removes older checkpoints but the previous one and `options.keep`.
   * @returns the checkpoint's folder.
   */
  async save(
    epoch: number,
    model: CheckpointModel,
    optimizer: Optimizer,
    state: S,
    options: SaveOptions = {},
  ): Promise<string> {
    const name = checkpointName(epoch, options.batch ?? 0);
    const dir = this.#folder.path(name);
    const tmp = tempPathOf(dir);
    await this.#folder.create();
    await removePath(tmp);
    await makeDir(tmp);
    await model.save(tmp);
    const st = await optimizer.getState();
    const names = Object.keys(st.slots);
    const arrays = names.flatMap((n) => st.slots[n] as Float32Array[]);
    const buf = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      buf.set(a, o);
      o += a.length;
    }
    const json = (v: unknown) => JSON.stringify(v);
    const files: [string, string | Uint8Array][] = [
      ["optimizer.bin", new Uint8Array(buf.buffer)],
      [
        "optimizer.json",
        json({
          step: st.step,
          slots: names.map((n) => ({
            name: n,
            sizes: (st.slots[n] as Float32Array[]).map((a) => a.length),
            ...(st.updates?.[n] === undefined ? {} : { updates: st.updates[n] }),
          })),
        }),
      ],
      ["state.json", json(state)],
      ...Object.entries(options.files ?? {}),
    ];
    for (const [f, data] of files) await writeAndSync(path.join(tmp, f), data);
    await syncDir(tmp);
    await removePath(dir);
    await renamePath(tmp, dir);
    await syncDir(this.root);
    await this.#folder.writeJson("last.json", { dir: name, epoch });
    await this.#prune(name, options.keep ?? []);
    return dir;
  }

  /**
   * Restores `model` and `optimizer` from the checkpoint in `dir` and returns its state.
   * @throws TrainError `BAD_CHECKPOINT` naming the folder when a file is missing, unreadable or does not fit.
   */
  async restore(dir: string, model: CheckpointModel, optimizer: Optimizer): Promise<S> {
    const fn = "Checkpoints.restore";
    const jsonFile = path.join(dir, model.files.json);
    const json = parseCheckpointJson(modelJsonSchema, await readJsonFile(jsonFile, fn), jsonFile, fn);
    const w = await readBinaryFile(path.join(dir, model.files.weights), fn);
    const optFile = path.join(dir, "optimizer.json");
    const oj = parseCheckpointJson(optimizerSchema, await readJsonFile(optFile, fn), optFile, fn);
    const ob = await readBinaryFile(path.join(dir, "optimizer.bin"), fn);
    const stateFile = path.join(dir, "state.json");
    const state = this.#readState(await readJsonFile(stateFile, fn), stateFile);
    try {
      unpackParams(
        model.params,
        (json.weightsManifest[0]?.weights ?? []) as unknown as WeightSpec[],
        w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
        jsonFile,
      );
    } catch (e) {
      return fail("BAD_CHECKPOINT", fn, `cannot resume from ${dir}: ${(e as Error).message}`, { dir });
    }
    if (ob.byteLength % 4 !== 0)
      fail(
        "BAD_CHECKPOINT",
        fn,
        `${path.join(dir, "optimizer.bin")} holds ${ob.byteLength} bytes, not a whole number of float32 values`,
      );
    const all = new Float32Array(ob.buffer.slice(ob.byteOffset, ob.byteOffset + ob.byteLength));
    const slots: Record<string, Float32Array[]> = {};
    const updates: Record<string, number> = {};
    let o = 0;
    for (const s of oj.slots) {
      if (s.updates !== undefined) updates[s.name] = s.updates;
      slots[s.name] = s.sizes.map((n) => {
        const a = all.slice(o, o + n);
        o += n;
        return a;
      });
    }
    if (o !== all.length)
      fail(
        "BAD_CHECKPOINT",
        fn,
        `${path.join(dir, "optimizer.bin")} holds ${all.length} values; optimizer.json lists ${o}`,
      );
    optimizer.setState({ step: oj.step, slots, updates });
    return state;
  }

  /**
   * Removes every `epoch-*` folder but `current`, the newest other one and `keep`, and temporary
   * folders a killed save left.
   */
  async #prune(current: string, keep: readonly string[]): Promise<void> {
    const all = await readdir(this.root);
    for (const d of all.filter((d) => d.includes(TMP_MARK))) await removePath(path.join(this.root, d));
    const dirs = all.filter((d) => d.startsWith("epoch-") && d !== current && !d.includes(TMP_MARK)).sort();
    for (const d of dirs.slice(0, -1)) if (!keep.includes(d)) await removePath(path.join(this.root, d));
  }
}
