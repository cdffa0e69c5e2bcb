/**
 * The tensor ops on the wasm backend (XNNPACK kernels, possibly fused multiply-adds) agree with the
 * typed-array path as they do on cpu. Skips when the wasm backend cannot start.
 */
import { test } from "@fast-check/vitest";
import { ciou, ciouPairs, convert, decode, encode, giou, iou, unsafeBoxes } from "@od/boxes";
import { boxesToTensor, ciouPairsT, ciouT, decodeT, encodeT, giouT, iouT } from "@od/boxes/tf";
import { beforeAll, describe, expect } from "vitest";
import {
  alignedPairArb,
  expectClose,
  expectFinite,
  formatArb,
  leakFree,
  tf,
  xyxyBoxesArb,
} from "./tf-helpers.js";

/** Whether the wasm backend starts here (resolved before the suite is collected). */
const wasmAvailable = await (async () => {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!wasmAvailable)("tensor ops on the wasm backend", () => {
  beforeAll(async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    await tf.ready();
  });

  test.prop([xyxyBoxesArb(10), xyxyBoxesArb(10), formatArb], { numRuns: 15 })(
    "iouT / giouT / ciouT agree with the typed-array path to 1e-5",
    (a0, b0, f) => {
      expect(tf.getBackend()).toBe("wasm");
      const a = convert(a0, f);
      const b = convert(b0, f);
      const ta = boxesToTensor(a);
      const tb = boxesToTensor(b);
      const [i] = leakFree(() => iouT(ta, tb));
      const [g] = leakFree(() => giouT(ta, tb));
      const [c] = leakFree(() => ciouT(ta, tb));
      tf.dispose([ta, tb]);
      expectClose(i ?? [], iou(a, b));
      expectClose(g ?? [], giou(a, b));
      expectClose(c ?? [], ciou(a, b));
    },
  );

  test.prop([alignedPairArb(10)], { numRuns: 10 })("ciouPairsT agrees and has finite gradients", ([a, b]) => {
    tf.tidy(() => {
      const ta = boxesToTensor(a);
      const tb = boxesToTensor(b);
      expectClose(ciouPairsT(ta, tb).dataSync(), ciouPairs(a, b));
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(ciouPairsT({ ...ta, tensor: x }, { ...tb, tensor: y })),
      )([ta.tensor, tb.tensor]);
      expectFinite(ga?.dataSync() ?? []);
      expectFinite(gb?.dataSync() ?? []);
    });
  });

  test.prop([xyxyBoxesArb(12, 12), xyxyBoxesArb(12, 12)], { numRuns: 10 })(
    "encodeT / decodeT agree with encode() / decode()",
    (m0, p0) => {
      // rel units (coordinates up to 1.6): decode reconstructs centres as tx·σ·pw + pcx, which in
      // float32 cannot be closer than ulp(pcx) to the float64 result
      const m = unsafeBoxes(
        m0.data.map((v) => v / 100),
        "xyxy",
        "rel",
      );
      // priors: the second set as cxcywh with sizes kept positive
      const pc = convert(
        unsafeBoxes(
          p0.data.map((v) => v / 100),
          "xyxy",
          "rel",
        ),
        "cxcywh",
      );
      const priors = unsafeBoxes(
        pc.data.map((v, k) => (k % 4 >= 2 ? Math.max(v, 0.01) : v)),
        "cxcywh",
        "rel",
      );
      const tm = boxesToTensor(m);
      const tp = boxesToTensor(priors);
      const [d] = leakFree(() => encodeT(tm, tp));
      expectClose(d ?? [], encode(m, priors));
      const deltas = encode(m, priors);
      const [back] = leakFree(() => tf.tidy(() => decodeT(tf.tensor2d(deltas, [m.length, 4]), tp)));
      expectClose(back ?? [], decode(deltas, priors).data);
      tf.dispose([tm, tp]);
    },
  );
});
