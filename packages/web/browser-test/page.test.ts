/**
 * The page in headless Chromium (Debian's `chromium` through playwright-core): it trains the demo
 * configuration, leaks no tensors, exchanges models with Node both ways with the same detections, shows
 * one-line errors for bad files and keeps its state, and is photographed for the README.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodePng } from "@od/augment/node";
import { decodeImageFile, fileDecoder, loadVoc } from "@od/data/node";
import { deserializeDetector, type SsdDetector, serializeDetector } from "@od/ssd";
import { initBackend } from "@od/tf";
import {
  collate,
  createRunDetector,
  createRunOptimizer,
  DEMO_EPOCHS,
  demoConfig,
  fitModelPriors,
  learningRateAt,
  lrSchedule,
  trainingPipeline,
  trainStep,
} from "@od/train";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Detection, Request, Results } from "../src/page/protocol.js";
import { DEMO_DIR } from "../src/server.js";
import { openPage, type PageSession } from "./browser.js";

/**
 * Steps the page trains the demo configuration for, on the demo's own learning-rate schedule
 * (`DEMO_EPOCHS` epochs of 8 steps): 25 epochs of the 60-image slice at batch 8.
 */
const TRAIN_STEPS = 200;
/** Detections kept above this score, in both runtimes. */
const SCORE = 0.05;

const SCREENSHOT = fileURLToPath(new URL("../screenshot.png", import.meta.url));

let s: PageSession;
let png: Buffer;
const PNG_NAME = "BloodImage_test.png";

/** Sends a protocol request through the page's `window.od.request`. */
function call<T extends Request["type"]>(req: Extract<Request, { type: T }>): Promise<Results[T]> {
  return s.page.evaluate(
    (r) => (window as unknown as { od: { request(r: unknown): Promise<never> } }).od.request(r),
    req as never,
  );
}

/** Detections of the page's current model on an encoded image (sent as base64). */
function pageDetect(bytes: Buffer, name: string, score = SCORE): Promise<readonly Detection[]> {
  return s.page.evaluate(
    async ({ b64, name, score }) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const od = (window as unknown as { od: { request(r: unknown): Promise<Results["detect"]> } }).od;
      const r = await od.request({
        type: "detect",
        image: { file: bin.buffer, name },
        scoreThreshold: score,
      });
      return r.detections;
    },
    { b64: bytes.toString("base64"), name, score },
  );
}

/** The page's model as the download button saves it: `model.json` text and `weights.bin` bytes. */
async function pageExport(): Promise<{ json: string; weights: ArrayBuffer }> {
  const r = await s.page.evaluate(async () => {
    const od = (window as unknown as { od: { request(r: unknown): Promise<Results["exportModel"]> } }).od;
    const m = await od.request({ type: "exportModel" });
    const u = new Uint8Array(m.weights);
    let bin = "";
    for (let i = 0; i < u.length; i += 0x8000) bin += String.fromCharCode(...u.subarray(i, i + 0x8000));
    return { json: m.json, b64: btoa(bin) };
  });
  const b = Buffer.from(r.b64, "base64");
  return { json: r.json, weights: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
}

/** Loads model files into the page (as the file picker would). */
function pageLoadModel(
  json: string,
  weights: ArrayBuffer,
  jsonName = "model.json",
): Promise<Results["loadModel"]> {
  return s.page.evaluate(
    async ({ json, b64, jsonName }) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const od = (window as unknown as { od: { loadModelFiles(f: File[]): Promise<Results["loadModel"]> } })
        .od;
      return od.loadModelFiles([new File([json], jsonName), new File([bin], "weights.bin")]);
    },
    { json, b64: Buffer.from(weights).toString("base64"), jsonName },
  );
}

async function nodeDetect(detector: SsdDetector, score = SCORE): Promise<Detection[]> {
  const { PNG } = await import("pngjs");
  const img = PNG.sync.read(png);
  const [d] = await detector.predict([{ data: img.data, width: img.width, height: img.height }], {
    scoreThreshold: score,
  });
  if (d === undefined) throw new Error("no detections result");
  return Array.from(d.scores, (score, i) => ({
    box: [d.boxes.data[i * 4]!, d.boxes.data[i * 4 + 1]!, d.boxes.data[i * 4 + 2]!, d.boxes.data[i * 4 + 3]!],
    label: d.labels[i]!,
    className: detector.config.classNames[d.labels[i]! - 1]!,
    score,
  }));
}

