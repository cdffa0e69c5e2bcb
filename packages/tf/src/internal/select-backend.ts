/**
 * Backend selection shared by the two entries: `initBackend` of `@od/tf` (runs anywhere; in Node the
 * wasm backend gets one thread) and `initBackend` of `@od/tf/node`, which passes a {@link NodeWasmThreads}
 * to start tfjs's threaded wasm build in Node. Nothing here imports a Node built-in.
 */
import { engine, env, setBackend } from "@tensorflow/tfjs-core";
import { TfError } from "../errors.js";
import { chooseWasmBuild, type WasmBuildChoice, wasmEnvironment } from "../wasm-build.js";
import { registerWasmFastPaths } from "../wasm-fast-paths.js";

/** Backends `@od/tf` can select, in its default order of preference. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** Every {@link BackendName}, in the default order of preference. */
export const BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** Options of `initBackend` (`@od/tf` and `@od/tf/node`). */
export interface InitBackendOptions {
  /** Backends to try, in order. Default {@link BACKENDS}: tensorflow (only when tfjs-node is installed), wasm, cpu. */
  readonly prefer?: readonly BackendName[];
  /**
   * Where the wasm backend finds its `.wasm` files: a directory URL ending in `/`, or a map from file
   * name (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`) to URL. Needed in a browser
   * under a bundler; not needed in Node (the files are read from node_modules).
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * XNNPACK threads of the wasm backend in Node, used by `initBackend` of `@od/tf/node` (default: the
   * machine's cores on the main thread, 1 in a worker thread, where data-parallel replicas run). More
   * than 1 loads tfjs's threaded SIMD build, which tfjs itself enables only in browsers (see
   * `wasm-threads-node.ts`); if it fails to start, the single-threaded build is used and the reason
   * says so. Fixed by the first initialisation of wasm in a process. `initBackend` of `@od/tf` (the
   * browser-clean entry) runs Node's wasm on one thread and says in the reason when more were asked
   * for. In a browser, the XNNPACK threads of the threaded build (default: the logical cores,
   * `navigator.hardwareConcurrency`);
   * ignored when the page is not cross-origin isolated (see `chooseWasmBuild`). In Node, ignored when
   * `wasmPaths` is given.
   */
  readonly threads?: number;
}

/** The active backend and why it was chosen. */
export interface BackendInfo {
  /** tfjs backend name: one of {@link BackendName}, or another name when set outside `initBackend`. */
  readonly name: BackendName | (string & {});
  /** Human-readable reason, e.g. `"tfjs-node not installed; wasm ready (SIMD, 1 thread)"`. */
  readonly reason: string;
  /** Backends tried before this one, with why each was skipped. */
  readonly skipped: readonly { readonly name: BackendName; readonly why: string }[];
}

let current: BackendInfo | undefined;

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** A module specifier TypeScript and bundlers do not try to resolve: tfjs-node is optional. */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]?.slice(0, 160) ?? "";
}

/** True for "package not found" from Node (`ERR_MODULE_NOT_FOUND`), bundlers and dev servers. */
function isNotInstalled(e: unknown, pkg: string): boolean {
  const code = typeof e === "object" && e !== null && "code" in e ? e.code : undefined;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return true;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.includes(pkg) && /cannot find|could not resolve|failed to resolve|failed to load/i.test(msg);
}

async function tryTensorflow(): Promise<string> {
  if (!isNode) throw new Error("tfjs-node runs only in Node");
  const failures: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await importOptional(pkg);
    } catch (e) {
      failures.push(
        isNotInstalled(e, pkg) ? `${pkg} not installed` : `${pkg} failed to load (${errorText(e)})`,
      );
      continue;
    }
    if (await setBackend("tensorflow"))
      return `${pkg} loaded (native TensorFlow${pkg.endsWith("gpu") ? ", GPU" : ""})`;
    failures.push(`${pkg} loaded but the tensorflow backend did not initialise`);
  }
  throw new Error(
    failures.every((f) => f.endsWith("not installed")) ? "tfjs-node not installed" : failures.join("; "),
  );
}

