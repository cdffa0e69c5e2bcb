/**
 * Speed of the demo detector (MobileNet α 0.25, 256², batch 8 training, batch 1 inference) in headless
 * Chromium, threaded (cross-origin isolated page) and single-threaded, against Node on the same
 * machine: the same `measureSpeed` on the same model, batch and images. Prints one JSON object per line.
 *   npx tsx bench/run.ts [steps] [predictions]
 */
import { loadavg } from "node:os";
import { fileDecoder, loadVoc } from "@od/data/node";
import { initBackend } from "@od/tf/node";
import { demoConfig, fitModelPriors, type TrainConfig } from "@od/train";
import { openPage } from "../browser-test/browser.js";
import type { Results } from "../src/page/protocol.js";
import { DEMO_DIR } from "../src/server.js";
import { measureSpeed } from "../src/speed.js";

const steps = Number(process.argv[2] ?? 6);
const predictions = Number(process.argv[3] ?? 20);
const batchSize = 8;

console.log(JSON.stringify({ bench: "web-speed", steps, predictions, batchSize, loadavg: loadavg() }));

const info = await initBackend();
const data = await loadVoc(DEMO_DIR, { split: "trainval", policy: "clip" });
const base = fitModelPriors(demoConfig(DEMO_DIR), data).config;
const config: TrainConfig = { ...base, train: { ...base.train, batchSize } };
const node = await measureSpeed(config, data, fileDecoder(data, { backend: "js" }), { steps, predictions });
console.log(JSON.stringify({ runtime: "node", reason: info.reason, ...node }));

for (const isolated of [true, false]) {
  const s = await openPage({ isolated });
  try {
    const r = await s.page.evaluate(
      async (req) => {
        const od = (
          window as unknown as {
            od: { ready: Promise<Results["init"]>; request(r: unknown): Promise<never> };
          }
        ).od;
        const init = await od.ready;
        await od.request({ type: "loadDemo" });
        const speed: Results["bench"] = await od.request(req);
        return { reason: init.reason, ...speed };
      },
      { type: "bench", steps, batchSize, predictions },
    );
    console.log(
      JSON.stringify({ runtime: isolated ? "chromium (isolated)" : "chromium (not isolated)", ...r }),
    );
  } finally {
    await s.close();
  }
}
