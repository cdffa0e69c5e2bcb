import { fc, test as prop } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { estimateProgress, type ProgressPoint } from "../src/index.js";

const at = (over: Partial<ProgressPoint>): ProgressPoint => ({
  epochs: 200,
  timeLimitSeconds: 0,
  startEpoch: 0,
  startSeconds: 0,
  epochsDone: 0,
  elapsedSeconds: 0,
  ...over,
});

describe("estimateProgress", () => {
  test.each([
    // no limit: the total is train.epochs; ETA = epochs left × pace
    ["no limit, 10 s per epoch", at({ epochsDone: 23, elapsedSeconds: 230 }), 200, false, 1770],
    // the case: 200 epochs under a limit that allows 68 at 10 s per epoch
    [
      "time limit allows 68",
      at({ timeLimitSeconds: 680, epochsDone: 23, elapsedSeconds: 230 }),
      68,
      true,
      450,
    ],
    // the limit falls inside epoch 69: the run stops in that epoch
    [
      "limit inside an epoch",
      at({ timeLimitSeconds: 685, epochsDone: 23, elapsedSeconds: 230 }),
      69,
      true,
      455,
    ],
    // a limit longer than the epochs need: epochs end the run
    [
      "limit longer than needed",
      at({ epochs: 30, timeLimitSeconds: 1e4, epochsDone: 10, elapsedSeconds: 100 }),
      30,
      false,
      200,
    ],
    // mid-epoch: 2.5 epochs in 25 s
    ["mid-epoch", at({ epochs: 10, epochsDone: 2.5, elapsedSeconds: 25 }), 10, false, 75],
    // limit already spent: the current epoch is the last, nothing left
    ["limit spent", at({ timeLimitSeconds: 100, epochsDone: 12.5, elapsedSeconds: 120 }), 13, true, 0],
    // a resumed run is paced by this session: 5 epochs after the resume took 100 s (20 s each)
    [
      "resumed, paced afresh",
      at({ timeLimitSeconds: 500, startEpoch: 10, startSeconds: 50, epochsDone: 15, elapsedSeconds: 150 }),
      33,
      true,
      350,
    ],
  ])("%s", (_name, p, total, byTime, eta) => {
    const r = estimateProgress(p);
    expect(r.totalEpochs).toBe(total);
    expect(r.byTimeLimit).toBe(byTime);
    expect(r.etaSeconds).toBeCloseTo(eta, 9);
  });

  test("before any pace is measured: the epochs without a limit, unknown under one; no ETA", () => {
    expect(estimateProgress(at({ epochs: 7 }))).toEqual({
      totalEpochs: 7,
      byTimeLimit: false,
      etaSeconds: undefined,
    });
    expect(
      estimateProgress(
        at({ timeLimitSeconds: 60, startEpoch: 3, epochsDone: 3, startSeconds: 9, elapsedSeconds: 9 }),
      ),
    ).toEqual({
      totalEpochs: undefined,
      byTimeLimit: true,
      etaSeconds: undefined,
    });
  });

  const point = fc
    .record({
      epochs: fc.integer({ min: 1, max: 500 }),
      timeLimitSeconds: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 1e5, noNaN: true })),
      startEpoch: fc.integer({ min: 0, max: 50 }),
      startSeconds: fc.double({ min: 0, max: 1e4, noNaN: true }),
      done: fc.double({ min: 0.01, max: 100, noNaN: true }),
      spent: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
    })
    .filter((r) => r.startEpoch + r.done <= r.epochs)
    .map(
      (r): ProgressPoint => ({
        epochs: r.epochs,
        timeLimitSeconds: r.timeLimitSeconds,
        startEpoch: r.startEpoch,
        startSeconds: r.startSeconds,
        epochsDone: r.startEpoch + r.done,
        elapsedSeconds: r.startSeconds + r.spent,
      }),
    );

  prop.prop([point])(
    "the total lies between the current epoch and train.epochs; the ETA is ≥ 0 and within the time left",
    (p) => {
      const r = estimateProgress(p);
      expect(r.totalEpochs).toBeDefined();
      expect(r.totalEpochs!).toBeLessThanOrEqual(p.epochs);
      expect(r.totalEpochs!).toBeGreaterThanOrEqual(Math.min(p.epochs, Math.ceil(p.epochsDone)));
      expect(r.etaSeconds!).toBeGreaterThanOrEqual(0);
      if (p.timeLimitSeconds > 0)
        expect(r.etaSeconds!).toBeLessThanOrEqual(Math.max(0, p.timeLimitSeconds - p.elapsedSeconds) + 1e-9);
      expect(r.byTimeLimit).toBe(r.totalEpochs! < p.epochs);
    },
  );

  prop.prop([point, fc.double({ min: 1.01, max: 10, noNaN: true })])(
    "a slower pace never promises more epochs under the same limit",
    (p, slower) => {
      const fast = estimateProgress(p);
      const slow = estimateProgress({
        ...p,
        elapsedSeconds: p.startSeconds + (p.elapsedSeconds - p.startSeconds) * slower,
      });
      expect(slow.totalEpochs!).toBeLessThanOrEqual(fast.totalEpochs!);
    },
  );
});
