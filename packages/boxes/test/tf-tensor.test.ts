import { test } from "@fast-check/vitest";
import { boxes, isOdError, toArray, unsafeBoxes } from "@od/boxes";
import {
  BOX_TENSOR_KIND,
  type BoxTensor,
  boxesToTensor,
  boxTensor,
  iouT,
  isBoxTensor,
  tensorToBoxes,
  tensorToBoxesBatch,
  tensorToBoxesSync,
  unsafeBoxTensor,
} from "@od/boxes/tf";
import { describe, expect } from "vitest";
import { formatArb, tf, xyxyBoxesArb } from "./tf-helpers.js";

/** Asserts `f` throws a BoxesError with `code` whose message matches `message`. */
function expectOdError(f: () => unknown, code: string, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(isOdError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

describe("boxTensor", () => {
  test("wraps a [N, 4] float32 tensor with its tags, without copying", () => {
    const t = tf.tensor2d([[1, 2, 3, 4]]);
    const b = boxTensor(t, "xyxy", "px");
    expect(b).toEqual({ kind: BOX_TENSOR_KIND, format: "xyxy", units: "px", tensor: t });
    expect(b.tensor).toBe(t);
    expect(isBoxTensor(b)).toBe(true);
    t.dispose();
    expect(isBoxTensor(b)).toBe(false);
  });

  test("accepts batches [B, N, 4] and empty [0, 4]", () => {
    tf.tidy(() => {
      expect(boxTensor(tf.zeros([2, 3, 4]), "cxcywh", "rel").tensor.shape).toEqual([2, 3, 4]);
      expect(boxTensor(tf.zeros([0, 4]), "xyxy", "rel").tensor.shape).toEqual([0, 4]);
    });
  });

  test("rejects what is not a [..., 4] float32 tensor, naming the argument and the shape", () => {
    tf.tidy(() => {
      expectOdError(
        () => boxTensor([[1, 2, 3, 4]] as never, "xyxy", "px"),
        "NOT_BOXES",
        /^boxTensor: tensor must be a tf.Tensor/,
      );
      expectOdError(
        () => boxTensor(tf.zeros([4]), "xyxy", "px"),
        "SHAPE_MISMATCH",
        /^boxTensor: tensor must have shape .*; got \[4\]/,
      );
      expectOdError(() => boxTensor(tf.zeros([5, 3]), "xyxy", "px"), "SHAPE_MISMATCH", /got \[5, 3\]/);
      expectOdError(
        () => boxTensor(tf.zeros([5, 4], "int32"), "xyxy", "px"),
        "INVALID_ARGUMENT",
        /float32 tensor; got int32/,
      );
      expectOdError(
        () => boxTensor(tf.zeros([5, 4]), "xywz" as never, "px"),
        "INVALID_ARGUMENT",
        /^boxTensor: format must be one of/,
      );
      expectOdError(
        () => boxTensor(tf.zeros([5, 4]), "xyxy", "pt" as never),
        "INVALID_ARGUMENT",
        /^boxTensor: units must be "px" or "rel"/,
      );
    });
  });

  test("ops reject a raw tensor with a hint, and mixed formats or units at run time", () => {
    tf.tidy(() => {
      const a = boxTensor(tf.tensor2d([[0, 0, 1, 1]]), "xyxy", "rel");
      const c = boxTensor(tf.tensor2d([[0.5, 0.5, 1, 1]]), "cxcywh", "rel");
      const p = boxTensor(tf.tensor2d([[0, 0, 10, 10]]), "xyxy", "px");
      expectOdError(
        () => iouT(a.tensor as never, a),
        "NOT_BOXES",
        /^iouT: a must be a BoxTensor \(wrap a raw tensor with boxTensor/,
      );
      // @ts-expect-error a cxcywh tensor where xyxy is expected does not compile
      const mixedFormats = () => iouT(a, c);
      // @ts-expect-error px where rel is expected does not compile
      const mixedUnits = () => iouT(a, p);
      expectOdError(
        mixedFormats,
        "FORMAT_MISMATCH",
        /^iouT: a is xyxy but b is cxcywh; convertT\(\) one of them first/,
      );
      expectOdError(mixedUnits, "UNITS_MISMATCH", /^iouT: a is in rel but b is in px/);
    });
  });

  test("unsafeBoxTensor only tags", () => {
    const t = tf.zeros([1, 4]);
    const b: BoxTensor<"yxyx", "px"> = unsafeBoxTensor(t, "yxyx", "px");
    expect(b.tensor).toBe(t);
    t.dispose();
  });
});

describe("boxesToTensor / tensorToBoxes", () => {
  test("empty boxes round-trip as [0, 4]", async () => {
    const b = boxesToTensor(unsafeBoxes(new Float32Array(0), "xyxy", "px"));
    expect(b.tensor.shape).toEqual([0, 4]);
    expect((await tensorToBoxes(b)).length).toBe(0);
    expect(tensorToBoxesSync(b).length).toBe(0);
    b.tensor.dispose();
  });

  test("copies at the boundary in both directions", async () => {
    const src = boxes([[1, 2, 3, 4]], "xyxy", "px");
    const t = boxesToTensor(src);
    src.data[0] = 99;
    const back = await tensorToBoxes(t);
    expect(toArray(back)).toEqual([[1, 2, 3, 4]]);
    back.data[1] = 99;
    expect(Array.from(t.tensor.dataSync())).toEqual([1, 2, 3, 4]);
    t.tensor.dispose();
  });

  test("tensorToBoxes wants [N, 4]; batches go through tensorToBoxesBatch", async () => {
    const t = boxTensor(tf.tensor3d([[[0, 0, 1, 1]], [[1, 1, 2, 2]]]), "xyxy", "rel");
    await expect(tensorToBoxes(t)).rejects.toThrow(
      /^tensorToBoxes: t.tensor must have shape \[N, 4\]; got \[2, 1, 4\]/,
    );
    const parts = await tensorToBoxesBatch(t);
    expect(parts.map(toArray)).toEqual([[[0, 0, 1, 1]], [[1, 1, 2, 2]]]);
    expect(parts[0]?.format).toBe("xyxy");
    t.tensor.dispose();
  });

  test.prop([xyxyBoxesArb(), formatArb], { numRuns: 30 })(
    "round trip keeps data, format and units",
    async (b0, f) => {
      const b = unsafeBoxes(b0.data, f, "rel");
      const before = tf.memory().numTensors;
      const t = boxesToTensor(b);
      expect(t.format).toBe(f);
      expect(t.units).toBe("rel");
      const sync = tensorToBoxesSync(t);
      const async_ = await tensorToBoxes(t);
      t.tensor.dispose();
      expect(tf.memory().numTensors).toBe(before);
      for (const r of [sync, async_]) {
        expect(r.format).toBe(f);
        expect(r.units).toBe("rel");
        expect(Array.from(r.data)).toEqual(Array.from(b.data));
      }
    },
  );

  test("rejects what is not Boxes", () => {
    expectOdError(() => boxesToTensor({} as never), "NOT_BOXES", /^boxesToTensor: b must be Boxes/);
  });
});