/** Same detections: same count, classes and order, boxes within 1e-3 px, scores within 1e-4. */
function expectSameDetections(a: readonly Detection[], b: readonly Detection[]): void {
  expect(a.length).toBeGreaterThan(0);
  expect(b.map((d) => d.className)).toEqual(a.map((d) => d.className));
  a.forEach((d, i) => {
    const e = b[i]!;
    expect(Math.abs(e.score - d.score), `score of detection ${i}`).toBeLessThanOrEqual(1e-4);
    d.box.forEach((v, k) => {
      expect(Math.abs(e.box[k]! - v), `box[${k}] of detection ${i}`).toBeLessThanOrEqual(1e-3);
    });
  });
}

/**
 * The training kept the first epoch with the highest validation mAP, and the model it left (evaluated
 * afterwards on the same validation images) scores exactly that mAP.
 */
function expectKeptIsBest(r: Results["train"], ev: Results["evaluate"]): void {
  const maps = r.epochs.map((e) => e.valMap);
  expect(
    maps.every((m) => m !== null && m >= 0 && m <= 1),
    `per-epoch mAPs ${maps}`,
  ).toBe(true);
  const best = Math.max(...maps.map((m) => m ?? -1));
  expect(r.keptEpoch).toBe(maps.indexOf(best) + 1);
  expect(r.keptMap).toBe(best);
  expect(ev.images).toBe(20);
  expect(ev.split).toBe("the slice's test split");
  expect(ev.map).toBe(best);
}

beforeAll(async () => {
  await initBackend({ prefer: ["wasm"] });
  // A lossless copy of a test image, so both runtimes see the same pixels (JPEG decoders differ).
  png = encodePng(await decodeImageFile(`${DEMO_DIR}JPEGImages/BloodImage_00007.jpg`, { backend: "js" }));
  s = await openPage();
});

afterAll(async () => {
  await s?.close();
});

