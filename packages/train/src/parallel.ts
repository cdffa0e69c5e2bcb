import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { isBackboneParam, type SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import type { TrainConfig } from "./config.js";
import { fail } from "./errors.js";
import type { Optimizer } from "./optim.js";
import type { TrainingBatch } from "./sampler.js";
import { applyGradients, type StepOptions, type StepResult, shardGradients, trainableNames } from "./step.js";

/** A shard's result as a worker sends it back. */
interface WorkerReply {
  readonly loss: number;
  readonly loc: number;
  readonly cls: number;
  readonly numPositive: number;
  /** Gradients packed in trainable-variable order. */
  readonly grads: Float32Array;
  readonly error?: string;
}

/**
 * Data-parallel training on several cores: the main thread and `workers` worker threads each hold a
 * replica of the detector, compute the gradients of one shard of every batch at the same time, and the
 * main thread averages them — weighted so the result equals the MultiBox loss of the whole batch,
 * normalised by the batch's positives — and applies one optimizer step. Replicas receive the current
 * parameters before every step (batch-norm running statistics included, which a frozen backbone
 * normalises with). Batch-norm statistics are per shard (as PyTorch DDP without SyncBN).
 *
 * wasm runs single-threaded in Node, so on a 2-core machine one worker roughly doubles throughput.
 */
export class DataParallel {
  readonly #workers: Worker[];
  readonly #detector: SsdDetector;
  readonly #config: TrainConfig;
  readonly #names: string[];

  private constructor(workers: Worker[], detector: SsdDetector, config: TrainConfig) {
    this.#workers = workers;
    this.#detector = detector;
    this.#config = config;
    this.#names = trainableNames(detector);
  }

  /** Number of worker threads (the main thread computes a shard too). */
  get workers(): number {
    return this.#workers.length;
  }

  /** Starts `workers` replicas of `detector` (same config, same backends). */
  static async start(detector: SsdDetector, config: TrainConfig, workers: number): Promise<DataParallel> {
    const here = fileURLToPath(import.meta.url);
    // Built code runs dist/worker.js beside this file; tests running the sources use the built worker.
    const file = here.endsWith(".ts")
      ? path.resolve(path.dirname(here), "../dist/worker.js")
      : path.join(path.dirname(here), "worker.js");
    if (!existsSync(file))
      fail(
        "INVALID_CONFIG",
        "DataParallel.start",
        `worker script ${file} is missing (build @od/train first)`,
      );
    const list = await Promise.all(
      Array.from({ length: workers }, async () => {
        const w = new Worker(file, {
          workerData: { ssdConfig: detector.config, trainConfig: config },
        });
        await new Promise<void>((resolve, reject) => {
          w.once("message", (m: { ready?: boolean; error?: string }) =>
            m.ready ? resolve() : reject(new Error(m.error ?? "worker failed to start")),
          );
          w.once("error", reject);
        });
        return w;
      }),
    );
    return new DataParallel(list, detector, config);
  }

  /** One optimizer step on `batch`, sharded over the main thread and the workers (see `trainStep`). */
  async step(
    optimizer: Optimizer,
    batch: TrainingBatch,
    lr: number,
    options: StepOptions = {},
  ): Promise<StepResult> {
    const n = this.#workers.length + 1;
    const B = batch.ids.length;
    const per = Math.ceil(B / n);
    const shards: TrainingBatch[] = [];
    for (let s = 0; s < B; s += per)
      shards.push(slice(batch, s, Math.min(B, s + per), this.#detector.priors.length, this.#config));
    const vars = this.#detector.trainableVariables();
    const params = this.#detector.params;
    const all = params.names().map((n) => params.get(n));
    const weights = new Float32Array(all.reduce((a, v) => a + v.size, 0));
    let o = 0;
    for (const v of all) {
      weights.set(v.dataSync() as Float32Array, o);
      o += v.size;
    }
    const frozen = options.frozenBackbone === true;
    const replies = shards.slice(1).map(
      (shard, i) =>
        new Promise<WorkerReply>((resolve, reject) => {
          const w = this.#workers[i] as Worker;
          w.once("message", (m: WorkerReply) => (m.error ? reject(new Error(m.error)) : resolve(m)));
          w.postMessage({ weights, shard, frozenBackbone: frozen });
        }),
    );
    const mine = shardGradients(this.#detector, shards[0] as TrainingBatch, this.#config, options);
    const others = await Promise.all(replies);
    const total = Math.max(1, mine.numPositive + others.reduce((s, r) => s + r.numPositive, 0));
    const w0 = Math.max(1, mine.numPositive) / total;
    const ws = others.map((r) => Math.max(1, r.numPositive) / total);
    const grads: Record<string, tf.Tensor> = {};
    let off = 0;
    this.#names.forEach((name, i) => {
      const v = vars[i] as tf.Variable;
      const g = mine.grads[name];
      if (frozen && isBackboneParam(name)) {
        off += v.size;
        return;
      }
      grads[name] = tf.tidy(() => {
        let acc = g === undefined ? tf.zerosLike(v) : tf.mul(g, w0);
        others.forEach((r, k) => {
          acc = tf.add(acc, tf.mul(tf.tensor(r.grads.subarray(off, off + v.size), v.shape), ws[k]!));
        });
        return acc;
      });
      off += v.size;
    });
    tf.dispose(Object.values(mine.grads));
    const combine = (f: (r: { loss: number; loc: number; cls: number }) => number) =>
      f(mine) * w0 + others.reduce((s, r, k) => s + f(r) * ws[k]!, 0);
    return applyGradients(
      optimizer,
      { loss: combine((r) => r.loss), loc: combine((r) => r.loc), cls: combine((r) => r.cls), grads },
      this.#config,
      lr,
    );
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

function slice(b: TrainingBatch, from: number, to: number, P: number, config: TrainConfig): TrainingBatch {
  const { width, height } = config.model.inputSize;
  const px = width * height * 3;
  const labels = b.labels.slice(from * P, to * P);
  let numPositive = 0;
  for (const l of labels) if (l > 0) numPositive++;
  return {
    images: b.images.slice(from * px, to * px),
    locTargets: b.locTargets.slice(from * P * 4, to * P * 4),
    labels,
    ids: b.ids.slice(from, to),
    numPositive,
    dropped: 0,
  };
}
