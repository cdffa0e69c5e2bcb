import { test } from "@fast-check/vitest";
import { area, type BoxFormat, convert, toPx, toRel, unsafeBoxes } from "@od/boxes";
import { areaT, boxesToTensor, boxTensor, convertT, toPxT, toRelT } from "@od/boxes/tf";
import { describe, expect } from "vitest";
import { expectClose, formatArb, leakFree, tf, xyxyBoxesArb } from "./tf-helpers.js";

const FORMATS: readonly BoxFormat[] = ["xyxy", "xywh", "cxcywh", "yxyx"];

describe("convertT", () => {
  test("example: xyxy -> cxcywh -> xywh -> yxyx", () => {
    tf.tidy(() => {
      const b = boxTensor(tf.tensor2d([[10, 20, 50, 80]]), "xyxy", "px");
      const c = convertT(b, "cxcywh");
      expect(c.format).toBe("cxcywh");
      expect(c.units).toBe("px");
      expect(Array.from(c.tensor.dataSync())).toEqual([30, 50, 40, 60]);
      expect(Array.from(convertT(c, "xywh").tensor.dataSync())).toEqual([10, 20, 40, 60]);
      expect(Array.from(convertT(c, "yxyx").tensor.dataSync())).toEqual([20, 10, 80, 50]);
    });
  });

  test("empty [0, 4] and batched [B, N, 4] inputs keep their shape", () => {
    tf.tidy(() => {
      for (const to of FORMATS) {
        expect(convertT(boxTensor(tf.zeros([0, 4]), "cxcywh", "rel"), to).tensor.shape).toEqual([0, 4]);
        expect(convertT(boxTensor(tf.zeros([2, 0, 4]), "xyxy", "rel"), to).tensor.shape).toEqual([2, 0, 4]);
        expect(convertT(boxTensor(tf.ones([2, 3, 4]), "xywh", "rel"), to).tensor.shape).toEqual([2, 3, 4]);
      }
    });
  });

  test("a NaN stays in its coordinate", () => {
    const [d] = leakFree(() =>
      tf.tidy(() => convertT(boxTensor(tf.tensor2d([[Number.NaN, 0, 1, 1]]), "xyxy", "rel"), "yxyx")),
    );
    expect(Array.from(d ?? [])).toEqual([0, Number.NaN, 1, 1]);
  });

  test("same format gives a new tensor (disposing it leaves the input alive)", () => {
    const b = boxTensor(tf.tensor2d([[1, 2, 3, 4]]), "xyxy", "px");
    const c = convertT(b, "xyxy");
    expect(c.tensor).not.toBe(b.tensor);
    c.tensor.dispose();
    expect(Array.from(b.tensor.dataSync())).toEqual([1, 2, 3, 4]);
    b.tensor.dispose();
  });

  test.prop([xyxyBoxesArb(), formatArb, formatArb], { numRuns: 60 })(
    "all 12 pairs agree with convert() to 1e-5, without leaks",
    (b0, from, to) => {
      const b = convert(b0, from);
      const t = boxesToTensor(b);
      const [d] = leakFree(() => convertT(t, to));
      t.tensor.dispose();
      expectClose(d ?? [], convert(b, to).data);
    },
  );

  test.prop([xyxyBoxesArb(6, 1), formatArb, formatArb], { numRuns: 20 })(
    "a batch [2, N, 4] converts per item",
    (b0, from, to) => {
      const b = convert(b0, from);
      const [d] = leakFree(() =>
        tf.tidy(() => {
          const one = boxesToTensor(b).tensor;
          return convertT(boxTensor(tf.stack([one, tf.mul(one, 2)]), from, "px"), to).tensor;
        }),
      );
      const twice = unsafeBoxes(
        b.data.map((v) => v * 2),
        from,
        "px",
      );
      expectClose(d ?? [], Float32Array.from([...convert(b, to).data, ...convert(twice, to).data]));
    },
  );
});

describe("toRelT / toPxT", () => {
  const size = { width: 640, height: 480 };

  test("example: x by width, y by height, for yxyx too", () => {
    tf.tidy(() => {
      const xy = toRelT(boxTensor(tf.tensor2d([[64, 48, 320, 240]]), "xyxy", "px"), size);
      expect(xy.units).toBe("rel");
      expectClose(xy.tensor.dataSync(), [0.1, 0.1, 0.5, 0.5]);
      const yx = toRelT(boxTensor(tf.tensor2d([[48, 64, 240, 320]]), "yxyx", "px"), size);
      expectClose(yx.tensor.dataSync(), [0.1, 0.1, 0.5, 0.5]);
    });
  });

  test("wrong units and bad sizes are errors", () => {
    tf.tidy(() => {
      const rel = boxTensor(tf.zeros([1, 4]), "xyxy", "rel");
      // @ts-expect-error rel boxes cannot go through toRelT
      expect(() => toRelT(rel, size)).toThrow(/^toRelT: b must be in px units; got rel/);
      const px = boxTensor(tf.zeros([1, 4]), "xyxy", "px");
      expect(() => toRelT(px, { width: 0, height: 1 })).toThrow(/^toRelT: size must be/);
    });
  });

  test.prop([xyxyBoxesArb(), formatArb], { numRuns: 40 })(
    "agree with toRel()/toPx() to 1e-5 and invert each other",
    (b0, f) => {
      const b = convert(b0, f);
      const t = boxesToTensor(b);
      const [rel] = leakFree(() => toRelT(t, size));
      expectClose(rel ?? [], toRel(b, size).data);
      const [back] = leakFree(() => tf.tidy(() => toPxT(toRelT(t, size), size)));
      expectClose(back ?? [], toPx(toRel(b, size), size).data);
      expectClose(back ?? [], b.data);
      t.tensor.dispose();
    },
  );
});

describe("areaT", () => {
  test("empty input gives [0]; a batch gives [B, N]", () => {
    tf.tidy(() => {
      expect(areaT(boxTensor(tf.zeros([0, 4]), "xyxy", "px")).shape).toEqual([0]);
      expect(
        Array.from(areaT(boxTensor(tf.tensor3d([[[0, 0, 2, 3]], [[1, 1, 1, 5]]]), "xyxy", "px")).dataSync()),
      ).toEqual([6, 0]);
    });
  });

  test.prop([xyxyBoxesArb(), formatArb], { numRuns: 40 })("agrees with area() to 1e-5", (b0, f) => {
    const b = convert(b0, f);
    const t = boxesToTensor(b);
    const [d] = leakFree(() => areaT(t));
    t.tensor.dispose();
    expectClose(d ?? [], area(b));
  });
});
