/**
 * Multi-threaded tfjs-backend-wasm in Node. tfjs 4.22 ships a threaded SIMD build (XNNPACK with a
 * pthread pool of Web Workers) but enables it only in browsers (tensorflow/tfjs#3830): in Node its
 * loader hands `worker_threads` a `blob:` URL, which Node refuses, and sizes the pool as half of
 * `os.cpus()` (assuming two hardware threads per core), which is one thread on a 2-core machine.
 * {@link initThreadedWasmNode} bridges both for the duration of the backend's initialisation only:
 * - `Blob` + `URL.createObjectURL`: the pthread worker script tfjs builds is written to a temporary
 *   folder (`od-wasm-threads-*` in `os.tmpdir()`), with its `importScripts(<blob>)` of the main script
 *   pointed at tfjs's own `wasm-out/tfjs-backend-wasm-threaded-simd.js`. The folder is removed as soon
 *   as the backend has started (Emscripten loads its whole pool of workers before it reports ready, and
 *   no worker is created from the file later), so a process that is killed leaves nothing behind;
 * - `os.cpus()` reports twice the cores, so the pool gets the number of threads asked for.
 * Everything is restored before it returns. Node only (imports `node:` modules lazily).
 */

/**
 * Lets the process exit while the pthread pool's workers idle (Emscripten keeps them referenced, so a
 * script that is done would otherwise never end).
 */
function unrefWorkers(module: unknown): void {
  const pt = (module as { PThread?: { unusedWorkers?: unknown[]; runningWorkers?: unknown[] } } | undefined)
    ?.PThread;
  for (const w of [...(pt?.unusedWorkers ?? []), ...(pt?.runningWorkers ?? [])]) {
    (w as { unref?: () => void }).unref?.();
  }
}

/** What the tfjs wasm module exports for thread control. */
interface WasmModuleApi {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Initialises the `wasm` backend as the threaded build with `threads` XNNPACK threads.
 * @param setBackend `tf.setBackend`, resolving to whether the backend initialised.
 * @returns the threads XNNPACK reports.
 * @throws Error when the threaded build does not initialise (the caller falls back to one thread).
 */
export async function initThreadedWasmNode(
  threads: number,
  wasm: WasmModuleApi,
  setBackend: (name: string) => Promise<boolean>,
  setMultithreadFlag: (on: boolean) => void,
  backendModule: () => unknown,
): Promise<number> {
  const os = (await import("node:os")).default;
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const mainScript = require.resolve(
    "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js",
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "od-wasm-threads-"));

  const texts = new WeakMap<Blob, string>();
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const origCpus = os.cpus;
  class TextBlob extends OrigBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === "string")) texts.set(this, parts.join(""));
    }
  }
  let workerFiles = 0;
  globalThis.Blob = TextBlob;
  URL.createObjectURL = (b: Blob): string => {
    const text = texts.get(b);
    if (text === undefined) return origCreate(b);
    const script = text.replace(
      /if\(typeof e\.data\.urlOrBlob=="string"\)\{importScripts\(e\.data\.urlOrBlob\)\}else\{[^}]*\}/,
      `importScripts(${JSON.stringify(mainScript)});`,
    );
    if (script === text) throw new Error("the tfjs pthread worker script has an unexpected shape");
    const file = path.join(dir, `worker-${workerFiles++}.js`);
    fs.writeFileSync(file, script);
    return file;
  };
  os.cpus = () => {
    const c = origCpus();
    const one = c[0];
    return one === undefined ? c : Array.from({ length: 2 * threads }, () => one);
  };
  setMultithreadFlag(true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await setBackend("wasm"))) throw new Error("the threaded wasm build did not initialise");
    return wasm.getThreadsCount();
  } finally {
    unrefWorkers(backendModule());
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    os.cpus = origCpus;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
