import { test as fcTest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import type { Uint8Image } from "@od/image";
import {
  type Backbone,
  defaultSsdConfig,
  heNormal,
  preprocessBatch,
  SsdDetector,
  ssdlite320MobilenetV3Large,
} from "@od/ssd";
import { HARD_SWISH, initBackend, tf } from "@od/tf";
import fc from "fast-check";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, test } from "vitest";
import { exportOnnx, hwcToChw, METADATA_KEYS, OD_ONNX_FORMAT, readOnnxMetadata } from "../src/index.js";
import { bccdImages, MODEL_KINDS, makeDetector, relativeError } from "./helpers.js";
import { useCpu } from "./setup.js";

let images: Uint8Image[] = [];
beforeAll(async () => {
  await useCpu();
  images = await bccdImages(3);
});

/** Head outputs of the tfjs forward and of ONNX Runtime on the same normalised batch. */
async function bothForwards(d: SsdDetector, batch: Float32Array, B: number) {
  const { width: W, height: H } = d.config.inputSize;
  const x = tf.tensor4d(batch, [B, H, W, 3]);
  const out = d.forward(x);
  const tfLoc = out.loc.dataSync() as Float32Array;
  const tfLogits = out.logits.dataSync() as Float32Array;
  tf.dispose([x, out.loc, out.logits]);
  const session = await ort.InferenceSession.create(exportOnnx(d));
  const r = await session.run({
    input: new ort.Tensor("float32", hwcToChw(batch, B, H, W, 3), [B, 3, H, W]),
  });
  await session.release();
  return {
    tfLoc,
    tfLogits,
    loc: r.loc!.data as Float32Array,
    logits: r.logits!.data as Float32Array,
    dims: [r.loc!.dims, r.logits!.dims],
  };
}

describe("exportOnnx: ONNX Runtime equals the tfjs forward on BCCD images", () => {
  for (const [kind, config] of Object.entries(MODEL_KINDS)) {
    test(kind, async () => {
      expect(images.length).toBe(3);
      const d = makeDetector(config);
      const { batch } = preprocessBatch(images, d.config);
      const r = await bothForwards(d, batch, images.length);
      const P = d.priors.length;
      expect(r.dims).toEqual([
        [3, P, 4],
        [3, P, d.numClasses],
      ]);
      expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
      expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
      d.dispose();
    });
  }

  fcTest.prop(
    [
      fc.constantFrom(...Object.values(MODEL_KINDS)),
      fc.integer({ min: 2, max: 5 }).map((k) => k * 32),
      fc.integer({ min: 2, max: 5 }).map((k) => k * 32 + 8),
      fc.integer({ min: 1, max: 1000 }),
    ],
    { numRuns: 4 },
  )("any input size and seed: relative error <= 1e-4 on random input", async (config, w, h, seed) => {
    const d = makeDetector({ ...config, inputSize: { width: w, height: h } }, seed);
    const batch = tf.tidy(
      () => tf.randomUniform([1, h, w, 3], -1, 1, "float32", seed).dataSync() as Float32Array,
    );
    const r = await bothForwards(d, batch, 1);
    expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
    d.dispose();
  });
});

describe("exportOnnx: torchvision's SSDlite320 MobileNetV3-Large", () => {
  test("width 0.5, reduced tail, random batch-norm statistics: relative error <= 1e-4 on BCCD images", async () => {
    const d = ssdlite320MobilenetV3Large({
      classNames: ["WBC", "RBC", "Platelets"],
      widthMultiplier: 0.5,
      reducedTail: true,
      seed: 3,
    });
    let k = 0;
    tf.tidy(() => {
      for (const name of d.params.names()) {
        const v = d.params.get(name);
        if (name.endsWith(".running_mean")) v.assign(tf.randomUniform(v.shape, -0.3, 0.3, "float32", k++));
        else if (name.endsWith(".running_var")) v.assign(tf.randomUniform(v.shape, 0.5, 2, "float32", k++));
      }
    });
    const { batch } = preprocessBatch(images, d.config);
    const r = await bothForwards(d, batch, images.length);
    expect(r.dims).toEqual([
      [3, d.priors.length, 4],
      [3, d.priors.length, d.numClasses],
    ]);
    expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
    d.dispose();
  });
});

