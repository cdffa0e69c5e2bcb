/**
 * Worker-thread replica of {@link DataParallel}: builds the detector from the config it is given,
 * then for every message sets the parameters it receives (every one, in the store's order) and
 * returns the gradients of its shard (packed in trainable-variable order; zeros where none).
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import { type SsdConfig, SsdDetector } from "@od/ssd";
import { tf } from "@od/tf";
import { initBackend } from "@od/tf/node";
import type { TrainConfig } from "./config.js";
import type { TrainingBatch } from "./sampler.js";
import { shardGradients, trainableNames } from "./step.js";

const port = parentPort;
if (port !== null) {
  const { ssdConfig, trainConfig } = workerData as { ssdConfig: SsdConfig; trainConfig: TrainConfig };
  try {
    await initBackend({ prefer: [...trainConfig.train.backends] });
    const detector = new SsdDetector(ssdConfig);
    const vars = detector.trainableVariables();
    const names = trainableNames(detector);
    const all = detector.params.names().map((n) => detector.params.get(n));
    const trainableSize = vars.reduce((a, v) => a + v.size, 0);
    port.postMessage({ ready: true });
    port.on("message", (m: { weights: Float32Array; shard: TrainingBatch; frozenBackbone: boolean }) => {
      try {
        let o = 0;
        for (const v of all) {
          const part = m.weights.subarray(o, o + v.size);
          tf.tidy(() => v.assign(tf.tensor(part, v.shape)));
          o += v.size;
        }
        const g = shardGradients(detector, m.shard, trainConfig, { frozenBackbone: m.frozenBackbone });
        const packed = new Float32Array(trainableSize);
        let p = 0;
        names.forEach((n, i) => {
          const t = g.grads[n];
          if (t !== undefined) packed.set(t.dataSync() as Float32Array, p);
          p += (vars[i] as tf.Variable).size;
        });
        tf.dispose(Object.values(g.grads));
        port.postMessage(
          { loss: g.loss, loc: g.loc, cls: g.cls, numPositive: g.numPositive, grads: packed },
          [packed.buffer],
        );
      } catch (e) {
        port.postMessage({ error: (e as Error).stack ?? String(e) });
      }
    });
  } catch (e) {
    port.postMessage({ error: (e as Error).stack ?? String(e) });
  }
}
