import { createHash } from "node:crypto";
import type { CocoResult, Detections, GroundTruth } from "@od/metrics";
import fc from "fast-check";
import { arbImage } from "./arbitraries.js";
import { referenceCases } from "./helpers.js";

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

/** The datasets whose COCO results are pinned bit for bit: the reference fixtures and 200 seeded samples. */
export function digestCases(): {
  name: string;
  numClasses: number;
  gts: GroundTruth[];
  dets: Detections[];
}[] {
  const { cases, gts, dets } = referenceCases();
  const out = cases.map((c, i) => ({ name: c.name, numClasses: c.numClasses, gts: gts[i]!, dets: dets[i]! }));
  const samples = fc.sample(
    fc.array(arbImage(3, { flags: true, maxGt: 6, maxDet: 12, maxCopies: 5 }), {
      minLength: 1,
      maxLength: 8,
    }),
    {
      seed: 12,
      numRuns: 200,
    },
  );
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
