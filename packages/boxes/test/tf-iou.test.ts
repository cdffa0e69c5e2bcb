import { readFileSync } from "node:fs";
import { test } from "@fast-check/vitest";
import {
  type Boxes,
  ciou,
  ciouPairs,
  convert,
  diou,
  diouPairs,
  giou,
  giouPairs,
  iou,
  iouPairs,
  unsafeBoxes,
} from "@od/boxes";
import {
  type BoxTensor,
  boxesToTensor,
  boxTensor,
  ciouPairsT,
  ciouT,
  diouPairsT,
  diouT,
  giouPairsT,
  giouT,
  iouPairsT,
  iouT,
} from "@od/boxes/tf";
import { describe, expect } from "vitest";
import {
  alignedPairArb,
  expectClose,
  expectFinite,
  formatArb,
  leakFree,
  tf,
  xyxyBoxesArb,
} from "./tf-helpers.js";

type TensorOp = (a: BoxTensor, b: BoxTensor) => tf.Tensor;
type ArrayOp = (a: Boxes, b: Boxes) => Float32Array;

const MATRIX: readonly [string, TensorOp, ArrayOp][] = [
  ["iouT", iouT, iou],
  ["giouT", giouT, giou],
  ["diouT", diouT, diou],
  ["ciouT", ciouT, ciou],
];
const PAIRS: readonly [string, TensorOp, ArrayOp][] = [
  ["iouPairsT", iouPairsT, iouPairs],
  ["giouPairsT", giouPairsT, giouPairs],
  ["diouPairsT", diouPairsT, diouPairs],
  ["ciouPairsT", ciouPairsT, ciouPairs],
];
const ALL = [...MATRIX, ...PAIRS];

/** Degenerate rows (xyxy): zero width, zero height, points (twice the same), a normal box. */
const DEGENERATE = unsafeBoxes(
  Float32Array.from(
    [
      [5, 5, 5, 5],
      [5, 5, 5, 5],
      [0, 0, 0, 10],
      [0, 0, 10, 0],
      [2, 2, 2, 8],
      [0, 0, 10, 10],
      [3, 3, 3, 3],
      [0, 0, 10, 10],
    ].flat(),
  ),
  "xyxy",
  "px",
);

const xyxy = (rows: number[][]) => boxTensor(tf.tensor2d(rows, [rows.length, 4]), "xyxy", "px");

describe("IoU family on tensors: examples", () => {
  test("hand-worked IoU and GIoU (torchvision box_iou / generalized_box_iou values)", () => {
    tf.tidy(() => {
      const a = xyxy([[0, 0, 2, 2]]);
      const b = xyxy([
        [1, 1, 3, 3],
        [3, 0, 4, 2],
      ]);
      // [0,0,2,2] vs [1,1,3,3]: inter 1, union 7, enclosing 9 -> IoU 1/7, GIoU 1/7 - 2/9
      // [0,0,2,2] vs [3,0,4,2]: disjoint, enclosing 4x2 = 8, union 6 -> GIoU -2/8
      expectClose(iouT(a, b).dataSync(), [1 / 7, 0]);
      expectClose(giouT(a, b).dataSync(), [1 / 7 - 2 / 9, -0.25]);
      // DIoU: centres (1,1) and (2,2): rho^2 = 2, diagonal^2 = 18
      expectClose(diouT(a, b).dataSync(), [1 / 7 - 2 / 18, 0 - 6.25 / 20]);
    });
  });

  test("empty inputs give empty outputs of the right shape", () => {
    tf.tidy(() => {
      const e = xyxy([]);
      const one = xyxy([[0, 0, 1, 1]]);
      for (const [, f] of MATRIX) {
        expect(f(e, one).shape).toEqual([0, 1]);
        expect(f(one, e).shape).toEqual([1, 0]);
        expect(f(e, e).shape).toEqual([0, 0]);
      }
      for (const [, f] of PAIRS) expect(f(e, e).shape).toEqual([0]);
    });
  });

  test("degenerate boxes give the typed-array path's defined values, never NaN", () => {
    const t = boxesToTensor(DEGENERATE);
    for (const [name, f, g] of ALL) {
      const isPairs = name.includes("Pairs");
      const [d] = leakFree(() => f(t, t));
      expectFinite(d ?? [], name);
      expectClose(d ?? [], g(DEGENERATE, DEGENERATE));
      if (isPairs) expect(d?.[0], `${name}: the same point twice`).toBe(0);
    }
    t.tensor.dispose();
  });

  test("shapes are checked: pairs must broadcast, matrices' batch dimensions must broadcast", () => {
    tf.tidy(() => {
      const a = boxTensor(tf.zeros([3, 4]), "xyxy", "rel");
      const b = boxTensor(tf.zeros([2, 4]), "xyxy", "rel");
      expect(() => iouPairsT(a, b)).toThrow(
        /^iouPairsT: the box dimensions of a \[3\] and b \[2\] do not broadcast/,
      );
      const a3 = boxTensor(tf.zeros([3, 5, 4]), "xyxy", "rel");
      const b3 = boxTensor(tf.zeros([2, 6, 4]), "xyxy", "rel");
      expect(() => ciouT(a3, b3)).toThrow(
        /^ciouT: the batch dimensions of a \[3\] and b \[2\] do not broadcast/,
      );
      expect(ciouT(a3, boxTensor(tf.zeros([6, 4]), "xyxy", "rel")).shape).toEqual([3, 5, 6]);
      expect(giouPairsT(a3, boxTensor(tf.zeros([5, 4]), "xyxy", "rel")).shape).toEqual([3, 5]);
    });
  });
});

