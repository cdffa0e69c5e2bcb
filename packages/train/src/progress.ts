/**
 * How far a run is and how long it still takes: the epochs it will end after (under a time limit, as
 * many as the limit allows at the pace measured so far) and the seconds left.
 * @module
 */

/** Where a run stands, in the units of `train()`'s events of `@od/train/node`. */
export interface ProgressPoint {
  /** Epochs the run trains at most (`train.epochs`, ≥ 1). */
  readonly epochs: number;
  /** Training seconds the run may take (`train.timeLimitSeconds`); 0: no limit. */
  readonly timeLimitSeconds: number;
  /** Epochs completed when this session started (0, or the epoch a resume continues after). */
  readonly startEpoch: number;
  /** Training seconds of the run when this session started (time before a resume). */
  readonly startSeconds: number;
  /** Epochs done now, fractional within an epoch (`epoch + (batch + 1) / stepsPerEpoch`). */
  readonly epochsDone: number;
  /** Training seconds of the run now (time before a resume included). */
  readonly elapsedSeconds: number;
}

/** What {@link estimateProgress} expects of a run: its last epoch and the time left. */
export interface ProgressEstimate {
  /**
   * The number of the epoch the run will end with (1-based, ≤ `epochs`): `epochs`, or under a time
   * limit the epoch in which the limit runs out at the measured pace (a run stops in that epoch, after
   * the step that crossed it). `undefined` under a time limit before any pace was measured.
   */
  readonly totalEpochs: number | undefined;
  /** Whether the time limit (not `epochs`) is expected to end the run. */
  readonly byTimeLimit: boolean;
  /** Seconds of training left at the measured pace; `undefined` before any pace was measured. */
  readonly etaSeconds: number | undefined;
}

/**
 * Estimates a run's last epoch and the time left from the pace of this session (seconds per epoch
 * since it started, so a resumed run on another machine is measured afresh). Under a time limit the
 * run ends in the epoch where `timeLimitSeconds` is reached (`ceil(epochsDone + left / pace)`, at least
 * the current epoch, at most `epochs`); the ETA is the smaller of the time left under the limit and the
 * time the remaining epochs take. Evaluation between epochs counts as training time, as in the run.
 * @example estimateProgress({ epochs: 200, timeLimitSeconds: 680, startEpoch: 0, startSeconds: 0, epochsDone: 23, elapsedSeconds: 230 })
 *   // { totalEpochs: 68, byTimeLimit: true, etaSeconds: 450 }
 */
export function estimateProgress(p: ProgressPoint): ProgressEstimate {
  const doneThisSession = p.epochsDone - p.startEpoch;
  const spent = p.elapsedSeconds - p.startSeconds;
  const pace = doneThisSession > 0 && spent > 0 ? spent / doneThisSession : undefined;
  const limited = p.timeLimitSeconds > 0;
  const epochsLeft = Math.max(0, p.epochs - p.epochsDone);
  if (pace === undefined)
    return { totalEpochs: limited ? undefined : p.epochs, byTimeLimit: limited, etaSeconds: undefined };
  const byEpochs = epochsLeft * pace;
  if (!limited) return { totalEpochs: p.epochs, byTimeLimit: false, etaSeconds: byEpochs };
  const left = Math.max(0, p.timeLimitSeconds - p.elapsedSeconds);
  const atLimit = Math.ceil(p.epochsDone + left / pace);
  const total = Math.min(p.epochs, Math.max(Math.ceil(p.epochsDone), atLimit, 1));
  return { totalEpochs: total, byTimeLimit: total < p.epochs, etaSeconds: Math.min(left, byEpochs) };
}
