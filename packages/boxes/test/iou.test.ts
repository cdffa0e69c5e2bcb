import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import {
  type Boxes,
  boxes,
  ciou,
  ciouPairs,
  convert,
  diou,
  diouPairs,
  emptyBoxes,
  giou,
  giouPairs,
  iou,
  iouPairs,
  unsafeBoxes,
} from "@od/boxes";
import { describe, expect } from "vitest";
import { caught } from "./helpers.js";

const xyxy = (rows: number[][]): Boxes<"xyxy", "px"> => boxes(rows, "xyxy", "px");
const all = { iou, giou, diou, ciou } as const;
const allPairs = { iou: iouPairs, giou: giouPairs, diou: diouPairs, ciou: ciouPairs } as const;
type Metric = keyof typeof all;
const METRICS: readonly Metric[] = ["iou", "giou", "diou", "ciou"];
const V = 4 / (Math.PI * Math.PI);

/** Integer-coordinate xyxy boxes (exact in float32), sides 0..24 so zero-area boxes occur. */
const arbRows = (min: number, max: number) =>
  fc.array(
    fc
      .tuple(
        fc.integer({ min: 0, max: 48 }),
        fc.integer({ min: 0, max: 48 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 24 }),
      )
      .map(([x, y, w, h]) => [x, y, x + w, y + h]),
    { minLength: min, maxLength: max },
  );