describe("exportOnnx on the wasm backend", () => {
  test("SSDlite traced on wasm, where hardswish is one OdHardSwish kernel: written as its composite, relative error <= 1e-4", async () => {
    await initBackend({ prefer: ["wasm"] });
    try {
      const d = ssdlite320MobilenetV3Large({
        numClasses: 3,
        widthMultiplier: 0.25,
        reducedTail: true,
        seed: 4,
      });
      const { batch } = preprocessBatch(images, d.config);
      const x = tf.tensor4d(batch, [images.length, 320, 320, 3]);
      const prof = await tf.profile(() => tf.dispose(Object.values(d.forward(x))));
      x.dispose();
      expect(prof.kernels.filter((k) => k.name === HARD_SWISH).length).toBeGreaterThan(0);
      const r = await bothForwards(d, batch, images.length);
      expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
      expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
      d.dispose();
    } finally {
      await useCpu();
    }
  });
});

describe("exportOnnx: the graph and its metadata", () => {
  test("batch norm is folded: only Conv, Clip, Transpose, Reshape, Concat and Identity nodes", () => {
    const d = makeDetector({});
    const model = onnxProto.onnx.ModelProto.decode(exportOnnx(d));
    const ops = new Set(model.graph?.node?.map((n) => n.opType));
    expect([...ops].sort()).toEqual(["Clip", "Concat", "Conv", "Identity", "Reshape", "Transpose"]);
    expect(Number(model.irVersion)).toBe(8);
    expect(Number(model.opsetImport?.[0]?.version)).toBe(17);
    const input = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.map(
      (x) => x.dimParam || Number(x.dimValue),
    );
    expect(input).toEqual(["N", 3, 320, 320]);
    d.dispose();
  });

  test("metadata: config, priors, class names, input size, normalisation, fit", () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const bytes = exportOnnx(d);
    const info = readOnnxMetadata(bytes);
    expect(info.config).toEqual(JSON.parse(JSON.stringify(d.config)));
    expect(info.priorConfig).toEqual(JSON.parse(JSON.stringify(d.priorConfig)));
    const props = new Map(
      onnxProto.onnx.ModelProto.decode(bytes).metadataProps?.map((p) => [p.key, p.value]) ?? [],
    );
    expect(props.get(METADATA_KEYS.format)).toBe(OD_ONNX_FORMAT);
    expect(props.get(METADATA_KEYS.classNames)).toBe('["WBC","RBC","Platelets"]');
    expect(props.get(METADATA_KEYS.inputSize)).toBe("256x192");
    expect(props.get(METADATA_KEYS.inputLayout)).toBe("NCHW");
    expect(props.get(METADATA_KEYS.inputFit)).toBe("resize");
    expect(JSON.parse(props.get(METADATA_KEYS.normalization) ?? "")).toMatchObject({ range: [-1, 1] });
    d.dispose();
  });

  test("the same detector gives the same bytes, and exporting leaves no tensor behind", () => {
    const d = makeDetector({});
    const first = exportOnnx(d);
    const before = tf.memory().numTensors;
    const second = exportOnnx(d);
    expect(tf.memory().numTensors).toBe(before);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    d.dispose();
  });

  test("graphName must be a non-empty string", () => {
    const d = makeDetector({});
    expect(() => exportOnnx(d, { graphName: "" })).toThrow(
      /exportOnnx: graphName must be a non-empty string/,
    );
    d.dispose();
  });
});

