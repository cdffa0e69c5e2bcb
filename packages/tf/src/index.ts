/**
 * `@od/tf`: the tfjs runtime of od. Importing it registers tfjs-core's gradients and the wasm
 * convolution backprop kernels (so models train on wasm); {@link initBackend} picks tfjs-node, wasm or
 * cpu and {@link activeBackend} says which and why. `tf` is the one tfjs-core every od package uses.
 * @packageDocumentation
 */
import "./register.js";
import * as tf from "@tensorflow/tfjs-core";

export * from "./backend.js";
export * from "./batch-norm.js";
export * from "./clip-grad.js";
export * from "./conv-backprop.js";
export * from "./depthwise-direct.js";
export * from "./errors.js";
export * from "./gradients.js";
export * from "./wasm-fast-paths.js";
/** The tfjs-core namespace (`@tensorflow/tfjs-core`), the same single copy every od package uses. */
export { tf };