describe("the page in Chromium", () => {
  test("cross-origin isolated: the threaded SIMD wasm build, said in the reason", async () => {
    const init = await s.page.evaluate(
      () => (window as unknown as { od: { ready: Promise<Results["init"]> } }).od.ready,
    );
    expect(init.crossOriginIsolated).toBe(true);
    expect(init.backend).toBe("wasm");
    expect(init.reason).toMatch(/threaded-simd build: the page is cross-origin isolated/);
  });

  test(`trains the demo configuration ${TRAIN_STEPS} steps: the loss falls by half, no tensor leaks`, async () => {
    await s.page.click("#load-demo");
    await s.page.waitForFunction(() => (document.getElementById("data-info")?.textContent ?? "") !== "");
    expect(await s.page.textContent("#data-info")).toBe(
      "60 training and 20 validation images (the slice's test split); classes Platelets, RBC, WBC",
    );
    const r = await s.page.evaluate(
      ({ steps, epochs }) =>
        (window as unknown as { od: { train(n: number, e: number): Promise<Results["train"]> } }).od.train(
          steps,
          epochs,
        ),
      { steps: TRAIN_STEPS, epochs: DEMO_EPOCHS },
    );
    expect(r.losses).toHaveLength(TRAIN_STEPS);
    const mean = (xs: readonly (readonly [number, number])[]) => xs.reduce((a, p) => a + p[1], 0) / xs.length;
    const first = mean(r.losses.slice(0, 8));
    const last = mean(r.losses.slice(-8));
    expect(last, `first 8 steps ${first}, last 8 steps ${last}`).toBeLessThanOrEqual(first / 2);
    // Every epoch was evaluated on the validation images; the kept weights are the best epoch's.
    expect(r.epochs.map((e) => [e.epoch, e.steps])).toEqual(
      Array.from({ length: TRAIN_STEPS / 8 }, (_, i) => [i + 1, 8]),
    );
    expectKeptIsBest(r, await call({ type: "evaluate" }));
    console.log(
      `per-epoch validation: ${r.evalSeconds.toFixed(1)} s of ${(r.evalSeconds + r.trainSeconds).toFixed(1)} s`,
    );
    expect(await s.page.textContent("#train-info")).toContain(
      `; kept epoch ${r.keptEpoch} (validation mAP@0.5 ${r.keptMap?.toFixed(3)}, the best of ${TRAIN_STEPS / 8} evaluated)`,
    );
    // The first round fills the caches that prediction keeps (folded batch-norm weights); a second
    // round of the same work must leave exactly as many tensors and bytes as the first.
    const round = async () => {
      await call({ type: "train", steps: 2 });
      await call({ type: "evaluate" });
      await pageDetect(png, PNG_NAME);
      await pageExport();
      return call({ type: "memory" });
    };
    const afterFirst = await round();
    expect(await round()).toEqual(afterFirst);
  });

  test("Stop in the middle of an epoch keeps the best epoch evaluated so far", async () => {
    const stopAfter = 3;
    const { r, seen } = await s.page.evaluate(
      async ({ stopAfter, steps }) => {
        type Od = {
          request(
            r: unknown,
            onProgress: (p: { kind: string; report?: unknown; keptEpoch?: number }) => void,
          ): Promise<Results["train"]>;
        };
        const od = (window as unknown as { od: Od }).od;
        const seen: { report: unknown; keptEpoch: number | undefined }[] = [];
        const r = await od.request({ type: "train", steps }, (p) => {
          if (p.kind !== "epoch") return;
          seen.push({ report: p.report, keptEpoch: p.keptEpoch });
          if (seen.length === stopAfter) void od.request({ type: "stop" }, () => {});
        });
        return { r, seen };
      },
      { stopAfter, steps: 400 },
    );
    expect(r.stopped).toBe(true);
    // Stopped in the epoch after the third: that epoch was not evaluated, but its steps changed the
    // weights, so the evaluation below sees the restored epoch's weights.
    expect(r.epochs).toHaveLength(stopAfter);
    expect(seen.map((e) => e.report)).toEqual(r.epochs);
    const evaluatedSteps = r.epochs.reduce((a, e) => a + e.steps, 0);
    expect(r.losses.length).toBeGreaterThan(evaluatedSteps);
    expect(r.losses.length).toBeLessThan(400);
    expect(seen.at(-1)?.keptEpoch).toBe(r.keptEpoch);
    expectKeptIsBest(r, await call({ type: "evaluate" }));
  });

  test("a model trained in the page and downloaded predicts the same in Node", async () => {
    const page = await pageDetect(png, PNG_NAME);
    const { json, weights } = await pageExport();
    const detector = deserializeDetector(JSON.parse(json), weights, "model.json from the page");
    try {
      expectSameDetections(page, await nodeDetect(detector));
    } finally {
      detector.dispose();
    }
  });

  test("bad files: a one-line error naming the file; the model and its detections are kept", async () => {
    const before = await pageDetect(png, PNG_NAME);
    const err = (p: Promise<unknown>) =>
      p.then(
        () => "",
        (e: Error) => e.message,
      );
    const notImage = await err(pageDetect(Buffer.from("not an image"), "notes.txt"));
    expect(notImage).toContain("notes.txt: not an image this browser can decode");
    const { json, weights } = await pageExport();
    const other = JSON.stringify({ ...JSON.parse(json), formatVersion: 999 });
    const version = await err(pageLoadModel(other, weights, "old-model.json"));
    expect(version).toMatch(/old-model\.json: was written by format version 999/);
    const broken = await err(pageLoadModel("{ not json", weights, "broken.json"));
    expect(broken).toMatch(/broken\.json: not valid JSON/);
    expect(await pageDetect(png, PNG_NAME)).toEqual(before);
    // What the page shows for a picked file that is not an image: one line naming it.
    await s.page.setInputFiles("#detect-file", {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("hi"),
    });
    await s.page.waitForFunction(() => (document.getElementById("error")?.textContent ?? "") !== "");
    const line = await s.page.textContent("#error");
    expect(line).toBe("notes.txt: not an image this browser can decode");
  });

  test("the page after training, evaluation and detection (screenshot for the README)", async () => {
    await s.page.click("#show-samples");
    await s.page.click("#evaluate");
    await s.page.waitForSelector("#eval table");
    expect(await s.page.textContent("#eval")).toMatch(/mAP@0\.5 \(VOC\)\s*0\.\d{3}/);
    await s.page.setInputFiles("#detect-file", { name: PNG_NAME, mimeType: "image/png", buffer: png });
    await s.page.waitForFunction(
      (n) => (document.getElementById("status")?.textContent ?? "").startsWith(n),
      PNG_NAME,
    );
    expect(await s.page.textContent("#error")).toBe("");
    // The committed picture is rewritten only on request (UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
    const shot = await s.page.screenshot({
      fullPage: true,
      ...(process.env.UPDATE_SCREENSHOT === "1" ? { path: SCREENSHOT } : {}),
    });
    expect(shot.subarray(1, 4).toString("latin1")).toBe("PNG");
  });

  test("Download model saves model.json and weights.bin, which Node loads as odet predict does", async () => {
    const downloads: { name: string; bytes: Buffer }[] = [];
    const done = new Promise<void>((resolve) => {
      s.page.on("download", async (d) => {
        const path = await d.path();
        const { readFile } = await import("node:fs/promises");
        downloads.push({ name: d.suggestedFilename(), bytes: await readFile(path) });
        if (downloads.length === 2) resolve();
      });
    });
    await s.page.click("#download");
    await done;
    expect(downloads.map((d) => d.name).sort()).toEqual(["model.json", "weights.bin"]);
    const json = downloads.find((d) => d.name === "model.json")!.bytes.toString("utf8");
    const bin = downloads.find((d) => d.name === "weights.bin")!.bytes;
    const detector = deserializeDetector(
      JSON.parse(json),
      bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
      "model.json",
    );
    try {
      expectSameDetections(await pageDetect(png, PNG_NAME), await nodeDetect(detector));
    } finally {
      detector.dispose();
    }
  });

  test("a model trained in Node loads in the page and gives the same detections", async () => {
    const train = await loadVoc(DEMO_DIR, { split: "trainval", policy: "clip" });
    const config = fitModelPriors(demoConfig(DEMO_DIR, { epochs: 1 }), train).config;
    const detector = createRunDetector(config, train.classNames);
    const optimizer = createRunOptimizer(config, detector);
    try {
      const pipeline = trainingPipeline(config, train, detector, fileDecoder(train), { prefetch: 0 });
      const schedule = lrSchedule(config, pipeline.batchesPerEpoch);
      let step = 0;
      for await (const batch of pipeline.epoch(0)) {
        trainStep(detector, optimizer, collate(batch), config, learningRateAt(schedule, step));
        if (++step === 8) break;
      }
      const { json, weights } = await serializeDetector(detector);
      await pageLoadModel(JSON.stringify(json), weights);
      // One epoch of training: class scores are still low, so a low threshold keeps some.
      const page = await pageDetect(png, PNG_NAME, 0.01);
      expectSameDetections(await nodeDetect(detector, 0.01), page);
    } finally {
      optimizer.dispose();
      detector.dispose();
    }
  });
});

