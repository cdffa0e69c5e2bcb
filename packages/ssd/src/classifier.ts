import { type Boxes, convert, type ImageSize, toRel } from "@od/boxes";
import { tf } from "@od/tf";
import { fail } from "./errors.js";
import { type ImageInput, readImageInput } from "./images.js";
import { conv, convBnAct, type ForwardContext, initConv, initConvBnAct } from "./layers.js";
import { ParamStore } from "./params.js";
import { normalizeTensor } from "./preprocess.js";

/** Configuration of a {@link CropClassifier}. */
export interface CropClassifierConfig {
  /** Side of the square crop in px (default 32). */
  readonly cropSize: number;
  /** Class names the classifier chooses between (no background). */
  readonly classNames: readonly string[];
  /** Channels of the first conv; doubled at each of the three stages (default 16). */
  readonly width: number;
  /** Seed of the initial weights. */
  readonly seed: number;
}

/**
 * The second stage of the recipe's staged training: a small CNN that classifies square crops of
 * detected (or ground-truth) boxes. Three stride-2 conv+BN+relu6 stages, global average pooling, a
 * 1×1 conv to logits.
 */
export class CropClassifier {
  readonly config: CropClassifierConfig;
  readonly params = new ParamStore();

  /** @throws SsdError `INVALID_CONFIG`. */
  constructor(config: Partial<CropClassifierConfig> & Pick<CropClassifierConfig, "classNames">) {
    const c: CropClassifierConfig = {
      cropSize: config.cropSize ?? 32,
      classNames: config.classNames,
      width: config.width ?? 16,
      seed: config.seed ?? 0,
    };
    if (!Number.isInteger(c.cropSize) || c.cropSize < 8)
      fail("INVALID_CONFIG", "CropClassifier", `cropSize must be an integer >= 8; got ${c.cropSize}`, {
        field: "cropSize",
      });
    if (!Array.isArray(c.classNames) || c.classNames.length < 2) {
      fail(
        "INVALID_CONFIG",
        "CropClassifier",
        `classNames must list at least 2 classes; got ${JSON.stringify(c.classNames)}`,
        { field: "classNames" },
      );
    }
    if (!Number.isInteger(c.width) || c.width < 1)
      fail("INVALID_CONFIG", "CropClassifier", `width must be an integer >= 1; got ${c.width}`, {
        field: "width",
      });
    this.config = c;
    let cin = 3;
    for (let s = 0; s < 3; s++) {
      const cout = c.width * 2 ** s;
      initConvBnAct(this.params, `cls.s${s}`, 3, cin, cout, c.seed);
      cin = cout;
    }
    initConv(this.params, "cls.out", 1, cin, c.classNames.length, c.seed, true);
  }

  /**
   * @param crops `[N, s, s, 3]` network input (float32 in `NETWORK_INPUT_RANGE`), as {@link cropBoxes}
   *   makes it.
   * @returns `[N, K]` logits (caller owns them).
   */
  forward(crops: tf.Tensor4D, training = false): tf.Tensor2D {
    const s = this.config.cropSize;
    if (crops.rank !== 4 || crops.shape[1] !== s || crops.shape[2] !== s || crops.shape[3] !== 3) {
      fail(
        "BAD_IMAGE",
        "CropClassifier.forward",
        `crops must be [N, ${s}, ${s}, 3]; got [${crops.shape.join(", ")}]`,
      );
    }
    const ctx: ForwardContext = { training };
    return tf.tidy(() => {
      let y = crops;
      for (let k = 0; k < 3; k++) y = convBnAct(this.params, `cls.s${k}`, y, 2, ctx);
      const pooled = tf.mean(y, [1, 2], true) as tf.Tensor4D;
      return tf.reshape(conv(this.params, "cls.out", pooled, 1, true), [crops.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** Trainable variables. */
  trainableVariables(): tf.Variable[] {
    return this.params.trainableVariables();
  }

  /** Releases the variables. */
  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Crops boxes out of one image and resizes each to `size × size` (tfjs `cropAndResize`, bilinear), as
 * network input. The image is read as the detector reads it (RGB bytes, see `ImageInput`) and the crops
 * are normalised with the preprocessing's `normalizeTensor`. The xyxy px → yxyx rel conversion tfjs
 * wants happens here and nowhere else.
 * @param image any `ImageInput` (e.g. the decoded `Uint8Image`).
 * @param boxes `[N, 4]` xyxy px boxes of that image.
 * @returns `[N, size, size, 3]` float32 in `NETWORK_INPUT_RANGE` (caller owns it).
 * @throws SsdError `BAD_IMAGE` (see `ImageInput`).
 */
export function cropBoxes(image: ImageInput, boxes: Boxes<"xyxy", "px">, size: number): tf.Tensor4D {
  const px = readImageInput(image, 0, "cropBoxes");
  const imageSize: ImageSize = { width: px.width, height: px.height };
  const yx = convert(toRel(boxes, imageSize), "yxyx");
  return tf.tidy(() => {
    if (yx.length === 0) return tf.zeros([0, size, size, 3]) as tf.Tensor4D;
    const b = tf.tensor2d(yx.data, [yx.length, 4]);
    const ind = tf.zeros([yx.length], "int32") as tf.Tensor1D;
    const pixels = tf.tensor4d(new Float32Array(px.data), [1, px.height, px.width, 3]);
    const crops = tf.image.cropAndResize(pixels, b, ind, [size, size], "bilinear");
    return normalizeTensor(crops);
  });
}

/**
 * Labels detections with a crop classifier: crops every box, classifies it, returns per box the best
 * class id (1-based, in the classifier's `classNames`) and its probability.
 */
export async function classifyBoxes(
  classifier: CropClassifier,
  image: ImageInput,
  boxes: Boxes<"xyxy", "px">,
): Promise<{ labels: Int32Array; scores: Float32Array }> {
  if (boxes.length === 0) return { labels: new Int32Array(0), scores: new Float32Array(0) };
  const probs = tf.tidy(() =>
    tf.softmax(classifier.forward(cropBoxes(image, boxes, classifier.config.cropSize))),
  );
  const p = (await probs.data()) as Float32Array;
  probs.dispose();
  const K = classifier.config.classNames.length;
  const labels = new Int32Array(boxes.length);
  const scores = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i++) {
    const row = i * K;
    let best = 0;
    let bestP = p[row]!;
    for (let k = 1; k < K; k++) {
      const pk = p[row + k]!;
      if (pk > bestP) {
        best = k;
        bestP = pk;
      }
    }
    labels[i] = best + 1;
    scores[i] = bestP;
  }
  return { labels, scores };
}
