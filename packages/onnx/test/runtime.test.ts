import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test as fcTest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { tempPathOf } from "@od/boxes/node";
import type { Uint8Image } from "@od/image";
import { SSDLITE_POSTPROCESS, type SsdDetector, ssdlite320MobilenetV3Large } from "@od/ssd";
import { tf } from "@od/tf";
import fc from "fast-check";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  exportOnnx,
  hwcToChw,
  isOrtModule,
  loadOrt,
  loadOrtWeb,
  OD_ONNX_VERSION,
  OnnxDetector,
  type OnnxError,
  ORT_VERSION,
  softmaxRows,
} from "../src/index.js";
import { loadOnnxDetector, loadOrtNode, readOnnxFile, saveOnnx } from "../src/node.js";
import { bccdImages, expectSameDetections, MODEL_KINDS, makeDetector } from "./helpers.js";
import { useCpu } from "./setup.js";

let images: Uint8Image[] = [];
let dir = "";
beforeAll(async () => {
  await useCpu();
  images = await bccdImages(2);
  dir = await mkdtemp(path.join(tmpdir(), "od-onnx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("OnnxDetector.predict: the same detections as SsdDetector.predict on BCCD images (640×480)", () => {
  for (const [kind, config] of Object.entries(MODEL_KINDS)) {
    test(kind, async () => {
      const d = makeDetector(config);
      const options = { scoreThreshold: 0.05, maxDetections: 100 };
      const want = await d.predict(images, options);
      const onnx = await OnnxDetector.create(exportOnnx(d), ort, { threads: 1 });
      const got = await onnx.predict(images, options);
      await onnx.dispose();
      d.dispose();
      expect(got.length).toBe(images.length);
      for (const w of want) expect(w.labels.length).toBeGreaterThan(0);
      expectSameDetections(got, want);
    });
  }
});

describe("exportOnnx with in-graph detections: NonMaxSuppression gives od's detections", () => {
  const settings = { scoreThreshold: 0.05, iouThreshold: 0.45, topKPerClass: 400, maxDetections: 100 };
  for (const [kind, config] of Object.entries(MODEL_KINDS)) {
    test(kind, async () => {
      const d = makeDetector(config);
      const want = await d.predict(images, settings);
      const onnx = await OnnxDetector.create(exportOnnx(d, { detections: settings }), ort, { threads: 1 });
      expect(onnx.info.detections).toEqual({ ...settings, clipToInput: false });
      const got = await onnx.predict(images);
      await expect(onnx.predict(images, { iouThreshold: 0.5 })).rejects.toThrow(
        /^OnnxDetector\.predict: the model was exported with iouThreshold = 0\.45 inside the graph; got 0\.5/,
      );
      await expect(onnx.forward(new Float32Array(1), 1)).rejects.toThrow(/has no raw outputs/);
      await onnx.dispose();
      d.dispose();
      for (const w of want) expect(w.labels.length).toBeGreaterThan(1);
      expectSameDetections(got, want);
    });
  }

  test("tight caps: 20 candidates per class, 10 detections, score threshold 0.01", async () => {
    const tight = { scoreThreshold: 0.01, iouThreshold: 0.3, topKPerClass: 20, maxDetections: 10 };
    const d = makeDetector(MODEL_KINDS["MobileNet 0.25, 4 taps, conv heads, 256²"]!, 11);
    const want = await d.predict(images, tight);
    const onnx = await OnnxDetector.create(exportOnnx(d, { detections: tight }), ort, { threads: 1 });
    const got = await onnx.predict(images);
    await onnx.dispose();
    d.dispose();
    for (const w of want) expect(w.labels.length).toBe(10);
    expectSameDetections(got, want);
  });

  test("settings outside their domain are INVALID_ARGUMENT naming them, wrapping the SsdError", () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const e = (() => {
      try {
        return exportOnnx(d, { detections: { ...settings, topKPerClass: 0 } });
      } catch (x) {
        return x;
      }
    })();
    expect(isOdError(e, "INVALID_ARGUMENT")).toBe(true);
    expect((e as Error).name).toBe("OnnxError");
    expect((e as Error).message).toMatch(
      /^exportOnnx: detections: postprocess: topKPerClass must be an integer > 0; got 0/,
    );
    expect(((e as Error).cause as Error).name).toBe("SsdError");
    expect(() => exportOnnx(d, { detections: { ...settings, scoreThreshold: 1 } })).toThrow(
      /^exportOnnx: detections: postprocess: scoreThreshold must be in \[0, 1\); got 1/,
    );
    expect(() =>
      exportOnnx(d, { detections: { ...settings, clipToInput: "yes" as unknown as boolean } }),
    ).toThrow(/^exportOnnx: detections: postprocess: clipToInput must be a boolean; got "yes"/);
    d.dispose();
  });
});

describe("exportOnnx with in-graph detections: SSDlite320 (clipToInput) gives od's tfjs detections", () => {
  /** SSDlite320 at width 0.5 with its own post-processing (SSDLITE_POSTPROCESS: clipToInput true). */
  function ssdlite(): SsdDetector {
    const d = ssdlite320MobilenetV3Large({
      classNames: ["WBC", "RBC", "Platelets"],
      widthMultiplier: 0.5,
      reducedTail: true,
      seed: 5,
    });
    // Loc biases that stretch every box to 2.5 times its prior, so many decoded boxes cross the border
    // of the network input and clipping before NMS changes the result.
    tf.tidy(() => {
      for (const name of d.params.names()) {
        if (/^head\.regression_head\.module_list\.\d+\.1\.bias$/.test(name)) {
          const v = d.params.get(name);
          const n = v.shape[0]!;
          v.assign(tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 4 >= 2 ? 4.5 : 0))));
        }
      }
    });
    return d;
  }

  test("detections: {} bakes SSDLITE_POSTPROCESS; in-graph equals SsdDetector.predict on BCCD images, clipped and not", async () => {
    const d = ssdlite();
    expect(d.config.postprocess).toEqual(SSDLITE_POSTPROCESS);
    const clipped = await d.predict(images);
    const unclipped = await d.predict(images, { clipToInput: false });
    // The case is one where clipping before NMS matters.
    const differs = clipped.some(
      (c, i) =>
        c.labels.length !== unclipped[i]!.labels.length ||
        c.boxes.data.some((v, k) => Math.abs(v - unclipped[i]!.boxes.data[k]!) > 1e-3),
    );
    expect(differs).toBe(true);
    for (const c of clipped) expect(c.labels.length).toBeGreaterThan(10);

    const baked = await OnnxDetector.create(exportOnnx(d, { detections: {} }), ort, { threads: 1 });
    expect(baked.info.detections).toEqual(SSDLITE_POSTPROCESS);
    expectSameDetections(await baked.predict(images), clipped);
    await expect(baked.predict(images, { clipToInput: false })).rejects.toThrow(
      /^OnnxDetector\.predict: the model was exported with clipToInput = true inside the graph; got false/,
    );
    await baked.dispose();

    const plain = await OnnxDetector.create(exportOnnx(d, { detections: { clipToInput: false } }), ort, {
      threads: 1,
    });
    expect(plain.info.detections).toEqual({ ...SSDLITE_POSTPROCESS, clipToInput: false });
    expectSameDetections(await plain.predict(images), unclipped);
    await plain.dispose();
    d.dispose();
  });

  test("the clip is two nodes before NonMaxSuppression, present only with clipToInput", () => {
    const d = ssdlite();
    const ops = (clipToInput: boolean) =>
      (
        onnxProto.onnx.ModelProto.decode(exportOnnx(d, { detections: { clipToInput } })).graph?.node ?? []
      ).map((n) => n.opType);
    const withClip = ops(true);
    const without = ops(false);
    d.dispose();
    expect(withClip.length - without.length).toBe(2);
    const nms = withClip.indexOf("NonMaxSuppression");
    expect(withClip.slice(0, nms).filter((o) => o === "Max").length).toBe(
      without.slice(0, without.indexOf("NonMaxSuppression")).filter((o) => o === "Max").length + 1,
    );
  });
});

