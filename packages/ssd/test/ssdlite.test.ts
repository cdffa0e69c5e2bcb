import { readFileSync } from "node:fs";
import { fc, test as propTest } from "@fast-check/vitest";
import { isOdError, letterboxRecord, SSD_VARIANCES, unsafeBoxes } from "@od/boxes";
import { uint8Image } from "@od/image";
import { generatePriors, SSDLITE320_MOBILENET_V3 } from "@od/priors";
import { initBackend, tf } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BN_EPS,
  deserializeDetector,
  makeDivisible,
  mapMobilenetV3LargeKeys,
  mobilenetV3LargeBackbone,
  mobilenetV3LargeBackboneKey,
  ParamStore,
  POSTPROCESS_DEFAULTS,
  postprocess,
  SSDLITE_POSTPROCESS,
  SsdDetector,
  serializeDetector,
  ssdlite320MobilenetV3Large,
  ssdlite320MobilenetV3LargeConfig,
} from "../src/index.js";
import { convNormAct, initConvNormAct } from "../src/torch-layers.js";

const FIXTURES = new URL("./fixtures/ssdlite320/", import.meta.url);
/** torchvision's [key, torch shape] of the fixture model (width 0.5, reduced tail, 4 classes). */
const TORCH_KEYS = JSON.parse(readFileSync(new URL("keys.json", FIXTURES), "utf8")) as [string, number[]][];
const FIXTURE_INFO = JSON.parse(readFileSync(new URL("detections.json", FIXTURES), "utf8")) as {
  featureMaps: number[][];
};

