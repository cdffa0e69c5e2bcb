import type { TrainConfig } from "./config.js";
import { fail } from "./errors.js";

/** A learning-rate schedule over optimizer steps. */
export interface LrSchedule {
  /** Peak learning rate. */
  readonly lr: number;
  /** Steps of linear warm-up from `lr · warmupFactor` to `lr` (default 0). */
  readonly warmupSteps?: number;
  /** Starting fraction of `lr` during warm-up (default 0.001, as torchvision's detection references). */
  readonly warmupFactor?: number;
  /** After warm-up: cosine decay to `lr · minFactor` at `totalSteps`, or step decay at `milestones`. */
  readonly kind: "cosine" | "step" | "constant";
  /** Total steps of training (cosine). */
  readonly totalSteps?: number;
  /** Final fraction of `lr` for cosine (default 0.01). */
  readonly minFactor?: number;
  /** Steps at which the rate is multiplied by `gamma` (step). */
  readonly milestones?: readonly number[];
  /** Step decay factor (default 0.1). */
  readonly gamma?: number;
}

/**
 * Learning rate at `step` (0-based): linear warm-up, then cosine (Loshchilov & Hutter 2017, no restarts),
 * step decay, or constant.
 * @throws TrainError `INVALID_CONFIG` for a non-positive rate or negative step counts.
 */
export function learningRateAt(s: LrSchedule, step: number): number {
  const fn = "learningRateAt";
  if (!(s.lr > 0 && Number.isFinite(s.lr)))
    fail("INVALID_CONFIG", fn, `lr must be > 0; got ${s.lr}`, { field: "lr" });
  const warm = s.warmupSteps ?? 0;
  if (!(warm >= 0))
    fail("INVALID_CONFIG", fn, `warmupSteps must be >= 0; got ${warm}`, { field: "warmupSteps" });
  let f = 1;
  if (step < warm) {
    const w0 = s.warmupFactor ?? 0.001;
    f = w0 + (1 - w0) * (step / warm);
    return s.lr * f;
  }
  if (s.kind === "cosine") {
    const total = s.totalSteps ?? 0;
    if (!(total > warm))
      fail("INVALID_CONFIG", fn, `totalSteps must exceed warmupSteps (${warm}); got ${total}`, {
        field: "totalSteps",
      });
    const minF = s.minFactor ?? 0.01;
    const t = Math.min(1, (step - warm) / (total - warm));
    f = minF + (1 - minF) * 0.5 * (1 + Math.cos(Math.PI * t));
  } else if (s.kind === "step") {
    const g = s.gamma ?? 0.1;
    for (const m of s.milestones ?? []) if (step >= m) f *= g;
  }
  return s.lr * f;
}

/** The learning-rate schedule of a config over `stepsPerEpoch` steps per epoch. */
export function lrSchedule(config: TrainConfig, stepsPerEpoch: number): LrSchedule {
  const t = config.train;
  return {
    lr: t.lr,
    warmupSteps: t.warmupSteps,
    kind: t.schedule,
    totalSteps: Math.max(t.epochs * stepsPerEpoch, t.warmupSteps + 1),
    milestones: t.milestones.map((e) => e * stepsPerEpoch),
  };
}
