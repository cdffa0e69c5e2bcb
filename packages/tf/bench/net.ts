/**
 * A small SSD-like conv net for benchmarks: 1×160×160×3 → 3 × (conv 3×3 + batch norm + relu6) →
 * a depthwise-separable block → two 3×3 heads (4 anchors: boxes and 3 class logits).
 */
import { tf } from "@od/tf";

/** Trainable weights of {@link forward}, in a fixed order. */
export interface Net {
  readonly vars: tf.Variable[];
}

const SHAPES: [string, number[]][] = [
  ["c1", [3, 3, 3, 16]],
  ["c2", [3, 3, 16, 32]],
  ["c3", [3, 3, 32, 32]],
  ["dw", [3, 3, 32, 1]],
  ["pw", [1, 1, 32, 64]],
  ["loc", [3, 3, 64, 16]],
  ["cls", [3, 3, 64, 12]],
];

/** Weight shapes of the net, in {@link Net.vars} order. */
export const NET_SHAPES: readonly number[][] = SHAPES.map(([, s]) => s);

/** Creates the weights (seeded He-normal). */
export function createNet(seed = 1): Net {
  const vars = SHAPES.map(([name, s], i) => {
    const fanIn = (s[0] ?? 1) * (s[1] ?? 1) * (s[2] ?? 1);
    return tf.tidy(() =>
      tf.variable(tf.randomNormal(s, 0, Math.sqrt(2 / fanIn), "float32", seed + i), true, `${name}_${seed}`),
    );
  });
  return { vars };
}

function bnRelu6(x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3];
  const m = tf.moments(x, [0, 1, 2]);
  const mean: tf.Tensor1D = tf.reshape(m.mean, [c]);
  const variance: tf.Tensor1D = tf.reshape(m.variance, [c]);
  // tfjs 4.22: FusedBatchNorm's gradient needs a scale tensor (an absent one crashes the tape).
  const y = tf.batchNorm4d(x, mean, variance, tf.zeros<tf.Rank.R1>([c]), tf.ones<tf.Rank.R1>([c]), 1e-3);
  return tf.relu6(y);
}

/** Loss of the net on one batch: squared error of the box head + softmax cross-entropy of the class head. */
export function loss(w: readonly tf.Tensor[], x: tf.Tensor4D, locT: tf.Tensor4D, clsT: tf.Tensor): tf.Scalar {
  const [c1, c2, c3, dw, pw, locW, clsW] = w as [
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
  ];
  let h = bnRelu6(tf.conv2d(x, c1, 2, "same")); // [B, 80, 80, 16]
  h = bnRelu6(tf.conv2d(h, c2, 2, "same")); // [B, 40, 40, 32]
  h = bnRelu6(tf.conv2d(h, c3, 1, "same")); // [B, 40, 40, 32]
  h = bnRelu6(tf.depthwiseConv2d(h, dw, 1, "same")); // [B, 40, 40, 32]
  h = tf.relu6(tf.conv2d(h, pw, 1, "same")); // [B, 40, 40, 64]
  const loc = tf.conv2d(h, locW, 1, "same"); // [B, 40, 40, 16]
  const logits = tf.reshape(tf.conv2d(h, clsW, 1, "same"), [-1, 3]); // [B·40·40·4, 3]
  const l1 = tf.mean(tf.square(tf.sub(loc, locT)));
  const l2 = tf.losses.softmaxCrossEntropy(clsT, logits);
  return tf.add(l1, l2);
}

/** A seeded batch of `b` images with random targets. */
export function batch(b: number, seed = 7): { x: tf.Tensor4D; locT: tf.Tensor4D; clsT: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomUniform([b, 160, 160, 3], 0, 1, "float32", seed) as tf.Tensor4D,
    locT: tf.randomNormal([b, 40, 40, 16], 0, 1, "float32", seed + 1) as tf.Tensor4D,
    clsT: tf.oneHot(tf.randomUniformInt([b * 40 * 40 * 4], 0, 3, seed + 2), 3),
  }));
}
