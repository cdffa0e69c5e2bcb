/**
 * The page's Web Worker: the tfjs backend, the demo dataset, training, evaluation, detection and
 * model files. It answers {@link RequestMessage}s (see `protocol.ts`) one at a time, except `stop`,
 * which is answered at once and ends a running training at its next step.
 * @module
 */
import { augmentationGrid, drawSample, makeSample } from "@od/augment";
import {
  type DetectionDataset,
  fromImageData,
  type ImageRecord,
  parseImageSet,
  parseVocXml,
  vocDataset,
} from "@od/data";
import type { Uint8Image } from "@od/image";
import {
  deserializeDetector,
  type SavedModelJson,
  type SsdDetector,
  serializeDetector,
  unpackParams,
} from "@od/ssd";
import { initBackend, tf } from "@od/tf";
import {
  buildAugmentation,
  collate,
  createRunDetector,
  createRunOptimizer,
  demoConfig,
  evaluateDetector,
  fitModelPriors,
  learningRateAt,
  lrSchedule,
  type Optimizer,
  type TrainConfig,
  trainingPipeline,
  trainStep,
  trainValSplit,
} from "@od/train";
import { measureSpeed } from "../speed.js";
import { replacesKeptEpoch } from "./best.js";
import { decodeImage } from "./decode.js";
import { datasetFromFiles, type PickedFile } from "./picked.js";
import type {
  DataInfo,
  Detection,
  EpochReport,
  Request,
  RequestMessage,
  Response,
  Results,
  RgbImage,
} from "./protocol.js";

/** Where the server serves the BCCD demo slice (`packages/cli/demo-data/bccd`). */
const DEMO_URL = new URL("/demo/", self.location.href).href;
/** Where the server serves tfjs-backend-wasm's binaries (`wasmFiles()` of `@od/tf/node`). */
const WASM_URL = new URL("/tfjs/", self.location.href).href;

/** The loaded data: the images trained on and those validated on (best epoch, Evaluate). */
interface Data {
  readonly train: DetectionDataset;
  readonly val: DetectionDataset;
  /** Where `val` comes from, as the page says it. */
  readonly valSource: string;
}

let demo: Data | undefined;
/** Images of a picked dataset, by record file; empty for the demo slice (fetched from the server). */
let pickedImages: ReadonlyMap<string, PickedFile> = new Map();
let detector: SsdDetector | undefined;
let optimizer: Optimizer | undefined;
let stopRequested = false;
const images = new Map<string, Promise<Uint8Image>>();

const post = (m: Response, transfer: Transferable[] = []): void =>
  (self as unknown as Worker).postMessage(m, transfer);

async function fetchOk(url: string): Promise<Response_> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}
type Response_ = globalThis.Response;

/** The decoded image of a demo record (cached). */
function loadImage(record: ImageRecord): Promise<Uint8Image> {
  let p = images.get(record.file);
  if (p === undefined) {
    const picked = pickedImages.get(record.file);
    p =
      picked !== undefined
        ? decodeImage(new Blob([picked.data as Uint8Array<ArrayBuffer>]), picked.name)
        : fetchOk(DEMO_URL + record.file)
            .then((r) => r.blob())
            .then((b) => decodeImage(b, record.file));
    images.set(record.file, p);
  }
  return p;
}

async function loadSplit(split: string, classNames?: readonly string[]): Promise<DetectionDataset> {
  const listFile = `ImageSets/Main/${split}.txt`;
  const ids = parseImageSet(await (await fetchOk(DEMO_URL + listFile)).text(), listFile);
  const entries = await Promise.all(
    ids.map(async (id) => {
      const annotationFile = `Annotations/${id}.xml`;
      const xml = await (await fetchOk(DEMO_URL + annotationFile)).text();
      return { annotationFile, annotation: parseVocXml(xml, annotationFile) };
    }),
  );
  return vocDataset(entries, { policy: "clip", ...(classNames === undefined ? {} : { classNames }) });
}

function dataInfo(d: Data): DataInfo {
  return {
    train: d.train.images.length,
    val: d.val.images.length,
    valSource: d.valSource,
    classNames: d.train.classNames,
  };
}

function rgb(image: { data: ArrayLike<number>; shape: readonly number[] }): RgbImage {
  const [height = 0, width = 0] = image.shape;
  return { width, height, data: Uint8Array.from(image.data) };
}

function requireDemo(fn: string): Data {
  if (demo === undefined) throw new Error(`${fn}: load the demo data first`);
  return demo;
}

function requireDetector(fn: string): SsdDetector {
  if (detector === undefined) throw new Error(`${fn}: train or load a model first`);
  return detector;
}

/**
 * The demo config of a training of `steps` steps (whole epochs, so the schedule ends with the run),
 * its priors fitted to the training boxes as `odet demo` fits them.
 */
function trainConfig(
  data: DetectionDataset,
  steps: number,
  batchesPerEpoch: number,
  epochs = Math.max(1, Math.ceil(steps / batchesPerEpoch)),
): TrainConfig {
  const config = demoConfig(DEMO_URL, { epochs });
  return fitModelPriors(config, data).config;
}