/** A one-tap custom backbone built from `body` (stride 8, 16 channels). */
function customBackbone(
  name: string,
  body: (store: SsdDetector["params"], x: tf.Tensor4D) => tf.Tensor4D,
): Backbone {
  return {
    name,
    taps: [{ name: "s8", stride: 8, channels: 16 }],
    init(store, seed) {
      store.add("backbone.c.w", heNormal([3, 3, 3, 16], 27, seed, "backbone.c.w"), true);
      store.add("backbone.se.w", heNormal([1, 1, 16, 16], 16, seed, "backbone.se.w"), true);
    },
    apply(store, x) {
      return [body(store, x)];
    },
  };
}

function customDetector(backbone: Backbone): SsdDetector {
  return new SsdDetector(
    defaultSsdConfig({
      classNames: ["a", "b"],
      backbone: { kind: "custom", name: backbone.name },
      inputSize: { width: 64, height: 64 },
      head: "conv",
    }),
    { backbone },
  );
}

describe("exportOnnx: custom backbones", () => {
  test("a kernel without an ONNX mapping is UNSUPPORTED_OP naming the kernel", () => {
    const d = customDetector(
      customBackbone("pooled", (store, x) => {
        const y = tf.conv2d(x, store.get("backbone.c.w") as tf.Tensor4D, 2, "same");
        return tf.maxPool(y, 2, 4, "same");
      }),
    );
    let caught: unknown;
    try {
      exportOnnx(d);
    } catch (e) {
      caught = e;
    }
    expect(isOdError(caught, "UNSUPPORTED_OP")).toBe(true);
    expect((caught as Error).message).toMatch(/^exportOnnx: tfjs kernel "MaxPool" has no ONNX mapping/);
    expect((caught as { details: { kernel: string } }).details.kernel).toBe("MaxPool");
    d.dispose();
  });

  test("a supported kernel used in a way the table does not cover is UNSUPPORTED_OP naming it", () => {
    const d = customDetector(
      customBackbone("transposed", (store, x) => {
        const y = tf.conv2d(x, store.get("backbone.c.w") as tf.Tensor4D, 8, "same");
        return tf.mul(y, tf.mean(y, [1, 3], true)) as tf.Tensor4D;
      }),
    );
    expect(() => exportOnnx(d)).toThrow(
      /exportOnnx: tfjs kernel "Mean" is exported only over the spatial axes/,
    );
    d.dispose();
  });

  test("pixel rows reshaped to another image shape are UNSUPPORTED_OP, not a silently wrong layout", () => {
    const d = customDetector(
      customBackbone("regridded", (store, x) => {
        const y = tf.conv2d(x, store.get("backbone.c.w") as tf.Tensor4D, 8, "same");
        const rows = tf.matMul(tf.reshape(y, [128, 16]), tf.reshape(store.get("backbone.se.w"), [16, 16]));
        return tf.reshape(tf.reshape(rows, [2, 4, 16, 16]), [2, 8, 8, 16]) as tf.Tensor4D;
      }),
    );
    expect(() => exportOnnx(d)).toThrow(
      /^exportOnnx: tfjs kernel "Reshape" reshapes pixel rows to \[2, 4, 16, 16\]/,
    );
    d.dispose();
  });

  test("hardswish and squeeze-excitation (SSDlite's ops) export and match", async () => {
    const d = customDetector(
      customBackbone("hs-se", (store, x) => {
        const y = tf.conv2d(x, store.get("backbone.c.w") as tf.Tensor4D, 8, "same");
        const hs = tf.div(tf.mul(y, tf.relu6(tf.add(y, 3))), 6) as tf.Tensor4D;
        const s = tf.mean(hs, [1, 2], true) as tf.Tensor4D;
        const gate = tf.sigmoid(tf.conv2d(s, store.get("backbone.se.w") as tf.Tensor4D, 1, "valid"));
        const hsig = tf.div(tf.relu6(tf.add(gate, 3)), 6);
        return tf.mul(hs, hsig) as tf.Tensor4D;
      }),
    );
    const batch = tf.tidy(
      () => tf.randomUniform([2, 64, 64, 3], -1, 1, "float32", 5).dataSync() as Float32Array,
    );
    const r = await bothForwards(d, batch, 2);
    expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
    d.dispose();
  });
});