/** The tfjs layout of a torch-layout shape, by parameter kind. */
function tfjsShape(torch: readonly number[], kind: string): number[] {
  const [o, i, kh, kw] = torch as [number, number, number, number];
  if (kind === "conv2d") return [kh, kw, i, o];
  if (kind === "depthwise") return [kh, kw, o, 1];
  if (kind === "dense") return [i, o];
  return [...torch];
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

const small = { numClasses: 4, widthMultiplier: 0.5, reducedTail: true } as const;

beforeAll(async () => {
  await initBackend({ prefer: ["wasm"] });
});

afterAll(async () => {
  await tf.setBackend("cpu");
});

describe("makeDivisible", () => {
  test.each([
    // values of torchvision 0.14's _make_divisible(v, 8)
    [3, 8],
    [8, 8],
    [10, 16],
    [11.2, 16],
    [12, 16],
    [36, 40],
    [84, 88],
    [168, 168],
    [336, 336],
    [60, 64],
    [235.2, 232],
    [52, 56],
  ])("makeDivisible(%f) = %i", (v, want) => {
    expect(makeDivisible(v)).toBe(want);
  });

  propTest.prop([fc.double({ min: 0.5, max: 4096, noNaN: true })])(
    "a multiple of 8, at least 8 and at least 90 % of v, within 8 of v (or 8)",
    (v) => {
      const n = makeDivisible(v);
      expect(n % 8).toBe(0);
      expect(n).toBeGreaterThanOrEqual(Math.max(8, 0.9 * v));
      if (v >= 8) expect(Math.abs(n - v)).toBeLessThanOrEqual(8);
    },
  );
});

describe("ssdlite320MobilenetV3Large", () => {
  test("parameter names, order and shapes are torchvision's state_dict (tfjs layout, kinds set)", () => {
    const d = ssdlite320MobilenetV3Large(small);
    const torch = TORCH_KEYS.filter(([k]) => !k.endsWith(".num_batches_tracked"));
    expect(TORCH_KEYS.length - torch.length).toBe(70);
    expect(d.params.names()).toEqual(torch.map(([k]) => k));
    for (const [k, shape] of torch) {
      const kind = d.params.kind(k);
      expect(d.params.get(k).shape, k).toEqual(tfjsShape(shape, kind));
      const depthwise = shape.length === 4 && shape[1] === 1 && shape[2]! > 1;
      expect(kind, k).toBe(shape.length === 4 ? (depthwise ? "depthwise" : "conv2d") : "vector");
      expect(d.params.isTrainable(k), k).toBe(!/running_(mean|var)$/.test(k));
    }
    d.dispose();
  });

  test("trainable parameter count equals torchvision's (91 classes, reduced tail: 3,440,060)", () => {
    const full = ssdlite320MobilenetV3Large({ numClasses: 91, reducedTail: true });
    expect(full.countParameters()).toBe(3440060);
    full.dispose();
    const d = ssdlite320MobilenetV3Large(small);
    expect(d.countParameters()).toBe(956072);
    d.dispose();
  });

  test("taps: C4 expansion, last conv and four extras; maps 20, 10, 5, 3, 2, 1 on 320² as torchvision's", () => {
    const d = ssdlite320MobilenetV3Large(small);
    expect(d.backbone.taps.map((t) => [t.stride, t.channels])).toEqual(
      FIXTURE_INFO.featureMaps.map(([, c], k) => [16 * 2 ** k, c]),
    );
    const x = tf.zeros([1, 320, 320, 3]) as tf.Tensor4D;
    tf.tidy(() => d.backbone.apply(d.params, x, { training: false })); // folded filters cached
    const before = tf.memory().numTensors;
    const maps = tf.tidy(() => d.backbone.apply(d.params, x, { training: false }).map((t) => t.shape));
    expect(tf.memory().numTensors).toBe(before);
    expect(maps).toEqual(FIXTURE_INFO.featureMaps.map(([, c, h, w]) => [1, h, w, c]));
    expect(d.priors.length).toBe(3234);
    expect(Array.from(d.priors.data)).toEqual(Array.from(generatePriors(SSDLITE320_MOBILENET_V3).data));
    tf.dispose(x);
    d.dispose();
  });

  test("full width without reduced tail taps 672 and 960 channels (torchvision with an ImageNet backbone)", () => {
    const b = mobilenetV3LargeBackbone({ kind: "mobilenet_v3_large" });
    expect(b.taps.map((t) => t.channels)).toEqual([672, 960, 512, 256, 256, 128]);
    expect(b.name).toBe("mobilenet_v3_large-1");
  });

  test("config: torchvision's preprocessing, priors, variances, batch-norm momentum and post-processing", () => {
    const c = ssdlite320MobilenetV3LargeConfig({ classNames: ["rbc", "wbc", "platelets"] });
    expect(c).toMatchObject({
      inputSize: { width: 320, height: 320 },
      inputFit: "resize",
      head: "ssdlite",
      backbone: { kind: "mobilenet_v3_large", widthMultiplier: 1, reducedTail: false },
      priors: { config: SSDLITE320_MOBILENET_V3 },
      variances: [...SSD_VARIANCES],
      bnMomentum: 0.03,
      postprocess: { scoreThreshold: 0.001, iouThreshold: 0.55, topKPerClass: 300, maxDetections: 300 },
      seed: 0,
    });
    expect(SSD_VARIANCES).toEqual([1 / 10, 1 / 10, 1 / 5, 1 / 5]);
    expect(ssdlite320MobilenetV3LargeConfig({ numClasses: 3 }).classNames).toEqual(["class1", "class2"]);
  });

  test("bad options are typed errors naming the option and value", () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => ssdlite320MobilenetV3LargeConfig({}),
        /numClasses \(an integer >= 2, background included\); got undefined/,
      ],
      [() => ssdlite320MobilenetV3LargeConfig({ numClasses: 1 }), /got 1$/],
      [() => ssdlite320MobilenetV3LargeConfig({ numClasses: 2.5 }), /got 2\.5$/],
      [
        () => ssdlite320MobilenetV3Large({ numClasses: 3, widthMultiplier: 0 }),
        /widthMultiplier must be in \(0, 4\]; got 0/,
      ],
      [
        () =>
          mobilenetV3LargeBackbone({ kind: "mobilenet_v3_large", reducedTail: "yes" as unknown as boolean }),
        /reducedTail must be a boolean; got "yes"/,
      ],
      [
        () => new SsdDetector({ ...ssdlite320MobilenetV3LargeConfig(small), head: "bogus" as "ssdlite" }),
        /config\.head must be "conv", "separable" or "ssdlite"; got "bogus"/,
      ],
      [
        () => new SsdDetector({ ...ssdlite320MobilenetV3LargeConfig(small), bnMomentum: 0 }),
        /config\.bnMomentum must be a number in \(0, 1\]; got 0/,
      ],
      [
        () =>
          new SsdDetector({ ...ssdlite320MobilenetV3LargeConfig(small), postprocess: { iouThreshold: 2 } }),
        /config\.postprocess must be valid postprocess options \(postprocess: iouThreshold must be in \[0, 1\]; got 2\)/,
      ],
    ];
    for (const [f, msg] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isOdError(err, "INVALID_CONFIG"), String(msg)).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
  });

  test("save/load round trip keeps the config and gives bit-identical outputs", async () => {
    const d = ssdlite320MobilenetV3Large({ ...small, seed: 2 });
    const { json, weights } = await serializeDetector(d);
    const back = deserializeDetector(JSON.parse(JSON.stringify(json)), weights);
    expect(back.config).toEqual(d.config);
    expect(back.params.names().map((n) => back.params.kind(n))).toEqual(
      d.params.names().map((n) => d.params.kind(n)),
    );
    const x = tf.randomUniform([1, 320, 320, 3], -1, 1, "float32", 1) as tf.Tensor4D;
    const [a, b] = [d.forward(x), back.forward(x)];
    expect(Array.from(await b.logits.data())).toEqual(Array.from(await a.logits.data()));
    expect(Array.from(await b.loc.data())).toEqual(Array.from(await a.loc.data()));
    tf.dispose([x, a.loc, a.logits, b.loc, b.logits]);
    d.dispose();
    back.dispose();
  });

  test("predict uses the model's post-processing (torchvision's), overridable per call", async () => {
    const d = ssdlite320MobilenetV3Large({ ...small, seed: 3 });
    const img = uint8Image(
      new Uint8Array(200 * 160 * 3).map((_, i) => (i * 37) % 256),
      200,
      160,
    );
    const [own] = await d.predict([img]);
    const [tv] = await d.predict([img], SSDLITE_POSTPROCESS);
    const [od] = await d.predict([img], POSTPROCESS_DEFAULTS);
    const [five] = await d.predict([img], { maxDetections: 5 });
    expect(Array.from(own!.scores)).toEqual(Array.from(tv!.scores));
    expect(Array.from(own!.boxes.data)).toEqual(Array.from(tv!.boxes.data));
    expect(own!.scores.length).toBeGreaterThan(0);
    expect(own!.scores.length).not.toBe(od!.scores.length);
    expect(od!.scores.length).toBeLessThanOrEqual(200);
    expect(five!.scores.length).toBe(5);
    expect(Math.min(...own!.scores)).toBeGreaterThan(0.001);
    d.dispose();
  });

  test("a few training steps on wasm: the loss falls, running statistics move by the config's momentum, no leaks", async () => {
    expect(tf.getBackend()).toBe("wasm");
    const d = ssdlite320MobilenetV3Large({ ...small, widthMultiplier: 0.25, seed: 4 });
    const x = tf.randomUniform([2, 320, 320, 3], -1, 1, "float32", 5) as tf.Tensor4D;
    const P = d.priors.length;
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 2 * P }, (_, i) => (i * 7) % 4),
        "int32",
      ),
      4,
    );
    const locTarget = tf.randomNormal([2, P, 4], 0, 0.5, "float32", 6);
    const before = tf.memory().numTensors;
    const opt = tf.train.adam(1e-3);
    const meanName = "backbone.features.0.0.1.running_mean";
    const mean0 = d.params.get(meanName).dataSync().slice();
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const loss = opt.minimize(
        () => {
          const o = d.forward(x, true);
          const ce = tf.losses.softmaxCrossEntropy(labels, tf.reshape(o.logits, [2 * P, 4]));
          return tf.add(ce, tf.mean(tf.square(tf.sub(o.loc, locTarget)))) as tf.Scalar;
        },
        true,
        d.trainableVariables(),
      );
      losses.push(loss!.dataSync()[0]!);
      loss!.dispose();
      if (step === 0) {
        // running ← 0.97 · running + 0.03 · batch mean, from 0: the batch mean of the stem conv
        const stem = tf.tidy(() => {
          const w = d.params.get("backbone.features.0.0.0.weight");
          return tf
            .mean(tf.conv2d(x, w as tf.Tensor4D, 2, 1), [0, 1, 2])
            .dataSync()
            .slice();
        });
        // the weights moved after the statistics were taken: compare loosely, the factor is what matters
        const moved = d.params.get(meanName).dataSync();
        const ratio = Array.from(moved).map((m, i) => (m - mean0[i]!) / stem[i]!);
        expect(ratio.filter((r) => Math.abs(r - 0.03) < 0.003).length).toBeGreaterThan(ratio.length / 2);
      }
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels, locTarget]);
    d.dispose();
  }, 120_000);
});