describe("IoU family on tensors: agreement with the typed-array path", () => {
  for (const [name, f, g] of MATRIX) {
    test.prop([xyxyBoxesArb(10), xyxyBoxesArb(10), formatArb], { numRuns: 25 })(
      `${name} [N, M] agrees with ${g.name}() to 1e-5, any format, no leaks`,
      (a0, b0, fmt) => {
        const a = convert(a0, fmt);
        const b = convert(b0, fmt);
        const ta = boxesToTensor(a);
        const tb = boxesToTensor(b);
        const [d] = leakFree(() => f(ta, tb));
        tf.dispose([ta, tb]);
        expectClose(d ?? [], g(a, b));
      },
    );
  }

  for (const [name, f, g] of PAIRS) {
    test.prop([alignedPairArb(16), formatArb], { numRuns: 25 })(
      `${name} [N] agrees with ${g.name}() to 1e-5`,
      ([a0, b0], fmt) => {
        const a = convert(a0, fmt);
        const b = convert(b0, fmt);
        const ta = boxesToTensor(a);
        const tb = boxesToTensor(b);
        const [d] = leakFree(() => f(ta, tb));
        tf.dispose([ta, tb]);
        expectClose(d ?? [], g(a, b));
      },
    );
  }

  test.prop([xyxyBoxesArb(5, 1), xyxyBoxesArb(5, 1)], { numRuns: 10 })(
    "a batched matrix [2, N, 4] x [2, M, 4] is per item",
    (a, b) => {
      // item 1: (a, b); item 2: (a, b shifted right by 3 px)
      const shifted = unsafeBoxes(
        b.data.map((v, k) => (k % 2 === 0 ? v + 3 : v)),
        "xyxy",
        "px",
      );
      const [d] = leakFree(() =>
        tf.tidy(() => {
          const ta = boxesToTensor(a).tensor;
          const tb = tf.stack([boxesToTensor(b).tensor, boxesToTensor(shifted).tensor]);
          return ciouT(boxTensor(tf.stack([ta, ta]), "xyxy", "px"), boxTensor(tb, "xyxy", "px"));
        }),
      );
      expectClose(d ?? [], Float32Array.from([...ciou(a, b), ...ciou(a, shifted)]));
    },
  );
});

