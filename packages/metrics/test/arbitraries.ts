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

/** Sizes and flags of {@link arbImage}. */
export interface ImageArbOptions {
  /** Most ground-truth boxes (default 5). */
  readonly maxGt?: number;
  /** Most random detections (default 8). */
  readonly maxDet?: number;
  /** Most detections copying a ground-truth box (default 4). */
  readonly maxCopies?: number;
  /** Mark about one ground truth in six crowd and one in six difficult (default false). */
  readonly flags?: boolean;
}

/** One image: ground truth and detections over `k` classes (scores multiples of 1/32, so ties happen). */
export function arbImage(
  k: number,
  options: ImageArbOptions = {},
): fc.Arbitrary<{ gt: GroundTruth; det: Detections }> {
  const label = fc.integer({ min: 0, max: k - 1 });
  const gtRow = options.flags
    ? fc.tuple(arbRow, label, fc.nat(5), fc.nat(5))
    : fc.tuple(arbRow, label).map(([r, l]) => [r, l, 1, 1] as [Row, number, number, number]);
  return fc
    .record({
      g: fc.array(gtRow, { maxLength: options.maxGt ?? 5 }),
      d: fc.array(fc.tuple(arbRow, fc.integer({ min: 0, max: 32 }), label), {
        maxLength: options.maxDet ?? 8,
      }),
      copies: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 32 })), {
        maxLength: options.maxCopies ?? 4,
      }),
    })
    .map(({ g, d, copies }) => {
      // some detections copy a ground-truth box exactly, so true positives occur
      const extra = g.length
        ? copies.map(([i, s]) => [g[i % g.length]![0], s, g[i % g.length]![1]] as const)
        : [];
      const all = [...d, ...extra];
      const flags = options.flags
        ? { crowd: g.map((x) => (x[2] === 0 ? 1 : 0)), difficult: g.map((x) => (x[3] === 0 ? 1 : 0)) }
        : {};
      return {
        gt: gt(
          g.map((x) => x[0]),
          g.map((x) => x[1]),
          flags,
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