describe("torchvision layers", () => {
  test("a stride-2 conv pads as PyTorch (1 on every side), not as tfjs' same (0 top, 1 bottom)", () => {
    for (const depthwise of [false, true]) {
      const store = new ParamStore();
      const spec = {
        prefix: "l",
        cin: 4,
        cout: 4,
        kernel: 3,
        stride: 2,
        depthwise,
        activation: "linear" as const,
      };
      initConvNormAct(store, spec, 0);
      const x = tf.randomNormal([1, 8, 8, 4], 0, 1, "float32", 1) as tf.Tensor4D;
      const w = store.get("l.0.weight") as tf.Tensor4D;
      const padded = tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      // batch norm at its initial state (mean 0, var 1, γ 1, β 0) scales by 1 / √(1 + ε)
      const conv = depthwise ? tf.depthwiseConv2d(padded, w, 2, "valid") : tf.conv2d(padded, w, 2, "valid");
      const ref = tf.div(conv, Math.sqrt(1 + BN_EPS));
      const same = depthwise ? tf.depthwiseConv2d(x, w, 2, "same") : tf.conv2d(x, w, 2, "same");
      for (const fold of [true, false]) {
        const y = convNormAct(store, spec, x, { training: false, foldBatchNorm: fold });
        expect(y.shape).toEqual([1, 4, 4, 4]);
        expect(maxRelErr(y.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
        expect(maxRelErr(y.dataSync(), same.dataSync())).toBeGreaterThan(1e-2);
        y.dispose();
      }
      tf.dispose([x, padded, conv, ref, same]);
      store.dispose();
    }
  });

  test("backbone gradients on wasm equal the cpu backend's (hardswish, SE, residuals, stride-2 pads)", async () => {
    const grads = async (backend: "wasm" | "cpu") => {
      await tf.setBackend(backend);
      const store = new ParamStore();
      const b = mobilenetV3LargeBackbone({ kind: "mobilenet_v3_large", widthMultiplier: 0.25 });
      b.init(store, 7);
      // non-trivial batch-norm affine parameters
      for (const n of store.names()) {
        if (!/\.(weight|bias)$/.test(n) || store.kind(n) !== "vector") continue;
        const v = store.get(n);
        tf.tidy(() => v.assign(tf.add(v, tf.randomUniform(v.shape, -0.3, 0.3, "float32", 11))));
      }
      const x = tf.randomUniform([4, 64, 64, 3], -1, 1, "float32", 8) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const vars = store.trainableVariables();
        expect(vars.length).toBe(store.names().filter((n) => store.isTrainable(n)).length);
        const { grads: g } = tf.variableGrads(() => {
          const maps = b.apply(store, x, { training: true });
          return tf.addN(
            maps.map((m, k) => tf.sum(tf.mul(m, tf.randomUniform(m.shape, -1, 1, "float32", 20 + k)))),
          ) as tf.Scalar;
        }, vars);
        return vars.map((v) => Float32Array.from(g[v.name]!.dataSync()));
      });
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      store.dispose();
      return out;
    };
    const cpu = await grads("cpu");
    const wasm = await grads("wasm");
    expect(wasm.length).toBe(cpu.length);
    // Error per parameter relative to its largest gradient, floored at 1e-3 of the largest gradient of
    // the network: some gradients are zero up to rounding (a bias feeding a training-mode batch norm
    // through a linear layer cancels out), and batch norm over the 1×1 extra maps of a batch of 4
    // amplifies float32 rounding.
    const gmax = cpu.reduce((m, g) => g.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0);
    let worst = 0;
    wasm.forEach((g, i) => {
      const c = cpu[i]!;
      let num = 0;
      let den = 1e-3 * gmax;
      for (let j = 0; j < g.length; j++) {
        num = Math.max(num, Math.abs(g[j]! - c[j]!));
        den = Math.max(den, Math.abs(c[j]!));
      }
      worst = Math.max(worst, num / den);
    });
    expect(gmax).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
  }, 120_000);
});