describe("picked files", () => {
  const demoFile = (rel: string) => ({
    name: rel.slice(rel.lastIndexOf("/") + 1),
    mimeType: rel.endsWith(".xml") ? "application/xml" : "image/jpeg",
    buffer: readFileSync(`${DEMO_DIR}${rel}`),
  });
  const ids = ["BloodImage_00000", "BloodImage_00001", "BloodImage_00002"];

  test("VOC images and XML picked in the page train; an XML naming an unpicked image is one line and changes nothing", async () => {
    await s.page.setInputFiles("#data-files", [
      ...ids.map((id) => demoFile(`JPEGImages/${id}.jpg`)),
      ...ids.map((id) => demoFile(`Annotations/${id}.xml`)),
    ]);
    await s.page.waitForFunction(() =>
      (document.getElementById("data-info")?.textContent ?? "").startsWith("2 training"),
    );
    expect(await s.page.textContent("#data-info")).toBe(
      "2 training and 1 validation images (seeded 20 % of the picked images, seed 0); classes RBC, WBC",
    );
    expect(await s.page.textContent("#error")).toBe("");
    // Two images make one step an epoch: each is evaluated on the one validation image.
    const r = await call({ type: "train", steps: 2 });
    expect(r.losses).toHaveLength(2);
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const ev = await call({ type: "evaluate" });
    expect([ev.images, ev.split]).toEqual([1, "seeded 20 % of the picked images, seed 0"]);
    expect(ev.map).toBe(r.keptMap);
    expect(r.losses.every(([, l]) => Number.isFinite(l))).toBe(true);
    const info = await s.page.textContent("#data-info");
    await s.page.setInputFiles("#data-files", [
      demoFile(`JPEGImages/${ids[0]}.jpg`),
      ...ids.slice(0, 2).map((id) => demoFile(`Annotations/${id}.xml`)),
    ]);
    await s.page.waitForFunction(() => (document.getElementById("error")?.textContent ?? "") !== "");
    expect(await s.page.textContent("#error")).toBe(
      "BloodImage_00001.xml: names image BloodImage_00001.jpg, which was not picked",
    );
    expect(await s.page.textContent("#data-info")).toBe(info);
    expect((await call({ type: "train", steps: 1 })).losses).toHaveLength(1);
  });
});

describe("the page served without COOP/COEP", () => {
  test("not cross-origin isolated: the single-threaded SIMD build, and the reason says how to get threads", async () => {
    const plain = await openPage({ isolated: false });
    try {
      const init = await plain.page.evaluate(
        () => (window as unknown as { od: { ready: Promise<Results["init"]> } }).od.ready,
      );
      expect(init.crossOriginIsolated).toBe(false);
      expect(init.reason).toMatch(
        /1 thread, simd build: the page is not cross-origin isolated \(serve it with COOP\/COEP/,
      );
    } finally {
      await plain.close();
    }
  });
});
