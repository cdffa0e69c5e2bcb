import { fc, test } from "@fast-check/vitest";
import { type Boxes, convert, decode, encode, unsafeBoxes } from "@od/boxes";
import { boxesToTensor, boxTensor, convertT, decodeT, encodeT, giouPairsT } from "@od/boxes/tf";
import { describe, expect } from "vitest";
import { expectClose, expectFinite, formatArb, leakFree, tf, xyxyBoxesArb } from "./tf-helpers.js";

/** `[P, 4]` cxcywh rel priors with sizes in [0.02, 0.9]. */
const priorsArb = (p: number) =>
  fc
    .array(
      fc.tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.02, max: 0.9, noNaN: true }),
        fc.double({ min: 0.02, max: 0.9, noNaN: true }),
      ),
      { minLength: p, maxLength: p },
    )
    .map((rows) => unsafeBoxes(Float32Array.from(rows.flat()), "cxcywh", "rel"));

/** Matched xyxy rel boxes (some degenerate) and priors of the same P. */
const matchedArb = fc.integer({ min: 0, max: 12 }).chain((p) =>
  fc.tuple(
    xyxyBoxesArb(p, p).map((b) =>
      unsafeBoxes(
        b.data.map((v) => v / 100),
        "xyxy",
        "rel",
      ),
    ),
    priorsArb(p),
  ),
);

const deltasArb = (p: number) =>
  fc
    .array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 4 * p, maxLength: 4 * p })
    .map((d) => Float32Array.from(d));

describe("encodeT", () => {
  test("example: a box equal to its prior encodes to zeros; torchvision BoxCoder weights (10, 10, 5, 5)", () => {
    tf.tidy(() => {
      const priors = boxTensor(tf.tensor2d([[0.5, 0.5, 0.2, 0.4]]), "cxcywh", "rel");
      const same = boxTensor(tf.tensor2d([[0.4, 0.3, 0.6, 0.7]]), "xyxy", "rel");
      expectClose(encodeT(same, priors).dataSync(), [0, 0, 0, 0]);
      // centre moved by (0.02, -0.04), size doubled: tx = 0.02 / (0.1 * 0.2), ty = -0.04 / (0.1 * 0.4), tw = th = log 2 / 0.2
      const moved = boxTensor(tf.tensor2d([[0.52, 0.46, 0.4, 0.8]]), "cxcywh", "rel");
      expectClose(encodeT(moved, priors).dataSync(), [1, -1, Math.log(2) / 0.2, Math.log(2) / 0.2]);
    });
  });

  test("empty P = 0 gives [0, 4]; degenerate boxes give finite targets", () => {
    tf.tidy(() => {
      const e = boxTensor(tf.zeros([0, 4]), "xyxy", "rel");
      expect(encodeT(e, boxTensor(tf.zeros([0, 4]), "cxcywh", "rel")).shape).toEqual([0, 4]);
      const point = boxTensor(tf.tensor2d([[0.5, 0.5, 0.5, 0.5]]), "xyxy", "rel");
      const d = encodeT(point, boxTensor(tf.tensor2d([[0.5, 0.5, 0.1, 0.1]]), "cxcywh", "rel")).dataSync();
      expectFinite(d);
      expectClose(d, [0, 0, Math.log(1e-8 / 0.1) / 0.2, Math.log(1e-8 / 0.1) / 0.2]);
    });
  });

  test("errors name the op and the argument", () => {
    tf.tidy(() => {
      const m = boxTensor(tf.zeros([3, 4]), "xyxy", "rel");
      const xyxyPriors = boxTensor(tf.ones([3, 4]), "xyxy", "rel");
      // @ts-expect-error priors must be cxcywh
      const notCxcywh = () => encodeT(m, xyxyPriors);
      expect(notCxcywh).toThrow(/^encodeT: priors must be cxcywh boxes; got xyxy/);
      const p2 = boxTensor(tf.ones([2, 4]), "cxcywh", "rel");
      expect(() => encodeT(m, p2)).toThrow(
        /^encodeT: matched \[3, 4\] must have P = 2 boxes to pair with priors \[2, 4\]; got P = 3/,
      );
      const p3 = boxTensor(tf.ones([3, 4]), "cxcywh", "rel");
      expect(() => encodeT(m, p3, { variances: [0.1, 0.1, 0, 0.2] })).toThrow(
        /^encodeT: options.variances must be 4 finite numbers > 0/,
      );
      const pxPriors = boxTensor(tf.ones([3, 4]), "cxcywh", "px");
      // @ts-expect-error units must match
      const mixedUnits = () => encodeT(m, pxPriors);
      expect(mixedUnits).toThrow(/^encodeT: priors must be in rel units; got px/);
    });
  });

  test.prop([matchedArb, formatArb], { numRuns: 40 })(
    "agrees with encode() to 1e-5 (relative to max(1, |t|)), any format",
    ([m0, priors], f) => {
      const m = convert(m0, f);
      const tm = boxesToTensor(m);
      const tp = boxesToTensor(priors);
      const [d] = leakFree(() => encodeT(tm, tp));
      tf.dispose([tm, tp]);
      expectClose(d ?? [], encode(m, priors));
    },
  );

  test.prop([matchedArb], { numRuns: 15 })(
    "a batch [2, P, 4] against [P, 4] priors encodes per item",
    ([m, priors]) => {
      const flipped = unsafeBoxes(Float32Array.from(m.data).reverse(), "xyxy", "rel");
      const swapped = unsafeBoxes(
        flipped.data.map((_, k, a) => a[k ^ 2] as number),
        "xyxy",
        "rel",
      ); // reversed rows, back in x1 <= x2 order
      const [d] = leakFree(() =>
        tf.tidy(() =>
          encodeT(
            boxTensor(tf.stack([boxesToTensor(m).tensor, boxesToTensor(swapped).tensor]), "xyxy", "rel"),
            boxesToTensor(priors),
          ),
        ),
      );
      expectClose(d ?? [], Float32Array.from([...encode(m, priors), ...encode(swapped, priors)]));
    },
  );
});