describe("loadOrtWeb", () => {
  test("onnxruntime-web (wasm, the browser runtime) gives the detections of SsdDetector.predict", async () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const options = { scoreThreshold: 0.05 };
    const want = await d.predict(images, options);
    const web = await OnnxDetector.create(exportOnnx(d), await loadOrtWeb(), { threads: 1 });
    const got = await web.predict(images, options);
    await web.dispose();
    d.dispose();
    for (const w of want) expect(w.labels.length).toBeGreaterThan(0);
    expectSameDetections(got, want);
  });
});

describe("loadOrt", () => {
  test("a package that does not load is RUNTIME_MISSING naming it, with the import error as cause", async () => {
    const missing = new Error("Cannot find package 'onnxruntime-absent'");
    const e = await loadOrt("onnxruntime-absent", () => Promise.reject(missing)).catch((x: unknown) => x);
    expect(isOdError(e, "RUNTIME_MISSING")).toBe(true);
    expect((e as Error).message).toMatch(
      /^loadOrt: the optional peer dependency onnxruntime-absent is not installed \(npm install onnxruntime-absent@1\.30\.0\): Cannot find package/,
    );
    expect((e as Error).cause).toBe(missing);
    expect((e as OnnxError).details).toMatchObject({ package: "onnxruntime-absent" });
  });

  test("a module without InferenceSession.create or Tensor is RUNTIME_MISSING naming the package", async () => {
    for (const m of [null, 3, {}, { Tensor: class {} }, { Tensor: class {}, InferenceSession: {} }])
      await expect(loadOrt("onnxruntime-odd", () => Promise.resolve(m))).rejects.toThrow(
        /^loadOrt: onnxruntime-odd has no InferenceSession\.create or Tensor; install onnxruntime-odd@1\.30\.0/,
      );
    const fake = { Tensor: class {}, InferenceSession: { create: () => undefined } };
    await expect(loadOrt("fake", () => Promise.resolve(fake))).resolves.toBe(fake);
  });

  test("loadOrtNode and loadOrtWeb load their packages; ORT_VERSION is the peer dependency's version", async () => {
    for (const m of [await loadOrtNode(), await loadOrtWeb()]) expect(isOrtModule(m)).toBe(true);
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.peerDependencies).toEqual({ "onnxruntime-node": ORT_VERSION, "onnxruntime-web": ORT_VERSION });
    expect(pkg.devDependencies["onnxruntime-node"]).toBe(ORT_VERSION);
  });
});