describe("postprocess clipToInput", () => {
  // Two priors, deltas 0: A = [−0.2, 0.4, 0.2, 0.6] rel (half outside), B = [0, 0.4, 0.2, 0.6].
  // Unclipped IoU(A, B) = 0.04 / 0.08 = 0.5; clipped to the input A equals B (IoU 1).
  const priors = unsafeBoxes(new Float32Array([0, 0.5, 0.4, 0.2, 0.1, 0.5, 0.2, 0.2]), "cxcywh", "rel");
  const probs = new Float32Array([0.1, 0.9, 0.2, 0.8]);
  const record = letterboxRecord({ width: 100, height: 100 }, { width: 100, height: 100 });
  const run = (clipToInput: boolean) =>
    postprocess(new Float32Array(8), probs, priors, SSD_VARIANCES, record, {
      iouThreshold: 0.55,
      clipToInput,
    });

  test("without it NMS compares the unclipped boxes (IoU 0.5 < 0.55: both kept)", () => {
    const r = run(false);
    expect(Array.from(r.scores)).toEqual([Math.fround(0.9), Math.fround(0.8)]);
    expect(maxRelErr(r.boxes.data, [0, 40, 20, 60, 0, 40, 20, 60])).toBeLessThan(1e-6);
  });

  test("with it (torchvision) NMS compares the clipped boxes (IoU 1: B suppressed)", () => {
    const r = run(true);
    expect(Array.from(r.scores)).toEqual([Math.fround(0.9)]);
    expect(Array.from(r.labels)).toEqual([1]);
    expect(maxRelErr(r.boxes.data, [0, 40, 20, 60])).toBeLessThan(1e-6);
  });

  test("a non-boolean value is refused", () => {
    expect(() =>
      postprocess(new Float32Array(8), probs, priors, SSD_VARIANCES, record, {
        clipToInput: 1 as unknown as boolean,
      }),
    ).toThrow(/postprocess: clipToInput must be a boolean; got 1/);
  });
});