describe("decodeT", () => {
  test("example: zeros decode to the priors; log-size deltas are clipped at log(1000/16)", () => {
    tf.tidy(() => {
      const priors = boxTensor(tf.tensor2d([[0.5, 0.5, 0.2, 0.4]]), "cxcywh", "rel");
      const out = decodeT(tf.zeros([1, 4]), priors);
      expect(out.format).toBe("cxcywh");
      expect(out.units).toBe("rel");
      expectClose(out.tensor.dataSync(), [0.5, 0.5, 0.2, 0.4]);
      expectClose(decodeT(tf.tensor2d([[0, 0, 1e4, 1e4]]), priors).tensor.dataSync(), [
        0.5,
        0.5,
        0.2 * (1000 / 16),
        0.4 * (1000 / 16),
      ]);
    });
  });

  test("a batch [B, P, 4] of deltas broadcasts over [P, 4] priors; P = 0 works", () => {
    tf.tidy(() => {
      const priors = boxTensor(tf.tensor2d([[0.5, 0.5, 0.2, 0.4]]), "cxcywh", "rel");
      expect(decodeT(tf.zeros([3, 1, 4]), priors).tensor.shape).toEqual([3, 1, 4]);
      expect(decodeT(tf.zeros([2, 0, 4]), boxTensor(tf.zeros([0, 4]), "cxcywh", "rel")).tensor.shape).toEqual(
        [2, 0, 4],
      );
      expect(() => decodeT(tf.zeros([3, 2, 4]), priors)).toThrow(
        /^decodeT: deltas \[3, 2, 4\] must have P = 1 boxes to pair with priors \[1, 4\]; got P = 2/,
      );
      expect(() => decodeT(tf.zeros([4]), priors)).toThrow(
        /^decodeT: deltas must have shape \[\.\.\., N, 4\] \(rank >= 2\); got \[4\]/,
      );
    });
  });

  test.prop([fc.integer({ min: 0, max: 12 }).chain((p) => fc.tuple(deltasArb(p), priorsArb(p)))], {
    numRuns: 40,
  })("agrees with decode() to 1e-5 (relative), clip included", ([deltas, priors]) => {
    const tp = boxesToTensor(priors);
    const [d] = leakFree(() => tf.tidy(() => decodeT(tf.tensor2d(deltas, [priors.length, 4]), tp)));
    tp.tensor.dispose();
    expectClose(d ?? [], decode(deltas, priors).data);
  });

  test.prop([matchedArb], { numRuns: 30 })(
    "decodeT(encodeT(g)) = g for non-degenerate g (cxcywh, to 1e-5)",
    ([m, priors]) => {
      const nonDegenerate = (b: Boxes) => {
        for (let s = 0; s < b.data.length; s += 4) {
          if (
            (b.data[s + 2] as number) - (b.data[s] as number) < 1e-3 ||
            (b.data[s + 3] as number) - (b.data[s + 1] as number) < 1e-3
          )
            return false;
        }
        return true;
      };
      fc.pre(nonDegenerate(m));
      const [d] = leakFree(() =>
        tf.tidy(() => decodeT(encodeT(boxesToTensor(m), boxesToTensor(priors)), boxesToTensor(priors))),
      );
      expectClose(d ?? [], convert(m, "cxcywh").data, 1e-5);
    },
  );

  test("decode -> GIoU loss has finite gradients with respect to the deltas, extreme deltas included", () => {
    tf.tidy(() => {
      const priors = boxTensor(
        tf.tensor2d([
          [0.5, 0.5, 0.2, 0.4],
          [0.1, 0.1, 0.05, 0.05],
        ]),
        "cxcywh",
        "rel",
      );
      const target = boxTensor(
        tf.tensor2d([
          [0.4, 0.3, 0.6, 0.7],
          [0.5, 0.5, 0.5, 0.5],
        ]),
        "xyxy",
        "rel",
      );
      const loss = (deltas: tf.Tensor) =>
        tf.sum(tf.sub(1, giouPairsT(convertT(decodeT(deltas, priors), "xyxy"), target)));
      const g = tf.grad(loss)(
        tf.tensor3d([
          [
            [0, 0, 0, 0],
            [50, -50, 1e4, -1e4],
          ],
        ]),
      );
      expectFinite(g.dataSync(), "d loss / d deltas");
    });
  });
});
