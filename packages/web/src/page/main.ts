/**
 * The page: buttons and canvases over the training worker (`worker.ts`). Everything heavy runs in the
 * worker; this thread draws what it returns. `window.od.request` sends any protocol request and
 * resolves with its result (the browser tests and the benchmark drive the page through it).
 * @module
 */
import { lossCurveSvg, mapCurveSvg } from "@od/train";
import type { DataInfo, Request, Response, Results, RgbImage } from "./protocol.js";
import { oneLine } from "./text.js";

/** What a training request sends before its result: a step's progress, or an evaluated epoch. */
type Progress = Extract<Response, { kind: "progress" | "epoch" }>;

const worker = new Worker("/worker.js", { type: "module" });
let nextId = 1;
const pending = new Map<
  number,
  { resolve: (r: unknown) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void }
>();

worker.onmessage = (e: MessageEvent<Response>) => {
  const m = e.data;
  const p = pending.get(m.id);
  if (p === undefined) return;
  if (m.kind === "progress" || m.kind === "epoch") p.onProgress?.(m);
  else {
    pending.delete(m.id);
    if (m.kind === "result") p.resolve(m.result);
    else p.reject(new Error(m.message));
  }
};
worker.onerror = (e) => showError(`worker: ${e.message}`);

/** Sends a request to the worker; resolves with its result, rejects with its one-line error. */
function request<T extends Request["type"]>(
  req: Extract<Request, { type: T }>,
  onProgress?: (p: Progress) => void,
): Promise<Results[T]> {
  const id = nextId++;
  return new Promise<Results[T]>((resolve, reject) => {
    pending.set(id, {
      resolve: resolve as (r: unknown) => void,
      reject,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    const r: Request = req;
    worker.postMessage({ ...r, id }, r.type === "loadModel" ? [r.weights.data] : []);
  });
}

const $ = <E extends HTMLElement>(id: string): E => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as E;
};

function showError(message: string): void {
  $("error").textContent = oneLine(message);
}

function status(text: string): void {
  $("status").textContent = text;
}

function draw(canvasId: string, img: RgbImage): void {
  const canvas = $<HTMLCanvasElement>(canvasId);
  canvas.width = img.width;
  canvas.height = img.height;
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, o = 0; i < img.data.length; i += 3, o += 4) {
    rgba[o] = img.data[i]!;
    rgba[o + 1] = img.data[i + 1]!;
    rgba[o + 2] = img.data[i + 2]!;
    rgba[o + 3] = 255;
  }
  canvas.getContext("2d")?.putImageData(new ImageData(rgba, img.width, img.height), 0, 0);
}

/** Runs a UI action: clears the error line first; a failure shows one line and changes nothing else. */
async function action(what: () => Promise<void>): Promise<void> {
  showError("");
  try {
    await what();
  } catch (e) {
    showError((e as Error).message);
  }
}

const enable = (...ids: string[]): void => {
  for (const id of ids) $<HTMLButtonElement>(id).disabled = false;
};

let hasModel = false;

/** What the page says of the epoch a training kept. */
function keptText(r: Results["train"]): string {
  if (r.keptEpoch > 0)
    return `; kept epoch ${r.keptEpoch} (validation mAP@0.5 ${r.keptMap?.toFixed(3)}, the best of ${r.epochs.length} evaluated)`;
  return r.epochs.length === 0
    ? "; no epoch finished, so the weights of the last step are kept"
    : "; no validation images, so the weights of the last step are kept";
}

async function train(steps: number, epochs?: number): Promise<Results["train"]> {
  const points: [number, number][] = [];
  const maps: [number, number][] = [];
  $<HTMLButtonElement>("train").disabled = true;
  $<HTMLButtonElement>("stop").disabled = false;
  const bar = $<HTMLProgressElement>("progress");
  try {
    const r = await request({ type: "train", steps, ...(epochs === undefined ? {} : { epochs }) }, (p) => {
      if (p.kind === "epoch") {
        if (p.report.valMap !== null) maps.push([p.report.epoch, p.report.valMap]);
        $("map-chart").innerHTML = mapCurveSvg(maps, []);
        $("train-info").textContent =
          `epoch ${p.report.epoch}: validation mAP@0.5 ${p.report.valMap?.toFixed(3) ?? "–"}; best so far: epoch ${p.keptEpoch}`;
        return;
      }
      bar.max = p.total;
      bar.value = p.step;
      $("progress-text").textContent =
        `step ${p.step}/${p.total} (epoch ${p.epoch}), loss ${p.loss.toFixed(3)}`;
      if (Number.isFinite(p.loss)) points.push([p.step, p.loss]);
      if (p.step % 2 === 0 || p.step === p.total) $("chart").innerHTML = lossCurveSvg(points);
    });
    $("chart").innerHTML = lossCurveSvg(points);
    $("train-info").textContent =
      `${r.losses.length} steps${r.stopped ? " (stopped)" : ""}, ${r.imagesPerSecond.toFixed(1)} images/s` +
      keptText(r) +
      `; validation after each epoch took ${r.evalSeconds.toFixed(1)} s of ${(r.evalSeconds + r.trainSeconds).toFixed(1)} s`;
    hasModel = true;
    enable("evaluate", "download");
    return r;
  } finally {
    $<HTMLButtonElement>("train").disabled = false;
    $<HTMLButtonElement>("stop").disabled = true;
  }
}

