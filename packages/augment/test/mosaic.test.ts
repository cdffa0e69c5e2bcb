import { fc, test as ftest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { describe, expect, test } from "vitest";
import {
  compose,
  createRng,
  invertRecords,
  letterbox,
  makeSample,
  mosaic,
  type Sample,
  uint8Image,
} from "../src/index.js";
import { arbSample, expectValidBoxes, patternImage, pxBoxes } from "./helpers.js";

function expectError(f: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isOdError(err, code), String(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

/** A 10x8 RGB image of one grey level with one box. */
const flat = (v: number, box: number[], label: number): Sample =>
  makeSample(uint8Image(new Uint8Array(10 * 8 * 3).fill(v), 10, 8), pxBoxes([box]), [label]);

describe("mosaic", () => {
  test("centre in the middle: each 10x8 image fills one quadrant of 20x16; boxes shifted", () => {
    const own = flat(10, [1, 1, 4, 4], 0);
    const other = flat(20, [0, 0, 10, 8], 1);
    // pool draws are random; a pool of one image makes them known
    const t = mosaic({
      width: 20,
      height: 16,
      sources: [other],
      center: [0.5, 0.5],
      quadrant: 0,
    });
    const { sample, report } = t.apply(own, createRng(1));
    expect(sample.image.shape).toEqual([16, 20, 3]);
    expect(sample.image.get(0, 0, 0)).toBe(10);
    expect(sample.image.get(0, 10, 0)).toBe(20);
    expect(sample.image.get(8, 0, 0)).toBe(20);
    expect(sample.image.get(15, 19, 2)).toBe(20);
    expect(Array.from(sample.boxes.data)).toEqual([1, 1, 4, 4, 10, 0, 20, 8, 0, 8, 10, 16, 10, 8, 20, 16]);
    expect(Array.from(sample.labels)).toEqual([0, 1, 1, 1]);
    expect(Array.from(report.kept)).toEqual([0, -1, -1, -1]);
    expect(report.steps).toEqual([{ transform: "mosaic", applied: true, dropped: 0, added: 3 }]);
    expect(sample.records).toEqual([
      {
        kind: "od.shift",
        op: "mosaic",
        source: { width: 10, height: 8 },
        target: { width: 20, height: 16 },
        dx: 0,
        dy: 0,
        window: [0, 0, 10, 8],
      },
    ]);
    const back = invertRecords(sample.boxes, sample.records);
    expect(Array.from(back.data.subarray(0, 4))).toEqual([1, 1, 4, 4]);
  });
  test("off-centre: images are cut at the quadrant, boxes clipped, pool drops reported with index -1", () => {
    const own = flat(10, [1, 1, 4, 4], 0);
    const t = mosaic({
      width: 20,
      height: 16,
      sources: [flat(20, [0, 0, 2, 2], 1)],
      center: [0.25, 0.25],
      quadrant: 3,
    });
    const { sample, report } = t.apply(own, createRng(3));
    // cx = 5, cy = 4: the sample sits at (5, 4) in the bottom-right quadrant, uncut (10x8 fits)
    expect(sample.records[0]).toMatchObject({ dx: 5, dy: 4, window: [5, 4, 15, 12] });
    expect(Array.from(sample.boxes.data.subarray(0, 4))).toEqual([6, 5, 9, 8]);
    // top-left pool image placed at (-5, -4): its box [0, 0, 2, 2] is cut away
    const lost = report.dropped.filter((d) => d.index === -1);
    expect(lost.length).toBeGreaterThan(0);
    for (const d of lost) {
      expect(d.label).toBe(1);
      expect(d.box).toEqual([0, 0, 2, 2]);
      expect(d.reason).toBe("outside");
    }
    expectValidBoxes(sample);
  });
  test("empty pool, bad options and mismatched pool images are typed errors", () => {
    expectError(
      () => mosaic({ width: 10, height: 10, sources: [] }),
      "INVALID_ARGUMENT",
      /^mosaic: options.sources must be a non-empty array of samples \(the pool\); got \[\]/,
    );
    expectError(
      () => mosaic({ width: 0, height: 10, sources: [] }),
      "INVALID_ARGUMENT",
      /^mosaic: options.width must be a positive integer; got 0/,
    );
    expectError(
      () => mosaic({ width: 10, height: 10, sources: [flat(1, [0, 0, 1, 1], 0)], quadrant: 4 as never }),
      "INVALID_ARGUMENT",
      /^mosaic: options.quadrant must be 0, 1, 2, 3 or "random"; got 4/,
    );
    const grey = makeSample(patternImage(6, 6, 1), pxBoxes([]), []);
    expectError(
      () => mosaic({ width: 10, height: 10, sources: [grey] }).apply(flat(1, [0, 0, 1, 1], 0), createRng(0)),
      "SHAPE_MISMATCH",
      /^mosaic: options.sources\[0\] has 1 channels uint8; the sample has 3 channels uint8/,
    );
  });

  const arbPool = fc.array(arbSample({ channels: [3], maxSide: 30 }), { minLength: 1, maxLength: 4 });
  ftest.prop([arbSample({ channels: [3], maxSide: 30 }), arbPool, fc.integer()], { numRuns: 60 })(
    "boxes valid and inside, labels aligned, every input box kept or reported, same seed same bytes",
    (s, pool, seed) => {
      const t = mosaic({ width: 32, height: 24, sources: pool, center: [0.2, 0.8] });
      const { sample, report } = t.apply(s, createRng(seed));
      expectValidBoxes(sample);
      expect(sample.image.shape).toEqual([24, 32, 3]);
      const own = report.kept.filter((k) => k >= 0);
      expect(own.length + report.dropped.filter((d) => d.index >= 0).length).toBe(s.boxes.length);
      const rec = sample.records[sample.records.length - 1];
      if (rec?.kind !== "od.shift" || rec.window === undefined) throw new Error("no mosaic record");
      const [wx1, wy1, wx2, wy2] = rec.window;
      const back = invertRecords(sample.boxes, sample.records);
      for (let j = 0; j < sample.labels.length; j++) {
        const i = report.kept[j] as number;
        if (i < 0) continue;
        expect(sample.labels[j]).toBe(s.labels[i]);
        const b = sample.boxes.data.subarray(j * 4, j * 4 + 4);
        expect(b[0] as number).toBeGreaterThanOrEqual(wx1);
        expect(b[1] as number).toBeGreaterThanOrEqual(wy1);
        expect(b[2] as number).toBeLessThanOrEqual(wx2);
        expect(b[3] as number).toBeLessThanOrEqual(wy2);
        // the original's boxes map back inside (a clipped part of) their original box
        expect(back.data[j * 4] as number).toBeGreaterThanOrEqual((s.boxes.data[i * 4] as number) - 1e-4);
        expect(back.data[j * 4 + 2] as number).toBeLessThanOrEqual(
          (s.boxes.data[i * 4 + 2] as number) + 1e-4,
        );
      }
      const again = t.apply(s, createRng(seed)).sample;
      expect(Buffer.from(again.image.data).equals(Buffer.from(sample.image.data))).toBe(true);
      expect(Array.from(again.boxes.data)).toEqual(Array.from(sample.boxes.data));
      expect(Array.from(again.labels)).toEqual(Array.from(sample.labels));
    },
  );
  ftest.prop([arbSample({ channels: [3] }), fc.integer()], { numRuns: 20 })(
    "composes with letterbox: boxes stay valid",
    (s, seed) => {
      const t = compose([
        mosaic({ width: 40, height: 30, sources: [s] }),
        letterbox({ width: 16, height: 16 }),
      ]);
      expectValidBoxes(t.apply(s, createRng(seed)).sample);
    },
  );
});