/** What the wasm module of tfjs exports for thread control. */
export interface WasmThreadControl {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * The Node-only part of backend selection, supplied by `@od/tf/node`: how many XNNPACK threads to use
 * and how to start tfjs's threaded wasm build in Node (the signature of `initThreadedWasmNode`).
 */
export interface NodeWasmThreads {
  /** Threads wanted: `requested`, else the cores on the main thread and 1 in a worker thread. */
  threads(requested: number | undefined): number;
  /** Initialises the `wasm` backend as the threaded build; resolves to the threads XNNPACK reports. */
  start(
    threads: number,
    wasm: WasmThreadControl,
    setBackend: (name: string) => Promise<boolean>,
    setMultithreadFlag: (on: boolean) => void,
    backendModule: () => unknown,
  ): Promise<number>;
}

/** Whether the wasm backend already has an instance (its thread count is then fixed). */
function wasmInitialised(): boolean {
  return (engine() as unknown as { registry: Record<string, unknown> }).registry.wasm !== undefined;
}

async function tryWasm(
  wasmPaths: InitBackendOptions["wasmPaths"],
  threadsOption: number | undefined,
  node: NodeWasmThreads | undefined,
): Promise<string> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  registerWasmFastPaths("wasm");
  if (wasmPaths !== undefined) {
    if (typeof wasmPaths === "string") wasm.setWasmPaths(wasmPaths);
    else wasm.setWasmPaths({ ...wasmPaths });
  }
  let note = "";
  if (isNode && wasmPaths === undefined && !wasmInitialised()) {
    const want = node === undefined ? 1 : node.threads(threadsOption);
    const simd = await env().getAsync("WASM_HAS_SIMD_SUPPORT");
    if (node !== undefined && want > 1 && simd === true) {
      try {
        const n = await node.start(
          want,
          wasm,
          setBackend,
          (on) => env().set("WASM_HAS_MULTITHREAD_SUPPORT", on),
          () => (engine().findBackend("wasm") as { wasm?: unknown } | null)?.wasm,
        );
        return `wasm ready (SIMD, ${n} thread${n === 1 ? "" : "s"}, threaded build)`;
      } catch (e) {
        env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
        wasm.setThreadsCount(1);
        note = `; the threaded build failed (${errorText(e)})`;
      }
    } else {
      env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      if (node === undefined && threadsOption !== undefined && threadsOption > 1) {
        note = `; threads: ${threadsOption} ignored: in Node the threaded build starts through initBackend of @od/tf/node`;
      }
    }
  }
  let build: WasmBuildChoice | undefined;
  if (!isNode && !wasmInitialised()) {
    build = chooseWasmBuild(wasmEnvironment((await env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true));
    env().set("WASM_HAS_MULTITHREAD_SUPPORT", build.threaded);
    const threads = threadsOption ?? browserCores();
    if (build.threaded) wasm.setThreadsCount(threads);
    if (build.threaded && !(await withReportedCores(2 * threads, () => setBackend("wasm")))) {
      env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      note = "; the threaded build failed to start (see the console), so one thread";
      build = { ...build, build: "simd", threaded: false };
    }
  }
  if (!(await setBackend("wasm"))) throw new Error("the wasm module did not initialise (see the console)");
  const simd = await env().getAsync("WASM_HAS_SIMD_SUPPORT");
  let nThreads = "1 thread";
  try {
    const n = wasm.getThreadsCount();
    nThreads = `${n} thread${n === 1 ? "" : "s"}`;
  } catch {
    // not initialised through this module instance
  }
  const built = build === undefined ? "" : `, ${build.build} build: ${build.why}`;
  return `wasm ready (${simd === true ? "SIMD" : "no SIMD"}, ${nThreads}${built}${note})`;
}

/**
 * Runs `f` while `navigator.hardwareConcurrency` reports `cores`, then restores it. tfjs's threaded
 * build gives XNNPACK at most half the cores the page reports (as it does with `os.cpus()` in Node,
 * see `wasm-threads-node.ts`), so on 2 cores it would run one thread; the count it reads while the
 * backend initialises is what `threads` asks for, doubled. Where the property cannot be redefined, `f`
 * runs unchanged.
 */
async function withReportedCores<T>(cores: number, f: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: object }).navigator;
  let patched = false;
  if (nav !== undefined && !Object.hasOwn(nav, "hardwareConcurrency")) {
    try {
      Object.defineProperty(nav, "hardwareConcurrency", { value: cores, configurable: true });
      patched = true;
    } catch {
      // a frozen navigator: tfjs reads the real count
    }
  }
  try {
    return await f();
  } finally {
    if (patched) delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Logical cores a page reports (`navigator.hardwareConcurrency`), at least 1, at most 64. */
function browserCores(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && Number.isInteger(n) ? Math.min(64, Math.max(1, n)) : 1;
}

async function tryCpu(): Promise<string> {
  if (!(await setBackend("cpu"))) throw new Error("the cpu backend did not initialise");
  quietCpuBanner();
  return "cpu ready (pure JavaScript, slowest)";
}

/**
 * tfjs-backend-cpu prints "Hi, looks like you are running TensorFlow.js in Node.js..." on the first
 * tensor it stores, gated only by its own `firstUse` field (the env flags `IS_TEST` / `PROD` would
 * silence every tfjs warning, and `PROD` also disables checks). initBackend reports the backend and
 * why it was chosen, so the banner is redundant: clear the gate on the backend instance.
 */
function quietCpuBanner(): void {
  const b = engine().findBackend("cpu") as { firstUse?: unknown } | null;
  if (b !== null && typeof b.firstUse === "boolean") b.firstUse = false;
}

/**
 * `initBackend` of both entries (see their TSDoc): validates `options`, then tries `options.prefer` in
 * order. `node` starts the threaded wasm build in Node; without it Node's wasm runs one thread.
 */
export async function selectBackend(
  options: InitBackendOptions,
  node: NodeWasmThreads | undefined,
): Promise<BackendInfo> {
  const prefer = options.prefer ?? BACKENDS;
  for (const [i, name] of prefer.entries()) {
    if (!BACKENDS.includes(name)) {
      throw new TfError(
        "UNKNOWN_BACKEND",
        `initBackend: prefer[${i}] is ${JSON.stringify(name)} but must be one of ${BACKENDS.map((b) => `"${b}"`).join(", ")}`,
        { details: { function: "initBackend", argument: "prefer", index: i, value: name } },
      );
    }
  }
  if (prefer.length === 0) {
    throw new TfError("INVALID_ARGUMENT", "initBackend: prefer is empty; name at least one backend", {
      details: { function: "initBackend", argument: "prefer" },
    });
  }
  const threads = options.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    throw new TfError(
      "INVALID_ARGUMENT",
      `initBackend: threads must be an integer in [1, 64]; got ${String(threads)}`,
      { details: { function: "initBackend", argument: "threads", value: threads } },
    );
  }
  const skipped: { name: BackendName; why: string }[] = [];
  for (const name of prefer) {
    try {
      const ready =
        name === "tensorflow"
          ? await tryTensorflow()
          : name === "wasm"
            ? await tryWasm(options.wasmPaths, options.threads, node)
            : await tryCpu();
      const reason = [
        ...skipped.map((s) => (s.name === "tensorflow" ? s.why : `${s.name}: ${s.why}`)),
        ready,
      ].join("; ");
      current = { name, reason, skipped };
      return current;
    } catch (e) {
      skipped.push({ name, why: errorText(e) });
    }
  }
  throw new TfError(
    "BACKEND_UNAVAILABLE",
    `initBackend: none of the preferred backends [${prefer.join(", ")}] is available: ${skipped.map((s) => `${s.name}: ${s.why}`).join("; ")}`,
    { details: { function: "initBackend", argument: "prefer", skipped } },
  );
}

/**
 * The active tfjs backend and why it is active: what `initBackend` chose, or, when the backend
 * was set some other way (`tf.setBackend`, tfjs's own default), its name with that said as the reason.
 * @returns `undefined` when no backend has been initialised yet.
 */
export function activeBackend(): BackendInfo | undefined {
  const name = engine().backendName;
  if (name === null || name === undefined) return undefined;
  if (current !== undefined && current.name === name) return current;
  return {
    name,
    reason: `${name} was selected outside initBackend (tf.setBackend or tfjs's default)`,
    skipped: [],
  };
}
