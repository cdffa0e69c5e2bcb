import { fc, test } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { describe, expect } from "vitest";
import { learningRateAt } from "../src/index.js";

describe("learningRateAt", () => {
  test("worked values: warm-up, cosine, step", () => {
    const cos = {
      lr: 1,
      warmupSteps: 10,
      warmupFactor: 0.1,
      kind: "cosine" as const,
      totalSteps: 110,
      minFactor: 0,
    };
    expect(learningRateAt(cos, 0)).toBeCloseTo(0.1, 12); // warm-up starts at lr · factor
    expect(learningRateAt(cos, 5)).toBeCloseTo(0.55, 12); // 0.1 + 0.9 · 5/10
    expect(learningRateAt(cos, 10)).toBeCloseTo(1, 12); // cosine starts at the peak
    expect(learningRateAt(cos, 60)).toBeCloseTo(0.5, 12); // half-way: (1 + cos(π/2)) / 2
    expect(learningRateAt(cos, 110)).toBeCloseTo(0, 12);
    expect(learningRateAt(cos, 500)).toBeCloseTo(0, 12); // clamped after the end
    const step = { lr: 0.1, kind: "step" as const, milestones: [100, 200], gamma: 0.1 };
    expect(learningRateAt(step, 99)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(step, 100)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(step, 250)).toBeCloseTo(0.001, 12);
  });
  test.prop([
    fc.integer({ min: 0, max: 50 }),
    fc.integer({ min: 1, max: 500 }),
    fc.integer({ min: 0, max: 600 }),
  ])("cosine is within (0, lr] and never increases after warm-up", (warm, span, step) => {
    const s = { lr: 0.01, warmupSteps: warm, kind: "cosine" as const, totalSteps: warm + span };
    const a = learningRateAt(s, step);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThanOrEqual(0.01 + 1e-15);
    if (step >= warm) expect(learningRateAt(s, step + 1)).toBeLessThanOrEqual(a + 1e-15);
  });
  test("bad schedules are INVALID_CONFIG naming the field", () => {
    for (const [s, msg] of [
      [{ lr: 0, kind: "constant" }, /lr must be > 0; got 0/],
      [
        { lr: 1, kind: "cosine", warmupSteps: 5, totalSteps: 5 },
        /totalSteps must exceed warmupSteps \(5\); got 5/,
      ],
    ] as const) {
      let err: unknown;
      try {
        learningRateAt(s, 6);
      } catch (e) {
        err = e;
      }
      expect(isOdError(err, "INVALID_CONFIG")).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
  });
});