describe("IoU family: hand-worked examples (a vs b, both xyxy px)", () => {
  // Each row: a, b, IoU, GIoU, DIoU, CIoU with the arithmetic.
  const cases: [string, number[], number[], number, number, number, number][] = [
    // inter 1, union 4+4-1 = 7; enclosing 3x3 = 9: GIoU 1/7 - 2/9; centres (1,1),(2,2): rho² 2, c² 18; same aspect -> CIoU = DIoU
    ["overlap", [0, 0, 2, 2], [1, 1, 3, 3], 1 / 7, 1 / 7 - 2 / 9, 1 / 7 - 2 / 18, 1 / 7 - 2 / 18],
    // inter 2x2 = 4, union 8+8-4 = 12; enclosing 4x4 = 16: GIoU 1/3 - 4/16; rho² (2-1)²+(1-2)² = 2, c² 32;
    // v = 4/π² (atan(4/2) - atan(2/4))², alpha = v / (1 - 1/3 + v)
    [
      "crossed",
      [0, 0, 4, 2],
      [0, 0, 2, 4],
      1 / 3,
      1 / 3 - 4 / 16,
      1 / 3 - 2 / 32,
      (() => {
        const v = V * (Math.atan(2) - Math.atan(0.5)) ** 2;
        return 1 / 3 - 2 / 32 - (v / (1 - 1 / 3 + v)) * v;
      })(),
    ],
    // touching edge: inter 0, union 2 = enclosing 2x1; rho² 1, c² 2²+1² = 5
    ["touching", [0, 0, 1, 1], [1, 0, 2, 1], 0, 0, -1 / 5, -1 / 5],
    // disjoint: enclosing 3x1 = 3, union 2: GIoU -1/3; rho² 4, c² 9+1 = 10
    ["disjoint", [0, 0, 1, 1], [2, 0, 3, 1], 0, -1 / 3, -4 / 10, -4 / 10],
    ["identical", [2, 3, 7, 5], [2, 3, 7, 5], 1, 1, 1, 1],
    // Degenerate (torchvision: NaN for all four): union 0 -> IoU 0; enclosing area 0 -> GIoU 0; c = 0 -> DIoU 0; points -> no aspect term
    ["same point", [1, 1, 1, 1], [1, 1, 1, 1], 0, 0, 0, 0],
    // two points: union 0, enclosing 3x4 = 12 -> GIoU 0 - 12/12; rho² 25 = c² -> DIoU -1; points -> CIoU = DIoU
    ["two points", [0, 0, 0, 0], [3, 4, 3, 4], 0, -1, -1, -1],
    // point inside a box: inter 0, union 4 = enclosing 4 -> GIoU 0; same centre -> DIoU 0; point -> CIoU 0
    ["point in box", [1, 1, 1, 1], [0, 0, 2, 2], 0, 0, 0, 0],
    // zero-height segment through a box's centre: IoU 0, GIoU 0, DIoU 0; angles atan2(2, 0) = π/2 and atan(1) = π/4:
    // v = 4/π² (π/4)² = 1/4, alpha = (1/4) / (1 - 0 + 1/4) = 1/5 -> CIoU = -1/20 (torchvision agrees: atan(2/0) = π/2)
    ["zero-height segment", [0, 1, 2, 1], [0, 0, 2, 2], 0, 0, 0, -1 / 20],
  ];
  test.each(cases)("%s", (_name, a, b, eIou, eGiou, eDiou, eCiou) => {
    const A = xyxy([a]);
    const B = xyxy([b]);
    const expected: Record<Metric, number> = { iou: eIou, giou: eGiou, diou: eDiou, ciou: eCiou };
    for (const m of METRICS) {
      expect(all[m](A, B)[0], m).toBeCloseTo(expected[m], 6);
      expect(allPairs[m](A, B)[0], `${m}Pairs`).toBeCloseTo(expected[m], 6);
      expect(Number.isFinite(all[m](A, B)[0] as number)).toBe(true);
    }
  });

  test("empty inputs give empty outputs", () => {
    const e = emptyBoxes("xyxy", "px");
    const b = xyxy([[0, 0, 1, 1]]);
    for (const m of METRICS) {
      expect(all[m](e, b)).toEqual(new Float32Array(0));
      expect(all[m](b, e)).toEqual(new Float32Array(0));
      expect(allPairs[m](e, e)).toEqual(new Float32Array(0));
    }
  });

  test("any format: the same boxes in cxcywh and yxyx give the same values", () => {
    const a = xyxy([
      [0, 0, 4, 2],
      [1, 1, 3, 3],
    ]);
    const b = xyxy([
      [0, 0, 2, 4],
      [2, 0, 6, 8],
      [1, 1, 1, 1],
    ]);
    for (const m of METRICS) {
      const ref = all[m](a, b);
      expect(all[m](convert(a, "cxcywh"), convert(b, "cxcywh")), m).toEqual(ref);
      expect(all[m](convert(a, "yxyx"), convert(b, "yxyx")), m).toEqual(ref);
    }
  });

  test("out is filled and returned, whatever it held (both the sweep and the plain path)", () => {
    for (const n of [3, 12]) {
      const a = xyxy(Array.from({ length: n }, (_, i) => [i, i, i + 5, i + 3]));
      const b = xyxy([
        [0, 0, 4, 4],
        [2, 1, 9, 9],
        [30, 30, 31, 31],
      ]);
      const out = new Float32Array(n * 3).fill(7);
      expect(iou(a, b, out)).toBe(out);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) {
          expect(out[i * 3 + j]).toBe(
            iouPairs(
              xyxy([[i, i, i + 5, i + 3]]),
              unsafeBoxes(b.data.slice(j * 4, j * 4 + 4), "xyxy", "px"),
            )[0],
          );
        }
      }
    }
  });

  test("errors: mixed format or units, misaligned pairs, wrong out", () => {
    const a = xyxy([[0, 0, 1, 1]]);
    const c = convert(a, "cxcywh");
    const r = boxes([[0, 0, 0.5, 0.5]], "xyxy", "rel");
    // @ts-expect-error formats differ
    expect(caught(() => iou(a, c))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "iou: a is xyxy but b is cxcywh; convert() one of them first",
    });
    // @ts-expect-error units differ
    expect(caught(() => giou(a, r))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "giou: a is in px but b is in rel; use toRel()/toPx() first",
    });
    expect(
      caught(() =>
        ciouPairs(
          a,
          xyxy([
            [0, 0, 1, 1],
            [0, 0, 2, 2],
          ]),
        ),
      ),
    ).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "ciouPairs: a has 1 boxes but b has 2; pairs are aligned row by row",
    });
    expect(caught(() => diou(a, a, new Float32Array(2))).code).toBe("SHAPE_MISMATCH");
  });
});

interface IouFixture {
  name: string;
  n: number;
  m: number;
  a: number[];
  b: number[];
  iou: number[];
  giou: number[];
  diou: number[];
  ciou: number[];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/ops.json", import.meta.url), "utf8")) as {
  iou: IouFixture[];
};

