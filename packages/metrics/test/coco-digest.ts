import { createHash } from "node:crypto";
import type { CocoResult, Detections, GroundTruth } from "@od/metrics";
import fc from "fast-check";
import { arbRow } from "./arbitraries.js";
import { det, gt, referenceCases } from "./helpers.js";

/** SHA-256 of the raw bytes of every number a COCO result holds (bit-exact comparison). */
export function cocoDigest(r: CocoResult): string {
  const h = createHash("sha256");
  for (const a of [r.precision, r.recall, r.statsArray, r.ap])
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const perClass = new Float64Array(
    r.classes.flatMap((c) => [c.ap, c.ap50, c.ap75, c.ar, c.numGt, c.numDetections]),
  );
  h.update(new Uint8Array(perClass.buffer));
  return h.digest("hex");
}

/** One image with crowd and difficult flags, so every branch of the matching is exercised. */
const arbFlaggedImage = (k: number): fc.Arbitrary<{ gt: GroundTruth; det: Detections }> =>
  fc
    .record({
      g: fc.array(fc.tuple(arbRow, fc.integer({ min: 0, max: k - 1 }), fc.nat(5), fc.nat(5)), {
        maxLength: 6,
      }),
      d: fc.array(fc.tuple(arbRow, fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: k - 1 })), {
        maxLength: 12,
      }),
      copies: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 32 })), { maxLength: 5 }),
    })
    .map(({ g, d, copies }) => {
      const extra = g.length
        ? copies.map(([i, s]) => [g[i % g.length]![0], s, g[i % g.length]![1]] as const)
        : [];
      const all = [...d, ...extra];
      return {
        gt: gt(
          g.map((x) => x[0]),
          g.map((x) => x[1]),
          { crowd: g.map((x) => (x[2] === 0 ? 1 : 0)), difficult: g.map((x) => (x[3] === 0 ? 1 : 0)) },
        ),
        det: det(
          all.map((x) => x[0]),
          all.map((x) => x[1] / 32),
          all.map((x) => x[2]),
        ),
      };
    });

/** The datasets whose COCO results are pinned bit for bit: the reference fixtures and 200 seeded samples. */
export function digestCases(): {
  name: string;
  numClasses: number;
  gts: GroundTruth[];
  dets: Detections[];
}[] {
  const { cases, gts, dets } = referenceCases();
  const out = cases.map((c, i) => ({ name: c.name, numClasses: c.numClasses, gts: gts[i]!, dets: dets[i]! }));
  const samples = fc.sample(fc.array(arbFlaggedImage(3), { minLength: 1, maxLength: 8 }), {
    seed: 12,
    numRuns: 200,
  });
  samples.forEach((images, i) => {
    out.push({
      name: `sample ${i}`,
      numClasses: 3,
      gts: images.map((x) => x.gt),
      dets: images.map((x) => x.det),
    });
  });
  return out;
}
