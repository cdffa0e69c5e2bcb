/**
 * Checkpoints of a training stage: a model's parameters, the optimizer state and the stage's own
 * state after a completed epoch, in `epoch-NNNN/` folders next to a `last.json` that points at the
 * newest complete one. Stage 1 keeps them in `<run>/checkpoints/`, stage 2 (the crop classifier) in
 * `<run>/checkpoints/classifier/`.
 * @module
 */
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { isOdError } from "@od/boxes";
import {
  type CropClassifier,
  type ParamStore,
  type SsdDetector,
  unpackParams,
  type WeightSpec,
} from "@od/ssd";
import { saveClassifier, saveDetector } from "@od/ssd/node";
import { fail } from "../errors.js";
import type { Optimizer } from "../optim.js";
import { RunFolder } from "./run-folder.js";

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
  /** Epochs completed when it was written. */
  readonly epoch: number;
}

/**
 * The checkpoints of one training stage under `root`. Each checkpoint folder holds the model's files,
 * `optimizer.bin` (every slot's float32 values, concatenated), `optimizer.json` (`{ step, slots: [{
 * name, sizes }] }`) and `state.json` (the stage's state `S`); `last.json` (`{ dir, epoch }`) is
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

  /** The newest complete checkpoint, or `undefined` when `last.json` is missing or unreadable. */
  async latest(): Promise<CheckpointPointer | undefined> {
    const j = (await this.#folder.readJson("last.json")) as { dir?: unknown; epoch?: unknown } | undefined;
    if (typeof j?.dir !== "string" || typeof j.epoch !== "number") return undefined;
    return { dir: this.#folder.path(j.dir), epoch: j.epoch };
  }

  /**
   * The stage state stored in a checkpoint, without restoring anything.
   * @throws TrainError `BAD_CHECKPOINT` when `state.json` is missing or invalid.
   */
  async readState(pointer: CheckpointPointer): Promise<S> {
    const file = path.join(pointer.dir, "state.json");
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8")) as unknown;
    } catch (e) {
      return fail("BAD_CHECKPOINT", "Checkpoints.readState", `cannot read ${file}: ${(e as Error).message}`, {
        file,
      });
    }
    return this.#readState(json, file);
  }

  /**
   * Writes the checkpoint of `epoch` completed epochs (`epoch-NNNN/`), then points `last.json` at it,
   * then removes older checkpoints but the previous one.
   * @returns the checkpoint's folder.
   */
  async save(epoch: number, model: CheckpointModel, optimizer: Optimizer, state: S): Promise<string> {
    const name = `epoch-${String(epoch).padStart(4, "0")}`;
    const dir = this.#folder.path(name);
    await model.save(dir);
    const st = await optimizer.getState();
    const names = Object.keys(st.slots);
    const arrays = names.flatMap((n) => st.slots[n] as Float32Array[]);
    const buf = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      buf.set(a, o);
      o += a.length;
    }
    await this.#folder.write(`${name}/optimizer.bin`, new Uint8Array(buf.buffer));
    await this.#folder.writeJson(`${name}/optimizer.json`, {
      step: st.step,
      slots: names.map((n) => ({ name: n, sizes: (st.slots[n] as Float32Array[]).map((a) => a.length) })),
    });
    await this.#folder.writeJson(`${name}/state.json`, state);
    await this.#folder.writeJson("last.json", { dir: name, epoch });
    await this.#prune(name);
    return dir;
  }

  /**
   * Restores `model` and `optimizer` from the checkpoint in `dir` and returns its state.
   * @throws TrainError `BAD_CHECKPOINT` naming the folder when a file is missing, unreadable or does not fit.
   */
  async restore(dir: string, model: CheckpointModel, optimizer: Optimizer): Promise<S> {
    const fn = "Checkpoints.restore";
    try {
      const jsonFile = path.join(dir, model.files.json);
      const json = JSON.parse(await readFile(jsonFile, "utf8")) as {
        weightsManifest: { weights: WeightSpec[] }[];
      };
      const w = await readFile(path.join(dir, model.files.weights));
      unpackParams(
        model.params,
        json.weightsManifest[0]?.weights ?? [],
        w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
        jsonFile,
      );
      const oj = JSON.parse(await readFile(path.join(dir, "optimizer.json"), "utf8")) as {
        step: number;
        slots: { name: string; sizes: number[] }[];
      };
      const ob = await readFile(path.join(dir, "optimizer.bin"));
      const all = new Float32Array(ob.buffer.slice(ob.byteOffset, ob.byteOffset + ob.byteLength));
      const slots: Record<string, Float32Array[]> = {};
      let o = 0;
      for (const s of oj.slots) {
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
      optimizer.setState({ step: oj.step, slots });
      const stateFile = path.join(dir, "state.json");
      return this.#readState(JSON.parse(await readFile(stateFile, "utf8")) as unknown, stateFile);
    } catch (e) {
      if (isOdError(e)) throw e;
      return fail("BAD_CHECKPOINT", fn, `cannot resume from ${dir}: ${(e as Error).message}`, { dir });
    }
  }

  /** Removes every `epoch-*` folder but `keep` and the newest other one. */
  async #prune(keep: string): Promise<void> {
    const dirs = (await readdir(this.root))
      .filter((d) => d.startsWith("epoch-") && d !== keep && !d.includes(".tmp"))
      .sort();
    for (const d of dirs.slice(0, -1)) await rm(path.join(this.root, d), { recursive: true, force: true });
  }
}
