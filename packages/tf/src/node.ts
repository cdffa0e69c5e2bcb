/**
 * `@od/tf/node`: backend selection for Node, with tfjs's threaded wasm build (one XNNPACK thread per
 * core on the main thread). Everything else, and the same options and results, come from `@od/tf`.
 * @packageDocumentation
 */
import "./register.js";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import type { BackendInfo, InitBackendOptions } from "./backend.js";
import { type NodeWasmThreads, selectBackend } from "./internal/select-backend.js";
import { WASM_FILES, type WasmBuild } from "./wasm-build.js";
import { initThreadedWasmNode } from "./wasm-threads-node.js";

/** Node's threaded wasm: the default thread count and the bridge that starts tfjs's threaded build. */
const nodeWasmThreads: NodeWasmThreads = {
  threads: (requested) => requested ?? (isMainThread ? availableParallelism() : 1),
  start: initThreadedWasmNode,
};

/**
 * `initBackend` of `@od/tf` for Node: the same selection, options, result and errors, and the wasm
 * backend starts tfjs's threaded SIMD build with `threads` XNNPACK threads (default: the cores on the
 * main thread, 1 in a worker thread, where `@od/train`'s data-parallel replicas run). tfjs enables that
 * build only in browsers; `wasm-threads-node.ts` bridges it for Node while the backend initialises. If
 * it fails to start, the single-threaded build is used and the reason says why. The thread count is
 * fixed by the first wasm initialisation in a process.
 * @returns the chosen backend and why (also kept for `activeBackend` of `@od/tf`).
 * @throws TfError `UNKNOWN_BACKEND`, `INVALID_ARGUMENT`, `BACKEND_UNAVAILABLE`, as `initBackend` of `@od/tf`.
 * @example
 * import { initBackend } from "@od/tf/node";
 * const { name, reason } = await initBackend(); // "wasm", "tfjs-node not installed; wasm ready (SIMD, 2 threads, threaded build)"
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return selectBackend(options, nodeWasmThreads);
}

export type { BackendInfo, InitBackendOptions } from "./backend.js";

/**
 * Where the wasm binaries of the installed `@tensorflow/tfjs-backend-wasm` are on disk: for each
 * {@link WasmBuild}, its file name (what the browser asks for under `wasmPaths`) and absolute path. A
 * server that serves these three files under one URL directory (e.g. `/tfjs/`) makes
 * `initBackend({ wasmPaths: "/tfjs/" })` of `@od/tf` work in a page.
 * @example
 * // GET /tfjs/<name> -> the file at path (Content-Type: application/wasm)
 * const files = new Map(wasmFiles().map((f) => [`/tfjs/${f.name}`, f.path]));
 */
export function wasmFiles(): { readonly build: WasmBuild; readonly name: string; readonly path: string }[] {
  const dir = dirname(
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
  );
  return (Object.keys(WASM_FILES) as WasmBuild[]).map((build) => ({
    build,
    name: WASM_FILES[build],
    path: join(dir, WASM_FILES[build]),
  }));
}
