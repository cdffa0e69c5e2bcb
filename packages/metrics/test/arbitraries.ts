import type { Detections, GroundTruth } from "@od/metrics";
import fc from "fast-check";
import { det, gt } from "./helpers.js";

type Row = [number, number, number, number];

/** An xyxy px box with integer corners in [0, 200] and positive area. */
export const arbRow: fc.Arbitrary<Row> = fc
  .tuple(
    fc.integer({ min: 0, max: 180 }),
    fc.integer({ min: 0, max: 180 }),
    fc.integer({ min: 1, max: 60 }),
    fc.integer({ min: 1, max: 60 }),
  )
  .map(([x, y, w, h]) => [x, y, x + w, y + h]);

/** One image: ground truth and detections over `k` classes (scores multiples of 1/32, so ties happen). */
export function arbImage(k: number): fc.Arbitrary<{ gt: GroundTruth; det: Detections }> {
  return fc
    .record({
      g: fc.array(fc.tuple(arbRow, fc.integer({ min: 0, max: k - 1 })), { maxLength: 5 }),
      d: fc.array(fc.tuple(arbRow, fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: k - 1 })), {
        maxLength: 8,
      }),
      copies: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 32 })), { maxLength: 4 }),
    })
    .map(({ g, d, copies }) => {
      // some detections copy a ground-truth box exactly, so true positives occur
      const extra = g.length
        ? copies.map(([i, s]) => [g[i % g.length]![0], s, g[i % g.length]![1]] as const)
        : [];
      const all = [...d, ...extra];
      return {
        gt: gt(
          g.map((x) => x[0]),
          g.map((x) => x[1]),
        ),
        det: det(
          all.map((x) => x[0]),
          all.map((x) => x[1] / 32),
          all.map((x) => x[2]),
        ),
      };
    });
}

/** 1 to 6 images over `k` classes. */
export function arbDataset(k: number): fc.Arbitrary<{ gt: GroundTruth; det: Detections }[]> {
  return fc.array(arbImage(k), { minLength: 1, maxLength: 6 });
}
