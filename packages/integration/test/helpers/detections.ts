import type { Detections } from "@od/ssd";
import { expect } from "vitest";

/** torchvision's detections of one image, as its scripts write them: xyxy px, scores, labels ≥ 1. */
export interface TorchDetections {
  readonly boxes: readonly (readonly number[])[];
  readonly scores: readonly number[];
  readonly labels: readonly number[];
}

/**
 * Asserts that od's detections of one image are torchvision's: the same count, scores rank by rank
 * within `scoreTol`, and each torchvision detection matched to an unused od detection (within 20 ranks)
 * of the same label, a score within `scoreTol` and every box coordinate within `boxTol` px. Detections
 * whose scores differ by float rounding only may swap places, hence the match instead of rank equality.
 */
export function expectSameDetections(
  got: Detections,
  want: TorchDetections,
  where: string,
  boxTol = 1e-3,
  scoreTol = 1e-4,
): void {
  expect(got.scores.length, where).toBe(want.scores.length);
  const used = new Set<number>();
  want.scores.forEach((s, k) => {
    expect(Math.abs(got.scores[k]! - s), `${where}, rank ${k}`).toBeLessThanOrEqual(scoreTol);
    const box = want.boxes[k]!;
    let found = -1;
    for (let j = Math.max(0, k - 20); j < Math.min(got.scores.length, k + 21) && found < 0; j++) {
      if (used.has(j) || got.labels[j] !== want.labels[k]) continue;
      if (Math.abs(got.scores[j]! - s) > scoreTol) continue;
      if (box.every((v, c) => Math.abs(got.boxes.data[j * 4 + c]! - v) <= boxTol)) found = j;
    }
    expect(
      found,
      `${where}: torchvision's detection ${k} (label ${want.labels[k]}, [${box.join(", ")}])`,
    ).toBeGreaterThanOrEqual(0);
    used.add(found);
  });
}