describe("OD_ONNX_VERSION", () => {
  test("is the version in package.json (written into every model as od.version)", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(OD_ONNX_VERSION).toBe(pkg.version);
  });
});

describe("OnnxDetector.create", () => {
  test("bytes that are not an od model are NOT_OD_MODEL; a bad thread count is INVALID_ARGUMENT", async () => {
    await expect(OnnxDetector.create(new Uint8Array([1, 2, 3]), ort)).rejects.toThrow(/^readOnnxMetadata: /);
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const bytes = exportOnnx(d);
    d.dispose();
    await expect(OnnxDetector.create(bytes, ort, { threads: 0 })).rejects.toThrow(
      /^OnnxDetector\.create: threads must be an integer >= 1; got 0/,
    );
  });

  test("forward refuses an input of the wrong length", async () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const o = await OnnxDetector.create(exportOnnx(d), ort);
    d.dispose();
    await expect(o.forward(new Float32Array(10), 1)).rejects.toThrow(
      /^OnnxDetector\.forward: input must hold \[1, 3, 192, 256\] floats; got 10 values/,
    );
    await o.dispose();
  });
});

describe("hwcToChw", () => {
  test("example: 1×2×2 RGB", () => {
    const hwc = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...hwcToChw(hwc, 1, 2, 2, 3)]).toEqual([1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12]);
  });
  fcTest.prop([
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 5 }),
  ])("element (b, y, x, c) moves to (b, c, y, x)", (B, H, W) => {
    const hwc = Float32Array.from({ length: B * H * W * 3 }, (_, i) => i);
    const chw = hwcToChw(hwc, B, H, W, 3);
    for (let b = 0; b < B; b++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < 3; c++)
            expect(chw[((b * 3 + c) * H + y) * W + x]).toBe(hwc[((b * H + y) * W + x) * 3 + c]);
  });
});