describe("IoU family vs torchvision 0.14 (box_iou, generalized_box_iou, distance_box_iou, complete_box_iou)", () => {
  // Positive-area boxes only: there the definitions agree. torchvision adds eps = 1e-7 to the DIoU
  // diagonal and the CIoU alpha denominator; the difference is far below the tolerance here.
  test.each(fixtures.iou.map((f) => [f.name, f] as const))("%s", (_name, f) => {
    const A = unsafeBoxes(new Float32Array(f.a), "xyxy", "px");
    const B = unsafeBoxes(new Float32Array(f.b), "xyxy", "px");
    for (const m of METRICS) {
      const got = all[m](A, B);
      const want = f[m];
      expect(got.length).toBe(want.length);
      for (let k = 0; k < want.length; k++)
        expect(Math.abs((got[k] as number) - (want[k] as number)), `${m}[${k}]`).toBeLessThan(2e-6);
      const k = Math.min(f.n, f.m);
      const pairs = allPairs[m](
        unsafeBoxes(A.data.slice(0, 4 * k), "xyxy", "px"),
        unsafeBoxes(B.data.slice(0, 4 * k), "xyxy", "px"),
      );
      for (let i = 0; i < k; i++) expect(pairs[i], `${m}Pairs[${i}]`).toBe(got[i * f.m + i]);
    }
  });
});

describe("IoU family: properties", () => {
  const pair = fc.tuple(arbRows(0, 12), arbRows(0, 12));

  test.prop([pair])("symmetric: M(a, b)[i, j] = M(b, a)[j, i] for all four", ([ra, rb]) => {
    const a = xyxy(ra);
    const b = xyxy(rb);
    for (const m of METRICS) {
      const ab = all[m](a, b);
      const ba = all[m](b, a);
      for (let i = 0; i < a.length; i++)
        for (let j = 0; j < b.length; j++) expect(ab[i * b.length + j]).toBe(ba[j * a.length + i]);
    }
  });

  test.prop([pair])(
    "bounds and order: 0 ≤ IoU ≤ 1, −1 ≤ GIoU ≤ IoU, −1 ≤ DIoU ≤ IoU, −2 ≤ CIoU ≤ DIoU, all finite",
    ([ra, rb]) => {
      const a = xyxy(ra);
      const b = xyxy(rb);
      const I = iou(a, b);
      const G = giou(a, b);
      const D = diou(a, b);
      const C = ciou(a, b);
      for (let k = 0; k < I.length; k++) {
        const [i, g, d, c] = [I[k] as number, G[k] as number, D[k] as number, C[k] as number];
        expect(i >= 0 && i <= 1).toBe(true);
        expect(g >= -1 && g <= i).toBe(true);
        expect(d >= -1 && d <= i).toBe(true);
        expect(c >= -2 && c <= d).toBe(true);
      }
    },
  );

  test.prop([arbRows(1, 12)])("IoU(a, a) = 1 for positive-area boxes (0 for zero-area ones)", (ra) => {
    const a = xyxy(ra);
    const self = iouPairs(a, a);
    for (const [i, r] of ra.entries()) {
      const positive = (r[2] as number) > (r[0] as number) && (r[3] as number) > (r[1] as number);
      expect(self[i]).toBe(positive ? 1 : 0);
    }
  });

  test.prop([
    pair,
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: -6, max: 6 }),
  ])(
    "invariant under joint translation and joint scale (exact: integer shifts, power-of-two scales)",
    ([ra, rb], tx, ty, e) => {
      const s = 2 ** e;
      const move = (rows: number[][]) =>
        xyxy(
          rows.map(([x1, y1, x2, y2]) => [
            ((x1 as number) + tx) * s,
            ((y1 as number) + ty) * s,
            ((x2 as number) + tx) * s,
            ((y2 as number) + ty) * s,
          ]),
        );
      for (const m of METRICS) expect(all[m](move(ra), move(rb)), m).toEqual(all[m](xyxy(ra), xyxy(rb)));
    },
  );

  test.prop([pair])(
    "the matrix diagonal equals the aligned pairs, and the sweep path equals the plain path",
    ([ra, rb]) => {
      const k = Math.min(ra.length, rb.length);
      const a = xyxy(ra.slice(0, k));
      const b = xyxy(rb.slice(0, k));
      for (const m of METRICS) {
        const full = all[m](a, b);
        const p = allPairs[m](a, b);
        for (let i = 0; i < k; i++) expect(p[i]).toBe(full[i * k + i]);
      }
      // Rows one at a time (plain path) vs all rows at once (sorted sweep from 8 rows).
      const A = xyxy(ra);
      const B = xyxy(rb);
      const whole = iou(A, B);
      for (let i = 0; i < A.length; i++) {
        const row = iou(unsafeBoxes(A.data.slice(i * 4, i * 4 + 4), "xyxy", "px"), B);
        expect(Array.from(row)).toEqual(Array.from(whole.subarray(i * B.length, (i + 1) * B.length)));
      }
    },
  );
});