describe("IoU family on tensors: gradients", () => {
  const grads = (f: TensorOp, a: tf.Tensor, b: tf.Tensor) =>
    tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(f(boxTensor(x, "xyxy", "px"), boxTensor(y, "xyxy", "px"))),
    )([a, b]);

  test("pairwise ops have finite gradients for degenerate boxes (points, lines, the same point twice)", () => {
    const t = boxesToTensor(DEGENERATE);
    const rev = tf.reverse(t.tensor, 0);
    for (const [name, f] of PAIRS) {
      for (const [x, y] of [
        [t.tensor, t.tensor],
        [t.tensor, rev],
      ] as const) {
        const before = tf.memory().numTensors;
        const [ga, gb] = grads(f, x, y);
        expectFinite(ga?.dataSync() ?? [], `${name} d/da`);
        expectFinite(gb?.dataSync() ?? [], `${name} d/db`);
        tf.dispose([ga, gb]);
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    tf.dispose([t.tensor, rev]);
  });

  test("matrix and broadcast pair ops have finite gradients too (degenerate boxes, batched)", () => {
    const t = boxesToTensor(DEGENERATE);
    for (const [name, f] of MATRIX) {
      tf.tidy(() => {
        for (const g of grads(f, t.tensor, tf.slice(t.tensor, [2, 0], [4, 4])))
          expectFinite(g.dataSync(), name);
        const batch = tf.reshape(t.tensor, [2, 4, 4]);
        for (const g of grads(f, batch, batch)) expectFinite(g.dataSync(), `${name} batched`);
      });
    }
    for (const [name, f] of PAIRS) {
      tf.tidy(() => {
        // [2, 4, 4] against [4, 4]: the gradient of the broadcast side sums over the batch
        const [ga, gb] = grads(f, tf.reshape(t.tensor, [2, 4, 4]), tf.slice(t.tensor, [4, 0], [4, 4]));
        expect(ga?.shape).toEqual([2, 4, 4]);
        expect(gb?.shape).toEqual([4, 4]);
        expectFinite(ga?.dataSync() ?? [], name);
        expectFinite(gb?.dataSync() ?? [], name);
      });
    }
    t.tensor.dispose();
  });

  test.prop([alignedPairArb(8)], { numRuns: 15 })(
    "pairwise gradients are finite on random boxes (with zero sizes)",
    ([a, b]) => {
      tf.tidy(() => {
        for (const [name, f] of PAIRS) {
          for (const g of grads(f, boxesToTensor(a).tensor, boxesToTensor(b).tensor))
            expectFinite(g.dataSync(), name);
        }
      });
    },
  );

  // torchvision autograd values (float64), from scripts/tf_iou_grads.py.
  const fixture = JSON.parse(
    readFileSync(new URL("./fixtures/tf-iou-grads.json", import.meta.url), "utf8"),
  ) as {
    pairs: ({ a: number[]; b: number[] } & Record<
      string,
      { value: number; grad_a: number[]; grad_b: number[] }
    >)[];
  };
  const byName: Record<string, TensorOp> = {
    iou: iouPairsT,
    giou: giouPairsT,
    diou: diouPairsT,
    ciou: ciouPairsT,
  };

  test("values and gradients match torchvision autograd (CIoU with alpha under no_grad) to 1e-4", () => {
    for (const p of fixture.pairs) {
      for (const [name, f] of Object.entries(byName)) {
        const ref = p[name];
        if (ref === undefined) throw new Error(`fixture lacks ${name}`);
        tf.tidy(() => {
          const a = tf.tensor2d([p.a]);
          const b = tf.tensor2d([p.b]);
          const { value, grads: g } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(f(boxTensor(x, "xyxy", "px"), boxTensor(y, "xyxy", "px"))),
          )([a, b]);
          expectClose(value.dataSync(), [ref.value], 1e-5);
          expectClose(g[0]?.dataSync() ?? [], ref.grad_a, 1e-4);
          expectClose(g[1]?.dataSync() ?? [], ref.grad_b, 1e-4);
        });
      }
    }
  });

  test("finite differences of the float64 typed-array path match tf.grad (IoU, GIoU, DIoU)", () => {
    // Coordinates and step are powers of two, so x ± h is exact in float32.
    const a = [0.25, 0.125, 0.75, 0.625];
    const b = [0.375, 0.0625, 0.875, 0.5];
    const h = 2 ** -12;
    const at = (rows: number[]) => unsafeBoxes(Float32Array.from(rows), "xyxy", "rel");
    for (const [name, f, g] of PAIRS.slice(0, 3)) {
      const numeric = a.map((_, k) => {
        const up = a.map((v, i) => (i === k ? v + h : v));
        const down = a.map((v, i) => (i === k ? v - h : v));
        return ((g(at(up), at(b))[0] as number) - (g(at(down), at(b))[0] as number)) / (2 * h);
      });
      const analytic = tf.tidy(() =>
        tf
          .grad((x: tf.Tensor) =>
            tf.sum(f(boxTensor(x, "xyxy", "rel"), boxTensor(tf.tensor2d([b]), "xyxy", "rel"))),
          )(tf.tensor2d([a]))
          .dataSync(),
      );
      expect(analytic.length, name).toBe(4);
      expectClose(analytic, numeric, 1e-3);
    }
  });
});