/**
 * Resolves in a new task, so messages that arrived meanwhile (`stop`) are handled: training steps and
 * the pipeline's awaits only queue microtasks, which would run the whole training first.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** VOC mAP@0.5 of the model on the validation images (`null` when there are none), and its seconds. */
async function validate(
  model: SsdDetector,
  val: DetectionDataset,
): Promise<{ map: number | null; seconds: number }> {
  if (val.images.length === 0) return { map: null, seconds: 0 };
  const ev = await evaluateDetector(model, val.images, loadImage, val.classNames);
  return { map: ev.voc.mAP, seconds: ev.seconds };
}

/**
 * Trains `steps` steps. Each epoch that ends (the last one may be cut short by `steps`) is evaluated on
 * the validation images; the weights of the epoch with the highest VOC mAP@0.5 are kept (serialized in
 * memory) and restored when the training ends, by its steps or by `stop`. An epoch interrupted by
 * `stop` is not evaluated.
 */
async function train(id: number, steps: number, epochs?: number): Promise<Results["train"]> {
  const { train: data, val } = requireDemo("train");
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`train: steps must be an integer >= 1; got ${steps}`);
  const probe = demoConfig(DEMO_URL);
  const perEpoch = Math.ceil(data.images.length / probe.train.batchSize);
  const config = trainConfig(data, steps, perEpoch, epochs);
  const sameClasses =
    detector !== undefined && detector.config.classNames.join("\n") === data.classNames.join("\n");
  if (detector === undefined || optimizer === undefined || !sameClasses) {
    optimizer?.dispose();
    detector?.dispose();
    detector = createRunDetector(config, data.classNames);
    optimizer = createRunOptimizer(config, detector);
  }
  const model = detector;
  const opt = optimizer;
  const pipeline = trainingPipeline(config, data, model, loadImage);
  const schedule = lrSchedule(config, pipeline.batchesPerEpoch);
  stopRequested = false;
  const losses: [number, number][] = [];
  const reports: EpochReport[] = [];
  let kept: { epoch: number; map: number; weights: ArrayBuffer; json: SavedModelJson } | undefined;
  let step = 0;
  let imagesSeen = 0;
  let trainSeconds = 0;
  let evalSeconds = 0;
  for (let epoch = 0; step < steps && !stopRequested; epoch++) {
    let sum = 0;
    let n = 0;
    let ran = 0;
    for await (const batch of pipeline.epoch(epoch)) {
      if (step >= steps || stopRequested) break;
      const t0 = performance.now();
      const r = trainStep(model, opt, collate(batch), config, learningRateAt(schedule, step));
      trainSeconds += (performance.now() - t0) / 1000;
      imagesSeen += batch.samples.length;
      losses.push([step, r.loss]);
      if (Number.isFinite(r.loss)) {
        sum += r.loss;
        n++;
      }
      step++;
      ran++;
      post({ id, kind: "progress", step, total: steps, loss: r.loss, epoch: epoch + 1 });
      await nextTask();
    }
    if (ran === 0 || (stopRequested && ran < pipeline.batchesPerEpoch)) break;
    const v = await validate(model, val);
    evalSeconds += v.seconds;
    const report: EpochReport = {
      epoch: epoch + 1,
      steps: ran,
      meanLoss: n > 0 ? sum / n : Number.NaN,
      valMap: v.map,
      evalSeconds: v.seconds,
    };
    reports.push(report);
    if (replacesKeptEpoch(kept?.map, v.map)) {
      kept = { epoch: epoch + 1, map: v.map ?? Number.NaN, ...(await serializeDetector(model)) };
    }
    post({ id, kind: "epoch", report, keptEpoch: kept?.epoch ?? -1 });
  }
  if (kept !== undefined) {
    const specs = kept.json.weightsManifest[0]?.weights ?? [];
    unpackParams(model.params, specs, kept.weights, `epoch ${kept.epoch}`);
  }
  return {
    losses,
    stopped: stopRequested,
    epochs: reports,
    keptEpoch: kept?.epoch ?? -1,
    keptMap: kept?.map ?? null,
    imagesPerSecond: trainSeconds > 0 ? imagesSeen / trainSeconds : 0,
    trainSeconds,
    evalSeconds,
  };
}

function detectionsOf(
  model: SsdDetector,
  d: { boxes: { data: Float32Array }; scores: Float32Array; labels: Int32Array },
): Detection[] {
  return Array.from(d.scores, (score, i) => {
    const label = d.labels[i]!;
    const b = d.boxes.data;
    return {
      box: [b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]!, b[i * 4 + 3]!] as const,
      label,
      className: model.config.classNames[label - 1] ?? String(label),
      score,
    };
  });
}

