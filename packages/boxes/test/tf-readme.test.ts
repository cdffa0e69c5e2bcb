import { boxes, toArray } from "@od/boxes";
import { boxesToTensor, boxTensor, convertT, decodeT, giouPairsT, tensorToBoxes } from "@od/boxes/tf";
import { describe, expect, test } from "vitest";
import { expectClose, expectFinite, tf } from "./tf-helpers.js";

describe("README example (## Tensors)", () => {
  test("runs as written and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const priors = boxesToTensor(boxes([[0.5, 0.5, 0.2, 0.4]], "cxcywh", "rel")); // [P, 4]
    const target = boxTensor(tf.tensor3d([[[0.4, 0.3, 0.6, 0.7]]]), "xyxy", "rel"); // [B, P, 4]
    const loss = (
      loc: tf.Tensor, // loc: [B, P, 4] model output
    ) => tf.mean(tf.sub(1, giouPairsT(convertT(decodeT(loc, priors), "xyxy"), target)));
    const zeros = tf.zeros([1, 1, 4]);
    const g = tf.grad(loss)(zeros);
    expectFinite(g.dataSync());
    const loc = tf.zeros([1, 4]);
    const decoded = decodeT(loc, priors);
    const xyxy = convertT(decoded, "xyxy");
    const back = await tensorToBoxes(xyxy);
    expect(back.format).toBe("xyxy");
    expectClose(toArray(back).flat(), [0.4, 0.3, 0.6, 0.7]);
    // @ts-expect-error BoxTensor<"cxcywh"> is not BoxTensor<"xyxy">
    const wrong = () => giouPairsT(decoded, target);
    expect(wrong).toThrow(/FORMAT|cxcywh/);
    tf.dispose([priors, target, zeros, g, loc, decoded, xyxy]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
