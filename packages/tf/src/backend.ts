import { type BackendInfo, type InitBackendOptions, selectBackend } from "./internal/select-backend.js";

export {
  activeBackend,
  BACKENDS,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
} from "./internal/select-backend.js";

/**
 * Selects the fastest available tfjs backend and makes it active. Tries `prefer` in order (default
 * `["tensorflow", "wasm", "cpu"]`): `tensorflow` only when `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` is installed (guarded dynamic import, Node only), `wasm`
 * (`@tensorflow/tfjs-backend-wasm`; offline in Node, pass `wasmPaths` in a browser), `cpu`.
 * Gradients and the wasm conv backprop kernels are registered by importing `@od/tf`, whichever backend
 * is chosen.
 *
 * This entry imports no Node built-in, so it runs unchanged in a browser. In Node it runs the wasm
 * backend on one thread (the reason says so when `threads` asked for more); `initBackend` of
 * `@od/tf/node` takes the same options and starts tfjs's threaded wasm build there.
 * @returns the chosen backend and why (also kept for {@link activeBackend}).
 * @throws TfError `UNKNOWN_BACKEND` when `prefer` names a backend not in {@link BACKENDS};
 *   `INVALID_ARGUMENT` for an empty `prefer` or `threads` that is not an integer in [1, 64];
 *   `BACKEND_UNAVAILABLE` when every preferred backend failed (the message lists each reason).
 * @example
 * // in a browser, with tfjs-backend-wasm's .wasm files served from /static/tfjs/
 * const { name, reason } = await initBackend({ wasmPaths: "/static/tfjs/" }); // "wasm", and why
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return selectBackend(options, undefined);
}