async function evaluate(): Promise<Results["evaluate"]> {
  status("evaluating…");
  const r = await request({ type: "evaluate" });
  const rows = r.perClass
    .map(
      (c) =>
        `<tr><td style="text-align:left">${c.name}</td><td>${c.ap === null ? "–" : c.ap.toFixed(3)}</td></tr>`,
    )
    .join("");
  $("eval").innerHTML =
    `<table><tr><th style="text-align:left">class</th><th>AP@0.5</th></tr>${rows}` +
    `<tr><th style="text-align:left">mAP@0.5 (VOC)</th><th>${r.map.toFixed(3)}</th></tr></table>`;
  status(`evaluated on ${r.images} validation images (${r.split})`);
  return r;
}

async function detectFile(file: File): Promise<Results["detect"]> {
  if (!hasModel) throw new Error(`${file.name}: train or load a model first`);
  const r = await request({ type: "detect", image: { file: await file.arrayBuffer(), name: file.name } });
  draw("detections", r.drawn);
  status(`${file.name}: ${r.detections.length} detection(s)`);
  return r;
}

function saveFile(name: string, data: BlobPart, type: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function loadModelFiles(files: readonly File[]): Promise<Results["loadModel"]> {
  const json = files.find((f) => f.name.endsWith(".json"));
  const bin = files.find((f) => f.name.endsWith(".bin"));
  const names = files.map((f) => f.name).join(", ") || "no file";
  if (json === undefined) throw new Error(`${names}: pick model.json together with weights.bin`);
  if (bin === undefined) throw new Error(`${json.name}: pick weights.bin together with it`);
  const r = await request({
    type: "loadModel",
    json: { text: await json.text(), name: json.name },
    weights: { data: await bin.arrayBuffer(), name: bin.name },
  });
  hasModel = true;
  enable("evaluate", "download");
  status(`loaded ${json.name}: classes ${r.classNames.join(", ")}`);
  return r;
}

$("load-demo").onclick = () =>
  action(async () => {
    status("loading the demo slice…");
    const r = await request({ type: "loadDemo" });
    $("data-info").textContent = dataText(r);
    enable("show-samples", "train");
    status("demo data loaded");
  });
/** What the page says of loaded data. */
function dataText(r: DataInfo): string {
  return `${r.train} training and ${r.val} validation images (${r.valSource}); classes ${r.classNames.join(", ")}`;
}

/** Loads picked or dropped files as the dataset (split into training and validation images). */
async function loadDataFiles(files: readonly File[]): Promise<Results["loadFiles"]> {
  const picked = await Promise.all(
    files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })),
  );
  const r = await request({ type: "loadFiles", files: picked });
  $("data-info").textContent = dataText(r);
  enable("show-samples", "train");
  status(`loaded ${files.length} picked files`);
  return r;
}

$<HTMLInputElement>("data-files").onchange = (e) =>
  action(async () => {
    await loadDataFiles([...((e.target as HTMLInputElement).files ?? [])]);
  });
document.body.ondragover = (e) => e.preventDefault();
document.body.ondrop = (e) => {
  e.preventDefault();
  void action(async () => {
    await loadDataFiles([...(e.dataTransfer?.files ?? [])]);
  });
};
$("show-samples").onclick = () =>
  action(async () => {
    const r = await request({ type: "samples", index: 0, n: 8, seed: 0 });
    draw("samples", r.grid);
  });
$("train").onclick = () =>
  action(async () => {
    await train(Number($<HTMLInputElement>("steps").value));
  });
$("stop").onclick = () => void request({ type: "stop" });
$("evaluate").onclick = () =>
  action(async () => {
    await evaluate();
  });
$<HTMLInputElement>("detect-file").onchange = (e) =>
  action(async () => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f !== undefined) await detectFile(f);
  });
$("download").onclick = () =>
  action(async () => {
    const r = await request({ type: "exportModel" });
    saveFile("model.json", r.json, "application/json");
    saveFile("weights.bin", r.weights, "application/octet-stream");
  });
$<HTMLInputElement>("model-files").onchange = (e) =>
  action(async () => {
    await loadModelFiles([...((e.target as HTMLInputElement).files ?? [])]);
  });

/** What the page offers to scripts (browser tests, the benchmark). */
const api = {
  request,
  train,
  evaluate,
  detectFile,
  loadModelFiles,
  loadDataFiles,
  ready: request({ type: "init" }).then((r) => {
    status(`backend: ${r.reason}`);
    return r;
  }),
};
(window as unknown as { od: typeof api }).od = api;
api.ready.catch((e: Error) => showError(e.message));
