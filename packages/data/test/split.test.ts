import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { splitDataset } from "../src/index.js";
import { synthetic } from "./fixtures.js";
import { expectOdError } from "./helpers.js";

describe("splitDataset", () => {
  const ds = synthetic(100);
  test("same seed, same split; different seed, different split", () => {
    const a = splitDataset(ds, { fractions: { train: 0.8, val: 0.2 }, seed: 1 });
    const b = splitDataset(ds, { fractions: { train: 0.8, val: 0.2 }, seed: 1 });
    const c = splitDataset(ds, { fractions: { train: 0.8, val: 0.2 }, seed: 2 });
    expect(a.val!.images.map((r) => r.id)).toEqual(b.val!.images.map((r) => r.id));
    expect(a.val!.images.map((r) => r.id)).not.toEqual(c.val!.images.map((r) => r.id));
    expect([a.train!.images.length, a.val!.images.length]).toEqual([80, 20]);
  });
  test("stratified: every class and the negatives are spread in proportion", () => {
    const s = splitDataset(ds, { fractions: { train: 0.5, val: 0.5 }, seed: 3 });
    for (const part of [s.train!, s.val!]) {
      const neg = part.images.filter((r) => r.boxes.length === 0).length;
      expect(neg).toBe(10);
    }
  });
  test("bad fractions", () => {
    expectOdError(
      () => splitDataset(ds, { fractions: { a: 0.5, b: 0.4 }, seed: 1 }),
      "INVALID_ARGUMENT",
      /fractions must be >= 0 and sum to 1/,
    );
    expectOdError(
      () => splitDataset(ds, { fractions: { a: 1 }, seed: 0.5 }),
      "INVALID_ARGUMENT",
      /seed must be an integer/,
    );
  });
  test.prop(
    [fc.integer({ min: 0, max: 60 }), fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()],
    { numRuns: 50 },
  )("a partition with sizes within 1 of the targets", (n, seed, f, stratify) => {
    const d = synthetic(n);
    const s = splitDataset(d, { fractions: { a: f, b: 1 - f }, seed, stratify });
    const ids = [...s.a!.images, ...s.b!.images].map((r) => r.id).sort();
    expect(ids).toEqual(d.images.map((r) => r.id).sort());
    expect(Math.abs(s.a!.images.length - f * n)).toBeLessThanOrEqual(1);
  });
});
