import { readFileSync } from "node:fs";
import { evaluateCoco } from "@od/metrics";
import { describe, expect, test } from "vitest";
import { cocoDigest, digestCases } from "./coco-digest.js";

// Digests of the results computed before computeCoco was cut into evaluateImg / accumulate /
// summarize; every number must stay the same to the last bit.
const pinned = JSON.parse(
  readFileSync(new URL("./fixtures/coco-digest.json", import.meta.url), "utf8"),
) as Record<string, string[]>;

describe("evaluateCoco is bit-identical to the pinned results", () => {
  const cases = digestCases();
  test("every pinned case is computed", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(pinned).sort());
  });
  test.each(cases)("$name", (c) => {
    expect([
      cocoDigest(evaluateCoco(c.gts, c.dets, { numClasses: c.numClasses })),
      cocoDigest(evaluateCoco(c.gts, c.dets, { numClasses: c.numClasses, difficult: "count" })),
      cocoDigest(evaluateCoco(c.gts, c.dets, { numClasses: c.numClasses, maxDets: [1, 2, 4] })),
    ]).toEqual(pinned[c.name]);
  });
});
