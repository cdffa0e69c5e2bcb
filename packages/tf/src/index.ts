/** @packageDocumentation tfjs runtime for od: backend selection (wasm, cpu, optional tfjs-node), gradient registration, wasm-trainable convolutions */
export {};