describe("exportOnnx: torchvision-style squeeze-excitation (fully connected layers on pooled features)", () => {
  test("mean without keepDims, matMul + bias, relu, hardsigmoid, reshape to [B, 1, 1, C]: exports and matches", async () => {
    const d = customDetector(
      customBackbone("torch-se", (store, x) => {
        const y = tf.relu(tf.conv2d(x, store.get("backbone.c.w") as tf.Tensor4D, 8, "same")) as tf.Tensor4D;
        const [B, , , C] = y.shape;
        const pooled = tf.reshape(tf.mean(y, [1, 2]), [B, C]) as tf.Tensor2D;
        const w = tf.reshape(store.get("backbone.se.w"), [C, C]) as tf.Tensor2D;
        const hidden = tf.relu(tf.add(tf.matMul(pooled, w), 0.1));
        const gate = tf.mul(tf.clipByValue(tf.add(tf.matMul(hidden, w, false, true), 3), 0, 6), 1 / 6);
        return tf.mul(y, tf.reshape(gate, [B, 1, 1, C])) as tf.Tensor4D;
      }),
    );
    const batch = tf.tidy(
      () => tf.randomUniform([2, 64, 64, 3], -1, 1, "float32", 6).dataSync() as Float32Array,
    );
    const r = await bothForwards(d, batch, 2);
    expect(relativeError(r.tfLoc, r.loc)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(r.tfLogits, r.logits)).toBeLessThanOrEqual(1e-4);
    d.dispose();
  });
});

describe("readOnnxMetadata", () => {
  test("bytes that are not ONNX, and an ONNX model od did not write, are NOT_OD_MODEL", () => {
    expect(() => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(
      /^readOnnxMetadata: the 4 bytes are not an ONNX model/,
    );
    const foreign = onnxProto.onnx.ModelProto.encode({ irVersion: 8, producerName: "other" }).finish();
    expect(() => readOnnxMetadata(foreign)).toThrow(
      /has no od\.format=od-ssd-onnx metadata entry \(got null\)/,
    );
  });

  test("od.detections: a model written before clipToInput reads as not clipping; bad settings are NOT_OD_MODEL", () => {
    const model = (detections: string) =>
      onnxProto.onnx.ModelProto.encode({
        irVersion: 8,
        metadataProps: (
          [
            [METADATA_KEYS.format, OD_ONNX_FORMAT],
            [METADATA_KEYS.config, "{}"],
            [METADATA_KEYS.priors, "{}"],
            [METADATA_KEYS.outputs, "detections"],
            [METADATA_KEYS.detections, detections],
          ] as const
        ).map(([key, value]) => ({ key, value })),
      }).finish();
    const old = { scoreThreshold: 0.05, iouThreshold: 0.45, topKPerClass: 400, maxDetections: 100 };
    expect(readOnnxMetadata(model(JSON.stringify(old))).detections).toEqual({ ...old, clipToInput: false });
    expect(readOnnxMetadata(model(JSON.stringify({ ...old, clipToInput: true }))).detections).toEqual({
      ...old,
      clipToInput: true,
    });
    expect(() => readOnnxMetadata(model(JSON.stringify({ ...old, topKPerClass: 0 })))).toThrow(
      /^readOnnxMetadata: metadata entry od\.detections: postprocess: topKPerClass must be an integer > 0; got 0/,
    );
    expect(() => readOnnxMetadata(model(JSON.stringify({ scoreThreshold: 0.05 })))).toThrow(
      /^readOnnxMetadata: metadata entry od\.detections lacks iouThreshold, topKPerClass, maxDetections/,
    );
    expect(() => readOnnxMetadata(model("[1]"))).toThrow(/od\.detections must be a JSON object/);
  });
});