describe("mobilenetV3LargeBackboneKey / mapMobilenetV3LargeKeys", () => {
  test.each([
    ["features.0.0.weight", "backbone.features.0.0.0.weight"],
    ["features.0.1.running_var", "backbone.features.0.0.1.running_var"],
    ["features.1.block.0.0.weight", "backbone.features.0.1.block.0.0.weight"],
    ["features.12.block.2.fc1.bias", "backbone.features.0.12.block.2.fc1.bias"],
    ["features.13.block.0.0.weight", "backbone.features.0.13.0.weight"],
    ["features.13.block.0.1.num_batches_tracked", "backbone.features.0.13.1.num_batches_tracked"],
    ["features.13.block.1.0.weight", "backbone.features.1.0.1.0.weight"],
    ["features.13.block.2.fc2.weight", "backbone.features.1.0.2.fc2.weight"],
    ["features.13.block.3.1.bias", "backbone.features.1.0.3.1.bias"],
    ["features.14.block.0.0.weight", "backbone.features.1.1.block.0.0.weight"],
    ["features.15.block.3.1.weight", "backbone.features.1.2.block.3.1.weight"],
    ["features.16.0.weight", "backbone.features.1.3.0.weight"],
    ["features.16.1.bias", "backbone.features.1.3.1.bias"],
  ])("%s → %s (as torchvision places an ImageNet backbone)", (from, to) => {
    expect(mobilenetV3LargeBackboneKey(from)).toBe(to);
  });

  test.each([
    "classifier.0.weight",
    "classifier.3.bias",
    "features.17.0.weight",
    "features.5.weight",
    "features.x.block.0.0.weight",
    "",
  ])("%j has no place in the detector", (k) => {
    expect(mobilenetV3LargeBackboneKey(k)).toBeUndefined();
  });

  test("the fixture's classification checkpoint covers exactly the SSDlite backbone's features, same shapes", () => {
    const cls = JSON.parse(readFileSync(new URL("mobilenet_v3_large_keys.json", FIXTURES), "utf8")) as [
      string,
      number[],
    ][];
    const { mapped, unmapped } = mapMobilenetV3LargeKeys(cls.map(([k]) => k));
    expect(unmapped).toEqual([
      "classifier.0.weight",
      "classifier.0.bias",
      "classifier.3.weight",
      "classifier.3.bias",
    ]);
    const ssdlite = new Map(TORCH_KEYS);
    const features = TORCH_KEYS.filter(([k]) => k.startsWith("backbone.features.")).map(([k]) => k);
    expect([...mapped.values()].sort()).toEqual([...features].sort());
    for (const [from, shape] of cls) {
      const to = mapped.get(from);
      if (to !== undefined) expect(ssdlite.get(to), from).toEqual(shape);
    }
  });
});
