import { fc, test as ftest } from "@fast-check/vitest";
import { isOdError, letterboxBoxes, letterboxRecord } from "@od/boxes";
import { describe, expect, test } from "vitest";
import {
  applyRecords,
  compose,
  createRng,
  expand,
  type GeometryRecord,
  horizontalFlip,
  invertRecords,
  letterbox,
  randomScale,
  rotate90,
  ssdCrop,
  translate,
  unletterbox,
  verticalFlip,
} from "../src/index.js";
import { arbSample, pxBoxes } from "./helpers.js";

describe("applyRecords / invertRecords", () => {
  const size = { width: 10, height: 6 };
  const table: [string, GeometryRecord, number[]][] = [
    ["flip h", { kind: "od.flip", axis: "horizontal", size }, [7, 1, 9, 4]],
    ["flip v", { kind: "od.flip", axis: "vertical", size }, [1, 2, 3, 5]],
    ["rot90 k=1 (x,y)->(H-y,x)", { kind: "od.rotate90", k: 1, source: size }, [2, 1, 5, 3]],
    ["rot90 k=2", { kind: "od.rotate90", k: 2, source: size }, [7, 2, 9, 5]],
    ["rot90 k=3 (x,y)->(y,W-x)", { kind: "od.rotate90", k: 3, source: size }, [1, 7, 4, 9]],
    [
      "crop",
      { kind: "od.shift", op: "crop", source: size, target: { width: 5, height: 5 }, dx: -1, dy: -1 },
      [0, 0, 2, 3],
    ],
    [
      "resize",
      { kind: "od.resize", source: size, target: { width: 20, height: 3 }, scaleX: 2, scaleY: 0.5 },
      [2, 0.5, 6, 2],
    ],
  ];
  test.each(table)("%s maps [1, 1, 3, 4] by hand", (_n, rec, expected) => {
    const b = pxBoxes([[1, 1, 3, 4]]);
    expect(Array.from(applyRecords(b, [rec]).data)).toEqual(expected);
    expect(Array.from(invertRecords(pxBoxes([expected]), [rec]).data)).toEqual([1, 1, 3, 4]);
  });
  test("empty boxes and empty records", () => {
    expect(invertRecords(pxBoxes([]), []).length).toBe(0);
    expect(Array.from(invertRecords(pxBoxes([[1, 2, 3, 4]]), []).data)).toEqual([1, 2, 3, 4]);
  });
  test("unknown record is a typed error", () => {
    try {
      invertRecords(pxBoxes([]), [{ kind: "od.skew" } as never]);
      throw new Error("no error");
    } catch (e) {
      expect(isOdError(e, "INVALID_RECORD")).toBe(true);
      expect((e as Error).message).toMatch(/^invertRecords: records\[0\] is not a geometry record/);
    }
  });

  const arbRows = (sw: number, sh: number) =>
    fc
      .array(
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        { maxLength: 8 },
      )
      .map((raw) =>
        raw.map(([a, b, c, d]) => [
          Math.min(a, c) * sw,
          Math.min(b, d) * sh,
          Math.max(a, c) * sw,
          Math.max(b, d) * sh,
        ]),
      );
  const pow2 = (v: number) => 2 ** Math.ceil(Math.log2(v + 1));
  const roundTrip = (
    sw: number,
    sh: number,
    tw: number,
    th: number,
    align: "center" | "top-left",
    rows: number[][],
    tol: (rec: ReturnType<typeof letterboxRecord>) => number,
  ) => {
    const b = pxBoxes(rows);
    const rec = letterboxRecord({ width: sw, height: sh }, { width: tw, height: th }, { align });
    const back = unletterbox(letterboxBoxes(b, rec), rec);
    const back2 = invertRecords(applyRecords(b, [rec]), [rec]);
    const t = tol(rec);
    for (let i = 0; i < b.data.length; i++) {
      expect(Math.abs((back.data[i] as number) - (b.data[i] as number))).toBeLessThanOrEqual(t);
      expect(Math.abs((back2.data[i] as number) - (b.data[i] as number))).toBeLessThanOrEqual(t);
    }
  };
  const arbAlign = fc.constantFrom<"center" | "top-left">("center", "top-left");

  ftest.prop(
    [
      fc.integer({ min: 16, max: 1000 }),
      fc.integer({ min: 16, max: 1000 }),
      fc.integer({ min: 96, max: 640 }),
      fc.double({ min: 0.5, max: 2, noNaN: true }),
      arbAlign,
      fc.integer(),
    ],
    { numRuns: 1000 },
  )(
    "letterbox then unletterbox returns boxes to 1e-4 px (sources up to 1000 px, network inputs 96..640 px, aspect 1:2..2:1)",
    (sw, sh, tw, aspect, align, seed) => {
      const th = Math.max(16, Math.round(tw * aspect));
      const rows = fc.sample(arbRows(sw, sh), { seed, numRuns: 1 })[0] ?? [];
      roundTrip(sw, sh, tw, th, align, rows, () => 1e-4);
    },
  );

  ftest.prop(
    [
      fc.integer({ min: 1, max: 4096 }),
      fc.integer({ min: 1, max: 4096 }),
      fc.integer({ min: 1, max: 2048 }),
      fc.integer({ min: 1, max: 2048 }),
      arbAlign,
      fc.integer(),
    ],
    { numRuns: 500 },
  )(
    "for any sizes the round trip error is within float32 storage rounding: 2^-24 (2^ceil(log2 T) / scale + 2^ceil(log2 S))",
    (sw, sh, tw, th, align, seed) => {
      const rows = fc.sample(arbRows(sw, sh), { seed, numRuns: 1 })[0] ?? [];
      roundTrip(
        sw,
        sh,
        tw,
        th,
        align,
        rows,
        (rec) => 2 ** -24 * Math.max(pow2(tw) / rec.scaleX + pow2(sw), pow2(th) / rec.scaleY + pow2(sh)),
      );
    },
  );

  ftest.prop([arbSample({ maxSide: 40 }), fc.integer()], { numRuns: 60 })(
    "invertRecords maps the boxes of any geometric pipeline back onto the original boxes (1e-4 px, boxes not clipped)",
    (s, seed) => {
      const t = compose([
        expand({ p: 0.5, ratio: [1, 2] }),
        rotate90({ p: 0.5 }),
        horizontalFlip({ p: 0.5 }),
        verticalFlip({ p: 0.5 }),
        randomScale({ p: 0.5, scale: [0.5, 2] }),
        letterbox({ width: 37, height: 23 }),
      ]);
      const { sample, report } = t.apply(s, createRng(seed));
      // none of these steps crops, so no box is dropped unless rounding of tiny boxes made it vanish
      const back = invertRecords(sample.boxes, sample.records);
      for (let j = 0; j < sample.boxes.length; j++) {
        const i = report.kept[j] as number;
        for (let k = 0; k < 4; k++)
          expect(
            Math.abs((back.data[j * 4 + k] as number) - (s.boxes.data[i * 4 + k] as number)),
          ).toBeLessThanOrEqual(1e-3);
      }
    },
  );

  ftest.prop([arbSample({ maxSide: 40 }), fc.integer()], { numRuns: 60 })(
    "records of cropping pipelines invert exactly on the clipped boxes",
    (s, seed) => {
      const t = compose([ssdCrop(), translate({ p: 0.5 }), rotate90(), letterbox({ width: 50, height: 30 })]);
      const { sample } = t.apply(s, createRng(seed));
      const fwd = applyRecords(invertRecords(sample.boxes, sample.records), sample.records);
      for (let i = 0; i < fwd.data.length; i++)
        expect(Math.abs((fwd.data[i] as number) - (sample.boxes.data[i] as number))).toBeLessThanOrEqual(
          1e-4,
        );
    },
  );
});