describe("softmaxRows", () => {
  test("examples: equal logits, a large logit, huge values", () => {
    expect([...softmaxRows(Float32Array.from([0, 0]), 2)]).toEqual([0.5, 0.5]);
    const r = softmaxRows(Float32Array.from([1000, 0, 0]), 3);
    expect(r[0]).toBe(1);
    expect(Number.isFinite(r[1]!)).toBe(true);
  });
  fcTest.prop([fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 8 })])(
    "rows sum to 1 and keep the order of the logits",
    (row) => {
      const p = softmaxRows(Float32Array.from(row), row.length);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      for (let i = 0; i < row.length; i++)
        for (let j = 0; j < row.length; j++)
          if (Math.fround(row[i]!) > Math.fround(row[j]!)) expect(p[i]!).toBeGreaterThanOrEqual(p[j]!);
    },
  );
});

describe("@od/onnx/node", () => {
  test("saveOnnx writes a file loadOnnxDetector opens; predictions equal the in-memory model's", async () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const file = path.join(dir, "model.onnx");
    const n = await saveOnnx(d, file);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(n);
    const fromFile = await loadOnnxDetector(file, { threads: 1 });
    const inMemory = await OnnxDetector.create(exportOnnx(d), await loadOrtNode(), { threads: 1 });
    d.dispose();
    const [a, b] = [await fromFile.predict(images.slice(0, 1)), await inMemory.predict(images.slice(0, 1))];
    expect([...a[0]!.boxes.data]).toEqual([...b[0]!.boxes.data]);
    await Promise.all([fromFile.dispose(), inMemory.dispose()]);
  });

  test("readOnnxFile: a missing file is IO_FAILED, a file that is not an od model NOT_OD_MODEL, both naming it", async () => {
    const missing = path.join(dir, "absent.onnx");
    await expect(readOnnxFile(missing)).rejects.toThrow(`readOnnxFile: cannot read ${missing}`);
    const junk = path.join(dir, "junk.onnx");
    await writeFile(junk, "not a model");
    const e = await readOnnxFile(junk).catch((x: unknown) => x);
    expect(isOdError(e, "NOT_OD_MODEL")).toBe(true);
    expect((e as Error).message).toMatch(`readOnnxFile: ${junk}: readOnnxMetadata:`);
  });

  test("saveOnnx: a failed write is IO_FAILED naming the path, wrapping the BoxesError; the old file stays", async () => {
    const d = makeDetector(MODEL_KINDS["VGG-style, conv heads, resize 256×192"]!);
    const file = path.join(dir, "keep.onnx");
    await writeFile(file, "old");
    // A folder where the temporary file would go makes the write fail.
    await mkdir(tempPathOf(file));
    const e = await saveOnnx(d, file).catch((x: unknown) => x);
    expect(isOdError(e, "IO_FAILED")).toBe(true);
    expect((e as Error).name).toBe("OnnxError");
    expect((e as Error).message).toMatch(`saveOnnx: writeFileAtomic: cannot write ${file}: `);
    expect(((e as Error).cause as Error).name).toBe("BoxesError");
    expect(await readFile(file, "utf8")).toBe("old");
    await rm(tempPathOf(file), { recursive: true });
    const missing = path.join(dir, "no", "such", "dir.onnx");
    await expect(saveOnnx(d, missing)).rejects.toThrow(
      `saveOnnx: writeFileAtomic: cannot write ${missing}: ENOENT`,
    );
    d.dispose();
    expect((await readdir(dir)).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });
});