async function detect(req: Extract<Request, { type: "detect" }>): Promise<Results["detect"]> {
  const model = requireDetector("detect");
  const image =
    "file" in req.image
      ? await decodeImage(req.image.file, req.image.name)
      : fromImageData({
          width: req.image.width,
          height: req.image.height,
          data: rgbaOf(req.image),
        });
  const [d] = await model.predict([image], { scoreThreshold: req.scoreThreshold ?? 0.3 });
  if (d === undefined) throw new Error("detect: no result");
  const drawn = drawSample(makeSample(image, d.boxes, d.labels), {
    labelNames: ["background", ...model.config.classNames],
    scores: d.scores,
  });
  return { detections: detectionsOf(model, d), drawn: rgb(drawn) };
}

function rgbaOf(img: RgbImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, o = 0; i < img.data.length; i += 3, o += 4) {
    out[o] = img.data[i]!;
    out[o + 1] = img.data[i + 1]!;
    out[o + 2] = img.data[i + 2]!;
    out[o + 3] = 255;
  }
  return out;
}

async function handle(req: RequestMessage): Promise<Results[keyof Results]> {
  switch (req.type) {
    case "init": {
      const info = await initBackend({
        prefer: ["wasm", "cpu"],
        wasmPaths: WASM_URL,
        ...(req.threads === undefined ? {} : { threads: req.threads }),
      });
      return {
        backend: info.name,
        reason: info.reason,
        crossOriginIsolated: (self as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      };
    }
    case "loadDemo": {
      const config = demoConfig(DEMO_URL);
      const trainSet = await loadSplit(config.data.trainSplit);
      const valSet = await loadSplit(config.data.valSplit, trainSet.classNames);
      demo = { train: trainSet, val: valSet, valSource: `the slice's ${config.data.valSplit} split` };
      pickedImages = new Map();
      images.clear();
      return dataInfo(demo);
    }
    case "loadFiles": {
      const { dataset, images: picked } = datasetFromFiles(req.files);
      const config = demoConfig(DEMO_URL);
      const { train: trainSet, val: valSet } = trainValSplit(dataset, config);
      const percent = Math.round(config.data.valFraction * 100);
      demo = {
        train: trainSet,
        val: valSet,
        valSource: `seeded ${percent} % of the picked images, seed ${config.train.seed}`,
      };
      pickedImages = picked;
      images.clear();
      return dataInfo(demo);
    }
    case "samples": {
      const { train: data } = requireDemo("samples");
      const record = data.images[req.index];
      if (record === undefined)
        throw new Error(`samples: index ${req.index} is out of range (${data.images.length} images)`);
      const image = await loadImage(record);
      const grid = augmentationGrid(
        makeSample(image, record.boxes, record.labels),
        buildAugmentation(demoConfig(DEMO_URL)),
        { n: req.n, seed: req.seed, labelNames: data.classNames, cellWidth: 192, cellHeight: 192 },
      );
      return { grid: rgb(grid) };
    }
    case "train":
      return train(req.id, req.steps, req.epochs);
    case "stop":
      stopRequested = true;
      return { stopping: true };
    case "memory": {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    }
    case "evaluate": {
      const { val, valSource } = requireDemo("evaluate");
      const model = requireDetector("evaluate");
      if (val.images.length === 0) throw new Error(`evaluate: no validation images (${valSource})`);
      const ev = await evaluateDetector(model, val.images, loadImage, val.classNames);
      return {
        map: ev.voc.mAP,
        perClass: val.classNames.map((name, k) => {
          const ap = ev.voc.ap[k] ?? -1;
          return { name, ap: ap < 0 ? null : ap };
        }),
        images: val.images.length,
        split: valSource,
      };
    }
    case "detect":
      return detect(req);
    case "exportModel": {
      const { json, weights } = await serializeDetector(requireDetector("exportModel"));
      return { json: `${JSON.stringify(json, null, 1)}\n`, weights };
    }
    case "loadModel": {
      let json: unknown;
      try {
        json = JSON.parse(req.json.text);
      } catch (e) {
        throw new Error(`${req.json.name}: not valid JSON (${(e as Error).message})`);
      }
      const loaded = deserializeDetector(json, req.weights.data, req.json.name);
      detector?.dispose();
      optimizer?.dispose();
      detector = loaded;
      optimizer = createRunOptimizer(demoConfig(DEMO_URL), loaded);
      return { classNames: loaded.config.classNames };
    }
    case "bench":
      return bench(req);
  }
}

/** {@link measureSpeed} of the demo config (priors fitted) at the requested batch size. */
async function bench(req: Extract<Request, { type: "bench" }>): Promise<Results["bench"]> {
  const { train: data } = requireDemo("bench");
  const base = trainConfig(data, 1, 1);
  const config: TrainConfig = { ...base, train: { ...base.train, batchSize: req.batchSize } };
  return measureSpeed(config, data, loadImage, req);
}

let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<RequestMessage>) => {
  const req = e.data;
  const run = async (): Promise<void> => {
    try {
      const result = await handle(req);
      const transfer: Transferable[] = [];
      if (req.type === "exportModel") transfer.push((result as Results["exportModel"]).weights);
      post({ id: req.id, kind: "result", result }, transfer);
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
      post({ id: req.id, kind: "error", message });
    }
  };
  if (req.type === "stop" || req.type === "memory") void run();
  else queue = queue.then(run);
};
