/**
 * Which build of tfjs-backend-wasm a browser runs, and the names of its binaries. Pure functions over
 * what the page reports; no tfjs import.
 * @module
 */

/** The three builds of tfjs-backend-wasm 4.22, by what they need from the page. */
export type WasmBuild = "threaded-simd" | "simd" | "plain";

/**
 * The file each {@link WasmBuild} loads: what a server must serve under the directory given as
 * `wasmPaths` to `initBackend` (all three, so that every browser finds the one it picks).
 */
export const WASM_FILES: Readonly<Record<WasmBuild, string>> = {
  "threaded-simd": "tfjs-backend-wasm-threaded-simd.wasm",
  simd: "tfjs-backend-wasm-simd.wasm",
  plain: "tfjs-backend-wasm.wasm",
};

/** What a page (or worker) reports about itself, read by {@link chooseWasmBuild}. */
export interface WasmEnvironment {
  /** `globalThis.crossOriginIsolated`: true when the page is served with COOP `same-origin` and COEP `require-corp` (or `credentialless`); `undefined` outside browsers. */
  readonly crossOriginIsolated: boolean | undefined;
  /** Whether `SharedArrayBuffer` exists (it does only in cross-origin isolated pages). */
  readonly sharedArrayBuffer: boolean;
  /** Whether the engine validates a wasm module with SIMD instructions (tfjs's `WASM_HAS_SIMD_SUPPORT`). */
  readonly simd: boolean;
}

/** The build {@link chooseWasmBuild} picked and a human-readable reason. */
export interface WasmBuildChoice {
  readonly build: WasmBuild;
  /** Whether tfjs's multi-threaded build is used (`WASM_HAS_MULTITHREAD_SUPPORT`). */
  readonly threaded: boolean;
  /** Why, e.g. `"the page is not cross-origin isolated (serve it with COOP/COEP for threads)"`. */
  readonly why: string;
}

/**
 * The wasm build of a browser page: the threaded SIMD build when the page is cross-origin isolated
 * (threads need `SharedArrayBuffer`) and the engine has wasm SIMD, the single-threaded SIMD build when
 * it has SIMD but is not isolated, the plain build without SIMD (tfjs ships no threaded build without
 * SIMD). Total: every input has an answer.
 * @param env what the page reports (see {@link wasmEnvironment}).
 */
export function chooseWasmBuild(env: WasmEnvironment): WasmBuildChoice {
  if (!env.simd)
    return {
      build: "plain",
      threaded: false,
      why: "no wasm SIMD in this engine, so the plain single-threaded build",
    };
  if (env.crossOriginIsolated !== true)
    return {
      build: "simd",
      threaded: false,
      why: "the page is not cross-origin isolated (serve it with COOP/COEP headers for threads)",
    };
  if (!env.sharedArrayBuffer)
    return {
      build: "simd",
      threaded: false,
      why: "the page is cross-origin isolated but has no SharedArrayBuffer",
    };
  return { build: "threaded-simd", threaded: true, why: "the page is cross-origin isolated" };
}

/**
 * Reads {@link WasmEnvironment} from `globalThis` (a window or a worker); `simd` is passed in because
 * tfjs measures it asynchronously (`env().getAsync("WASM_HAS_SIMD_SUPPORT")`).
 */
export function wasmEnvironment(simd: boolean): WasmEnvironment {
  const g = globalThis as { crossOriginIsolated?: unknown };
  return {
    crossOriginIsolated: typeof g.crossOriginIsolated === "boolean" ? g.crossOriginIsolated : undefined,
    sharedArrayBuffer: typeof SharedArrayBuffer === "function",
    simd,
  };
}
