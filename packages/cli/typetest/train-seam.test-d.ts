// The CLI ↔ `@od/train/node` seam is typed by train's own declarations: what must NOT compile (each
// `@ts-expect-error` must be used, or tsc fails). Checked by `npx tsc -p tsconfig.test.json`.
import type { TrainEvent, TrainSummary } from "@od/train/node";
import type { TrainNode } from "../src/index.js";
import { epochLine, evalLine } from "../src/internal/train-command.js";

declare const event: TrainEvent;

// Events are train's exact union: a field is read only after narrowing on `type`, by its own name.
if (event.type === "eval") {
  const map: number = event.vocMap;
  // @ts-expect-error a renamed field (`vocMAP` for `vocMap`) does not exist
  void event.vocMAP;
  void map;
}
// @ts-expect-error `loss` is not on every event
void event.loss;

// The printers take the exact event: a missing or renamed field is a compile error.
evalLine({ type: "eval", epoch: 0, vocMap: 0.5, voc07Map: 0.5, cocoMap: 0.2, perClass: {}, seconds: 1 });
// @ts-expect-error `vocMAP` is not a field of the eval event
evalLine({ type: "eval", epoch: 0, vocMAP: 0.5, voc07Map: 0.5, cocoMap: 0.2, perClass: {}, seconds: 1 });
// @ts-expect-error an epoch event needs `imagesPerSecond`
epochLine({ type: "epoch", epoch: 0, loss: 1, loc: 0.5, cls: 0.5, lr: 1e-3, seconds: 1, elapsedSeconds: 1 });
// @ts-expect-error an epoch event needs `elapsedSeconds` (the ETA is computed from it)
epochLine({ type: "epoch", epoch: 0, loss: 1, loc: 0.5, cls: 0.5, lr: 1e-3, seconds: 1, imagesPerSecond: 8 });
// @ts-expect-error an eval event is not an epoch event
epochLine({ type: "eval", epoch: 0, vocMap: 0.5, voc07Map: 0.5, cocoMap: 0.2, perClass: {}, seconds: 1 });

// A fake trainer has train's own signature: it must return a TrainSummary.
declare const summary: TrainSummary;
declare const runDirs: Pick<TrainNode, "nextRunDir" | "latestRunDir">;
const fake: TrainNode = {
  ...runDirs,
  train: async () => summary,
  loadRunPredictor: async () => {
    throw new Error("not used");
  },
};
void fake;
const wrong: TrainNode = {
  ...runDirs,
  // @ts-expect-error `train` must resolve to a TrainSummary
  train: async () => ({ best: { vocMap: 0.5 } }),
  loadRunPredictor: async () => {
    throw new Error("not used");
  },
};
void wrong;
